package value

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The parsers must never panic or hang on any input, and every error they
// return must say where: a *Error with the file name.
func FuzzParseYAML(f *testing.F) {
	seeds, _ := filepath.Glob("../../tests/corpus/hackney/*.yml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"a: {aws:SourceArn: x}\n", "a: &x [*x]\n", "a: !GetAtt X\n", "<<: *nope\n", "a:\n  - b: !Sub [\"${X}\", {X: 1}]\n", bomb()} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := ParseYAML("f.yml", src, Limits{MaxBytes: 1 << 20, MaxNodes: 20_000, MaxDepth: 64})
		checkParse(t, n, err)
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"Resources":{"B":{"Type":"AWS::S3::Bucket","Properties":{"X":[1,true,null,"s"]}}}}`, `{"a":1,"a":2}`, `[`, `{"a":}`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := ParseJSON("f.json", src, Limits{MaxBytes: 1 << 20, MaxNodes: 20_000, MaxDepth: 64})
		checkParse(t, n, err)
	})
}

func checkParse(t *testing.T, n *Node, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Pos.File == "" {
			t.Fatalf("error without a position: %v", err)
		}
		return
	}
	if n == nil {
		t.Fatal("nil tree without an error")
	}
	count := 0
	var walk func(*Node, int)
	walk = func(x *Node, depth int) {
		count++
		if depth > 200 || count > 1_000_000 {
			t.Fatalf("tree deeper or larger than the limits allow")
		}
		for _, it := range x.Items {
			walk(it, depth+1)
		}
		for _, v := range x.Vals {
			walk(v, depth+1)
		}
	}
	walk(n, 0)
}
