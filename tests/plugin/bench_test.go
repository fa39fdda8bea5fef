package plugin

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchRuns is how many times each variant is packaged per benchmark op;
// the medians are reported.
const benchRuns = 5

// hookTime is the plugin's verbose line timing its check.
var hookTime = regexp.MustCompile(`Safeguard: checked .* in (\d+) ms`)

// BenchmarkPluginOverhead measures what the plugin adds to `sls package` of
// a 50-function service: the same service with and without the plugin,
// packaged alternately (so drift on a noisy machine hits both alike), five
// times each. It reports the medians and their difference (the goal is
// under 100 ms). Run it with tests/plugin/bench.sh.
func BenchmarkPluginOverhead(b *testing.B) {
	src := filepath.Join(b.TempDir(), "bench-50")
	if err := os.MkdirAll(src, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "serverless.yml"), []byte(generatedService(50)), 0o644); err != nil {
		b.Fatal(err)
	}
	writeBootstrapZip(b, filepath.Join(src, "bootstrap.zip"))
	without := newService(b, src, false)
	with := newService(b, src, true)
	safeguardBin(b)

	var hooks []time.Duration
	pack := func(s *service) (wall, cpu time.Duration) {
		start := time.Now()
		res := s.sls(run{}, "package", "--stage", "development", "--verbose")
		wall = time.Since(start)
		if res.Code != 0 {
			b.Fatalf("package failed:\n%s", res)
		}
		if m := hookTime.FindStringSubmatch(res.Output); m != nil {
			n, _ := strconv.Atoi(m[1])
			hooks = append(hooks, time.Duration(n)*time.Millisecond)
		} else if s == with {
			b.Fatalf("the plugin did not report its time (verbose log):\n%s", res)
		}
		return wall, res.CPU
	}
	// One untimed round warms the file cache and the Go build.
	pack(without)
	pack(with)
	hooks = nil
	b.ResetTimer()
	var offs, ons, offCPU, onCPU []time.Duration
	for range b.N {
		for range benchRuns {
			w, c := pack(without)
			offs, offCPU = append(offs, w), append(offCPU, c)
			w, c = pack(with)
			ons, onCPU = append(ons, w), append(onCPU, c)
		}
	}
	b.StopTimer()
	off, on := median(offs), median(ons)
	b.ReportMetric(ms(off), "ms-without")
	b.ReportMetric(ms(on), "ms-with")
	b.ReportMetric(ms(on-off), "ms-added")
	// CPU time is what the plugin costs when other work competes for the
	// cores, where wall time mostly measures the competition.
	b.ReportMetric(ms(median(onCPU)-median(offCPU)), "cpu-ms-added")
	// The plugin's own measure of its hook, start to verdict: the part of
	// the difference that is the plugin's, without the CLI's noise.
	b.ReportMetric(ms(median(hooks)), "hook-ms")
	b.Logf("sls package, 50 functions, medians of %d: wall %v without the plugin, %v with it; CPU %v without, %v with",
		len(offs), off.Round(time.Millisecond), on.Round(time.Millisecond), median(offCPU).Round(time.Millisecond), median(onCPU).Round(time.Millisecond))
	b.Logf("wall without %v; with %v; plugin hook %v", rounded(offs), rounded(ons), hooks)
}

// generatedService is a service of n functions, each behind a REST route
// with an authorizer, the shape of a council API.
func generatedService(n int) string {
	var b strings.Builder
	b.WriteString(`service: bench-api
frameworkVersion: '>=3'
provider:
  name: aws
  runtime: provided.al2023
  architecture: arm64
  region: eu-west-2
  logRetentionInDays: 180
  tracing:
    lambda: true
    apiGateway: true
package:
  artifact: bootstrap.zip
functions:
`)
	for i := range n {
		fmt.Fprintf(&b, `  fn%02d:
    handler: bootstrap
    events:
      - http:
          path: /items%02d/{id}
          method: get
          authorizer:
            arn: arn:aws:lambda:eu-west-2:111111111111:function:api-auth-verify-token
            type: request
            identitySource: method.request.header.Authorization
            resultTtlInSeconds: 0
            managedExternally: true
`, i, i)
	}
	return b.String()
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func rounded(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []time.Duration
		want time.Duration
	}{
		{"empty", nil, 0},
		{"odd", []time.Duration{5, 1, 3}, 3},
		{"even", []time.Duration{4, 1, 3, 2}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := median(tc.in); got != tc.want {
				t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
