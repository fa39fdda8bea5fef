package variables

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"prodready/shared/value"
)

const corpusDir = "../../tests/corpus/hackney"

// TestCorpus resolves every real serverless.yml of the corpus for every stage
// regen.sh ran osls with (each stage under custom.vpc, and development) and
// compares with what osls printed, SSM parameters and params standing in as
// "SSM(<name>)" and "PARAM(<name>)" (see regen.sh), or with the errors osls
// refused the stage with.
func TestCorpus(t *testing.T) {
	goldens, err := filepath.Glob("testdata/corpus/*.golden.*")
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no corpus goldens (run testdata/regen.sh corpus): %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.yml"))
	covered := map[string]bool{}
	for _, g := range goldens {
		base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(g), ".json"), ".err")
		base = strings.TrimSuffix(base, ".golden")
		name, stage, _ := strings.Cut(base, ".")
		covered[name] = true
		t.Run(name+"/"+stage, func(t *testing.T) {
			path := filepath.Join(corpusDir, name+".yml")
			root := readConfig(t, path)
			got, err := Resolve(root, Options{Stage: stage, BaseDir: corpusDir, Env: func(string) (string, bool) { return "", false }})
			want, _ := os.ReadFile(g)
			if strings.HasSuffix(g, ".err") {
				if err == nil {
					t.Fatalf("Resolve succeeded; osls failed with:\n%s", want)
				}
				for _, msg := range oslsMessages(string(want)) {
					if !strings.Contains(err.Error(), msg) {
						t.Errorf("error does not say what osls says:\n osls: %s\n  got: %v", msg, err)
					}
				}
				if p, ok := value.ErrorPos(err); !ok || p.File != path || p.Line == 0 {
					t.Errorf("error position %v, want a line of %s", p, path)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			assertUnknownsExplained(t, got)
			var w any
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			delete(w.(map[string]any), "configValidationMode") // added by regen.sh
			var diffs []string
			compareOsls(asOsls(got), w, "", &diffs)
			if len(diffs) > 0 {
				t.Errorf("resolved configuration differs from osls at:\n  %s", strings.Join(diffs, "\n  "))
			}
		})
	}
	for _, f := range files {
		if !covered[strings.TrimSuffix(filepath.Base(f), ".yml")] {
			t.Errorf("%s has no golden file (run testdata/regen.sh corpus)", f)
		}
	}
}

// TestCorpusDocumentsAPIDevelopment pins the case the brief names: osls
// refuses documents-api for development because custom.vpc has no entry.
func TestCorpusDocumentsAPIDevelopment(t *testing.T) {
	path := filepath.Join(corpusDir, "documents-api.yml")
	_, err := Resolve(readConfig(t, path), Options{Stage: "development", BaseDir: corpusDir})
	want := path + `:5:8: Cannot resolve variable at "provider.vpc": Value not found at "self" source (nothing is set at custom.vpc.development)`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("err = %v\nwant it to start with %s", err, want)
	}
}

var (
	ssmExpr   = regexp.MustCompile(`\$\{ssm:([^${}]+)\}`)
	paramExpr = regexp.MustCompile(`\$\{param:([^${}]+)\}`)
)

// asOsls is the resolved tree as plain values, Unknowns written as the
// moto-backed osls run resolved them.
func asOsls(n *value.Node) any {
	switch n.Kind {
	case value.Unknown:
		s := ssmExpr.ReplaceAllString(n.Str, "SSM($1)")
		return paramExpr.ReplaceAllString(s, "PARAM($1)")
	case value.List:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = asOsls(it)
		}
		return out
	case value.Map:
		out := map[string]any{}
		for i, k := range n.Keys {
			out[k] = asOsls(n.Vals[i])
		}
		return out
	}
	b, _ := json.Marshal(n.Plain())
	var v any
	_ = json.Unmarshal(b, &v)
	return v
}

// compareOsls compares a resolved value with osls's print. After variables,
// osls validates the configuration against its schema with AJV's
// coerceTypes: "array", which turns scalars into strings and wraps them in
// lists where the schema says so, and the Service class fills in defaults.
// Those are not variable resolution; they are accepted here and nowhere
// else.
func compareOsls(got, want any, path string, diffs *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %v, osls %v", path, got, want))
			return
		}
		keys := map[string]bool{}
		for k := range g {
			keys[k] = true
		}
		for k := range w {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			gv, gok := g[k]
			wv, wok := w[k]
			sub := strings.TrimPrefix(path+"."+k, ".")
			switch {
			case !gok && frameworkDefault(sub):
			case !gok || !wok:
				*diffs = append(*diffs, fmt.Sprintf("%s: got %v, osls %v", sub, gv, wv))
			default:
				compareOsls(gv, wv, sub, diffs)
			}
		}
	case []any:
		if g, ok := got.([]any); ok && len(g) == len(w) {
			for i := range w {
				compareOsls(g[i], w[i], fmt.Sprintf("%s.%d", path, i), diffs)
			}
			return
		}
		if len(w) == 1 && !isContainer(got) { // coerceTypes "array"
			compareOsls(got, w[0], path, diffs)
			return
		}
		*diffs = append(*diffs, fmt.Sprintf("%s: got %v, osls %v", path, got, want))
	case string:
		if s, ok := got.(string); ok && s == w {
			return
		}
		if f, ok := got.(float64); ok && jsNumberString(f) == w { // coerceTypes: number to string
			return
		}
		if b, ok := got.(bool); ok && fmt.Sprint(b) == w { // coerceTypes: boolean to string
			return
		}
		*diffs = append(*diffs, fmt.Sprintf("%s: got %v, osls %v", path, got, want))
	default:
		if !reflect.DeepEqual(got, want) {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %v, osls %v", path, got, want))
		}
	}
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// frameworkDefault reports the properties the Service class adds after
// resolution (lib/classes/service.js).
func frameworkDefault(path string) bool {
	switch path {
	case "provider.stage", "provider.region", "provider.versionFunctions",
		"package.artifactsS3KeyDirname": // set by lib/plugins/aws/package/index.js
		return true
	}
	if rest, ok := strings.CutPrefix(path, "functions."); ok {
		_, field, _ := strings.Cut(rest, ".")
		return field == "name" || field == "events"
	}
	return false
}

func assertUnknownsExplained(t *testing.T, n *value.Node) {
	t.Helper()
	switch n.Kind {
	case value.Unknown:
		if n.Why == "" || n.Pos.Line == 0 {
			t.Errorf("Unknown %q at %v has no explanation or position", n.Str, n.Pos)
		}
		if strings.Contains(n.Str, "${ssm:") && !strings.Contains(n.Why, "SSM parameter") {
			t.Errorf("Unknown %q: Why %q does not name the SSM parameter", n.Str, n.Why)
		}
	case value.List:
		for _, it := range n.Items {
			assertUnknownsExplained(t, it)
		}
	case value.Map:
		for _, v := range n.Vals {
			assertUnknownsExplained(t, v)
		}
	}
}
