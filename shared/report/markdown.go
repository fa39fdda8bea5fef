package report

import (
	"fmt"
	"html"
	"strings"

	"prodready/shared/findings"
	"prodready/shared/rules"
)

// markdownLimit keeps a comment under GitHub's 65,536-character limit for
// pull-request comments, with room for the truncation note.
const markdownLimit = 65000

// mdSection is a run of blocks (table rows, list items, fix panels) that
// can be cut short when the comment would grow past the limit. Its head is
// written only if at least one block is.
type mdSection struct {
	head   string
	blocks []string
	tail   string
	what   string // what a block is, for the truncation note: "failing findings"
	keep   int
}

func (s *mdSection) String() string {
	if s.keep == 0 {
		return ""
	}
	return s.head + strings.Join(s.blocks[:s.keep], "") + s.tail
}

// renderMarkdown writes a pull-request comment: verdict heading, a table
// per pillar, failing findings, fixes folded in <details>, exemptions and
// notes. If it would pass the limit, fixes are kept first (they are bounded
// by the number of rules), then notes (few, and an unused exemption or a
// skipped rule matters), then as many findings and exemptions as fit, and a
// note says what was left out.
func renderMarkdown(v *view, o Options) ([]byte, error) {
	s := v.rep.Summary
	var head buffer
	switch {
	case s.Blocking:
		head.printf("## ❌ Safeguard: deploy blocked\n\n")
	case s.Failed > 0:
		head.printf("## ⚠️ Safeguard: %s, not blocking\n\n", plural(s.Failed, "failing finding"))
	default:
		head.printf("## ✅ Safeguard: no failing findings\n\n")
	}
	head.printf("**%s**\n\n", mdEscape(summaryLine(s)))
	if ctx := mdContext(v.rep, o.BaseDir); ctx != "" {
		head.printf("%s\n\n", ctx)
	}
	head.printf("%s", mdPillarTable(v))

	failing := &mdSection{
		head: "### Failing\n\n| Rule | Resource | Location | Message |\n|---|---|---|---|\n",
		tail: "\n", what: "failing findings",
	}
	exempt := &mdSection{
		head: "### Exemptions\n\n| Rule | Resource | Status | Reason | Approved by | Expires |\n|---|---|---|---|---|---|\n",
		tail: "\n", what: "exemptions",
	}
	for _, f := range v.findings {
		if f.Status == findings.Fail {
			failing.blocks = append(failing.blocks, fmt.Sprintf("| %s | %s | %s | %s |\n",
				mdCode(f.Rule), mdCell(f.Resource), mdCell(location(relPath(f.File, o.BaseDir), f.Line, f.Column)), mdCell(f.Message)))
		}
		if e := f.Exemption; e != nil {
			status := "exempt"
			if e.Expired {
				status = "**expired: failing again**"
			}
			exempt.blocks = append(exempt.blocks, fmt.Sprintf("| %s | %s | %s | %s | %s | %s |\n",
				mdCode(f.Rule), mdCell(f.Resource), status, mdCell(e.Reason), mdCell(e.ApprovedBy), mdCell(e.Expires)))
		}
	}
	fixes := &mdSection{head: "### How to fix\n\n", what: "fixes"}
	for _, r := range v.rules {
		var n int
		for _, f := range v.findings {
			if f.Rule == r.ID && f.Status == findings.Fail {
				n++
			}
		}
		if n > 0 {
			fixes.blocks = append(fixes.blocks, mdFix(v, r, n))
		}
	}
	notes := &mdSection{head: "### Notes\n\n", tail: "\n", what: "notes"}
	for _, n := range v.rep.Notes {
		notes.blocks = append(notes.blocks, fmt.Sprintf("- **%s** %s: %s\n", mdEscape(oneLine(n.Kind)), mdEscape(oneLine(n.Subject)), mdEscape(oneLine(n.Message))))
	}
	var foot string
	if s.Blocking {
		foot = "> " + mdEscape(exemptHint(v.findings)) + "\n"
	}

	budget := markdownLimit - head.Len() - len(foot) - 400 // 400: the truncation note
	for _, sec := range []*mdSection{fixes, notes, failing, exempt} {
		for i, blk := range sec.blocks {
			cost := len(blk)
			if i == 0 {
				cost += len(sec.head) + len(sec.tail)
			}
			if cost > budget {
				break
			}
			budget -= cost
			sec.keep++
		}
	}

	var b buffer
	b.printf("%s", head.String())
	switch {
	case len(v.findings) > 0:
	case s.Rules == 0 && s.Passed == 0:
		b.printf("Nothing was checked: no rule found a resource to examine.\n\n")
	default:
		b.printf("No findings: every resource checked passes.\n\n")
	}
	for _, sec := range []*mdSection{failing, fixes, exempt, notes} {
		b.printf("%s", sec.String())
	}
	var cut []string
	for _, sec := range []*mdSection{failing, fixes, exempt, notes} {
		if d := len(sec.blocks) - sec.keep; d > 0 {
			cut = append(cut, fmt.Sprintf("%d of %d %s", d, len(sec.blocks), sec.what))
		}
	}
	if len(cut) > 0 {
		b.printf("> **Truncated:** %s not shown, to keep this comment under %s characters. "+
			"Run `safeguard check --format text` for the full report.\n\n", strings.Join(cut, ", "), "65,000")
	}
	b.printf("%s", foot)
	return b.Bytes(), nil
}

func mdContext(r findings.Report, base string) string {
	var parts []string
	for _, kv := range [][2]string{{"service", r.Service}, {"stage", r.Stage}, {"account", r.Account}, {"region", r.Region}, {"source", relPath(r.Source, base)}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+mdCode(kv[1]))
		}
	}
	return strings.Join(parts, " · ")
}

// mdPillarTable counts failing, exempted and passing results per pillar,
// every checklist pillar listed so a clean pillar shows as clean.
func mdPillarTable(v *view) string {
	type counts struct{ fail, exempt, pass int }
	byP := map[string]*counts{}
	order := make([]string, 0, len(rules.Pillars)+1)
	for _, p := range rules.Pillars {
		order = append(order, string(p))
		byP[string(p)] = &counts{}
	}
	at := func(p string) *counts {
		if c, ok := byP[p]; ok {
			return c
		}
		c := &counts{}
		byP[p] = c
		order = append(order, p)
		return c
	}
	for _, f := range v.findings {
		if f.Status == findings.Exempt {
			at(f.Pillar).exempt++
		} else {
			at(f.Pillar).fail++
		}
	}
	for _, f := range v.passed {
		at(f.Pillar).pass++
	}
	var b strings.Builder
	b.WriteString("| Pillar | Failing | Exempted | Passed |\n|---|---:|---:|---:|\n")
	for _, p := range order {
		c := byP[p]
		fail := fmt.Sprint(c.fail)
		if c.fail > 0 {
			fail = "**" + fail + "**"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d |\n", mdCell(pillarName(p)), fail, c.exempt, c.pass)
	}
	b.WriteString("\n")
	return b.String()
}

// mdFix is one rule's fix, folded: the checklist sentence, what to change
// and a passing example.
func mdFix(v *view, r *rules.Rule, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><code>%s</code> %s (%s)</summary>\n\n",
		html.EscapeString(r.ID), html.EscapeString(ruleTitle(r)), plural(n, "failing resource"))
	if r.Checklist != "" {
		quote := mdEscape(oneLine(r.Checklist))
		if r.Point != "" {
			quote = "**" + mdEscape(r.Point) + ":** " + quote
		}
		b.WriteString("> " + quote + "\n\n")
	}
	fix := r.Remediation
	if fix == "" {
		fix = "No remediation is recorded for this rule; see the checklist point."
	}
	b.WriteString(mdEscape(oneLine(fix)) + "\n\n")
	if r.Example != "" {
		b.WriteString(codeBlock("yaml", r.Example) + "\n")
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

// mdCell makes text safe for one table cell: a single line, with Markdown
// and HTML syntax (pipes and backticks above all) taken literally.
func mdCell(s string) string {
	if s == "" {
		return "–"
	}
	return mdEscape(oneLine(s))
}

// mdEscape backslash-escapes the ASCII punctuation that would otherwise
// format, link, open HTML or end a table cell.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&!#", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode is s as inline code, fenced with more backticks than it holds;
// pipes stay escaped because GitHub splits table cells before code spans.
func mdCode(s string) string {
	s = strings.ReplaceAll(oneLine(s), "|", "\\|")
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// codeBlock fences text with more backticks than any run inside it.
func codeBlock(lang, text string) string {
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return fence + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}

func longestRun(s string, c rune) int {
	best, cur := 0, 0
	for _, r := range s {
		if r == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}
