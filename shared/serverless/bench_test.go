package serverless

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"syscall"
	"testing"
	"time"
)

// generatedService writes a service of n functions, each with an http
// event, in the shape of the council's APIs (tracing, VPC, an authorizer).
func generatedService(tb testing.TB, n int) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("service: generated\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  region: eu-west-2\n")
	b.WriteString("  tracing:\n    apiGateway: true\n    lambda: true\n  logRetentionInDays: 180\n")
	b.WriteString("  stackTags:\n    BackupPolicy: ${sls:stage}\n")
	b.WriteString("  vpc:\n    securityGroupIds: [sg-1]\n    subnetIds: [subnet-1, subnet-2, subnet-3]\n")
	b.WriteString("functions:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  fn%d:\n    handler: handler.fn%d\n    environment:\n      INDEX: \"%d\"\n    events:\n", i, i, i)
		fmt.Fprintf(&b, "      - http:\n          path: /items%d/{id}\n          method: get\n          authorizer:\n            arn: arn:aws:lambda:eu-west-2:123456789012:function:auth\n            managedExternally: true\n", i)
	}
	dir := tb.TempDir()
	path := filepath.Join(dir, "serverless.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func loadCompile(tb testing.TB, path string, n int) {
	s, err := Load(path, Options{Stage: "production"})
	if err != nil {
		tb.Fatal(err)
	}
	inv, err := s.Compile()
	if err != nil {
		tb.Fatal(err)
	}
	if got := len(inv.OfType("AWS::Lambda::Function")); got != n {
		tb.Fatalf("%d functions, want %d", got, n)
	}
}

// BenchmarkLoadCompile measures Load+Compile of generated services. Beside
// ns/op (wall time, which a busy shared machine inflates) it reports
// cpu-ns/op, the process CPU time per operation (GC included), and
// peak-heap-MiB, the most heap in use during one operation.
func BenchmarkLoadCompile(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("functions=%d", n), func(b *testing.B) {
			path := generatedService(b, n)
			b.ReportAllocs()
			before := cpuTime()
			for b.Loop() {
				loadCompile(b, path, n)
			}
			b.ReportMetric(float64((cpuTime()-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(peakHeap(func() { loadCompile(b, path, n) }))/(1<<20), "peak-heap-MiB")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakHeap runs fn once and returns the most heap bytes in use above what
// was live before, sampled without stopping the world.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	peak := base
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read(); v > peak {
					peak = v
				}
			}
		}
	}()
	fn()
	if v := read(); v > peak {
		peak = v
	}
	close(done)
	<-stopped
	return peak - base
}

// TestLoadCompileOnce is a probe for measuring the whole process (peak RSS
// with /usr/bin/time -v): it runs one Load+Compile of a generated service
// when SLS_PROBE_FUNCTIONS is set.
func TestLoadCompileOnce(t *testing.T) {
	var n int
	if _, err := fmt.Sscan(os.Getenv("SLS_PROBE_FUNCTIONS"), &n); err != nil || n <= 0 {
		t.Skip("set SLS_PROBE_FUNCTIONS to measure one run")
	}
	loadCompile(t, generatedService(t, n), n)
}
