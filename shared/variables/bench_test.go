package variables

import (
	"fmt"
	"strings"
	"testing"

	"prodready/shared/value"
)

// generatedService is a serverless.yml with n functions, each with an http
// event and the usual ${self:}/${opt:}/${sls:} references, plus a few
// shared blocks copied by reference.
func generatedService(n int) string {
	var b strings.Builder
	b.WriteString(`service: bench
provider:
  name: aws
  runtime: nodejs20.x
  stage: ${opt:stage, 'dev'}
  region: ${opt:region, 'eu-west-2'}
  vpc: ${self:custom.vpc.${self:provider.stage}}
  environment:
    STAGE: ${sls:stage}
    TABLE: ${self:custom.table}
  tags:
    service: ${self:service}
    stage: ${self:provider.stage}
custom:
  table: ${self:service}-${self:provider.stage}-table
  authorizer: arn:aws:lambda:${self:provider.region}:123456789012:function:auth-${self:provider.stage}
  vpc:
    dev:
      securityGroupIds: [sg-1]
      subnetIds: [subnet-1, subnet-2, subnet-3]
    production:
      securityGroupIds: [sg-2]
      subnetIds: [subnet-4, subnet-5, subnet-6]
functions:
`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `  fn%d:
    name: ${self:service}-${self:provider.stage}-fn%d
    handler: src/fn%d.handler
    timeout: ${opt:timeout, 29}
    environment:
      TABLE: ${self:custom.table}
      INDEX: idx-%d-${opt:stage, 'dev'}
    vpc: ${self:provider.vpc}
    events:
      - http:
          path: /items/fn%d/{id}
          method: get
          authorizer:
            arn: ${self:custom.authorizer}
            type: request
`, i, i, i, i, i)
	}
	return b.String()
}

// BenchmarkResolve resolves generated services of 10, 100 and 1000
// functions; the time per function should stay flat (linear growth).
// cpu-ns/op is the process CPU time per resolution (garbage collection
// included), steadier than ns/op on a shared machine.
func BenchmarkResolve(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		src := []byte(generatedService(n))
		root, err := value.ParseYAML("serverless.yml", src, value.DefaultLimits)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("functions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				if _, err := Resolve(root, Options{Stage: "production"}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/function")
			if cpu > 0 {
				b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// TestGeneratedServiceResolves checks what the benchmark measures.
func TestGeneratedServiceResolves(t *testing.T) {
	root, err := value.ParseYAML("serverless.yml", []byte(generatedService(3)), value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Resolve(root, Options{Stage: "production"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"functions.fn2.name":                         `"bench-production-fn2"`,
		"functions.fn1.vpc.subnetIds":                `["subnet-4","subnet-5","subnet-6"]`,
		"functions.fn0.events.0.http.authorizer.arn": `"arn:aws:lambda:eu-west-2:123456789012:function:auth-production"`,
		"functions.fn0.timeout":                      `29`,
		"functions.fn0.environment.INDEX":            `"idx-0-production"`,
	} {
		if got := plainJSON(t, got.Get(strings.Split(path, ".")...)); got != want {
			t.Errorf("%s = %s, want %s", path, got, want)
		}
	}
}
