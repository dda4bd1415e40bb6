// Command authgate is one gateway for JWT, Redis-session and hybrid authentication, chosen per route.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/authgate/authgate/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
