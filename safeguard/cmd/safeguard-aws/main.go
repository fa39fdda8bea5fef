// Command safeguard-aws provides the safeguard subcommands that talk to AWS:
// `safeguard audit` and `safeguard dlq` run it. It is a separate binary so
// that the check run on every `sls package` does not load the AWS SDK.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"prodready/safeguard/internal/awscli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := awscli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
