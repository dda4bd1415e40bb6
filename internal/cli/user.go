package cli

import (
	"context"
	"flag"
	"fmt"
	"github.com/authgate/authgate/internal/app"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/authgate/authgate/accounts"
	"github.com/authgate/authgate/audit"
	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/password"
	"github.com/authgate/authgate/revocation"
	"github.com/authgate/authgate/session"
)

func userCommand(ctx context.Context, args []string, stdio IO) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: user needs add, list, passwd, disable or enable", errUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	var sf storeFlags
	sf.register(fs, false)
	var roles stringList
	var fromStdin bool
	if sub == "add" {
		fs.Var(&roles, "role", "role to grant (repeatable)")
	}
	if sub == "add" || sub == "passwd" {
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input (required)")
	}
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	wantArgs := 1
	if sub == "list" {
		wantArgs = 0
	}
	if len(pos) != wantArgs {
		return fmt.Errorf("%w: user %s takes %d argument(s), got %d", errUsage, sub, wantArgs, len(pos))
	}
	if (sub == "add" || sub == "passwd") && !fromStdin {
		return fmt.Errorf("%w: user %s needs --password-stdin (passwords are never taken as arguments)", errUsage, sub)
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
	enders, closeEnders, err := openEnders(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeEnders()
	svc := accounts.New(store, password.New(), enders...)
	// The CLI's events go to the audit log only; its output is for the operator.
	rec := audit.New(store, slog.New(slog.DiscardHandler))

	switch sub {
	case "add":
		pw, err := readPassword(stdio.Stdin)
		if err != nil {
			return err
		}
		u, err := svc.Add(ctx, pos[0], pw, roles)
		if err != nil {
			return err
		}
		rec.Record(ctx, audit.UserCreated, u.Subject, u.Username, "", "by", "cli", "roles", strings.Join(u.Roles, ","))
		fmt.Fprintf(stdio.Stdout, "created user %s (subject %s, roles %s)\n", u.Username, u.Subject, strings.Join(u.Roles, ","))
	case "passwd":
		pw, err := readPassword(stdio.Stdin)
		if err != nil {
			return err
		}
		if err := svc.SetPassword(ctx, pos[0], pw); err != nil {
			return err
		}
		rec.Record(ctx, audit.PasswordChanged, "", pos[0], "", "by", "cli")
		fmt.Fprintf(stdio.Stdout, "password of %s changed; its sessions and tokens are ended\n", pos[0])
	case "disable", "enable":
		if err := svc.SetDisabled(ctx, pos[0], sub == "disable"); err != nil {
			return err
		}
		kind := audit.UserEnabled
		if sub == "disable" {
			kind = audit.UserDisabled
		}
		rec.Record(ctx, kind, "", pos[0], "", "by", "cli")
		fmt.Fprintf(stdio.Stdout, "user %s %sd\n", pos[0], sub)
	case "list":
		users, err := svc.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdio.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tSUBJECT\tROLES\tMFA\tDISABLED\tCREATED")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%t\t%s\n", u.Username, u.Subject, strings.Join(u.Roles, ","),
				u.TOTPSecret != "", u.Disabled, u.CreatedAt.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	default:
		return fmt.Errorf("%w: unknown user command %q", errUsage, sub)
	}
	return nil
}

// openEnders opens the stores that hold sessions and revocations, so that ending a user's
// credentials reaches every instance: the session store and the revocation list.
func openEnders(ctx context.Context, cfg config.Config) ([]accounts.Ender, func(), error) {
	state, err := app.OpenState(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	t := cfg.Tokens
	enders := []accounts.Ender{
		session.NewManager(state.Sessions),
		revocation.NewRevoker(state.Revocations, t.AccessTTL+t.Leeway),
	}
	return enders, func() { state.Close() }, nil
}
