package serverless

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// TestOracleInventory checks Compile against the Framework's own output read
// the plugin's way (FromTemplate on osls's template and configuration): the
// same resources, names, tags, flags and properties, and every resource of
// the plugin path placed in serverless.yml.
func TestOracleInventory(t *testing.T) {
	for _, tc := range oracleCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(tc.dir, "serverless.yml")
			s, err := Load(path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Compile()
			if err != nil {
				t.Fatal(err)
			}
			tmpl := loadTemplateJSON(t, filepath.Join(tc.dir, "template.json"))
			cfg := loadTemplateJSON(t, filepath.Join(tc.dir, "config.json"))
			want, err := FromTemplate(tmpl, cfg, s.Stage, s.Region, s)
			if err != nil {
				t.Fatal(err)
			}
			if got.Origin != inventory.FromServerless || want.Origin != inventory.FromTemplate {
				t.Errorf("origins %q and %q", got.Origin, want.Origin)
			}
			if got.Service != want.Service || got.Stage != want.Stage || got.Region != want.Region {
				t.Errorf("service/stage/region %s/%s/%s, plugin path %s/%s/%s", got.Service, got.Stage, got.Region, want.Service, want.Stage, want.Region)
			}
			compareInventories(t, got, want)
			for _, r := range want.All() {
				if r.Pos.File != path {
					t.Errorf("plugin path: %s (%s) is at %v, want a position in %s", r.ID, r.Type, r.Pos, path)
				}
			}
			for _, r := range got.All() {
				if r.Pos.File != path || r.Pos.Line == 0 {
					t.Errorf("compile: %s (%s) is at %v, want a position in %s", r.ID, r.Type, r.Pos, path)
				}
				if r.Stack != s.Name && !r.External {
					t.Errorf("%s: Stack %q, want %q", r.ID, r.Stack, s.Name)
				}
			}
			// Without our own Load the plugin path still works, with
			// positions in the template.
			bare, err := FromTemplate(tmpl, cfg, s.Stage, s.Region, nil)
			if err != nil {
				t.Fatal(err)
			}
			compareInventories(t, got, bare)
		})
	}
}

func compareInventories(t *testing.T, got, want *inventory.Inventory) {
	t.Helper()
	index := func(inv *inventory.Inventory) map[string]*inventory.Resource {
		out := map[string]*inventory.Resource{}
		for _, r := range inv.All() {
			if !oracleSkippedTypes[r.Type] {
				out[r.ID] = r
			}
		}
		return out
	}
	g, w := index(got), index(want)
	var ids []string
	for id := range w {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for id := range g {
		if w[id] == nil {
			t.Errorf("compile has %s (%s), the Framework's template does not", id, g[id].Type)
		}
	}
	for _, id := range ids {
		wr, gr := w[id], g[id]
		if gr == nil {
			t.Errorf("compile lacks %s (%s)", id, wr.Type)
			continue
		}
		if gr.Type != wr.Type || gr.Name != wr.Name || gr.ARN != wr.ARN || gr.External != wr.External || gr.Framework != wr.Framework {
			t.Errorf("%s: compile {%s %q %q ext=%v fw=%v}, plugin path {%s %q %q ext=%v fw=%v}", id,
				gr.Type, gr.Name, gr.ARN, gr.External, gr.Framework, wr.Type, wr.Name, wr.ARN, wr.External, wr.Framework)
		}
		if a, b := tagsJSON(gr.Tags), tagsJSON(wr.Tags); a != b {
			t.Errorf("%s tags: compile %s, plugin path %s", id, a, b)
		}
		keys := map[string]bool{}
		gr.Props.Each(func(k string, _ *value.Node) { keys[k] = true })
		wr.Props.Each(func(k string, _ *value.Node) { keys[k] = true })
		for k := range keys {
			if oracleSkippedProps[k] || oracleSkippedProps[wr.Type+"."+k] {
				continue
			}
			if a, b := plainJSON(gr.Prop(k)), plainJSON(wr.Prop(k)); a != b {
				t.Errorf("%s.%s:\n compile %s\n  plugin %s", id, k, a, b)
			}
		}
	}
}

func tagsJSON(tags map[string]*value.Node) string {
	var parts []string
	for k, v := range tags {
		parts = append(parts, k+"="+plainJSON(v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}
