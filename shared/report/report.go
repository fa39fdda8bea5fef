// Package report renders a judged report (findings.Report) for people and
// for CI: text for the engineer whose deploy was blocked, JSON (a public
// contract), SARIF for GitHub code scanning, JUnit XML for CI test views and
// Markdown for a pull-request comment. The formats read rule metadata from
// the report's book and know nothing of loaders or checks.
package report

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"prodready/shared/findings"
	"prodready/shared/rules"
)

// Options tune a rendering.
type Options struct {
	// Color turns on ANSI colour in text output; set it only when the caller
	// writes to a terminal.
	Color bool
	// BaseDir is the directory file paths are made relative to in SARIF and
	// Markdown (GitHub resolves SARIF paths against the repository root).
	// Empty leaves paths as they are.
	BaseDir string
	// Version is the tool version reported in SARIF.
	Version string
}

// renderer writes one format. Each builds its output in memory and writes it
// once, so a failed write never leaves half a document behind unnoticed.
type renderer func(v *view, o Options) ([]byte, error)

var renderers = map[string]renderer{
	"text":     renderText,
	"json":     renderJSON,
	"sarif":    renderSARIF,
	"junit":    renderJUnit,
	"markdown": renderMarkdown,
}

// Formats lists the supported format names: text, json, sarif, junit, markdown.
func Formats() []string {
	return []string{"text", "json", "sarif", "junit", "markdown"}
}

// Render writes rep in the named format. An unknown format is an error that
// names the valid ones.
func Render(w io.Writer, format string, rep findings.Report, o Options) error {
	r, ok := renderers[format]
	if !ok {
		return fmt.Errorf("unknown report format %q (expected one of: %s)", format, strings.Join(Formats(), ", "))
	}
	out, err := r(newView(rep), o)
	if err != nil {
		return fmt.Errorf("render %s report: %w", format, err)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	return nil
}

// view is a report prepared for rendering: findings and passes in one
// stable order (pillar in checklist order, rule in book order, then
// position and resource), and rule metadata at hand even when the book is
// missing or lacks a rule.
type view struct {
	rep      findings.Report
	findings []findings.Finding // fail and exempt
	passed   []findings.Finding
	rules    []*rules.Rule // the book's rules, then any rule only findings name
	ruleAt   map[string]int
}

func newView(rep findings.Report) *view {
	v := &view{rep: rep, ruleAt: map[string]int{}}
	if rep.Book != nil {
		for _, r := range rep.Book.Rules() {
			v.addRule(r)
		}
	}
	// A finding whose rule the book lacks still renders, with the metadata
	// the finding carries; it sorts after the book's rules.
	for _, list := range [][]findings.Finding{rep.Findings, rep.Passed} {
		for _, f := range list {
			if _, ok := v.ruleAt[f.Rule]; !ok {
				v.addRule(&rules.Rule{ID: f.Rule, Pillar: rules.Pillar(f.Pillar), Title: f.Title, Remediation: f.Fix})
			}
		}
	}
	v.findings = v.sorted(rep.Findings)
	v.passed = v.sorted(rep.Passed)
	return v
}

func (v *view) addRule(r *rules.Rule) {
	v.ruleAt[r.ID] = len(v.rules)
	v.rules = append(v.rules, r)
}

func (v *view) sorted(in []findings.Finding) []findings.Finding {
	out := slices.Clone(in)
	if out == nil {
		out = []findings.Finding{}
	}
	findings.Sort(out, v.rep.Book)
	return out
}

// rule returns the metadata of a finding's rule, preferring the book and
// falling back on what the finding carries.
func (v *view) rule(f findings.Finding) *rules.Rule {
	r := v.rules[v.ruleAt[f.Rule]]
	if r.Title == "" && f.Title != "" || r.Remediation == "" && f.Fix != "" {
		c := *r
		c.Title = cmpOr(r.Title, f.Title)
		c.Remediation = cmpOr(r.Remediation, f.Fix)
		return &c
	}
	return r
}

// ruleTitle is the rule's title, or its id when it has none.
func ruleTitle(r *rules.Rule) string { return cmpOr(r.Title, r.ID) }

// pillarGroup is the findings of one pillar, in order.
type pillarGroup struct {
	Pillar   string
	Findings []findings.Finding
}

// byPillar groups sorted findings by pillar, keeping their order; the
// pillars come in checklist order because the findings do.
func byPillar(fs []findings.Finding) []pillarGroup {
	var out []pillarGroup
	for _, f := range fs {
		if len(out) == 0 || out[len(out)-1].Pillar != f.Pillar {
			out = append(out, pillarGroup{Pillar: f.Pillar})
		}
		g := &out[len(out)-1]
		g.Findings = append(g.Findings, f)
	}
	return out
}

// pillarName is how a pillar is headed; a finding without one is "Other".
func pillarName(p string) string { return cmpOr(p, "Other") }

// summaryLine is the one-line verdict every human-facing format ends on.
func summaryLine(s findings.Summary) string {
	return fmt.Sprintf("%d failing, %d exempted, %d passed across %s: %s",
		s.Failed, s.Exempted, s.Passed, plural(s.Rules, "rule"), verdict(s))
}

// verdict says whether the deploy is blocked and why.
func verdict(s findings.Summary) string {
	switch {
	case s.Blocking:
		return fmt.Sprintf("deploy blocked (stage %s is enforced)", s.Stage)
	case s.Enforced:
		return fmt.Sprintf("deploy not blocked (stage %s is enforced and nothing fails)", s.Stage)
	case s.Stage == "":
		return "not blocking (no stage is enforced; findings are warnings)"
	}
	return fmt.Sprintf("not blocking (stage %s is not enforced; findings are warnings)", s.Stage)
}

// exemptHint tells a blocked engineer how the team lead records an
// exemption, with the first failure as the worked example.
func exemptHint(fs []findings.Finding) string {
	rule, res := "<rule-id>", "<resource>"
	for _, f := range fs {
		if f.Status == findings.Fail {
			rule, res = f.Rule, f.Resource
			break
		}
	}
	return fmt.Sprintf("If the team lead accepts a failure, record it in custom.safeguard.exemptions: "+
		"{rule: %s, resource: %s, reason: <why>, approvedBy: <team lead>, expires: <YYYY-MM-DD>}", rule, res)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// location is "file:line:col" with the parts that are known.
func location(file string, line, col int) string {
	switch {
	case file == "":
		return ""
	case line == 0:
		return file
	case col == 0:
		return fmt.Sprintf("%s:%d", file, line)
	}
	return fmt.Sprintf("%s:%d:%d", file, line, col)
}

// relPath makes file relative to base with forward slashes, as code scanning
// and a pull request show repository paths. A file outside base, or any
// path when base is empty, is kept as given (with forward slashes).
func relPath(file, base string) string {
	if file == "" || base == "" {
		return filepath.ToSlash(file)
	}
	f, b := file, base
	if filepath.IsAbs(f) != filepath.IsAbs(b) {
		var err1, err2 error
		f, err1 = filepath.Abs(f)
		b, err2 = filepath.Abs(b)
		if err1 != nil || err2 != nil {
			return filepath.ToSlash(file)
		}
	}
	r, err := filepath.Rel(b, f)
	if err != nil {
		return filepath.ToSlash(file)
	}
	r = filepath.ToSlash(r)
	if r == ".." || strings.HasPrefix(r, "../") {
		return filepath.ToSlash(file)
	}
	return r
}

// uriPath escapes a slash-separated path as a relative URI reference (a
// space becomes %20; a colon in the first segment is kept from reading as
// a scheme).
func uriPath(p string) string {
	return (&url.URL{Path: p}).String()
}

// oneLine flattens text for a single-line slot and drops control
// characters, so a hostile resource name cannot smuggle terminal escapes or
// break a line-oriented format.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// buffer is a bytes.Buffer with printf, for the line-oriented formats.
type buffer struct{ bytes.Buffer }

func (b *buffer) printf(format string, args ...any) { fmt.Fprintf(&b.Buffer, format, args...) }
