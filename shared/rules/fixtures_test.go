package rules

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/value"
)

// Each rule has testdata/<id>/good*.yaml and bad*.yaml: CloudFormation
// templates (the inventory's vocabulary) with optional top-level keys
//
//	Stage: production        the stage checked (default production)
//	Live: true               the inventory comes from a live account
//	Safeguard: {...}         custom.safeguard settings
//	Expect: [LogicalId, …]   bad only: exactly these resources fail
//
// and each resource entry may carry, beside Type and Properties, the
// inventory fields a loader or collector fills: Name, ARN, Framework: true,
// External: true, Attrs: {k: v}. A map {Unknown: "<expr>", Why: "…"}
// anywhere in Properties stands for a value only known at deploy time.
//
// A good fixture must produce at least one result and no failure; a bad one
// at least one failure (exactly Expect, when given).
func TestRuleFixtures(t *testing.T) {
	book := Default()
	for _, r := range book.Rules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", r.ID)
			goods, _ := filepath.Glob(filepath.Join(dir, "good*.yaml"))
			bads, _ := filepath.Glob(filepath.Join(dir, "bad*.yaml"))
			if len(goods) == 0 || len(bads) == 0 {
				t.Fatalf("rule %s needs testdata/%s/good.yaml and bad.yaml", r.ID, r.ID)
			}
			for _, f := range goods {
				res, _ := runFixture(t, book, r, f)
				if len(res) == 0 {
					t.Errorf("%s: rule recorded no result; a good fixture must exercise it", f)
				}
				for _, x := range res {
					if !x.Pass {
						t.Errorf("%s: unexpected failure on %s: %s", f, x.Resource, x.Message)
					}
				}
			}
			for _, f := range bads {
				res, expect := runFixture(t, book, r, f)
				var failed []string
				for _, x := range res {
					if !x.Pass {
						failed = append(failed, x.Resource)
						if x.Message == "" {
							t.Errorf("%s: failure on %s has no message", f, x.Resource)
						}
					}
				}
				if len(failed) == 0 {
					t.Errorf("%s: rule passed a bad fixture", f)
				}
				if expect != nil {
					sort.Strings(failed)
					failed = slices.Compact(failed)
					sort.Strings(expect)
					if !slices.Equal(failed, expect) {
						t.Errorf("%s: failing resources = %v, want %v", f, failed, expect)
					}
				}
			}
		})
	}
}

func TestRuleMetadata(t *testing.T) {
	for _, r := range Default().Rules() {
		if r.ID == "" || r.Pillar == "" || r.Point == "" || r.Title == "" || r.Checklist == "" || r.Rationale == "" || r.Remediation == "" || r.Example == "" || r.Check == nil {
			t.Errorf("rule %q has incomplete metadata", r.ID)
		}
		if !slices.Contains(Pillars, r.Pillar) {
			t.Errorf("rule %s: unknown pillar %q", r.ID, r.Pillar)
		}
		if _, err := value.ParseYAML(r.ID+" example", []byte(r.Example), value.DefaultLimits); err != nil {
			t.Errorf("rule %s: example is not valid YAML: %v", r.ID, err)
		}
	}
}

func runFixture(t *testing.T, book *Book, r *Rule, file string) ([]Result, []string) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := value.ParseYAML(file, src, value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	origin := inventory.FromTemplate
	if doc.Get("Live").IsTrue() {
		origin = inventory.FromLive
	}
	inv := fixtureInventory(t, doc, origin)
	s := policy.Defaults()
	s.Now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	s.Stage = "production"
	if st := doc.Get("Stage"); st.Has() {
		s.Stage = st.String()
	}
	if origin == inventory.FromLive {
		s.Stage = ""
	}
	inv.Stage = s.Stage
	s, err = policy.FromConfig(doc.Get("Safeguard"), s, book.Has)
	if err != nil {
		t.Fatal(err)
	}
	res, skipped, err := book.Run(inv, s, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) > 0 {
		t.Fatalf("%s: rule skipped: %s", file, skipped[0].Reason)
	}
	var expect []string
	if e := doc.Get("Expect"); e.Has() {
		expect = e.Strings()
		if expect == nil {
			expect = []string{}
		}
	}
	for _, x := range res {
		if x.Rule.ID != r.ID {
			t.Fatalf("result of rule %s returned when running %s", x.Rule.ID, r.ID)
		}
		if !x.Pass && x.Pos.IsZero() && x.Type != "Service" && origin != inventory.FromLive {
			t.Errorf("%s: failure on %s has no position", file, x.Resource)
		}
		if strings.TrimSpace(x.Message) == "" {
			t.Errorf("%s: result on %s has no message", file, x.Resource)
		}
	}
	return res, expect
}

// fixtureInventory builds an inventory from a fixture template. It reads
// only Resources (Type, Properties, Tags); conditions and intrinsics are the
// template loader's business and are tested there.
func fixtureInventory(t *testing.T, doc *value.Node, origin inventory.Origin) *inventory.Inventory {
	t.Helper()
	inv := inventory.New(origin)
	inv.Service = "orders"
	if s := doc.Get("Service"); s.Has() {
		inv.Service = s.String()
	}
	doc.Get("Resources").Each(func(id string, n *value.Node) {
		r := &inventory.Resource{ID: id, Type: n.Get("Type").String(), Props: n.Get("Properties"), Pos: n.Pos, Origin: origin, Stack: inv.Service}
		if r.Props == nil {
			r.Props = value.NewMap(n.Pos)
		}
		r.Props = withUnknowns(r.Props)
		r.Tags = inventory.TagsFromProperty(r.Props.Get("Tags"))
		if a := n.Get("Name"); a.Has() {
			r.Name = a.String()
		}
		if a := n.Get("ARN"); a.Has() {
			r.ARN = a.String()
		}
		r.Framework = n.Get("Framework").IsTrue()
		r.External = n.Get("External").IsTrue()
		n.Get("Attrs").Each(func(k string, v *value.Node) {
			if r.Attrs == nil {
				r.Attrs = map[string]string{}
			}
			r.Attrs[k] = v.String()
		})
		inv.Add(r)
	})
	return inv
}

// withUnknowns turns fixture maps {Unknown: expr, Why: why} into Unknown nodes.
func withUnknowns(n *value.Node) *value.Node {
	if n == nil {
		return nil
	}
	if n.Kind == value.Map && n.Field("Unknown") != nil && n.Len() <= 2 {
		return value.NewUnknown(n.Field("Unknown").String(), n.Field("Why").String(), n.Pos)
	}
	for i, it := range n.Items {
		n.Items[i] = withUnknowns(it)
	}
	for i, v := range n.Vals {
		n.Vals[i] = withUnknowns(v)
	}
	return n
}
