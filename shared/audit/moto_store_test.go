package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"prodready/shared/audit/audittest"
	"prodready/shared/awsenv"
	"prodready/shared/findings"
)

// inbox is an SQS queue subscribed to the notification topic: what the
// team's e-mail would receive.
type inbox struct {
	sqs *sqs.Client
	url string
}

func (in inbox) messages(t *testing.T) []map[string]string {
	t.Helper()
	out, err := in.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &in.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []map[string]string
	for _, m := range out.Messages {
		var env map[string]string
		if err := json.Unmarshal([]byte(*m.Body), &env); err != nil {
			t.Fatalf("notification envelope: %v", err)
		}
		msgs = append(msgs, env)
		_, _ = in.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &in.url, ReceiptHandle: m.ReceiptHandle})
	}
	return msgs
}

func reportInfra(t *testing.T, cfg aws.Config) (bucket, topic string, s3c *s3.Client, in inbox) {
	t.Helper()
	ctx := context.Background()
	bucket = "safeguard-audit-reports"
	s3c = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-2"}}); err != nil {
		t.Fatal(err)
	}
	snc := sns.NewFromConfig(cfg)
	tp, err := snc.CreateTopic(ctx, &sns.CreateTopicInput{Name: new("safeguard-audit")})
	if err != nil {
		t.Fatal(err)
	}
	in.sqs = sqs.NewFromConfig(cfg)
	q, err := in.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: new("audit-inbox")})
	if err != nil {
		t.Fatal(err)
	}
	in.url = *q.QueueUrl
	arn := fmt.Sprintf("arn:aws:sqs:eu-west-2:%s:audit-inbox", audittest.Account)
	if _, err := snc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: new("sqs"), Endpoint: &arn}); err != nil {
		t.Fatal(err)
	}
	return bucket, *tp.TopicArn, s3c, in
}

// TestAuditReportsDiffsAndNotifies runs the audit on four nights: the first
// report notifies every failure; an unchanged night stays silent; fixes and
// exemptions (a tag on the resource, a file in the bucket) are notified as
// fixed; a service that cannot be read makes the run incomplete.
func TestAuditReportsDiffsAndNotifies(t *testing.T) {
	clients, _, mon, _ := startAccount(t)
	ctx := context.Background()
	cfg, err := awsenv.Load(ctx, awsenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bucket, topic, s3c, in := reportInfra(t, cfg)
	day := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	run := func(n int) *Result {
		t.Helper()
		now := day.AddDate(0, 0, n)
		res, err := Run(ctx, Config{Region: "eu-west-2", Account: audittest.Account, Bucket: bucket, Topic: topic, Now: func() time.Time { return now }},
			Deps{Clients: clients, Store: s3c, Notifier: sns.NewFromConfig(cfg)})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	// Night 1: the first report; every failure is new.
	r1 := run(0)
	if r1.ReportKey != "audits/123456789012/eu-west-2/2026-03-01.json" {
		t.Errorf("report key = %s", r1.ReportKey)
	}
	stored := readDoc(t, s3c, bucket, r1.ReportKey)
	if stored.Audit.Status != Fail || len(stored.Findings) != len(r1.Document.Findings) || stored.Findings[0].ARN == "" {
		t.Errorf("stored report: status %s, %d findings (want %d) with ARNs", stored.Audit.Status, len(stored.Findings), len(r1.Document.Findings))
	}
	md, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: new("audits/123456789012/eu-west-2/2026-03-01.md")})
	if err != nil {
		t.Fatalf("markdown summary: %v", err)
	}
	md.Body.Close()
	msgs := in.messages(t)
	if len(msgs) != 1 || !strings.Contains(msgs[0]["Subject"], fmt.Sprintf("%d new, 0 fixed", r1.Document.Summary.Failed)) || !strings.Contains(msgs[0]["Message"], "first report") {
		t.Fatalf("night 1 notifications = %v", msgs)
	}

	// Night 2: nothing changed, nothing sent.
	r2 := run(1)
	if r2.Notified || len(r2.Diff.New)+len(r2.Diff.Fixed) != 0 || r2.Diff.Unchanged != r1.Document.Summary.Failed {
		t.Errorf("night 2: notified %v, diff %+v", r2.Notified, r2.Diff)
	}
	if msgs := in.messages(t); len(msgs) != 0 {
		t.Errorf("night 2 sent %v", msgs)
	}

	// Night 3: PITR turned on, an exemption tag on the legacy database, and
	// an exemptions file whose entry has expired.
	ddb := dynamodb.NewFromConfig(cfg)
	if _, err := ddb.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: new("legacy-records"),
		PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: new(true)}}); err != nil {
		t.Fatal(err)
	}
	rc := rds.NewFromConfig(cfg)
	dbArn := "arn:aws:rds:eu-west-2:123456789012:db:legacy-db"
	if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: &dbArn, Tags: []rdstypes.Tag{{
		Key: new(ExemptTagPrefix + "rds-read-replica"), Value: new("2026-12-31 jane.doe@hackney.gov.uk reporting copy rebuilt nightly")}}}); err != nil {
		t.Fatal(err)
	}
	file := "exemptions:\n  - rule: dashboard\n    resource: legacy-*\n    reason: dashboards were in Grafana\n    approvedBy: lead@hackney.gov.uk\n    expires: 2026-01-31\n"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: new("exemptions.yml"), Body: strings.NewReader(file)}); err != nil {
		t.Fatal(err)
	}
	r3 := run(2)
	fixed := map[string]bool{}
	for _, f := range r3.Diff.Fixed {
		fixed[f.Rule+" "+f.ARN] = true
	}
	if !fixed["dynamodb-pitr arn:aws:dynamodb:eu-west-2:123456789012:table/legacy-records"] || !fixed["rds-read-replica "+dbArn] || len(r3.Diff.New) != 0 {
		t.Errorf("night 3 diff: fixed %v new %v", fixed, r3.Diff.New)
	}
	var exempt, expired *findings.Finding
	for i, f := range r3.Document.Findings {
		switch {
		case f.Rule == "rds-read-replica" && f.ARN == dbArn:
			exempt = &r3.Document.Findings[i]
		case f.Rule == "dashboard" && f.Resource == audittest.BadStack:
			expired = &r3.Document.Findings[i]
		}
	}
	if exempt == nil || exempt.Status != findings.Exempt || exempt.Exemption.ApprovedBy != "jane.doe@hackney.gov.uk" {
		t.Errorf("tag exemption: %+v", exempt)
	}
	if expired == nil || expired.Status != findings.Fail || !expired.Exemption.Expired || !strings.Contains(expired.Message, "expired on 2026-01-31") {
		t.Errorf("expired file exemption must fail: %+v", expired)
	}
	msgs = in.messages(t)
	if len(msgs) != 1 || !strings.Contains(msgs[0]["Subject"], "0 new, 2 fixed") || !strings.Contains(msgs[0]["Message"], "[dynamodb-pitr]") {
		t.Errorf("night 3 notifications = %v", msgs)
	}

	// Night 4: CloudWatch refuses; the run is incomplete and says so.
	mon.Fail = map[string]string{"DescribeAlarms": "AccessDenied"}
	r4 := run(3)
	if r4.Status() != Incomplete || r4.Status().ExitCode() != 2 {
		t.Errorf("night 4 status = %s", r4.Status())
	}
	var note *findings.Note
	for i, n := range r4.Document.Notes {
		if n.Kind == "not-audited" && n.Subject == "cloudwatch" {
			note = &r4.Document.Notes[i]
		}
	}
	if note == nil || !strings.Contains(note.Message, "access-denied") || !strings.Contains(note.Message, "AWS::CloudWatch::Alarm") {
		t.Errorf("not-audited note = %+v (notes %+v)", note, r4.Document.Notes)
	}
	if len(r4.Diff.NotAudited) != 1 || r4.Diff.NotAudited[0] != "cloudwatch" {
		t.Errorf("night 4 diff not audited = %v", r4.Diff.NotAudited)
	}
	msgs = in.messages(t)
	if len(msgs) != 1 || !strings.Contains(msgs[0]["Subject"], "incomplete") {
		t.Errorf("night 4 notifications = %v", msgs)
	}
	if got := readDoc(t, s3c, bucket, r4.ReportKey); got.Audit.Status != Incomplete || len(got.Audit.NotAudited) == 0 {
		t.Errorf("stored night 4 report: %+v", got.Audit)
	}
}

func readDoc(t *testing.T, s3c *s3.Client, bucket, key string) *Document {
	t.Helper()
	data, found, err := readObject(context.Background(), s3c, bucket, key)
	if err != nil || !found {
		t.Fatalf("read %s: found %v err %v", key, found, err)
	}
	d, err := DecodeDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
