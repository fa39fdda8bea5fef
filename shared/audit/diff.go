package audit

import (
	"slices"
	"sort"

	"prodready/shared/findings"
)

// Diff is what changed since the previous report.
type Diff struct {
	// First is true when there was no previous report: every failure is new.
	First bool `json:"first"`
	// Previous is the key of the report compared against.
	Previous string `json:"previous,omitempty"`
	// New failures, and failures of the previous report that no longer fail.
	New   []findings.Finding `json:"new"`
	Fixed []findings.Finding `json:"fixed"`
	// Unchanged counts failures in both.
	Unchanged int `json:"unchanged"`
	// Unknown counts previous failures of resource types this run could not
	// read (a service not audited): neither fixed nor still failing.
	Unknown int `json:"unknown"`
	// NotAudited lists services not audited now that were audited before
	// (or, on the first run, not audited at all).
	NotAudited []string `json:"notAudited,omitempty"`
}

// Changed reports whether anything is worth a notification.
func (d Diff) Changed() bool { return len(d.New) > 0 || len(d.Fixed) > 0 || len(d.NotAudited) > 0 }

// findingKey identifies a finding across runs: rule and resource (its ARN
// when known: live names are not unique across services).
func findingKey(f findings.Finding) string {
	id := f.ARN
	if id == "" {
		id = f.Type + "\x00" + f.Resource
	}
	return f.Rule + "\x00" + id
}

// Compare diffs the failing findings of cur against prev (nil: no previous
// report). unreadTypes are the resource types of services this run could
// not audit; notAudited and prevNotAudited are the services not audited now
// and then.
func Compare(prev *Document, cur findings.Report, unreadTypes []string, notAudited []string) Diff {
	d := Diff{New: []findings.Finding{}, Fixed: []findings.Finding{}}
	now := map[string]findings.Finding{}
	for _, f := range cur.Findings {
		if f.Status == findings.Fail {
			now[findingKey(f)] = f
		}
	}
	if prev == nil {
		d.First = true
		for _, f := range cur.Findings {
			if f.Status == findings.Fail {
				d.New = append(d.New, f)
			}
		}
		d.NotAudited = slices.Clone(notAudited)
		return d
	}
	before := map[string]bool{}
	for _, f := range prev.Findings {
		if f.Status != findings.Fail {
			continue
		}
		k := findingKey(f)
		before[k] = true
		switch _, still := now[k]; {
		case still:
			d.Unchanged++
		case slices.Contains(unreadTypes, f.Type):
			d.Unknown++
		default:
			d.Fixed = append(d.Fixed, f)
		}
	}
	for _, f := range cur.Findings {
		if f.Status == findings.Fail && !before[findingKey(f)] {
			d.New = append(d.New, f)
		}
	}
	prevNot := prev.Audit.notAuditedServices()
	for _, s := range notAudited {
		if !slices.Contains(prevNot, s) {
			d.NotAudited = append(d.NotAudited, s)
		}
	}
	sortFindings(d.New)
	sortFindings(d.Fixed)
	return d
}

func sortFindings(fs []findings.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Rule != fs[j].Rule {
			return fs[i].Rule < fs[j].Rule
		}
		return fs[i].Resource < fs[j].Resource
	})
}
