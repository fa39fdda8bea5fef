package rules

import (
	"fmt"
	"net/netip"
	"strings"

	"prodready/shared/value"
)

// grantVerdict is what a resource policy statement gives to the public.
type grantVerdict struct {
	Statement *value.Node
	// Public: anyone (or any AWS account) can use the grant.
	Public bool
	// Unseen, when not empty, says what could not be read to decide.
	Unseen string
	// Why explains a public grant ("Principal is \"*\" with no condition
	// naming a source").
	Why string
}

// restrictingConditionKeys are the condition keys that tie a grant to a
// fixed caller, source or network, after S3's own definition of a
// non-public policy ("The meaning of public" in the S3 user guide) plus
// aws:PrincipalOrgID. Keys are lower case: IAM compares them
// case-insensitively.
var restrictingConditionKeys = map[string]bool{
	"aws:sourcearn":        true,
	"aws:sourceaccount":    true,
	"aws:sourceowner":      true,
	"aws:sourcevpc":        true,
	"aws:sourcevpce":       true,
	"aws:sourceip":         true,
	"aws:principalorgid":   true,
	"aws:principalaccount": true,
	"aws:principalarn":     true,
	"aws:userid":           true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
	"s3:dataaccesspointaccount":                      true,
	"s3:dataaccesspointarn":                          true,
}

// publicGrants judges every Allow statement of a policy document; Deny
// statements only take access away and are skipped.
func publicGrants(doc *value.Node) []grantVerdict {
	var out []grantVerdict
	if isDeployTime(doc) {
		return []grantVerdict{{Statement: doc, Unseen: "the policy document is " + describeUnseen(doc)}}
	}
	stmts := doc.Get("Statement")
	if isDeployTime(stmts) {
		return []grantVerdict{{Statement: stmts, Unseen: "Statement is " + describeUnseen(stmts)}}
	}
	for _, st := range stmts.List() {
		if v, ok := judgeStatement(st); ok {
			out = append(out, v)
		}
	}
	return out
}

// judgeStatement returns the verdict on one statement; ok is false for a
// Deny statement.
func judgeStatement(st *value.Node) (grantVerdict, bool) {
	v := grantVerdict{Statement: st}
	effect := st.Get("Effect")
	switch {
	case isDeployTime(effect):
		v.Unseen = "Effect is " + describeUnseen(effect)
		return v, true
	case strings.EqualFold(effect.String(), "Deny"):
		return v, false
	}
	if np := st.Get("NotPrincipal"); np.Has() {
		v.Public, v.Why = true, "an Allow with NotPrincipal grants everyone not listed"
		return v, true
	}
	wild, unseenWhy := isWildcardPrincipal(st.Get("Principal"))
	switch {
	case unseenWhy != "":
		v.Unseen = unseenWhy
		return v, true
	case !wild:
		return v, true
	}
	restricted, unseenCond := conditionRestricts(st.Get("Condition"))
	switch {
	case restricted:
	case unseenCond != "":
		v.Unseen = unseenCond
	default:
		v.Public, v.Why = true, `Principal is "*" with no condition fixing the source (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:SourceVpce, aws:SourceIp …)`
	}
	return v, true
}

// isWildcardPrincipal reports whether a Principal admits anyone: "*",
// {AWS: "*"} or a list of AWS principals holding "*". unseen says what
// could not be read.
func isWildcardPrincipal(p *value.Node) (wild bool, unseen string) {
	if !p.Has() {
		return false, ""
	}
	if isDeployTime(p) {
		return false, "Principal is " + describeUnseen(p)
	}
	if s, ok := p.Text(); ok {
		return strings.TrimSpace(s) == "*", ""
	}
	if p.Kind != value.Map {
		return false, ""
	}
	for _, k := range p.Keys {
		if !strings.EqualFold(k, "AWS") {
			continue // Service, Federated, CanonicalUser name fixed principals
		}
		for _, it := range p.Field(k).List() {
			if it.IsUnknown() {
				return false, "Principal.AWS is " + describeUnseen(it)
			}
			if strings.TrimSpace(it.String()) == "*" {
				return true, ""
			}
		}
	}
	return false, ""
}

// conditionRestricts reports whether a Condition block ties a grant to a
// fixed source: a positive operator (StringEquals, ArnLike, IpAddress …,
// not a Not… operator, not …IfExists, not ForAllValues: which both pass
// when the key is absent) on a restricting key with fixed values (no
// wildcard in a …Like operator, no 0.0.0.0/0).
func conditionRestricts(cond *value.Node) (restricts bool, unseen string) {
	if isDeployTime(cond) {
		return false, "Condition is " + describeUnseen(cond)
	}
	if cond == nil || cond.Kind != value.Map {
		return false, ""
	}
	for i, op := range cond.Keys {
		block := cond.Vals[i]
		base := op
		if p, rest, ok := strings.Cut(op, ":"); ok && strings.EqualFold(p, "ForAnyValue") {
			base = rest
		}
		lop := strings.ToLower(base)
		if !positiveOperators[lop] {
			continue // Not…, …IfExists and ForAllValues: also match callers without the key
		}
		for j, key := range block.Keys {
			lk := strings.ToLower(key)
			if !restrictingConditionKeys[lk] {
				continue
			}
			fixed, why := fixedValues(block.Vals[j], lop, lk)
			if why != "" {
				unseen = fmt.Sprintf("condition %s %s is %s", op, key, why)
				continue
			}
			if fixed {
				return true, ""
			}
		}
	}
	return false, unseen
}

// positiveOperators are the condition operators that match only the values
// they name.
var positiveOperators = map[string]bool{
	"stringequals": true, "stringequalsignorecase": true, "stringlike": true,
	"arnequals": true, "arnlike": true, "ipaddress": true,
}

// fixedValues reports whether a condition's values name fixed callers:
// no wildcards where the operator reads them, no network of everyone.
func fixedValues(vals *value.Node, op, key string) (fixed bool, unseen string) {
	items := vals.List()
	if len(items) == 0 {
		return false, ""
	}
	like := strings.HasSuffix(op, "like")
	for _, it := range items {
		if it.IsUnknown() {
			return false, describeUnseen(it)
		}
		text, isText := it.Text()
		if !isText {
			// A reference or Fn::Sub names one value; a Sub's literal text
			// may still hold a wildcard.
			if name, arg, ok := it.Intrinsic(); ok && name == "Fn::Sub" {
				tmpl := arg
				if arg.Kind == value.List {
					tmpl = arg.Get("0")
				}
				text = tmpl.String()
			} else if _, _, ok := it.Intrinsic(); ok {
				continue
			} else {
				return false, ""
			}
		}
		if like && strings.ContainsAny(text, "*?") {
			return false, ""
		}
		if key == "aws:sourceip" && isEveryone(text) {
			return false, ""
		}
		if text == "*" {
			return false, ""
		}
	}
	return true, ""
}

// isEveryone reports whether a CIDR covers the whole address space (or
// half of it: /0 and /1 are how "everyone" is usually written).
func isEveryone(cidr string) bool {
	p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil {
		return false
	}
	return p.Bits() <= 1
}
