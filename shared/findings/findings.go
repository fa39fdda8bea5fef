// Package findings turns rule results into the verdicts a report shows:
// exemptions applied (an expired one fails again), severity from the stage,
// and the summary that decides whether a deploy is blocked.
package findings

import (
	"fmt"
	"sort"
	"time"

	"prodready/shared/policy"
	"prodready/shared/rules"
)

// Status of a finding.
type Status string

// The statuses. Only fail and exempt appear in the JSON findings list;
// passes are counted in the summary (and listed by JUnit).
const (
	Fail   Status = "fail"
	Exempt Status = "exempt"
	Pass   Status = "pass"
)

// Severity of a finding: error where the stage is enforced, warning elsewhere.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Finding is one verdict on one resource. Its JSON form is a public contract.
type Finding struct {
	Rule      string     `json:"rule"`
	Status    Status     `json:"status"`
	Severity  string     `json:"severity"`
	Resource  string     `json:"resource"`
	Type      string     `json:"type,omitempty"`
	ARN       string     `json:"arn,omitempty"`
	Message   string     `json:"message"`
	File      string     `json:"file"`
	Line      int        `json:"line"`
	Column    int        `json:"column"`
	Pillar    string     `json:"pillar"`
	Title     string     `json:"title"`
	Fix       string     `json:"fix,omitempty"`
	Exemption *Exemption `json:"exemption,omitempty"`
}

// Exemption is the exemption that covered (or, expired, no longer covers) a finding.
type Exemption struct {
	Resource   string `json:"resource"`
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approvedBy"`
	Expires    string `json:"expires"`
	Expired    bool   `json:"expired"`
}

// Summary counts findings and says whether the deploy is blocked.
type Summary struct {
	Stage     string `json:"stage,omitempty"`
	Enforced  bool   `json:"enforced"`
	Failed    int    `json:"failed"`
	Exempted  int    `json:"exempted"`
	Passed    int    `json:"passed"`
	Rules     int    `json:"rules"`
	Resources int    `json:"resources"`
	Blocking  bool   `json:"blocking"`
}

// Note is something the reader should know that is not a finding: an
// exemption that matched nothing, a rule skipped, a service not audited.
type Note struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Message string `json:"message"`
}

// Report is everything a renderer needs.
type Report struct {
	Tool     string      `json:"tool"`
	Service  string      `json:"service,omitempty"`
	Stage    string      `json:"stage,omitempty"`
	Region   string      `json:"region,omitempty"`
	Account  string      `json:"account,omitempty"`
	Source   string      `json:"source"`
	Findings []Finding   `json:"findings"`
	Passed   []Finding   `json:"-"`
	Notes    []Note      `json:"notes,omitempty"`
	Summary  Summary     `json:"summary"`
	Book     *rules.Book `json:"-"`
}

// Judge applies the settings to rule results: exemptions, severity and summary.
func Judge(book *rules.Book, results []rules.Result, skipped []rules.Skipped, s policy.Settings) Report {
	rep := Report{Tool: "safeguard", Stage: s.Stage, Findings: []Finding{}, Book: book}
	severity := SeverityWarning
	if s.Enforced() {
		severity = SeverityError
	}
	used := make([]bool, len(s.Exemptions))
	type resourceKey struct{ typ, name string }
	resources := map[resourceKey]bool{}
	rulesRun := map[string]bool{}
	for _, r := range results {
		resources[resourceKey{r.Type, r.Resource}] = true
		rulesRun[r.Rule.ID] = true
		f := Finding{
			Rule: r.Rule.ID, Resource: r.Resource, Type: r.Type, ARN: r.ARN, Message: r.Message,
			File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Col,
			Pillar: string(r.Rule.Pillar), Title: r.Rule.Title, Fix: r.Rule.Remediation, Severity: severity,
		}
		if r.Pass {
			f.Status = Pass
			rep.Passed = append(rep.Passed, f)
			continue
		}
		f.Status = Fail
		for i, e := range s.Exemptions {
			if !e.Matches(r.Rule.ID, r.Names...) {
				continue
			}
			used[i] = true
			expired := e.Expired(s.Now)
			f.Exemption = &Exemption{Resource: e.Resource, Reason: e.Reason, ApprovedBy: e.ApprovedBy, Expires: e.Expires.Format(time.DateOnly), Expired: expired}
			if expired {
				f.Message += fmt.Sprintf(" (exemption approved by %s expired on %s)", e.ApprovedBy, e.Expires.Format(time.DateOnly))
				continue // a later, unexpired exemption may still cover it
			}
			f.Status = Exempt
			break
		}
		rep.Findings = append(rep.Findings, f)
	}
	for i, e := range s.Exemptions {
		if !used[i] {
			rep.Notes = append(rep.Notes, Note{Kind: "unused-exemption", Subject: e.Rule + " " + e.Resource,
				Message: fmt.Sprintf("exemption %s matches no failing resource; remove it (declared at %s)", e.String(), e.Pos)})
		}
	}
	for _, sk := range skipped {
		rep.Notes = append(rep.Notes, Note{Kind: "skipped-rule", Subject: sk.Rule.ID, Message: sk.Reason})
	}
	Sort(rep.Findings, book)
	Sort(rep.Passed, book)
	for _, f := range rep.Findings {
		switch f.Status {
		case Fail:
			rep.Summary.Failed++
		case Exempt:
			rep.Summary.Exempted++
		}
	}
	rep.Summary.Passed = len(rep.Passed)
	rep.Summary.Stage = s.Stage
	rep.Summary.Enforced = s.Enforced()
	rep.Summary.Rules = len(rulesRun)
	rep.Summary.Resources = len(resources)
	rep.Summary.Blocking = rep.Summary.Enforced && rep.Summary.Failed > 0
	return rep
}

// Sort puts findings in report order: pillar in checklist order, rule in
// book order (rules the book lacks after, by id), then file, line, column,
// resource and message. Every output format shows them in this order.
func Sort(fs []Finding, book *rules.Book) {
	rank := map[string]int{}
	if book != nil {
		for i, r := range book.Rules() {
			rank[r.ID] = i
		}
	}
	ruleRank := func(id string) int {
		if i, ok := rank[id]; ok {
			return i
		}
		return len(rank)
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if pa, pb := rules.PillarRank(a.Pillar), rules.PillarRank(b.Pillar); pa != pb {
			return pa < pb
		}
		if a.Pillar != b.Pillar {
			return a.Pillar < b.Pillar // two pillars the checklist does not name
		}
		if ra, rb := ruleRank(a.Rule), ruleRank(b.Rule); ra != rb {
			return ra < rb
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Message < b.Message
	})
}

// Failed returns the findings with status fail.
func (r Report) Failed() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Status == Fail {
			out = append(out, f)
		}
	}
	return out
}
