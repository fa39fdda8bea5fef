// Package policy holds what a team may configure about the checks
// (custom.safeguard in serverless.yml, or the auditor's configuration):
// which stages are enforced, the exemptions they approved, and the few
// thresholds the standard leaves to them.
package policy

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"prodready/shared/value"
)

// Settings are the knobs rules read. Zero values are filled by Defaults.
type Settings struct {
	// Stage is the stage being checked ("" for a live audit, which uses
	// BackupStage for the one stage-dependent value).
	Stage string
	// Enforce lists the stages where findings block (exit 1).
	Enforce []string
	// PublicPaths are glob patterns (path.Match syntax, with ** meaning any
	// suffix) of API paths that may have no authorizer: the standard allows
	// Swagger documentation only.
	PublicPaths []string
	// BackupTagKey is the tag the council's central backup reads.
	BackupTagKey string
	// BackupTagValues maps a stage to the value that tag must have.
	BackupTagValues map[string]string
	// BackupStage is the stage whose backup tag value a live audit expects.
	BackupStage string
	// CanaryMaxMinutes is the longest gap between canary runs (the standard: 5).
	CanaryMaxMinutes int
	// LogRetentionMinDays and LogRetentionMaxDays bound log retention
	// (the standard: 6 to 8 months).
	LogRetentionMinDays int
	LogRetentionMaxDays int
	// DLQMinRetention is the shortest dead-letter queue retention that leaves
	// the archiver (and the engineer reviewing) time before messages expire.
	DLQMinRetention time.Duration
	// ArchiveTag marks a queue the DLQ archiver should archive even though no
	// redrive policy names it (a Lambda DLQ or on-failure destination).
	ArchiveTag string
	// SubnetZones maps subnet ids to their availability zones, for static
	// checks that cannot ask EC2.
	SubnetZones map[string]string
	// Exemptions recorded by the team lead.
	Exemptions []Exemption
	// Now is the time exemptions are judged against.
	Now time.Time
}

// Defaults returns the settings the standard implies.
func Defaults() Settings {
	return Settings{
		Enforce:             []string{"production", "prod"},
		PublicPaths:         DefaultPublicPaths(),
		BackupTagKey:        "BackupPolicy",
		BackupTagValues:     map[string]string{"production": "Prod", "prod": "Prod", "staging": "Stg", "stg": "Stg", "development": "Dev", "dev": "Dev"},
		BackupStage:         "production",
		CanaryMaxMinutes:    5,
		LogRetentionMinDays: 180, // 6 months
		LogRetentionMaxDays: 243, // 8 months
		DLQMinRetention:     4 * 24 * time.Hour,
		ArchiveTag:          "safeguard:dlq-archive",
		Now:                 time.Now(),
	}
}

// DefaultPublicPaths are Swagger and OpenAPI documentation paths.
func DefaultPublicPaths() []string {
	return []string{"/swagger", "/swagger/**", "/swagger-ui/**", "/swagger.json", "/swagger.yaml", "/openapi", "/openapi/**", "/openapi.json", "/openapi.yaml", "/api-docs", "/api-docs/**", "/docs", "/docs/**", "/**/swagger/**", "/**/swagger.json", "/**/openapi.json"}
}

// Enforced reports whether findings block in the current stage.
func (s Settings) Enforced() bool { return slices.Contains(s.Enforce, s.Stage) }

// ExpectedBackupTag returns the backup tag value for the stage being checked.
func (s Settings) ExpectedBackupTag() (string, bool) {
	stage := s.Stage
	if stage == "" {
		stage = s.BackupStage
	}
	v, ok := s.BackupTagValues[stage]
	return v, ok
}

// IsPublicPath reports whether an API path may go without an authorizer.
func (s Settings) IsPublicPath(p string) bool {
	p = "/" + strings.Trim(p, "/")
	for _, pat := range s.PublicPaths {
		if MatchPath(pat, p) {
			return true
		}
	}
	return false
}

// MatchPath matches an API path against a pattern: path.Match per segment,
// "**" matching any number of segments, case-insensitively.
func MatchPath(pattern, p string) bool {
	ps := strings.Split(strings.Trim(strings.ToLower(pattern), "/"), "/")
	xs := strings.Split(strings.Trim(strings.ToLower(p), "/"), "/")
	return matchSegs(ps, xs)
}

func matchSegs(ps, xs []string) bool {
	for len(ps) > 0 {
		if ps[0] == "**" {
			if len(ps) == 1 {
				return true
			}
			for i := 0; i <= len(xs); i++ {
				if matchSegs(ps[1:], xs[i:]) {
					return true
				}
			}
			return false
		}
		if len(xs) == 0 {
			return false
		}
		if ok, err := path.Match(ps[0], xs[0]); err != nil || !ok {
			return false
		}
		ps, xs = ps[1:], xs[1:]
	}
	return len(xs) == 0
}

// Exemption records a team lead's decision that a rule does not apply to
// some resources, until a date.
type Exemption struct {
	Rule       string
	Resource   string // glob over the resource's id, name or ARN
	Reason     string
	ApprovedBy string
	Expires    time.Time // the exemption holds through this day (UTC)
	Pos        value.Pos
}

// Expired reports whether the exemption no longer holds at now.
func (e Exemption) Expired(now time.Time) bool {
	return !now.UTC().Before(e.Expires.AddDate(0, 0, 1))
}

// Matches reports whether the exemption covers a rule and any of a
// resource's names.
func (e Exemption) Matches(rule string, names ...string) bool {
	if e.Rule != rule && e.Rule != "*" {
		return false
	}
	for _, n := range names {
		if ok, err := path.Match(e.Resource, n); err == nil && ok {
			return true
		}
		if e.Resource == n {
			return true
		}
	}
	return false
}

// String renders the exemption for messages.
func (e Exemption) String() string {
	return fmt.Sprintf("%s on %s until %s (approved by %s: %s)", e.Rule, e.Resource, e.Expires.Format(time.DateOnly), e.ApprovedBy, e.Reason)
}
