package rules

// costRules are the Cost optimisation pillar's rules, in checklist order.
func costRules() []*Rule {
	return []*Rule{DatabaseTechnology, DynamoDBGSILimit}
}
