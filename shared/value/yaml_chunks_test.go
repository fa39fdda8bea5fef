package value

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sameTree reports the first difference between two trees, positions
// included, or "".
func sameTree(a, b *Node, path string) string {
	switch {
	case a == nil && b == nil:
		return ""
	case a == nil || b == nil:
		return path + ": one side is missing"
	case a.Kind != b.Kind || a.Str != b.Str || a.Why != b.Why:
		return fmt.Sprintf("%s: %s %q vs %s %q", path, a.Kind, a.Str, b.Kind, b.Str)
	case a.Pos != b.Pos:
		return fmt.Sprintf("%s: position %v vs %v", path, a.Pos, b.Pos)
	case len(a.Items) != len(b.Items) || len(a.Keys) != len(b.Keys):
		return path + ": different sizes"
	}
	for i := range a.Items {
		if d := sameTree(a.Items[i], b.Items[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
			return d
		}
	}
	for i := range a.Keys {
		if a.Keys[i] != b.Keys[i] {
			return fmt.Sprintf("%s: key %q vs %q", path, a.Keys[i], b.Keys[i])
		}
		if d := sameTree(a.Vals[i], b.Vals[i], path+"."+a.Keys[i]); d != "" {
			return d
		}
	}
	return ""
}

// checkChunked holds the chunked parse to the whole parse: when it accepts
// a document, the whole parse must accept it too and give the same tree.
func checkChunked(t *testing.T, src []byte) bool {
	t.Helper()
	lim := Limits{MaxBytes: 1 << 20, MaxNodes: 50_000, MaxDepth: 64}
	chunked, ok := parseYAMLChunked("f.yml", src, lim, 2, 0)
	if !ok {
		return false
	}
	whole, err := parseYAMLWhole("f.yml", src, lim)
	if err != nil {
		t.Fatalf("chunked parse accepted a document the whole parse rejects (%v):\n%s", err, src)
	}
	if d := sameTree(chunked, whole, "$"); d != "" {
		t.Fatalf("chunked and whole parses differ at %s:\n%s", d, src)
	}
	return true
}

func TestChunkedParseMatchesWhole(t *testing.T) {
	files, _ := filepath.Glob("../../tests/corpus/hackney/*.yml")
	chunked := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if checkChunked(t, src) {
			chunked++
		}
	}
	if len(files) > 0 && chunked < len(files)/2 {
		t.Errorf("only %d of %d corpus files were split; the splitter is too timid to matter", chunked, len(files))
	}
	refused := map[string]string{
		"anchor":          "a: &x 1\nb: *x\n",
		"merge":           "base:\n  x: 1\nd:\n  <<: {y: 2}\n",
		"document marker": "a: 1\n---\nb: 2\n",
		"flow across":     "a: [1,\n2]\nb: 3\n",
		"top-level list":  "- a\n- b\n",
	}
	for name, src := range refused {
		if _, ok := parseYAMLChunked("f.yml", []byte(src), DefaultLimits, 2, 0); ok {
			t.Errorf("%s: chunked parse accepted %q", name, src)
		}
	}
	var b strings.Builder
	b.WriteString("service: x\nprovider:\n  name: aws\nfunctions:\n")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "  fn%d:\n    handler: h\n    events:\n      - http: {path: /p%d, method: get}\n", i, i)
	}
	b.WriteString("custom:\n  a: 1\n")
	if !checkChunked(t, []byte(b.String())) {
		t.Error("a plain generated service was not split")
	}
	dup := "a: 1\nfunctions:\n  f: 1\n  g: 2\n  f: 3\n"
	if _, ok := parseYAMLChunked("f.yml", []byte(dup), DefaultLimits, 2, 0); ok {
		t.Error("duplicate keys across chunks accepted")
	}
}

func FuzzChunkedParse(f *testing.F) {
	files, _ := filepath.Glob("../../tests/corpus/hackney/*.yml")
	for _, s := range files {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("a: 1\nfunctions:\n  f:\n    x: [1,\n  2]\n  g: 2\n"))
	f.Add([]byte("a: |\n  text\nb:\n  c: 'q\n\n  d'\n  e: 1\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		checkChunked(t, src)
	})
}
