package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"prodready/safeguard/internal/command"
	"prodready/shared/rules"
)

// Rules implements `safeguard rules`: the rulebook, in checklist order.
func Rules(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := command.NewFlagSet("rules", stderr)
	format := fs.String("format", "text", "text or json")
	if _, err := command.ParseArgs(fs, args); err != nil {
		return command.ExitCannot
	}
	book := rules.Default()
	switch *format {
	case "json":
		type ruleJSON struct {
			ID          string `json:"id"`
			Pillar      string `json:"pillar"`
			Point       string `json:"point"`
			Title       string `json:"title"`
			Checklist   string `json:"checklist"`
			Remediation string `json:"remediation"`
			Example     string `json:"example"`
			LiveSkip    string `json:"liveSkip,omitempty"`
		}
		out := []ruleJSON{}
		for _, r := range book.Rules() {
			out = append(out, ruleJSON{r.ID, string(r.Pillar), r.Point, r.Title, r.Checklist, r.Remediation, r.Example, r.LiveSkip})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(stderr, "safeguard rules:", err)
			return command.ExitCannot
		}
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCHECKLIST POINT\tTITLE")
		for _, r := range book.Rules() {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Point, r.Title)
		}
		tw.Flush()
	default:
		fmt.Fprintf(stderr, "safeguard rules: unknown format %q (text or json)\n", *format)
		return command.ExitCannot
	}
	return command.ExitOK
}

// Explain implements `safeguard explain ID`.
func Explain(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: safeguard explain RULE-ID (see `safeguard rules`)")
		return command.ExitCannot
	}
	book := rules.Default()
	r, ok := book.Get(args[0])
	if !ok {
		fmt.Fprintf(stderr, "safeguard explain: %q is not a rule id; the rules are: %s\n", args[0], strings.Join(ids(book), ", "))
		return command.ExitCannot
	}
	fmt.Fprintf(stdout, "%s: %s\n", r.ID, r.Title)
	fmt.Fprintf(stdout, "Checklist: %s (%s)\n\n", r.Point, r.Pillar)
	fmt.Fprintf(stdout, "The standard says:\n  %s\n\n", wrap(r.Checklist, 2))
	fmt.Fprintf(stdout, "Why:\n  %s\n\n", wrap(r.Rationale, 2))
	fmt.Fprintf(stdout, "How to fix:\n  %s\n\n", wrap(r.Remediation, 2))
	fmt.Fprintf(stdout, "Example (serverless.yml):\n%s\n", indent(r.Example, "    "))
	if r.LiveSkip != "" {
		fmt.Fprintf(stdout, "\nNot run by the live auditor: %s\n", r.LiveSkip)
	}
	fmt.Fprintf(stdout, "\nTo exempt a resource (the team lead's decision, recorded with an expiry):\n%s\n", indent(fmt.Sprintf(`custom:
  safeguard:
    exemptions:
      - rule: %s
        resource: LogicalIdOrGlob
        reason: why the checklist point does not apply
        approvedBy: team.lead@example.org
        expires: 2027-03-31`, r.ID), "    "))
	return command.ExitOK
}

func ids(b *rules.Book) []string {
	var out []string
	for _, r := range b.Rules() {
		out = append(out, r.ID)
	}
	return out
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// wrap folds prose at about 96 columns, continuing lines with ind spaces.
func wrap(s string, ind int) string {
	var b strings.Builder
	col := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if col+1+len(w) > 96 {
				b.WriteString("\n" + strings.Repeat(" ", ind))
				col = 0
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
