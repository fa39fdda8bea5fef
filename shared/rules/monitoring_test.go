package rules

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The -update flag may be registered by another test file of the package
// too; register it only once (package variables initialise before init).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// TestMonitoringMessages pins what each monitoring rule says about its
// fixtures (testdata/<id>/results.golden): the messages are what a blocked
// engineer reads, so a change to them is reviewed like code. Run with
// -update to rewrite.
func TestMonitoringMessages(t *testing.T) {
	book := Default()
	for _, r := range monitoringRules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", r.ID)
			files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
			var b strings.Builder
			for _, f := range files {
				res, _ := runFixture(t, book, r, f)
				fmt.Fprintf(&b, "== %s\n", filepath.Base(f))
				for _, x := range res {
					verdict := "pass"
					if !x.Pass {
						verdict = "FAIL"
					}
					at := ""
					if !x.Pos.IsZero() {
						at = fmt.Sprintf(" @%d:%d", x.Pos.Line, x.Pos.Col)
					}
					fmt.Fprintf(&b, "%s %s%s: %s\n", verdict, x.Resource, at, x.Message)
				}
			}
			golden := filepath.Join(dir, "results.golden")
			if updateGolden() {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("results differ from %s (run with -update after review):\n%s", golden, diffLines(string(want), got))
			}
		})
	}
}

// diffLines shows the lines only in want (-) and only in got (+).
func diffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
