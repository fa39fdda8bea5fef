package rules

// Default returns the rulebook in checklist order. The ids are a public
// interface (DESIGN.md): keep them stable.
func Default() *Book {
	return NewBook(all()...)
}

func all() []*Rule {
	return []*Rule{
		XRayTracing,
	}
}
