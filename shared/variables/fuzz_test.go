package variables

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"prodready/shared/value"
)

// FuzzResolve feeds arbitrary serverless.yml text through ParseYAML and
// Resolve, with one more string (variable syntax, most of the time) set at
// the top level as "fuzz" so the fuzzer works on variables directly rather
// than through YAML. Whatever the input, Resolve must return (never panic
// or hang), fail only with a *value.Error, and return a tree that encodes
// as JSON. Seeds: the Hackney corpus, every YAML file under testdata and
// the parser's oracle cases.
func FuzzResolve(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(corpusDir, "*.yml"))
	more, _ := filepath.Glob("testdata/oracle/*/serverless.yml")
	seeds = append(seeds, more...)
	more, _ = filepath.Glob("testdata/unit/*.yml")
	seeds = append(seeds, more...)
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "production", "${self:custom.vpc.${opt:stage}}")
	}
	var strs []string
	if data, err := os.ReadFile("testdata/parse_cases.json"); err == nil {
		_ = json.Unmarshal(data, &strs)
	}
	small := []byte("service: s\nprovider:\n  name: aws\n  stage: ${opt:stage, 'dev'}\ncustom:\n  a: [1, {b: c}]\n  s: str\n  f: ${self:fuzz}\nparams:\n  dev:\n    p: ${self:custom.s}\n")
	for _, s := range strs {
		f.Add(small, "dev", s)
	}
	f.Add([]byte("a: ${self:b}\nb: [${self:a}]\n"), "dev", "${self:a}")
	f.Add([]byte("a: ${file(./inc.yml):nested}\nb: \\${x} $${self:a} ${${self:a}}\n"), "x", "${file(./text.txt):length}")
	f.Add([]byte("provider:\n  stage: ${param:s, 'x'}\nparams:\n  dev:\n    s: 1\n"), "", "${param:s}-${env:A}")

	lim := value.Limits{MaxBytes: 1 << 16, MaxNodes: 20_000, MaxDepth: 40}
	env := map[string]string{"A": "${self:a}", "B": "b", "LOOP": "${env:LOOP}"}
	f.Fuzz(func(t *testing.T, src []byte, stage, extra string) {
		if !stagePattern.MatchString(stage) {
			stage = ""
		}
		// The fuzzer has no per-input timeout: a hang would only stall it.
		type result struct {
			parsed bool
			n      *value.Node
			err    error
		}
		done := make(chan result, 1)
		var phase atomic.Value
		phase.Store("ParseYAML")
		go func() {
			root, err := value.ParseYAML("serverless.yml", src, lim)
			if err != nil {
				done <- result{}
				return
			}
			if root.Kind == value.Map {
				root.Set("fuzz", value.NewString(extra, value.Pos{File: "serverless.yml", Line: 1, Col: 1}))
			}
			phase.Store("Resolve")
			n, err := Resolve(root, Options{
				Stage:   stage,
				Opts:    map[string]string{"x": "1"},
				Env:     func(k string) (string, bool) { v, ok := env[k]; return v, ok },
				BaseDir: "testdata/unit",
				Limits:  lim,
			})
			done <- result{true, n, err}
		}()
		var res result
		select {
		case res = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s has not returned after 10s", phase.Load())
		}
		if !res.parsed {
			return
		}
		got, err := res.n, res.err
		if err != nil {
			var ve *value.Error
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a *value.Error: %v", err, err)
			}
			if strings.TrimSpace(ve.Msg) == "" {
				t.Fatalf("empty error message at %v", ve.Pos)
			}
			return
		}
		if got == nil {
			t.Fatal("nil result without an error")
		}
		if _, err := json.Marshal(got.Plain()); err != nil {
			t.Fatalf("result does not encode: %v", err)
		}
	})
}
