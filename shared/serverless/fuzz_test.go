package serverless

import (
	"os"
	"path/filepath"
	"testing"
)

func noEnv(string) (string, bool) { return "", false }

// FuzzLoad feeds arbitrary serverless.yml text through Load and Compile:
// whatever the input, the result is a service or an error, never a panic
// or a hang. Seeds are the Hackney corpus and the oracle services.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(corpusDir, "*.yml"))
	more, _ := filepath.Glob(filepath.Join("testdata", "services", "*", "serverless.yml"))
	for _, p := range append(seeds, more...) {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, "production")
	}
	f.Add([]byte(head+"functions:\n  a:\n    handler: h\n    events:\n      - http: GET /\n"), "")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte, stage string) {
		if !stagePattern.MatchString(stage) {
			stage = ""
		}
		s, err := loadSource(filepath.Join(dir, "serverless.yml"), src, dir, Options{Stage: stage, Env: noEnv})
		if err != nil {
			return
		}
		inv, err := s.Compile()
		if err != nil {
			return
		}
		for _, r := range inv.All() {
			if r.Props == nil {
				t.Fatalf("%s has nil properties", r.ID)
			}
		}
	})
}
