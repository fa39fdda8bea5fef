package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"prodready/shared/findings"
	"prodready/shared/policy"
	"prodready/shared/rules"
	"prodready/shared/value"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// baseDir is where the test service's files live; SARIF and Markdown show
// paths relative to it.
const baseDir = "/work/svc"

// testBook holds rules made for these tests, one or two per pillar, so the
// goldens do not change as the real rules land.
func testBook() *rules.Book {
	noop := func(*rules.Context) {}
	return rules.NewBook(
		&rules.Rule{ID: "test-encryption", Pillar: rules.Security, Point: "Security 1", Title: "Data stores encrypt data at rest",
			Checklist:   "Data is encrypted at rest for: AWS RDS, AWS SNS, AWS S3, AWS DynamoDB.",
			Rationale:   "A copied disk or snapshot must not expose the data.",
			Remediation: "Set BucketEncryption on the bucket (SSE-S3 or SSE-KMS).",
			Example:     "resources:\n  Resources:\n    Bucket:\n      Type: AWS::S3::Bucket\n      Properties:\n        BucketEncryption:\n          ServerSideEncryptionConfiguration:\n            - ServerSideEncryptionByDefault:\n                SSEAlgorithm: aws:kms",
			Check:       noop},
		&rules.Rule{ID: "test-authorizer", Pillar: rules.Security, Point: "Security 2", Title: "API routes have an authorizer",
			Checklist:   "All API Gateway endpoints, with the exception of Swagger documentation, are secured via an authorizer",
			Remediation: "Add an authorizer to every http event (a `private: true` API key is not one).",
			Example:     "functions:\n  get:\n    events:\n      - http:\n          path: /things\n          method: get\n          authorizer: auth",
			Check:       noop},
		&rules.Rule{ID: "test-multi-az", Pillar: rules.Availability, Point: "High availability 1", Title: "Three availability zones",
			Checklist: "Resources have been deployed across 3 availability zones", Remediation: "Use subnets in three zones.", Check: noop},
		&rules.Rule{ID: "test-dashboard", Pillar: rules.Monitoring, Point: "Monitoring and alerting 4", Title: "A CloudWatch dashboard",
			Checklist: "CloudWatch dashboards are set up for improved monitoring", Remediation: "Add an AWS::CloudWatch::Dashboard to resources.", Check: noop},
		&rules.Rule{ID: "test-tracing", Pillar: rules.Monitoring, Point: "Monitoring and alerting 5", Title: "X-Ray active tracing",
			Checklist: "AWS X-Ray is enabled for APIs.", Remediation: "Set provider.tracing.lambda and provider.tracing.apiGateway to true.",
			Example: "provider:\n  tracing:\n    apiGateway: true\n    lambda: true", Check: noop},
		&rules.Rule{ID: "test-canary", Pillar: rules.Monitoring, Point: "Monitoring and alerting 1", Title: "API canaries",
			Checklist: "AWS CloudWatch canaries to monitor availability are set up for APIs", Remediation: "Add a Synthetics canary.", Check: noop},
		&rules.Rule{ID: "test-pitr", Pillar: rules.Backups, Point: "Back ups 1", Title: "DynamoDB point-in-time recovery",
			Checklist: "DynamoDB PITR is enabled", Remediation: "Set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true.", Check: noop},
		&rules.Rule{ID: "test-gsi", Pillar: rules.Cost, Point: "Cost optimisation 2", Title: "At most two GSIs",
			Checklist: "DynamoDB tables do not have more than 2 GSIs", Remediation: "Remove GSIs beyond two.", Check: noop},
	)
}

func pos(file string, line, col int) value.Pos {
	if file != "" {
		file = filepath.Join(baseDir, file)
	}
	return value.Pos{File: file, Line: line, Col: col}
}

func result(b *rules.Book, rule, res, typ string, pass bool, msg string, p value.Pos) rules.Result {
	r, ok := b.Get(rule)
	if !ok {
		panic("test uses unknown rule " + rule)
	}
	return rules.Result{Rule: r, Resource: res, Type: typ, Names: []string{res}, Pass: pass, Message: msg, Pos: p}
}

// testResults are a service's results: failures (two resources failing one
// rule, a finding with no file, a hostile message), an exemption, an
// expired exemption, and passes.
func testResults(b *rules.Book) []rules.Result {
	return []rules.Result{
		result(b, "test-encryption", "LegacyBucket", "AWS::S3::Bucket", false, "bucket `LegacyBucket` | policy <Principal: *> & \"everyone\" has no encryption", pos("serverless.yml", 88, 7)),
		result(b, "test-encryption", "OrdersTable", "AWS::DynamoDB::Table", true, "table OrdersTable is encrypted", pos("serverless.yml", 70, 7)),
		result(b, "test-authorizer", "ApiGatewayMethodThingsGet", "AWS::ApiGateway::Method", false, "GET /things has no authorizer", pos("serverless.yml", 31, 11)),
		result(b, "test-authorizer", "ApiGatewayMethodThingsPost", "AWS::ApiGateway::Method", false, "POST /things has no authorizer", pos("serverless.yml", 36, 11)),
		result(b, "test-authorizer", "ApiGatewayMethodDocsGet", "AWS::ApiGateway::Method", true, "GET /docs is documentation", pos("serverless.yml", 41, 11)),
		result(b, "test-multi-az", "DbInstance", "AWS::RDS::DBInstance", true, "subnets span 3 zones", pos("resources/db.yml", 3, 5)),
		result(b, "test-dashboard", "payments-api", "Service", false, "service payments-api has no CloudWatch dashboard", value.Pos{}),
		result(b, "test-tracing", "LegacyLambdaFunction", "AWS::Lambda::Function", false, "function legacy has no X-Ray active tracing", pos("serverless.yml", 12, 3)),
		result(b, "test-tracing", "HelloLambdaFunction", "AWS::Lambda::Function", true, "function hello traces actively", pos("serverless.yml", 18, 3)),
		result(b, "test-pitr", "ArchiveTable", "AWS::DynamoDB::Table", false, "table ArchiveTable has no point-in-time recovery", pos("resources/db.yml", 20, 9)),
		result(b, "test-pitr", "OrdersTable", "AWS::DynamoDB::Table", true, "table OrdersTable has PITR", pos("serverless.yml", 70, 7)),
		result(b, "test-gsi", "OrdersTable", "AWS::DynamoDB::Table", true, "table OrdersTable has 1 GSI", pos("serverless.yml", 70, 7)),
	}
}

func testSettings(stage string) policy.Settings {
	s := policy.Defaults()
	s.Stage = stage
	s.Now = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	day := func(d string) time.Time { t, _ := time.Parse(time.DateOnly, d); return t }
	s.Exemptions = []policy.Exemption{
		{Rule: "test-tracing", Resource: "LegacyLambdaFunction", Reason: "legacy function retires in Q1", ApprovedBy: "Jane Doe", Expires: day("2025-01-31"), Pos: pos("serverless.yml", 95, 9)},
		{Rule: "test-pitr", Resource: "Archive*", Reason: "rebuilt nightly from S3 | no PITR needed", ApprovedBy: "Sam Lead", Expires: day("2025-12-31"), Pos: pos("serverless.yml", 101, 9)},
		{Rule: "test-gsi", Resource: "OldTable", Reason: "table removed", ApprovedBy: "Sam Lead", Expires: day("2025-12-31"), Pos: pos("serverless.yml", 107, 9)},
	}
	return s
}

// testReport is the judged report of testResults in a stage.
func testReport(stage string) findings.Report {
	b := testBook()
	canary, _ := b.Get("test-canary")
	rep := findings.Judge(b, testResults(b), []rules.Skipped{{Rule: canary, Reason: "canaries are checked by the nightly audit"}}, testSettings(stage))
	rep.Service = "payments-api"
	rep.Region = "eu-west-2"
	rep.Source = filepath.Join(baseDir, "serverless.yml")
	rep.Notes = append(rep.Notes, findings.Note{Kind: "not-audited", Subject: "reports-api", Message: "stack reports-api-production was not found"})
	return rep
}

// cases are the reports every format is rendered from and checked against.
func cases() map[string]findings.Report {
	b := testBook()
	clean := findings.Judge(b, passesOnly(testResults(b)), nil, testSettings("production"))
	clean.Service = "payments-api"
	clean.Source = filepath.Join(baseDir, "serverless.yml")
	return map[string]findings.Report{
		"production":  testReport("production"),
		"development": testReport("development"),
		"clean":       clean,
		"empty":       findings.Judge(b, nil, nil, policy.Settings{Stage: "production", Enforce: []string{"production"}}),
	}
}

func passesOnly(rs []rules.Result) []rules.Result {
	var out []rules.Result
	for _, r := range rs {
		if r.Pass {
			out = append(out, r)
		}
	}
	return out
}

var goldenExt = map[string]string{"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md"}

func render(t testing.TB, format string, rep findings.Report, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, format, rep, o); err != nil {
		t.Fatalf("Render(%s): %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for name, rep := range cases() {
		for _, format := range Formats() {
			t.Run(name+"/"+format, func(t *testing.T) {
				got := render(t, format, rep, Options{BaseDir: baseDir, Version: "1.2.3"})
				path := filepath.Join("testdata", name+"."+goldenExt[format])
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./shared/report -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file (go test ./shared/report -update rewrites it); got:\n%s", path, got)
				}
			})
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	for _, format := range Formats() {
		a := render(t, format, testReport("production"), Options{BaseDir: baseDir})
		b := render(t, format, testReport("production"), Options{BaseDir: baseDir})
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renderings of the same report differ", format)
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	err := Render(&bytes.Buffer{}, "yaml", testReport("production"), Options{})
	if err == nil {
		t.Fatal("Render(yaml) succeeded; want an error")
	}
	for _, f := range Formats() {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not name valid format %s", err, f)
		}
	}
}

func TestRenderWithoutBook(t *testing.T) {
	// A report whose book is missing still renders every format from the
	// metadata the findings carry.
	rep := testReport("production")
	rep.Book = nil
	for _, format := range Formats() {
		out := render(t, format, rep, Options{})
		if !bytes.Contains(out, []byte("test-authorizer")) {
			t.Errorf("%s without a book lost the findings:\n%s", format, out)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestRenderReportsWriteError(t *testing.T) {
	if err := Render(failingWriter{}, "text", testReport("production"), Options{}); err == nil {
		t.Fatal("Render to a failing writer returned nil")
	}
}

func TestSummaryLine(t *testing.T) {
	tests := []struct {
		name string
		s    findings.Summary
		want string
	}{
		{"blocked", findings.Summary{Stage: "production", Enforced: true, Failed: 3, Exempted: 1, Passed: 42, Rules: 25, Blocking: true},
			"3 failing, 1 exempted, 42 passed across 25 rules: deploy blocked (stage production is enforced)"},
		{"warnings", findings.Summary{Stage: "development", Failed: 2, Passed: 5, Rules: 1},
			"2 failing, 0 exempted, 5 passed across 1 rule: not blocking (stage development is not enforced; findings are warnings)"},
		{"enforced and clean", findings.Summary{Stage: "prod", Enforced: true, Passed: 9, Rules: 4},
			"0 failing, 0 exempted, 9 passed across 4 rules: deploy not blocked (stage prod is enforced and nothing fails)"},
		{"live audit", findings.Summary{Failed: 1, Rules: 1},
			"1 failing, 0 exempted, 0 passed across 1 rule: not blocking (no stage is enforced; findings are warnings)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summaryLine(tt.s); got != tt.want {
				t.Errorf("summaryLine = %q\nwant           %q", got, tt.want)
			}
		})
	}
}

func TestRelPath(t *testing.T) {
	tests := []struct {
		name, file, base, want string
	}{
		{"inside base", "/work/svc/serverless.yml", "/work/svc", "serverless.yml"},
		{"nested", "/work/svc/resources/db.yml", "/work/svc/", "resources/db.yml"},
		{"outside base kept", "/etc/other.yml", "/work/svc", "/etc/other.yml"},
		{"no base", "/work/svc/serverless.yml", "", "/work/svc/serverless.yml"},
		{"relative in relative base", "svc/serverless.yml", "svc", "serverless.yml"},
		{"no file", "", "/work/svc", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := relPath(tt.file, tt.base); got != tt.want {
				t.Errorf("relPath(%q, %q) = %q, want %q", tt.file, tt.base, got, tt.want)
			}
		})
	}
}

func BenchmarkRender(b *testing.B) {
	rep := bigReport(2000)
	for _, format := range Formats() {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				if err := Render(&bytes.Buffer{}, format, rep, Options{BaseDir: baseDir}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
