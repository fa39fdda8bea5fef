// Package cli implements the safeguard command's subcommands. Each takes its
// arguments and output streams and returns the exit status, so tests call
// them directly.
package cli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// Exit statuses, a contract with CI and the Serverless plugin.
const (
	ExitOK     = 0 // nothing blocks
	ExitFailed = 1 // failing findings in an enforced stage
	ExitCannot = 2 // cannot check: bad input, configuration error, internal error
)

type command struct {
	name, usage string
	run         func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"check", "check a service before deploy: safeguard check [serverless.yml] [--stage S] [--format F]", Check},
		{"rules", "list the rulebook: safeguard rules [--format text|json]", Rules},
		{"explain", "print a rule's rationale and fix: safeguard explain RULE-ID", Explain},
		{"audit", "audit the live account: safeguard audit [--region R] [--format F]", auditCommand},
		{"version", "print the version", Version},
	}
}

// Main runs the command line. A panic anywhere is an internal error and
// exits 2: the safeguard never lets a deploy through because it crashed.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "safeguard: internal error: %v\n%s\nThe deploy is blocked: the safeguard could not finish its check.\n", p, debug.Stack())
			code = ExitCannot
		}
	}()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return ExitCannot
		}
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "safeguard: unknown command %q\n\n", args[0])
	usage(stderr)
	return ExitCannot
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "safeguard: keeps serverless services production-ready (the council's Production Deployment standard)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 nothing blocks, 1 failing findings in an enforced stage, 2 cannot check.")
}

// version is set at build time with -ldflags "-X prodready/safeguard/internal/cli.version=…".
var version = "dev"

// Version prints the version.
func Version(_ context.Context, _ []string, _ io.Reader, stdout, _ io.Writer) int {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v = "dev-" + s.Value[:12]
			}
		}
	}
	fmt.Fprintln(stdout, "safeguard", v)
	return ExitOK
}
