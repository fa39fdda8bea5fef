package audit

import (
	"strings"
	"testing"
	"time"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

func TestTagExemptions(t *testing.T) {
	isRule := func(id string) bool { return id == "dynamodb-pitr" || id == "backup-tags" }
	tests := []struct {
		name      string
		key, val  string
		wantRule  string
		wantBy    string
		wantWhy   string
		wantUntil string
		wantNote  string
	}{
		{name: "valid", key: "safeguard:exempt:dynamodb-pitr", val: "2026-12-31 jane.doe@hackney.gov.uk cache rebuilt nightly from the API",
			wantRule: "dynamodb-pitr", wantBy: "jane.doe@hackney.gov.uk", wantWhy: "cache rebuilt nightly from the API", wantUntil: "2026-12-31"},
		{name: "extra spaces", key: "safeguard:exempt:backup-tags", val: "  2027-01-15   lead   copy of  prod ",
			wantRule: "backup-tags", wantBy: "lead", wantWhy: "copy of prod", wantUntil: "2027-01-15"},
		{name: "unknown rule", key: "safeguard:exempt:no-such-rule", val: "2026-12-31 lead reason", wantNote: `"no-such-rule" is not a rule id`},
		{name: "bad date", key: "safeguard:exempt:backup-tags", val: "31/12/2026 lead reason", wantNote: "must start with the expiry date YYYY-MM-DD"},
		{name: "no reason", key: "safeguard:exempt:backup-tags", val: "2026-12-31 lead", wantNote: "<YYYY-MM-DD> <approvedBy> <reason>"},
		{name: "empty", key: "safeguard:exempt:backup-tags", val: "", wantNote: "<YYYY-MM-DD> <approvedBy> <reason>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := inventory.New(inventory.FromLive)
			inv.Add(&inventory.Resource{ID: "arn:aws:dynamodb:eu-west-2:1:table/cache", Name: "cache", Type: "AWS::DynamoDB::Table",
				Tags: map[string]*value.Node{tc.key: value.NewString(tc.val, value.Pos{}), "other": value.NewString("x", value.Pos{})}})
			ex, notes := tagExemptions(inv, isRule)
			if tc.wantNote != "" {
				if len(ex) != 0 || len(notes) != 1 || !strings.Contains(notes[0].Message, tc.wantNote) || notes[0].Kind != "invalid-exemption" {
					t.Fatalf("exemptions %+v notes %+v, want one invalid-exemption note containing %q", ex, notes, tc.wantNote)
				}
				return
			}
			if len(notes) != 0 || len(ex) != 1 {
				t.Fatalf("exemptions %+v notes %+v", ex, notes)
			}
			e := ex[0]
			if e.Rule != tc.wantRule || e.ApprovedBy != tc.wantBy || e.Reason != tc.wantWhy || e.Expires.Format(time.DateOnly) != tc.wantUntil {
				t.Errorf("got %+v", e)
			}
			if e.Resource != "arn:aws:dynamodb:eu-west-2:1:table/cache" || !e.Matches(tc.wantRule, "arn:aws:dynamodb:eu-west-2:1:table/cache") || e.Matches(tc.wantRule, "arn:aws:dynamodb:eu-west-2:1:table/other") {
				t.Errorf("exemption must cover exactly the tagged resource: %+v", e)
			}
		})
	}
}

func TestExemptTagValueUsesOnlyTagCharacters(t *testing.T) {
	// The documented form must be writable as an AWS tag: letters, digits,
	// spaces and _ . : / = + - @ only.
	for _, s := range []string{ExemptTagPrefix + "rds-read-replica", "2026-12-31 jane.doe@hackney.gov.uk reporting copy rebuilt nightly"} {
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" _.:/=+-@", r)) {
				t.Errorf("%q contains %q, which AWS tags do not allow", s, r)
			}
		}
	}
}

func TestExemptionsFile(t *testing.T) {
	isRule := func(id string) bool { return id == "dashboard" }
	tests := []struct {
		name    string
		src     string
		want    int
		wantErr string
	}{
		{name: "list", src: "exemptions:\n  - rule: dashboard\n    resource: legacy-*\n    reason: Grafana\n    approvedBy: lead\n    expires: 2026-12-31\n", want: 1},
		{name: "empty file", src: "", want: 0},
		{name: "empty list", src: "exemptions: []\n", want: 0},
		{name: "unknown key", src: "exemption:\n  - rule: dashboard\n", wantErr: "exemptions.yml:1:1: exemptions.yml: exemption is not a setting"},
		{name: "missing field", src: "exemptions:\n  - rule: dashboard\n    resource: x\n    reason: y\n    expires: 2026-12-31\n", wantErr: "exemptions.yml:2:9: exemptions[0] has no approvedBy"},
		{name: "unknown rule", src: "exemptions:\n  - rule: dashbord\n    resource: x\n    reason: y\n    approvedBy: z\n    expires: 2026-12-31\n", wantErr: `"dashbord" is not a rule id`},
		{name: "not a map", src: "- rule: dashboard\n", wantErr: "must be a map with an exemptions list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := parseExemptionsFile("exemptions.yml", []byte(tc.src), isRule)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(ex) != tc.want {
				t.Fatalf("got %d exemptions, err %v; want %d", len(ex), err, tc.want)
			}
		})
	}
}
