package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"prodready/safeguard/internal/command"
	"prodready/shared/findings"
	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/report"
	"prodready/shared/rules"
	"prodready/shared/serverless"
	"prodready/shared/value"
)

// checkInput is what a check reads: serverless.yml alone, or (from the
// Serverless plugin) the template and resolved configuration the Framework
// compiled, with serverless.yml for line numbers.
type checkInput struct {
	path, template, config string
	stage, region          string
	opts                   map[string]string
}

// Check implements `safeguard check`.
func Check(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := command.NewFlagSet("check", stderr)
	var in checkInput
	in.opts = map[string]string{}
	var format, output string
	var extra, only command.MultiFlag
	var noColor bool
	fs.StringVar(&in.stage, "stage", "", "stage to check (default: provider.stage, else dev)")
	fs.StringVar(&in.region, "region", "", "region (default: provider.region, else us-east-1)")
	fs.StringVar(&format, "format", "text", "report format: "+strings.Join(report.Formats(), ", "))
	fs.StringVar(&output, "output", "", "write the report to FILE instead of standard output")
	fs.Var(&extra, "report", "also write FORMAT=FILE (repeatable), e.g. --report sarif=safeguard.sarif")
	fs.Var(&only, "rule", "run only this rule (repeatable)")
	fs.StringVar(&in.template, "template", "", "compiled CloudFormation template (JSON) from the Framework")
	fs.StringVar(&in.config, "config", "", "resolved service configuration (JSON) from the Framework; with --template")
	fs.Var(command.KeyValues(in.opts), "opt", "a Serverless CLI option for ${opt:NAME}, as NAME=VALUE (repeatable)")
	fs.BoolVar(&noColor, "no-color", false, "never colour the text report")
	pos, err := command.ParseArgs(fs, args)
	if err != nil {
		return command.ExitCannot
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "safeguard check: one service at a time, got %d paths\n", len(pos))
		return command.ExitCannot
	}
	in.path = "serverless.yml"
	if len(pos) == 1 {
		in.path = pos[0]
	}
	if (in.template == "") != (in.config == "") {
		fmt.Fprintln(stderr, "safeguard check: --template and --config go together (the plugin passes both)")
		return command.ExitCannot
	}
	if !slices.Contains(report.Formats(), format) {
		fmt.Fprintf(stderr, "safeguard check: unknown format %q (expected one of %s)\n", format, strings.Join(report.Formats(), ", "))
		return command.ExitCannot
	}
	extras := map[string]string{}
	for _, e := range extra {
		f, file, ok := strings.Cut(e, "=")
		if !ok || !slices.Contains(report.Formats(), f) || file == "" {
			fmt.Fprintf(stderr, "safeguard check: --report expects FORMAT=FILE with FORMAT one of %s, got %q\n", strings.Join(report.Formats(), ", "), e)
			return command.ExitCannot
		}
		extras[f] = file
	}
	book := rules.Default()
	for _, id := range only {
		if !book.Has(id) {
			fmt.Fprintf(stderr, "safeguard check: --rule %q is not a rule id (run `safeguard rules`)\n", id)
			return command.ExitCannot
		}
	}

	rep, err := runCheck(in, book, only, time.Now())
	if err != nil {
		cannotCheck(stderr, in.path, err)
		return command.ExitCannot
	}
	cwd, _ := os.Getwd()
	opts := report.Options{BaseDir: cwd, Version: version}
	for f, file := range extras {
		if err := writeReport(file, f, rep, opts); err != nil {
			cannotCheck(stderr, in.path, err)
			return command.ExitCannot
		}
	}
	if output != "" {
		if err := writeReport(output, format, rep, opts); err != nil {
			cannotCheck(stderr, in.path, err)
			return command.ExitCannot
		}
	} else {
		opts.Color = format == "text" && !noColor && isTerminal(stdout)
		if err := report.Render(stdout, format, rep, opts); err != nil {
			cannotCheck(stderr, in.path, err)
			return command.ExitCannot
		}
	}
	if rep.Summary.Blocking {
		return command.ExitFailed
	}
	return command.ExitOK
}

// runCheck loads the service, runs the rulebook and judges the results.
func runCheck(in checkInput, book *rules.Book, only []string, now time.Time) (findings.Report, error) {
	opts := serverless.Options{Stage: in.stage, Region: in.region, Opts: in.opts}
	var (
		inv   *inventory.Inventory
		cfg   *value.Node
		svc   *serverless.Service
		stage = in.stage
		notes []findings.Note
		err   error
	)
	if in.template == "" {
		if svc, err = serverless.Load(in.path, opts); err != nil {
			return findings.Report{}, err
		}
		if inv, err = svc.Compile(); err != nil {
			return findings.Report{}, err
		}
		cfg, stage = svc.Config, svc.Stage
	} else {
		tmpl, err := readDoc(in.template)
		if err != nil {
			return findings.Report{}, err
		}
		if cfg, err = readDoc(in.config); err != nil {
			return findings.Report{}, err
		}
		if stage == "" {
			return findings.Report{}, errors.New("--template needs --stage (the plugin passes the Framework's stage)")
		}
		// Our own reading of serverless.yml only supplies line numbers here:
		// the Framework's template and configuration are the truth.
		if svc, err = serverless.Load(in.path, opts); err != nil {
			notes = append(notes, findings.Note{Kind: "no-positions", Subject: in.path,
				Message: fmt.Sprintf("findings carry no line numbers: %v", err)})
			svc = nil
		} else {
			// The plugin's configuration has no positions; ours has them
			// for custom.safeguard errors.
			cfg = svc.Config
		}
		if inv, err = serverless.FromTemplate(tmpl, cfg, stage, in.region, svc); err != nil {
			return findings.Report{}, err
		}
	}
	s := policy.Defaults()
	s.Now = now
	s.Stage = stage
	if s, err = policy.FromConfig(cfg.Get("custom", "safeguard"), s, book.Has); err != nil {
		return findings.Report{}, err
	}
	results, skipped, err := book.Run(inv, s, only...)
	if err != nil {
		return findings.Report{}, err
	}
	rep := findings.Judge(book, results, skipped, s)
	rep.Service, rep.Region = inv.Service, inv.Region
	rep.Source = string(inv.Origin)
	rep.Notes = append(notes, rep.Notes...)
	return rep, nil
}

func readDoc(path string) (*value.Node, error) {
	src, err := value.ReadFile(path, value.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return value.Parse(path, src, value.DefaultLimits)
}

func writeReport(path, format string, rep findings.Report, o report.Options) error {
	var buf bytes.Buffer
	if err := report.Render(&buf, format, rep, o); err != nil {
		return fmt.Errorf("render %s report: %w", format, err)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// cannotCheck explains an exit 2: what went wrong, where, and that the
// deploy is blocked because of it (fail closed).
func cannotCheck(w io.Writer, path string, err error) {
	msg := err.Error()
	if _, ok := value.ErrorPos(err); !ok && !strings.Contains(msg, path) {
		msg = path + ": " + msg
	}
	fmt.Fprintf(w, "safeguard: cannot check: %s\n", msg)
	fmt.Fprintln(w, "The deploy is blocked until the safeguard can read the service (exit 2).")
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}
