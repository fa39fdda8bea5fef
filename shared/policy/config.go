package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"prodready/shared/value"
)

// Keys accepted in custom.safeguard. An unknown key is an error: a typo
// ("exemption:") must not silently drop a team's configuration.
var configKeys = []string{"enforce", "publicPaths", "backupTag", "canaryMaxMinutes", "dlqMinRetentionDays", "archiveTag", "subnets", "exemptions", "binary", "reports"}

// FromConfig reads custom.safeguard (n may be nil: defaults apply) on top of
// base. isRule tells known rule ids apart, so an exemption naming no rule is
// caught. Errors carry the file and line of the offending setting.
func FromConfig(n *value.Node, base Settings, isRule func(string) bool) (Settings, error) {
	s := base
	if n == nil || n.Kind == value.Null {
		return s, nil
	}
	if n.Kind != value.Map {
		return s, value.Errorf(n.Pos, "custom.safeguard must be a map, found %s", n.Kind)
	}
	for i, k := range n.Keys {
		if !slices.Contains(configKeys, k) {
			return s, value.Errorf(n.Vals[i].Pos, "custom.safeguard.%s is not a setting (expected one of: %s)", k, strings.Join(configKeys, ", "))
		}
	}
	var err error
	if v := n.Field("enforce"); v.Has() {
		if s.Enforce, err = stringList(v, "custom.safeguard.enforce"); err != nil {
			return s, err
		}
	}
	if v := n.Field("publicPaths"); v.Has() {
		if s.PublicPaths, err = stringList(v, "custom.safeguard.publicPaths"); err != nil {
			return s, err
		}
	}
	if v := n.Field("backupTag"); v.Has() {
		if v.Kind != value.Map {
			return s, value.Errorf(v.Pos, "custom.safeguard.backupTag must be a map with key and values, found %s", v.Kind)
		}
		if k := v.Field("key"); k.Has() {
			if s.BackupTagKey, err = scalar(k, "custom.safeguard.backupTag.key"); err != nil {
				return s, err
			}
		}
		if vals := v.Field("values"); vals.Has() {
			if vals.Kind != value.Map {
				return s, value.Errorf(vals.Pos, "custom.safeguard.backupTag.values must map stages to tag values, found %s", vals.Kind)
			}
			s.BackupTagValues = map[string]string{}
			for i, stage := range vals.Keys {
				if s.BackupTagValues[stage], err = scalar(vals.Vals[i], "custom.safeguard.backupTag.values."+stage); err != nil {
					return s, err
				}
			}
		}
	}
	if v := n.Field("canaryMaxMinutes"); v.Has() {
		i, ok := v.AsInt()
		if !ok || i < 1 {
			return s, value.Errorf(v.Pos, "custom.safeguard.canaryMaxMinutes must be a whole number of minutes, found %s", v.Describe())
		}
		s.CanaryMaxMinutes = int(i)
	}
	if v := n.Field("dlqMinRetentionDays"); v.Has() {
		i, ok := v.AsInt()
		if !ok || i < 1 || i > 14 {
			return s, value.Errorf(v.Pos, "custom.safeguard.dlqMinRetentionDays must be 1 to 14 (SQS keeps messages at most 14 days), found %s", v.Describe())
		}
		s.DLQMinRetention = time.Duration(i) * 24 * time.Hour
	}
	if v := n.Field("archiveTag"); v.Has() {
		if s.ArchiveTag, err = scalar(v, "custom.safeguard.archiveTag"); err != nil {
			return s, err
		}
	}
	if v := n.Field("subnets"); v.Has() {
		if v.Kind != value.Map {
			return s, value.Errorf(v.Pos, "custom.safeguard.subnets must map subnet ids to availability zones, found %s", v.Kind)
		}
		s.SubnetZones = map[string]string{}
		for i, id := range v.Keys {
			if s.SubnetZones[id], err = scalar(v.Vals[i], "custom.safeguard.subnets."+id); err != nil {
				return s, err
			}
		}
	}
	if v := n.Field("exemptions"); v.Has() {
		if s.Exemptions, err = Exemptions(v, "custom.safeguard.exemptions", isRule); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Exemptions reads a list of {rule, resource, reason, approvedBy, expires}.
// Every field is required: an exemption must say why, who agreed, and until when.
func Exemptions(n *value.Node, where string, isRule func(string) bool) ([]Exemption, error) {
	if n.Kind != value.List {
		return nil, value.Errorf(n.Pos, "%s must be a list of {rule, resource, reason, approvedBy, expires}, found %s", where, n.Kind)
	}
	var out []Exemption
	for i, it := range n.Items {
		at := fmt.Sprintf("%s[%d]", where, i)
		if it.Kind != value.Map {
			return nil, value.Errorf(it.Pos, "%s must be a map with rule, resource, reason, approvedBy and expires, found %s", at, it.Kind)
		}
		for j, k := range it.Keys {
			if !slices.Contains([]string{"rule", "resource", "reason", "approvedBy", "expires"}, k) {
				return nil, value.Errorf(it.Vals[j].Pos, "%s.%s is not an exemption field (expected rule, resource, reason, approvedBy, expires)", at, k)
			}
		}
		var e Exemption
		e.Pos = it.Pos
		fields := []struct {
			key string
			dst *string
		}{{"rule", &e.Rule}, {"resource", &e.Resource}, {"reason", &e.Reason}, {"approvedBy", &e.ApprovedBy}}
		for _, f := range fields {
			v := it.Field(f.key)
			if !v.Has() {
				return nil, value.Errorf(it.Pos, "%s has no %s: an exemption needs rule, resource, reason, approvedBy and expires", at, f.key)
			}
			s, err := scalar(v, at+"."+f.key)
			if err != nil {
				return nil, err
			}
			if strings.TrimSpace(s) == "" {
				return nil, value.Errorf(v.Pos, "%s.%s is empty", at, f.key)
			}
			*f.dst = s
		}
		if isRule != nil && e.Rule != "*" && !isRule(e.Rule) {
			return nil, value.Errorf(it.Field("rule").Pos, "%s.rule %q is not a rule id (run `safeguard rules`)", at, e.Rule)
		}
		ev := it.Field("expires")
		if !ev.Has() {
			return nil, value.Errorf(it.Pos, "%s has no expires: an exemption needs an expiry date (YYYY-MM-DD)", at)
		}
		es, _ := ev.Text()
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(es))
		if err != nil {
			return nil, value.Errorf(ev.Pos, "%s.expires must be a date YYYY-MM-DD, found %s", at, ev.Describe())
		}
		e.Expires = t
		out = append(out, e)
	}
	return out, nil
}

func scalar(n *value.Node, where string) (string, error) {
	s, ok := n.Text()
	if !ok {
		if n.IsUnknown() {
			return "", value.Errorf(n.Pos, "%s is %s, which cannot be resolved before deploy; write the value", where, n.Str)
		}
		return "", value.Errorf(n.Pos, "%s must be a string, found %s", where, n.Kind)
	}
	return s, nil
}

func stringList(n *value.Node, where string) ([]string, error) {
	var out []string
	for _, it := range n.List() {
		s, err := scalar(it, where)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
