// Package awscli implements the safeguard commands that talk to AWS: audit
// (the nightly auditor's code path) and dlq (the DLQ archiver's). They are
// built into the safeguard-aws binary, which `safeguard audit` and
// `safeguard dlq` run, so the deploy-time check never loads the AWS SDK.
package awscli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"prodready/safeguard/internal/command"
)

// Main runs the command line of safeguard-aws. A panic is an internal error
// and exits 2.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "safeguard: internal error: %v\n%s", p, debug.Stack())
			code = command.ExitCannot
		}
	}()
	if len(args) > 0 {
		switch args[0] {
		case "audit":
			return Audit(ctx, args[1:], stdout, stderr)
		case "dlq":
			return DLQ(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, "usage: safeguard-aws audit|dlq … (normally run as `safeguard audit` or `safeguard dlq`)")
	return command.ExitCannot
}
