package awscli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"prodready/shared/audit/audittest"
	"prodready/shared/awsenv"
	"prodready/shared/motoserver"
)

func TestAuditFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"--format", "yaml"}, `unknown format "yaml"`},
		{"unknown service", []string{"--services", "sqs,dynamo"}, `unknown service "dynamo"`},
		{"bad concurrency", []string{"--concurrency", "0"}, "--concurrency must be 1 to 64"},
		{"positional argument", []string{"serverless.yml"}, `unexpected argument "serverless.yml"`},
		{"missing exemptions file", []string{"--exemptions", "/nonexistent/exemptions.yml"}, "no such file"},
		{"unknown flag", []string{"--regoin", "eu-west-2"}, "flag provided but not defined"},
		{"topic without bucket", []string{"--topic", "arn:aws:sns:eu-west-2:1:t"}, "--topic needs --bucket"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := Audit(context.Background(), tc.args, &out, &errb); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errb.String(), tc.want) {
				t.Errorf("stderr %q lacks %q", errb.String(), tc.want)
			}
		})
	}
}

// TestAuditAgainstMoto runs the command on a seeded account: exit 1 with
// failing findings, 0 when the audited services comply, 2 when a service
// cannot be read; --bucket stores the report.
func TestAuditAgainstMoto(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	cfg, err := awsenv.Load(ctx, awsenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seeded := audittest.Seed(t, audittest.Client{Cfg: cfg, URL: srv.URL})
	fake := seeded.Monitoring("eu-west-2").Start(t)
	t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH", fake.URL)
	t.Setenv("AWS_ENDPOINT_URL_SYNTHETICS", fake.URL)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: new("reports"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-2"}}); err != nil {
		t.Fatal(err)
	}

	t.Run("failures exit 1 and the report is stored", func(t *testing.T) {
		var out, errb bytes.Buffer
		code := Audit(ctx, []string{"--format", "json", "--bucket", "reports"}, &out, &errb)
		if code != 1 {
			t.Fatalf("exit %d, want 1; stderr %s", code, errb.String())
		}
		var rep struct {
			Findings []struct{ Rule, Status, Resource, ARN string }
			Region   string
			Account  string
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("stdout is not the JSON report: %v\n%s", err, out.String())
		}
		if len(rep.Findings) == 0 || rep.Findings[0].ARN == "" || rep.Account != audittest.Account || rep.Region != "eu-west-2" {
			t.Errorf("report: %d findings, first %+v, account %s region %s", len(rep.Findings), rep.Findings[0], rep.Account, rep.Region)
		}
		if !strings.Contains(errb.String(), "report written to s3://reports/audits/123456789012/eu-west-2/") {
			t.Errorf("stderr = %s", errb.String())
		}
		list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: new("reports"), Prefix: new("audits/")})
		if err != nil || len(list.Contents) != 2 {
			t.Errorf("stored objects: %v %v, want the .json and the .md", list, err)
		}
	})
	t.Run("compliant services exit 0", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := Audit(ctx, []string{"--services", "ec2,logs", "--exemptions", writeFile(t, "exemptions:\n  - rule: log-retention\n    resource: /aws/lambda/legacy-*\n    reason: being deleted\n    approvedBy: lead\n    expires: 2999-01-01\n")}, &out, &errb); code != 0 {
			t.Errorf("exit %d, want 0:\n%s\n%s", code, out.String(), errb.String())
		}
	})
	t.Run("a service that cannot be read exits 2", func(t *testing.T) {
		t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH", srv.URL) // moto answers this SDK's CloudWatch protocol with 404
		var out, errb bytes.Buffer
		code := Audit(ctx, []string{"--services", "cloudwatch", "--format", "text"}, &out, &errb)
		if code != 2 {
			t.Errorf("exit %d, want 2:\n%s", code, out.String())
		}
		if !strings.Contains(out.String(), "not-audited") || !strings.Contains(out.String(), "cloudwatch") {
			t.Errorf("the text report must name the service not audited:\n%s", out.String())
		}
	})
	t.Run("several regions make one report", func(t *testing.T) {
		var out, errb bytes.Buffer
		code := Audit(ctx, []string{"--region", "eu-west-2,eu-west-1", "--services", "sqs", "--format", "json"}, &out, &errb)
		if code != 1 {
			t.Fatalf("exit %d, want 1: %s", code, errb.String())
		}
		var rep struct{ Region string }
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Region != "eu-west-2,eu-west-1" {
			t.Errorf("region = %q (%v)", rep.Region, err)
		}
	})
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := t.TempDir() + "/exemptions.yml"
	if err := osWriteFile(p, content); err != nil {
		t.Fatal(err)
	}
	return p
}

func osWriteFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }
