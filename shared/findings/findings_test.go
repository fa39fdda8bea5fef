package findings

import (
	"strings"
	"testing"
	"time"

	"prodready/shared/policy"
	"prodready/shared/rules"
	"prodready/shared/value"
)

func testBook() (*rules.Book, *rules.Rule, *rules.Rule) {
	a := &rules.Rule{ID: "rule-a", Pillar: rules.Security, Title: "A", Remediation: "fix a", Check: func(*rules.Context) {}}
	b := &rules.Rule{ID: "rule-b", Pillar: rules.Backups, Title: "B", Check: func(*rules.Context) {}}
	return rules.NewBook(a, b), a, b
}

func TestJudge(t *testing.T) {
	book, a, b := testBook()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	results := []rules.Result{
		{Rule: a, Resource: "Orders", Type: "AWS::DynamoDB::Table", Names: []string{"Orders", "orders-prod"}, Message: "bad", Pos: value.Pos{File: "s.yml", Line: 9}},
		{Rule: a, Resource: "Notes", Type: "AWS::DynamoDB::Table", Names: []string{"Notes"}, Message: "bad"},
		{Rule: b, Resource: "Audit", Type: "AWS::S3::Bucket", Names: []string{"Audit"}, Message: "bad"},
		{Rule: b, Resource: "Logs", Type: "AWS::S3::Bucket", Names: []string{"Logs"}, Pass: true, Message: "ok"},
	}
	exemptions := []policy.Exemption{
		{Rule: "rule-a", Resource: "orders-*", Reason: "r", ApprovedBy: "lead", Expires: day("2026-11-27")}, // today: still holds
		{Rule: "rule-a", Resource: "Notes", Reason: "r", ApprovedBy: "lead", Expires: day("2026-11-26")},    // expired yesterday
		{Rule: "rule-b", Resource: "Nothing*", Reason: "r", ApprovedBy: "lead", Expires: day("2027-01-01")}, // matches nothing
	}
	tests := []struct {
		stage                    string
		severity                 string
		blocking                 bool
		failed, exempted, passed int
	}{
		{"production", SeverityError, true, 2, 1, 1},
		{"development", SeverityWarning, false, 2, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.stage, func(t *testing.T) {
			s := policy.Defaults()
			s.Stage, s.Now, s.Exemptions = tc.stage, now, exemptions
			rep := Judge(book, results, nil, s)
			sum := rep.Summary
			if sum.Failed != tc.failed || sum.Exempted != tc.exempted || sum.Passed != tc.passed || sum.Blocking != tc.blocking || sum.Rules != 2 || sum.Resources != 4 {
				t.Errorf("summary = %+v", sum)
			}
			got := map[string]Finding{}
			for _, f := range rep.Findings {
				got[f.Resource] = f
				if f.Severity != tc.severity {
					t.Errorf("%s severity %q, want %q", f.Resource, f.Severity, tc.severity)
				}
			}
			if f := got["Orders"]; f.Status != Exempt || f.Exemption == nil || f.Exemption.Expired || f.File != "s.yml" || f.Line != 9 || f.Fix != "fix a" {
				t.Errorf("Orders (exempt by its physical name, expiring today) = %+v", f)
			}
			if f := got["Notes"]; f.Status != Fail || f.Exemption == nil || !f.Exemption.Expired || !strings.Contains(f.Message, "expired on 2026-11-26") {
				t.Errorf("Notes (expired exemption) = %+v", f)
			}
			if f := got["Audit"]; f.Status != Fail || f.Exemption != nil {
				t.Errorf("Audit = %+v", f)
			}
			if _, listed := got["Logs"]; listed {
				t.Error("passes must not be listed among findings")
			}
			if len(rep.Notes) != 1 || rep.Notes[0].Kind != "unused-exemption" || !strings.Contains(rep.Notes[0].Message, "Nothing*") {
				t.Errorf("notes = %+v", rep.Notes)
			}
			if rep.Findings[0].Pillar != string(rules.Security) {
				t.Errorf("findings not in pillar order: %+v", rep.Findings[0])
			}
		})
	}
}

func TestJudgeNothingFound(t *testing.T) {
	book, _, _ := testBook()
	rep := Judge(book, nil, []rules.Skipped{{Rule: book.Rules()[0], Reason: "not visible live"}}, policy.Settings{Stage: "production", Enforce: []string{"production"}})
	if rep.Findings == nil || len(rep.Findings) != 0 || rep.Summary.Blocking {
		t.Errorf("report = %+v", rep)
	}
	if len(rep.Notes) != 1 || rep.Notes[0].Kind != "skipped-rule" {
		t.Errorf("notes = %+v", rep.Notes)
	}
}
