package audit

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"prodready/shared/findings"
	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/value"
)

// ExemptTagPrefix starts the tag that exempts one live resource from one
// rule. AWS tag values allow only letters, digits, spaces and _ . : / = + - @,
// so the exemption's fields are packed into one value:
//
//	key:   safeguard:exempt:<rule-id>
//	value: <YYYY-MM-DD> <approvedBy> <reason…>
//
// for example
//
//	safeguard:exempt:rds-read-replica = 2026-12-31 jane.doe@hackney.gov.uk reporting copy rebuilt nightly
//
// The date is the last day the exemption holds (UTC), approvedBy is one word
// (an e-mail address or user name, no spaces), the reason is the rest. The
// exemption covers that resource only; exemptions over patterns or over the
// service as a whole go in exemptions.yml in the report bucket. A tag that
// does not parse, or names no rule, exempts nothing and is reported.
const ExemptTagPrefix = "safeguard:exempt:"

// tagExemptions reads the exemption tags of every resource. Bad tags come
// back as notes: the finding they meant to exempt stays failing.
func tagExemptions(inv *inventory.Inventory, isRule func(string) bool) ([]policy.Exemption, []findings.Note) {
	var out []policy.Exemption
	var notes []findings.Note
	for _, r := range inv.All() {
		for _, key := range r.SortedTagKeys() {
			if !strings.HasPrefix(key, ExemptTagPrefix) {
				continue
			}
			e, err := parseExemptTag(key, r.Tags[key].String(), isRule)
			if err != nil {
				notes = append(notes, findings.Note{Kind: "invalid-exemption", Subject: r.DisplayName(),
					Message: fmt.Sprintf("tag %s on %s exempts nothing: %v", key, r.DisplayName(), err)})
				continue
			}
			e.Resource = r.ID
			e.Pos = value.Pos{File: "tag " + key + " on " + r.DisplayName()}
			out = append(out, e)
		}
	}
	return out, notes
}

func parseExemptTag(key, val string, isRule func(string) bool) (policy.Exemption, error) {
	rule := strings.TrimPrefix(key, ExemptTagPrefix)
	if isRule != nil && !isRule(rule) {
		return policy.Exemption{}, fmt.Errorf("%q is not a rule id (run `safeguard rules`)", rule)
	}
	fields := strings.Fields(val)
	if len(fields) < 3 {
		return policy.Exemption{}, fmt.Errorf("value %q must be \"<YYYY-MM-DD> <approvedBy> <reason>\"", val)
	}
	expires, err := time.Parse(time.DateOnly, fields[0])
	if err != nil {
		return policy.Exemption{}, fmt.Errorf("value %q must start with the expiry date YYYY-MM-DD, found %q", val, fields[0])
	}
	return policy.Exemption{Rule: rule, ApprovedBy: fields[1], Reason: strings.Join(fields[2:], " "), Expires: expires}, nil
}

// parseExemptionsFile reads exemptions.yml: the same list serverless.yml
// takes under custom.safeguard.exemptions, under a top-level exemptions key:
//
//	exemptions:
//	  - rule: dashboard
//	    resource: legacy-*
//	    reason: dashboards live in Grafana for these
//	    approvedBy: jane.doe@hackney.gov.uk
//	    expires: 2026-12-31
//
// resource is a glob over a live resource's ARN or name (for a finding
// about a service as a whole, its stack name).
func parseExemptionsFile(name string, src []byte, isRule func(string) bool) ([]policy.Exemption, error) {
	n, err := value.ParseYAML(name, src, value.DefaultLimits)
	if err != nil {
		return nil, err
	}
	if !n.Has() {
		return nil, nil // an empty file exempts nothing
	}
	if n.Kind != value.Map {
		return nil, value.Errorf(n.Pos, "%s must be a map with an exemptions list, found %s", name, n.Kind)
	}
	for i, k := range n.Keys {
		if k != "exemptions" {
			return nil, value.Errorf(n.Vals[i].Pos, "%s: %s is not a setting (expected exemptions)", name, k)
		}
	}
	list := n.Field("exemptions")
	if !list.Has() {
		return nil, nil
	}
	return policy.Exemptions(list, "exemptions", isRule)
}

// sortExemptions orders exemptions so the report is stable.
func sortExemptions(es []policy.Exemption) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Rule != es[j].Rule {
			return es[i].Rule < es[j].Rule
		}
		return es[i].Resource < es[j].Resource
	})
}
