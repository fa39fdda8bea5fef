// Command safeguard checks Serverless Framework services against the
// council's Production Deployment standard, before deploy and in the live
// account. See `safeguard help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"prodready/safeguard/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
