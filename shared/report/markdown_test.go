package report

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"prodready/shared/findings"
	"prodready/shared/rules"
)

// cells splits a Markdown table row on unescaped pipes.
var cellSep = regexp.MustCompile(`(^|[^\\])\|`)

func TestMarkdownEscapesCells(t *testing.T) {
	rep := testReport("production")
	rep.Findings[0].Message = "a | b `c` ``d`` <script>x</script> [link](http://x) *bold*"
	rep.Findings[0].Resource = "Res|ource`"
	out := string(render(t, "markdown", rep, Options{BaseDir: baseDir}))
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Contains(line, "script") {
			if n := len(cellSep.FindAllString(line, -1)); n != 5 {
				t.Errorf("row has %d cell separators, want 5: %s", n, line)
			}
			if strings.Contains(line, "<script>") || !strings.Contains(line, `\[link\](http`) {
				t.Errorf("row lets HTML or a link through: %s", line)
			}
			return
		}
	}
	t.Fatalf("no row for the hostile finding:\n%s", out)
}

func TestMarkdownContent(t *testing.T) {
	out := string(render(t, "markdown", testReport("production"), Options{BaseDir: baseDir}))
	for _, w := range []string{
		"## ❌ Safeguard: deploy blocked",
		"| Security | **3** | 0 | 2 |",
		"| `test-authorizer` | ApiGatewayMethodThingsGet | serverless.yml:31:11 | GET /things has no authorizer |",
		"| `test-pitr` | ArchiveTable | resources/db.yml:20:9 |", // exempt: not in the failing table
		"**expired: failing again**",
		"<details><summary><code>test-authorizer</code> API routes have an authorizer (2 failing resources)</summary>",
		"```yaml\nprovider:\n  tracing:",
		"- **unused-exemption** test-gsi OldTable",
	} {
		has := strings.Contains(out, w)
		if strings.HasPrefix(w, "| `test-pitr`") {
			has = !has
		}
		if !has {
			t.Errorf("markdown: want %q present (test-pitr row absent):\n%s", w, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| `") && strings.Contains(line, "/work/svc") || strings.Contains(line, "source `/work") {
			t.Errorf("markdown shows an absolute path; want it relative to BaseDir: %s", line)
		}
	}
}

func TestMarkdownTruncates(t *testing.T) {
	for _, n := range []int{10, 3000} {
		rep := bigReport(n)
		out := render(t, "markdown", rep, Options{BaseDir: baseDir})
		if len(out) > markdownLimit {
			t.Errorf("%d findings: %d bytes, limit %d", n, len(out), markdownLimit)
		}
		truncated := strings.Contains(string(out), "**Truncated:**")
		if truncated != (n == 3000) {
			t.Errorf("%d findings: truncated = %t", n, truncated)
		}
		if n == 3000 {
			for _, w := range []string{"<details>", "deploy blocked", "failing findings", "not shown", "### Notes"} {
				if !strings.Contains(string(out), w) {
					t.Errorf("truncated comment lost %q", w)
				}
			}
			if strings.Count(string(out), "<details>") != strings.Count(string(out), "</details>") {
				t.Error("truncation left a <details> open")
			}
		}
	}
}

func TestMdCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "`plain`"},
		{"a`b", "``a`b``"},
		{"`x", "`` `x ``"},
		{"a|b", "`a\\|b`"},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// bigReport has n failing findings spread over the test rules.
func bigReport(n int) findings.Report {
	b := testBook()
	var rs []rules.Result
	ids := []string{"test-encryption", "test-authorizer", "test-tracing", "test-pitr", "test-gsi"}
	for i := range n {
		r := result(b, ids[i%len(ids)], fmt.Sprintf("Resource%05d", i), "AWS::Lambda::Function", i%4 == 0,
			fmt.Sprintf("resource %d fails the rule for a reason explained at some length here", i), pos(filepath.Join("stacks", "serverless.yml"), i+1, 3))
		rs = append(rs, r)
	}
	return findings.Judge(b, rs, nil, testSettings("production"))
}
