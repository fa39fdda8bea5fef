package policy

import (
	"strings"
	"testing"
	"time"

	"prodready/shared/value"
)

func TestPublicPaths(t *testing.T) {
	s := Defaults()
	for path, want := range map[string]bool{
		"/swagger/{proxy+}":        true,
		"/swagger":                 true,
		"/api/v1/swagger/index":    true,
		"/openapi.json":            true,
		"/{proxy+}":                false,
		"/orders":                  false,
		"/swaggerish":              false,
		"/api/v1/healthcheck/ping": false,
	} {
		if got := s.IsPublicPath(path); got != want {
			t.Errorf("IsPublicPath(%s) = %v, want %v", path, got, want)
		}
	}
	if !MatchPath("/api/**/ping", "/api/v1/healthcheck/ping") || MatchPath("/api/*/ping", "/api/v1/healthcheck/ping") {
		t.Error("** must match any number of segments and * exactly one")
	}
}

func TestExemptionExpiry(t *testing.T) {
	e := Exemption{Rule: "dashboard", Resource: "*", Expires: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	if e.Expired(time.Date(2026, 11, 27, 23, 59, 0, 0, time.UTC)) {
		t.Error("an exemption holds through its expiry day")
	}
	if !e.Expired(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)) {
		t.Error("an exemption ends after its expiry day")
	}
	if !e.Matches("dashboard", "anything") || e.Matches("dynamodb-pitr", "anything") {
		t.Error("rule matching")
	}
}

func TestFromConfig(t *testing.T) {
	isRule := func(id string) bool { return id == "dashboard" || id == "dynamodb-pitr" }
	parse := func(src string) *value.Node {
		n, err := value.ParseYAML("s.yml", []byte(src), value.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		return n.Get("safeguard")
	}
	s, err := FromConfig(parse(`safeguard:
  enforce: mosaic-prod
  backupTag: {key: Backup, values: {mosaic-prod: Gold}}
  dlqMinRetentionDays: 7
  subnets: {subnet-1: eu-west-2a}
  exemptions:
    - {rule: dashboard, resource: '*', reason: terraform, approvedBy: lead, expires: 2027-01-31}
`), Defaults(), isRule)
	if err != nil {
		t.Fatal(err)
	}
	s.Stage = "mosaic-prod"
	if v, _ := s.ExpectedBackupTag(); !s.Enforced() || s.BackupTagKey != "Backup" || v != "Gold" || s.DLQMinRetention != 7*24*time.Hour || s.SubnetZones["subnet-1"] != "eu-west-2a" || len(s.Exemptions) != 1 {
		t.Errorf("settings = %+v", s)
	}
	bad := []struct{ src, want string }{
		{"safeguard: [1]", "s.yml:1:12: custom.safeguard must be a map"},
		{"safeguard:\n  exemption: []", "s.yml:2:14: custom.safeguard.exemption is not a setting"},
		{"safeguard:\n  dlqMinRetentionDays: 30", "s.yml:2:24: custom.safeguard.dlqMinRetentionDays must be 1 to 14"},
		{"safeguard:\n  exemptions:\n    - {rule: dashboard, resource: x, reason: r, approvedBy: a, expires: soon}", "expires must be a date YYYY-MM-DD"},
		{"safeguard:\n  exemptions:\n    - {rule: nope, resource: x, reason: r, approvedBy: a, expires: 2027-01-01}", `"nope" is not a rule id`},
		{"safeguard:\n  exemptions:\n    - {rule: dashboard, resource: x, reason: '', approvedBy: a, expires: 2027-01-01}", "reason is empty"},
		{"safeguard:\n  exemptions:\n    - {rule: dashboard, resource: x, reason: r, expires: 2027-01-01}", "has no approvedBy"},
		{"safeguard:\n  exemptions:\n    - {rule: dashboard, resource: x, reason: r, approvedBy: a, expires: 2027-01-01, by: me}", "by is not an exemption field"},
	}
	for _, tc := range bad {
		if _, err := FromConfig(parse(tc.src), Defaults(), isRule); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.src, err, tc.want)
		}
	}
}
