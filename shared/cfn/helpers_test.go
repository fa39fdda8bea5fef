package cfn

import (
	"sort"
	"strconv"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// parse reads a YAML template written in a test.
func parse(t testing.TB, src string) *value.Node {
	t.Helper()
	n, err := value.ParseYAML("t.yml", []byte(src), value.DefaultLimits)
	if err != nil {
		t.Fatalf("test template does not parse: %v", err)
	}
	return n
}

// load parses and loads a YAML template into a new inventory.
func load(t testing.TB, src string, o Options) (*inventory.Inventory, error) {
	t.Helper()
	inv := inventory.New(inventory.FromTemplate)
	return inv, Load(inv, parse(t, src), o)
}

// dump renders a value compactly and deterministically: maps in document
// order, strings quoted, numbers and booleans bare, and an Unknown as
// ?(why), so expectations show exactly what rules will see.
func dump(n *value.Node) string {
	var b strings.Builder
	dumpTo(&b, n)
	return b.String()
}

func dumpTo(b *strings.Builder, n *value.Node) {
	if n == nil {
		b.WriteString("<nil>")
		return
	}
	switch n.Kind {
	case value.Null:
		b.WriteString("null")
	case value.String:
		b.WriteString(strconv.Quote(n.Str))
	case value.Number, value.Bool:
		b.WriteString(n.Str)
	case value.Unknown:
		b.WriteString("?(" + n.Why + ")")
	case value.List:
		b.WriteByte('[')
		for i, it := range n.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			dumpTo(b, it)
		}
		b.WriteByte(']')
	case value.Map:
		b.WriteByte('{')
		for i, k := range n.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k + ": ")
			dumpTo(b, n.Vals[i])
		}
		b.WriteByte('}')
	}
}

// dumpTags renders tags sorted by key.
func dumpTags(tags map[string]*value.Node) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + dump(tags[k])
	}
	return strings.Join(parts, ",")
}

// ids lists the logical ids in the inventory, in order.
func ids(inv *inventory.Inventory) []string {
	var out []string
	for _, r := range inv.All() {
		out = append(out, r.ID)
	}
	return out
}

func str(s string) *value.Node { return value.NewString(s, value.Pos{}) }
