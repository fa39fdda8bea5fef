package report

import (
	"strings"

	"prodready/shared/findings"
)

// palette colours text only when asked: a log file or CI console full of
// escape codes is harder to read than plain text.
type palette struct{ on bool }

func (p palette) paint(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p palette) bold(s string) string   { return p.paint("1", s) }
func (p palette) dim(s string) string    { return p.paint("2", s) }
func (p palette) red(s string) string    { return p.paint("31", s) }
func (p palette) yellow(s string) string { return p.paint("33", s) }
func (p palette) green(s string) string  { return p.paint("32", s) }

// severity colours a failure by what it does to the deploy.
func (p palette) severity(sev, s string) string {
	if sev == findings.SeverityError {
		return p.red(s)
	}
	return p.yellow(s)
}

// renderText writes the report for the engineer whose deploy was just
// blocked: failures grouped by pillar with the fix for each rule once,
// exemptions briefly, notes, and a verdict line.
func renderText(v *view, o Options) ([]byte, error) {
	p := palette{on: o.Color}
	var b buffer
	if h := textHeader(v.rep); h != "" {
		b.printf("%s\n\n", p.bold(h))
	}
	s := v.rep.Summary
	if len(v.findings) == 0 {
		if s.Rules == 0 && s.Passed == 0 {
			b.printf("%s\n\n", p.yellow("Nothing was checked: no rule found a resource to examine."))
		} else {
			b.printf("%s\n\n", p.green("No findings: every resource checked passes."))
		}
	}
	for _, g := range byPillar(v.findings) {
		textPillar(&b, p, v, g)
	}
	if len(v.rep.Notes) > 0 {
		b.printf("%s\n", p.bold("Notes"))
		for _, n := range v.rep.Notes {
			b.printf("  %s  %s: %s\n", n.Kind, oneLine(n.Subject), oneLine(n.Message))
		}
		b.printf("\n")
	}
	line := summaryLine(s)
	switch {
	case s.Blocking:
		line = p.red(line)
	case s.Failed > 0:
		line = p.yellow(line)
	default:
		line = p.green(line)
	}
	b.printf("%s\n", line)
	if s.Blocking {
		b.printf("%s\n", oneLine(exemptHint(v.findings)))
	}
	return b.Bytes(), nil
}

func textHeader(r findings.Report) string {
	var parts []string
	if r.Service != "" {
		parts = append(parts, "service "+oneLine(r.Service))
	}
	if r.Stage != "" {
		parts = append(parts, "stage "+oneLine(r.Stage))
	}
	if r.Account != "" {
		parts = append(parts, "account "+oneLine(r.Account))
	}
	if r.Region != "" {
		parts = append(parts, "region "+oneLine(r.Region))
	}
	if r.Source != "" {
		parts = append(parts, "source "+oneLine(r.Source))
	}
	if len(parts) == 0 {
		return ""
	}
	return cmpOr(r.Tool, "safeguard") + ": " + strings.Join(parts, ", ")
}

// textPillar writes one pillar: its failures (each rule's fix once, after
// the rule's last failing resource), then its exemptions.
func textPillar(b *buffer, p palette, v *view, g pillarGroup) {
	var failed, exempt int
	for _, f := range g.Findings {
		if f.Status == findings.Exempt {
			exempt++
		} else {
			failed++
		}
	}
	var counts []string
	if failed > 0 {
		counts = append(counts, plural(failed, "failure"))
	}
	if exempt > 0 {
		counts = append(counts, plural(exempt, "exemption"))
	}
	b.printf("%s (%s)\n", p.bold(pillarName(g.Pillar)), strings.Join(counts, ", "))
	var fails []findings.Finding
	for _, f := range g.Findings {
		if f.Status != findings.Exempt {
			fails = append(fails, f)
		}
	}
	for i, f := range fails {
		head := f.Rule + "  " + oneLine(f.Resource)
		if loc := location(oneLine(f.File), f.Line, f.Column); loc != "" {
			head = loc + "  " + head
		}
		b.printf("  %s\n", p.severity(f.Severity, head))
		b.printf("      %s\n", oneLine(f.Message))
		if e := f.Exemption; e != nil && e.Expired {
			b.printf("      %s\n", p.severity(f.Severity, "exemption expired on "+oneLine(e.Expires)+
				" (approved by "+oneLine(e.ApprovedBy)+": "+oneLine(e.Reason)+"): renew it with the team lead or fix the resource"))
		}
		if i+1 == len(fails) || fails[i+1].Rule != f.Rule {
			r := v.rule(f)
			fix := cmpOr(r.Remediation, "see the checklist point "+cmpOr(r.Point, ruleTitle(r)))
			if r.Example != "" {
				fix += " (example: safeguard explain " + r.ID + ")"
			}
			b.printf("    %s %s\n", p.bold("fix:"), oneLine(fix))
		}
	}
	for _, f := range g.Findings {
		if f.Status != findings.Exempt {
			continue
		}
		line := "exempt  " + f.Rule + "  " + oneLine(f.Resource)
		if e := f.Exemption; e != nil {
			line += ": " + oneLine(e.Reason) + " (approved by " + oneLine(e.ApprovedBy) + ", until " + oneLine(e.Expires) + ")"
		}
		b.printf("  %s\n", p.dim(line))
	}
	b.printf("\n")
}
