package rules

// securityRules are the Security pillar's rules, in checklist order.
func securityRules() []*Rule {
	return nil
}
