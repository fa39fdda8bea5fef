package variables

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"prodready/shared/value"
)

// TestOracle compares Resolve with what the real Framework printed for the
// services under testdata/oracle (captured by testdata/regen.sh): the whole
// resolved configuration, or the error messages osls refused it with.
func TestOracle(t *testing.T) {
	dirs, err := filepath.Glob("testdata/oracle/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no oracle services: %v", err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		runs, err := os.ReadFile(filepath.Join(dir, "runs"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(runs)), "\n") {
			fields := strings.Fields(line)
			stage, region := fields[0], ""
			if len(fields) > 1 {
				region = fields[1]
			}
			t.Run(name+"/"+stage, func(t *testing.T) {
				root := readConfig(t, filepath.Join(dir, "serverless.yml"))
				got, err := Resolve(root, Options{Stage: stage, Region: region, Env: envFile(t, dir), BaseDir: dir})
				golden := filepath.Join("testdata", name+"."+stage+".golden")
				if want, rerr := os.ReadFile(golden + ".err"); rerr == nil {
					if err == nil {
						t.Fatalf("Resolve succeeded; osls failed with:\n%s", want)
					}
					for _, msg := range oslsMessages(string(want)) {
						if !strings.Contains(err.Error(), msg) {
							t.Errorf("error does not say what osls says:\n osls: %s\n  got: %v", msg, err)
						}
					}
					if _, ok := value.ErrorPos(err); !ok {
						t.Errorf("error %v has no position", err)
					}
					return
				}
				want, rerr := os.ReadFile(golden + ".json")
				if rerr != nil {
					t.Fatalf("no golden file for this run (run testdata/regen.sh): %v", rerr)
				}
				if err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				assertSameJSON(t, got.Plain(), want)
			})
		}
	}
}

// oslsMessages splits osls's "Variables resolution errored with:" list.
func oslsMessages(text string) []string {
	var out []string
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) == 1 || !strings.HasSuffix(lines[0], "errored with:") {
		return []string{strings.TrimSpace(lines[0])}
	}
	for _, l := range lines[1:] {
		if m, ok := strings.CutPrefix(l, "  - "); ok {
			out = append(out, strings.TrimSuffix(m, ","))
		}
	}
	return out
}

func assertSameJSON(t *testing.T, got any, want []byte) {
	t.Helper()
	gotJSON, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(gotJSON, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		pretty, _ := json.MarshalIndent(g, "", "  ")
		t.Errorf("resolved configuration differs from osls:\n%s", diffLines(string(pretty), string(want)))
	}
}

// diffLines shows the lines of got missing from want and the other way
// round, enough to see which values differ.
func diffLines(got, want string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[strings.TrimSuffix(strings.TrimSpace(l), ",")]++
		}
		return m
	}
	g, w := count(got), count(want)
	var b strings.Builder
	for l, n := range g {
		if w[l] < n {
			b.WriteString("+ " + l + "\n")
		}
	}
	for l, n := range w {
		if g[l] < n {
			b.WriteString("- " + l + "\n")
		}
	}
	return b.String()
}

func readConfig(t testing.TB, path string) *value.Node {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := value.ParseYAML(path, data, value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// envFile reads KEY=VALUE lines into an Env function; nothing else of the
// process environment is visible.
func envFile(t testing.TB, dir string) func(string) (string, bool) {
	t.Helper()
	env := map[string]string{}
	data, err := os.ReadFile(filepath.Join(dir, "env"))
	if err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				env[k] = v
			}
		}
	}
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}
