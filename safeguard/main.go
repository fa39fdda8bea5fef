// Command safeguard checks Serverless Framework services against the
// council's Production Deployment standard before deploy. See `safeguard help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"prodready/safeguard/internal/cli"
)

func main() {
	// A check allocates about 80 MB for a 1,000-function service and keeps
	// little of it for long: collecting a third as often cut its time by a
	// fifth. The soft limit keeps the heap, and so the process, under the
	// 64 MiB the check is allowed; past it the collector works harder.
	debug.SetGCPercent(300)
	debug.SetMemoryLimit(50 << 20)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
