package report

import (
	"strings"
	"testing"

	"prodready/shared/findings"
)

func TestTextColourOnlyWhenAsked(t *testing.T) {
	rep := testReport("production")
	// A resource name with an escape sequence in it must not reach the
	// terminal either way.
	rep.Findings[0].Resource = "Evil\x1b[2J\x1b[31mBucket"
	for name, rep := range map[string]findings.Report{"production": rep, "development": testReport("development"), "empty": cases()["empty"]} {
		plain := string(render(t, "text", rep, Options{}))
		if strings.Contains(plain, "\x1b") {
			t.Errorf("%s: text without Color has an escape code:\n%q", name, plain)
		}
		colour := string(render(t, "text", rep, Options{Color: true}))
		if !strings.Contains(colour, "\x1b[") {
			t.Errorf("%s: text with Color has no ANSI code", name)
		}
		if strings.Contains(colour, "\x1b[2J") {
			t.Errorf("%s: a control sequence from the input reached the output", name)
		}
	}
}

func TestTextFixOncePerRule(t *testing.T) {
	out := string(render(t, "text", testReport("production"), Options{}))
	// test-authorizer fails two resources: one fix line for the rule.
	if n := strings.Count(out, "fix: Add an authorizer"); n != 1 {
		t.Errorf("test-authorizer's fix printed %d times, want once:\n%s", n, out)
	}
	for _, f := range []string{"GET /things has no authorizer", "POST /things has no authorizer"} {
		if !strings.Contains(out, f) {
			t.Errorf("text lacks failure %q", f)
		}
	}
	var fixes int
	seen := map[string]bool{}
	for _, f := range testReport("production").Failed() {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			fixes++
		}
	}
	if n := strings.Count(out, "    fix: "); n != fixes {
		t.Errorf("%d fix lines, want one per failing rule (%d)", n, fixes)
	}
}

func TestTextSections(t *testing.T) {
	tests := []struct {
		name  string
		rep   findings.Report
		want  []string
		never []string
	}{
		{"blocked", testReport("production"),
			[]string{
				"/work/svc/serverless.yml:31:11  test-authorizer  ApiGatewayMethodThingsGet",
				"exemption expired on 2025-01-31 (approved by Jane Doe: legacy function retires in Q1)",
				"exempt  test-pitr  ArchiveTable: rebuilt nightly from S3 | no PITR needed (approved by Sam Lead, until 2025-12-31)",
				"unused-exemption  test-gsi OldTable",
				"skipped-rule  test-canary: canaries are checked by the nightly audit",
				"not-audited  reports-api",
				"5 failing, 1 exempted, 6 passed across 7 rules: deploy blocked (stage production is enforced)",
				"custom.safeguard.exemptions: {rule: test-encryption, resource: LegacyBucket, reason: <why>, approvedBy: <team lead>, expires: <YYYY-MM-DD>}",
			}, nil},
		{"warnings", testReport("development"),
			[]string{"not blocking (stage development is not enforced; findings are warnings)"},
			[]string{"custom.safeguard.exemptions: {rule"}},
		{"clean", cases()["clean"], []string{"No findings: every resource checked passes."}, []string{"fix:"}},
		{"empty", cases()["empty"], []string{"Nothing was checked"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(render(t, "text", tt.rep, Options{}))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("text lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.never {
				if strings.Contains(out, w) {
					t.Errorf("text has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestTextPillarsInChecklistOrder(t *testing.T) {
	out := string(render(t, "text", testReport("production"), Options{}))
	last := -1
	for _, p := range []string{"Security (", "Monitoring and alerting (", "Back ups ("} {
		i := strings.Index(out, p)
		if i < 0 || i < last {
			t.Fatalf("pillar %q missing or out of checklist order:\n%s", p, out)
		}
		last = i
	}
}
