package audit

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"prodready/shared/audit/audittest"
	"prodready/shared/awsenv"
	"prodready/shared/collect"
	"prodready/shared/motoserver"
)

// seedMany creates about n resources in moto across SQS, SNS, DynamoDB,
// CloudWatch Logs and S3 (plus the two seeded services of audittest).
func seedMany(b *testing.B, cfg aws.Config, n int) {
	ctx := context.Background()
	sq, sn, ddb, lg := sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg), dynamodb.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	jobs := make(chan func() error)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := j(); err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		switch i % 10 {
		case 0, 1, 2:
			jobs <- func() error {
				_, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: new(fmt.Sprintf("bench-q%d", i)), Tags: map[string]string{"BackupPolicy": "Prod"}})
				return err
			}
		case 3, 4:
			jobs <- func() error {
				_, err := lg.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: new(fmt.Sprintf("/aws/lambda/bench-fn%d", i))})
				return err
			}
		case 5, 6:
			jobs <- func() error {
				_, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: new(fmt.Sprintf("bench-t%d", i))})
				return err
			}
		case 7, 8:
			jobs <- func() error {
				_, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: new(fmt.Sprintf("bench-table%d", i)), BillingMode: ddbtypes.BillingModePayPerRequest,
					AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: new("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
					KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: new("id"), KeyType: ddbtypes.KeyTypeHash}}})
				return err
			}
		case 9:
			jobs <- func() error {
				_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: new(fmt.Sprintf("bench-bucket-%d", i)),
					CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-2"}})
				return err
			}
		}
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		b.Fatalf("seed: %v", first)
	}
}

// BenchmarkAuditMoto audits a moto account of about 1,000 resources over
// real HTTP with the real SDK clients (moto's own speed dominates).
//
//	go test ./shared/audit -run '^$' -bench AuditMoto -benchtime 3x
func BenchmarkAuditMoto(b *testing.B) {
	srv := motoserver.Start(b)
	ctx := context.Background()
	cfg, err := awsenv.Load(ctx, awsenv.Options{})
	if err != nil {
		b.Fatal(err)
	}
	audittest.Seed(b, audittest.Client{Cfg: cfg, URL: srv.URL})
	seedMany(b, cfg, 950)
	clients := collect.NewClients(cfg)
	clients.CloudWatch, clients.Synthetics = nil, nil // moto cannot serve them to this SDK
	var res *Result
	for b.Loop() {
		res, err = Run(ctx, Config{Region: "eu-west-2", Account: audittest.Account}, Deps{Clients: clients})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Document.Audit.NotAudited) > 0 {
			b.Fatalf("not audited: %+v", res.Document.Audit.NotAudited)
		}
	}
	info := res.Document.Audit
	b.ReportMetric(float64(info.Resources), "resources")
	b.ReportMetric(info.CallsPerResource, "calls/resource")
	b.ReportMetric(float64(info.Resources)/info.Duration, "resources/s")
}
