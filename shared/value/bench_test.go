package value

import (
	"os"
	"testing"

	"github.com/goccy/go-yaml/parser"
)

// BenchmarkParseYAML measures the tree conversion against goccy/go-yaml's
// own parse of the same file, to tell the two costs apart.
func BenchmarkParseYAML(b *testing.B) {
	src, err := os.ReadFile(os.Getenv("SAFEGUARD_BENCH_YAML"))
	if err != nil {
		b.Skip("set SAFEGUARD_BENCH_YAML to a serverless.yml")
	}
	b.Run("goccy-ast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parser.ParseBytes(src, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tree", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseYAML("s.yml", src, DefaultLimits); err != nil {
				b.Fatal(err)
			}
		}
	})
}
