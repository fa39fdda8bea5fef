package rules

// monitoringRules are the Monitoring and alerting pillar's rules, in checklist order.
func monitoringRules() []*Rule {
	return []*Rule{
		APICanary,
		LogRetention,
		API5xxAlarm,
		CanaryAlarm,
		Dashboard,
		XRayTracing,
		SNSDeliveryLogging,
		SNSDeliveryAlarm,
		SQSDLQ,
		DLQAlarm,
		DLQArchive,
	}
}
