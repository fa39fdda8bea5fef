package rules

// Default returns the rulebook in checklist order. The ids are a public
// interface (DESIGN.md): keep them stable.
func Default() *Book {
	return NewBook(all()...)
}

func all() []*Rule {
	var out []*Rule
	out = append(out, securityRules()...)
	out = append(out, availabilityRules()...)
	out = append(out, monitoringRules()...)
	out = append(out, backupRules()...)
	out = append(out, costRules()...)
	return out
}
