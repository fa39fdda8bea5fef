// Package cli implements the safeguard command: the deploy-time check and
// its catalogue. Each subcommand takes its arguments and output streams and
// returns the exit status, so tests call them directly.
//
// The commands that talk to AWS (audit, dlq) live in the safeguard-aws
// binary, which safeguard runs for them: they carry the AWS SDK, whose
// start-up cost (about 20 MB of memory and the time to initialise it) the
// check that runs on every `sls package` must not pay.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"

	"prodready/safeguard/internal/command"
)

// Exit statuses, a contract with CI and the Serverless plugin.
const (
	ExitOK     = command.ExitOK
	ExitFailed = command.ExitFailed
	ExitCannot = command.ExitCannot
)

// Companion is the binary that provides the AWS-facing subcommands.
const Companion = "safeguard-aws"

type runner func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int

type subcommand struct {
	name, usage string
	run         runner
}

func subcommands() []subcommand {
	return []subcommand{
		{"check", "check a service before deploy: safeguard check [serverless.yml] [--stage S] [--format F]", Check},
		{"rules", "list the rulebook: safeguard rules [--format text|json]", Rules},
		{"explain", "print a rule's rationale and fix: safeguard explain RULE-ID", Explain},
		{"audit", "audit the live account: safeguard audit [--region R] [--format F] (runs " + Companion + ")", companion("audit")},
		{"dlq", "archive or restore dead-letter messages: safeguard dlq archive|restore … (runs " + Companion + ")", companion("dlq")},
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
	for _, c := range subcommands() {
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
	for _, c := range subcommands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 nothing blocks, 1 failing findings in an enforced stage, 2 cannot check.")
}

// companion runs a subcommand of the safeguard-aws binary, found next to
// this executable or on PATH, with the same arguments and streams.
func companion(name string) runner {
	return func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		path, err := findCompanion()
		if err != nil {
			fmt.Fprintf(stderr, "safeguard %s: %v\nInstall it beside safeguard (make install, or go install ./safeguard/cmd/%s), or run go run ./safeguard/cmd/%s %s …\n", name, err, Companion, Companion, name)
			return ExitCannot
		}
		cmd := exec.CommandContext(ctx, path, append([]string{name}, args...)...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
		err = cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return ExitOK
		case errors.As(err, &exit) && exit.ExitCode() >= 0:
			return exit.ExitCode()
		}
		fmt.Fprintf(stderr, "safeguard %s: %s: %v\n", name, path, err)
		return ExitCannot
	}
}

func findCompanion() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), Companion)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	p, err := exec.LookPath(Companion)
	if err != nil {
		return "", fmt.Errorf("%s was not found next to safeguard or on PATH", Companion)
	}
	return p, nil
}

// version is set at build time with -ldflags "-X prodready/safeguard/internal/cli.version=…".
var version = "dev"

// Version prints the version.
func Version(_ context.Context, _ []string, _ io.Reader, stdout, _ io.Writer) int {
	fmt.Fprintln(stdout, "safeguard", Revision())
	return ExitOK
}

// Revision is the build's version: the -X value, else the VCS revision.
func Revision() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v = "dev-" + s.Value[:12]
			}
		}
	}
	return v
}
