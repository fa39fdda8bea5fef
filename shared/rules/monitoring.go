package rules

// monitoringRules are the Monitoring and alerting pillar's rules, in checklist order.
func monitoringRules() []*Rule {
	return []*Rule{XRayTracing}
}
