//go:build unix

// Package auditor tests the nightly auditor end to end: the real Lambda
// bootstrap, built as for provided.al2023, invoked through the Lambda
// runtime interface emulator with a scheduled event, auditing a moto
// account (CloudWatch and Synthetics from audittest's protocol-level fake)
// and writing its report to moto's S3.
package auditor

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"prodready/shared/audit"
	"prodready/shared/audit/audittest"
	"prodready/shared/awsenv"
	"prodready/shared/motoserver"
	"prodready/tests/internal/rie"
)

func scheduledEvent(now time.Time) []byte {
	return []byte(fmt.Sprintf(`{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events",
		"account":"%s","time":"%s","region":"eu-west-2","resources":["arn:aws:events:eu-west-2:%s:rule/safeguard-nightly-audit"],"detail":{}}`,
		audittest.Account, now.UTC().Format(time.RFC3339), audittest.Account))
}

func TestScheduledAuditWritesReportToS3(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Lambda bootstrap and the emulator")
	}
	srv := motoserver.Start(t)
	ctx := context.Background()
	cfg, err := awsenv.Load(ctx, awsenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seeded := audittest.Seed(t, audittest.Client{Cfg: cfg, URL: srv.URL})
	mon := seeded.Monitoring("eu-west-2")
	fake := mon.Start(t)

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "safeguard-audit-reports"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-2"}}); err != nil {
		t.Fatal(err)
	}
	snc, sqc := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	topic, err := snc.CreateTopic(ctx, &sns.CreateTopicInput{Name: new("safeguard-audit")})
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := sqc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: new("audit-inbox")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: new("sqs"),
		Endpoint: new("arn:aws:sqs:eu-west-2:" + audittest.Account + ":audit-inbox")}); err != nil {
		t.Fatal(err)
	}

	boot := rie.BuildBootstrap(t, "prodready/functions/auditor")
	fn := rie.Start(t, boot, map[string]string{
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "180",
		audit.EnvBucket:               bucket,
		audit.EnvTopic:                *topic.TopicArn,
		"AWS_ENDPOINT_URL_CLOUDWATCH": fake.URL,
		"AWS_ENDPOINT_URL_SYNTHETICS": fake.URL,
	})

	ictx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	now := time.Now().UTC()
	resp, err := fn.Invoke(ictx, scheduledEvent(now))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.ErrorMessage != "" {
		t.Fatalf("invocation: HTTP %d %s: %s\n%s", resp.StatusCode, resp.ErrorType, resp.ErrorMessage, fn.Logs())
	}
	var summary []audit.RegionSummary
	if err := json.Unmarshal(resp.Body, &summary); err != nil || len(summary) != 1 || summary[0].Status != audit.Fail || summary[0].Failed == 0 {
		t.Fatalf("answer %s (%v)", resp.Body, err)
	}

	key := audit.ReportKey(audittest.Account, "eu-west-2", now)
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("report %s: %v\n%s", key, err, fn.Logs())
	}
	var doc audit.Document
	if err := json.NewDecoder(obj.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	obj.Body.Close()
	if doc.Audit.Status != audit.Fail || doc.Account != audittest.Account || doc.Summary.Failed != summary[0].Failed || len(doc.Audit.NotAudited) != 0 {
		t.Errorf("stored report: status %s account %s failed %d, not audited %+v", doc.Audit.Status, doc.Account, doc.Summary.Failed, doc.Audit.NotAudited)
	}
	if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: new(strings.TrimSuffix(key, ".json") + ".md")}); err != nil {
		t.Errorf("markdown summary: %v", err)
	}
	logs := fn.Logs()
	if !strings.Contains(logs, `"Namespace":"Safeguard/Audit"`) || !strings.Contains(logs, `"Rule":"dynamodb-pitr"`) {
		t.Errorf("no EMF records in the function's output:\n%s", logs)
	}
	msgs, err := sqc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: inbox.QueueUrl, WaitTimeSeconds: 1})
	if err != nil || len(msgs.Messages) != 1 || !strings.Contains(*msgs.Messages[0].Body, "new, 0 fixed") {
		t.Errorf("notification: %v %v", msgs, err)
	}

	// CloudWatch refuses the next night: the report is still written, and
	// the invocation fails so the function's error alarm fires.
	mon.Fail = map[string]string{"DescribeAlarms": "AccessDenied"}
	resp, err = fn.Invoke(ictx, scheduledEvent(now))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.ErrorMessage, "audit incomplete") || !strings.Contains(resp.ErrorMessage, "cloudwatch not audited (access-denied)") {
		t.Errorf("an incomplete audit must fail the invocation: HTTP %d %q %s", resp.StatusCode, resp.ErrorMessage, resp.Body)
	}
	obj, err = s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	if err := json.NewDecoder(obj.Body).Decode(&doc); err != nil || doc.Audit.Status != audit.Incomplete {
		t.Errorf("second report status %s (%v)", doc.Audit.Status, err)
	}
}
