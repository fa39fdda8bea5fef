package cli

import (
	"context"
	"io"
)

// auditCommand adapts a subcommand that takes no standard input to the
// common signature.
func auditCommand(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return Audit(ctx, args, stdout, stderr)
}

