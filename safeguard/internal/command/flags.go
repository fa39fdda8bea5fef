// Package command holds what the safeguard commands share: exit statuses
// (a contract with CI and the Serverless plugin) and flag parsing.
package command

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// ParseArgs parses flags wherever they appear among positional arguments
// (`safeguard check serverless.yml --stage production` reads naturally), and
// returns the positional ones.
func ParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// NewFlagSet returns a flag set that reports errors to stderr.
func NewFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("safeguard "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// MultiFlag collects a repeatable string flag.
type MultiFlag []string

func (m *MultiFlag) String() string     { return strings.Join(*m, ",") }
func (m *MultiFlag) Set(v string) error { *m = append(*m, v); return nil }

// KeyValues collects repeatable key=value flags.
type KeyValues map[string]string

func (kv KeyValues) String() string {
	var parts []string
	for k, v := range kv {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (kv KeyValues) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("expected key=value, got %q", v)
	}
	kv[k] = val
	return nil
}

// Exit statuses.
const (
	ExitOK     = 0 // nothing blocks
	ExitFailed = 1 // failing findings in an enforced stage
	ExitCannot = 2 // cannot check: bad input, configuration error, internal error
)
