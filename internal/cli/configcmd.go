package cli

import (
	"fmt"

	"github.com/authgate/authgate/config"
)

func configCommand(args []string, stdio IO) error {
	if len(args) != 2 || args[0] != "check" {
		return fmt.Errorf("%w: config check FILE", errUsage)
	}
	cfg, err := config.Load(args[1])
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return fmt.Errorf("config %s: %w", args[1], err)
	}
	fmt.Fprintf(stdio.Stdout, "%s: valid, %d route(s)\n", args[1], len(cfg.EffectiveRoutes()))
	return nil
}
