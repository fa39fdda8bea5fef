package rules

// availabilityRules are the High availability pillar's rules, in checklist order.
func availabilityRules() []*Rule {
	return []*Rule{MultiAZ, RDSReadReplica}
}
