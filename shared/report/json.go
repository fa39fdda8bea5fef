package report

import (
	"bytes"
	"encoding/json"
)

// renderJSON writes the public contract (DESIGN.md): the report's own JSON
// form, with findings always an array and in the renderers' stable order.
func renderJSON(v *view, _ Options) ([]byte, error) {
	rep := v.rep
	rep.Findings = v.findings // never nil: newView makes an empty slice
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	// Messages quote code ("<name>", "a && b"); \u003c escapes only hurt
	// the people and tools reading them, and the output is not HTML.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
