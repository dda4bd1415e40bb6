package cli

import (
	"context"
	"flag"
	"fmt"
	"github.com/authgate/authgate/internal/app"
	"text/tabwriter"
	"time"

	"github.com/authgate/authgate/token"
)

func keysCommand(ctx context.Context, args []string, stdio IO) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "rotate") {
		return fmt.Errorf("%w: keys needs list or rotate", errUsage)
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	var sf storeFlags
	sf.register(fs, false)
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: keys %s takes no arguments", errUsage, args[0])
	}
	cfg, err := sf.load()
	if err != nil {
		return err
	}
	store, err := app.OpenIdentity(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()

	if args[0] == "rotate" {
		ring, err := token.NewKeyring(store, token.WithAlgorithm(cfg.Tokens.Algorithm))
		if err != nil {
			return err
		}
		k, err := ring.Rotate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stdout, "new signing key %s (%s); tokens signed by older keys stay valid until they expire\n", k.ID, k.Algorithm)
		return nil
	}
	keys, err := store.SigningKeys(ctx, time.Time{})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tALGORITHM\tCREATED\tSTATE")
	for i, k := range keys {
		state := "retired " + k.RetiredAt.Format(time.RFC3339)
		if k.RetiredAt.IsZero() {
			state = "verifying"
			if i == 0 {
				state = "signing"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, k.Algorithm, k.CreatedAt.Format(time.RFC3339), state)
	}
	return tw.Flush()
}
