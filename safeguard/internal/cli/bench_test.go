package cli

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"prodready/shared/rules"
)

// The speed goal: a 1,000-function service (each function with an
// http event) checks in under 100 ms and 64 MiB, and time grows linearly.
// BenchmarkCheck measures the check in process (ns/op, B/op);
// BenchmarkCheckProcess runs the built binary, as CI and the plugin do, and
// reports wall time and peak resident memory (max RSS) per run.
var benchSizes = []int{10, 100, 1000}

func writeGeneratedService(tb testing.TB, dir string, functions int) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`service: generated
frameworkVersion: '>=3'
provider:
  name: aws
  runtime: provided.al2023
  architecture: arm64
  stage: ${opt:stage, 'development'}
  region: eu-west-2
  logRetentionInDays: 180
  tracing:
    lambda: true
    apiGateway: true
  stackTags:
    BackupPolicy: ${self:custom.backup.${sls:stage}}
package:
  artifact: bootstrap.zip
custom:
  backup:
    development: Dev
    production: Prod
  authorizer: arn:aws:lambda:eu-west-2:123456789012:function:authorizer-${sls:stage}
functions:
`)
	for i := 0; i < functions; i++ {
		fmt.Fprintf(&b, `  fn%d:
    handler: bootstrap
    environment:
      NAME: ${self:service}-${sls:stage}-fn%d
    events:
      - http:
          path: /items%d/{id}
          method: get
          authorizer:
            arn: ${self:custom.authorizer}
            managedExternally: true
`, i, i, i)
	}
	path := filepath.Join(dir, "serverless.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func BenchmarkCheck(b *testing.B) {
	// The same collector settings as the safeguard binary's main.
	defer debug.SetGCPercent(debug.SetGCPercent(300))
	book := rules.Default()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("functions=%d", n), func(b *testing.B) {
			path := writeGeneratedService(b, b.TempDir(), n)
			in := checkInput{path: path, stage: "production"}
			b.ReportAllocs()
			for b.Loop() {
				rep, err := runCheck(in, book, nil, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				if rep.Summary.Resources == 0 {
					b.Fatal("nothing checked")
				}
			}
		})
	}
}

func BenchmarkCheckProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "safeguard")
	build := exec.Command("go", "build", "-o", bin, "prodready/safeguard")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatal(err)
	}
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("functions=%d", n), func(b *testing.B) {
			path := writeGeneratedService(b, b.TempDir(), n)
			// Peak memory comes from /usr/bin/time: a child's own rusage
			// would include the test binary's memory, which the child shares
			// until it execs.
			timeCmd, timeErr := exec.LookPath("/usr/bin/time")
			var rss []float64
			var wall []time.Duration
			for b.Loop() {
				args := []string{"check", "--stage", "production", "--format", "json", path}
				cmd := exec.Command(bin, args...)
				var mem strings.Builder
				if timeErr == nil {
					cmd = exec.Command(timeCmd, append([]string{"-f", "%M", bin}, args...)...)
					cmd.Stderr = &mem
				}
				cmd.Stdout = io.Discard
				start := time.Now()
				err := cmd.Run()
				wall = append(wall, time.Since(start))
				if err != nil {
					if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitFailed {
						b.Fatalf("safeguard check: %v %s", err, mem.String())
					}
				}
				lines := strings.Fields(mem.String())
				if len(lines) > 0 {
					if kb, err := strconv.ParseFloat(lines[len(lines)-1], 64); err == nil {
						rss = append(rss, kb/1024)
					}
				}
			}
			b.ReportMetric(float64(median(wall).Microseconds())/1000, "median-ms")
			if len(rss) > 0 {
				sort.Float64s(rss)
				b.ReportMetric(rss[len(rss)-1], "peak-RSS-MiB")
			}
		})
	}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
