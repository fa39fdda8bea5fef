package audit

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"prodready/shared/collect"
)

// slowAccount is an in-process AWS endpoint that answers every call after
// a fixed latency (50 ms in the benchmark: a slow day for a real regional
// endpoint) with synthetic resources. It implements the collectors' client
// interfaces for the services that hold most resources of a serverless
// account, with the real APIs' page sizes and per-resource detail calls.
type slowAccount struct {
	latency                                        time.Duration
	functions, queues, tables, buckets, logs, tops int
}

func newSlowAccount(resources int, latency time.Duration) *slowAccount {
	// A function yields two resources (itself and its permission).
	return &slowAccount{latency: latency, functions: resources / 8, queues: resources / 5, tables: resources * 3 / 20,
		buckets: resources / 10, logs: resources / 5, tops: resources / 10}
}

func (a *slowAccount) wait(ctx context.Context, op string) error {
	if c := collectCalls(ctx); c != nil {
		c.Count("bench", op)
	}
	t := time.NewTimer(a.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// page returns the items [from, from+size) of n and the next token.
func page(token *string, size, n int) (from, to int, next *string) {
	if token != nil {
		from, _ = strconv.Atoi(*token)
	}
	to = min(from+size, n)
	if to < n {
		s := strconv.Itoa(to)
		next = &s
	}
	return from, to, next
}

func notFound() error { return &smithy.GenericAPIError{Code: "ResourceNotFoundException"} }

// Lambda.
func (a *slowAccount) ListFunctions(ctx context.Context, in *lambda.ListFunctionsInput, _ ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	if err := a.wait(ctx, "ListFunctions"); err != nil {
		return nil, err
	}
	from, to, next := page(in.Marker, 50, a.functions)
	out := &lambda.ListFunctionsOutput{NextMarker: next}
	for i := from; i < to; i++ {
		name := fmt.Sprintf("svc%d-production-fn%d", i/10, i)
		out.Functions = append(out.Functions, lambdatypes.FunctionConfiguration{FunctionName: &name,
			FunctionArn: new("arn:aws:lambda:eu-west-2:1:function:" + name), Runtime: lambdatypes.RuntimeProvidedal2023,
			TracingConfig: &lambdatypes.TracingConfigResponse{Mode: lambdatypes.TracingModeActive}})
	}
	return out, nil
}

func (a *slowAccount) GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, _ ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error) {
	if err := a.wait(ctx, "GetPolicy"); err != nil {
		return nil, err
	}
	return &lambda.GetPolicyOutput{Policy: new(`{"Statement":[{"Sid":"sqs","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"lambda:InvokeFunction","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:sns:eu-west-2:1:t"}}}]}`)}, nil
}

func (a *slowAccount) GetFunctionUrlConfig(ctx context.Context, _ *lambda.GetFunctionUrlConfigInput, _ ...func(*lambda.Options)) (*lambda.GetFunctionUrlConfigOutput, error) {
	if err := a.wait(ctx, "GetFunctionUrlConfig"); err != nil {
		return nil, err
	}
	return nil, notFound()
}

func (a *slowAccount) ListFunctionEventInvokeConfigs(ctx context.Context, _ *lambda.ListFunctionEventInvokeConfigsInput, _ ...func(*lambda.Options)) (*lambda.ListFunctionEventInvokeConfigsOutput, error) {
	if err := a.wait(ctx, "ListFunctionEventInvokeConfigs"); err != nil {
		return nil, err
	}
	return &lambda.ListFunctionEventInvokeConfigsOutput{}, nil
}

func (a *slowAccount) ListEventSourceMappings(ctx context.Context, _ *lambda.ListEventSourceMappingsInput, _ ...func(*lambda.Options)) (*lambda.ListEventSourceMappingsOutput, error) {
	if err := a.wait(ctx, "ListEventSourceMappings"); err != nil {
		return nil, err
	}
	return &lambda.ListEventSourceMappingsOutput{}, nil
}

// SQS.
type slowSQS struct{ *slowAccount }

func (a slowSQS) ListQueues(ctx context.Context, in *sqs.ListQueuesInput, _ ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	if err := a.wait(ctx, "ListQueues"); err != nil {
		return nil, err
	}
	from, to, next := page(in.NextToken, 1000, a.queues)
	out := &sqs.ListQueuesOutput{NextToken: next}
	for i := from; i < to; i++ {
		out.QueueUrls = append(out.QueueUrls, fmt.Sprintf("https://sqs/1/q%d", i))
	}
	return out, nil
}

func (a slowSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if err := a.wait(ctx, "GetQueueAttributes"); err != nil {
		return nil, err
	}
	name := (*in.QueueUrl)[len("https://sqs/1/"):]
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{"QueueArn": "arn:aws:sqs:eu-west-2:1:" + name, "MessageRetentionPeriod": "1209600", "SqsManagedSseEnabled": "true"}}, nil
}

// DynamoDB.
type slowDynamoDB struct{ *slowAccount }

func (a slowDynamoDB) ListTables(ctx context.Context, in *dynamodb.ListTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	if err := a.wait(ctx, "ListTables"); err != nil {
		return nil, err
	}
	from, to, next := page(in.ExclusiveStartTableName, 100, a.tables)
	out := &dynamodb.ListTablesOutput{LastEvaluatedTableName: next}
	for i := from; i < to; i++ {
		out.TableNames = append(out.TableNames, fmt.Sprintf("table%d", i))
	}
	return out, nil
}

func (a slowDynamoDB) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	if err := a.wait(ctx, "DescribeTable"); err != nil {
		return nil, err
	}
	return &dynamodb.DescribeTableOutput{Table: &ddbtypes.TableDescription{TableName: in.TableName, TableArn: new("arn:aws:dynamodb:eu-west-2:1:table/" + *in.TableName)}}, nil
}

func (a slowDynamoDB) DescribeContinuousBackups(ctx context.Context, _ *dynamodb.DescribeContinuousBackupsInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error) {
	if err := a.wait(ctx, "DescribeContinuousBackups"); err != nil {
		return nil, err
	}
	return &dynamodb.DescribeContinuousBackupsOutput{}, nil
}

// S3.
type slowS3 struct{ *slowAccount }

func (a slowS3) ListBuckets(ctx context.Context, in *s3.ListBucketsInput, _ ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	if err := a.wait(ctx, "ListBuckets"); err != nil {
		return nil, err
	}
	from, to, next := page(in.ContinuationToken, 1000, a.buckets)
	out := &s3.ListBucketsOutput{ContinuationToken: next}
	for i := from; i < to; i++ {
		out.Buckets = append(out.Buckets, s3types.Bucket{Name: new(fmt.Sprintf("bucket%d", i)), BucketRegion: new("eu-west-2")})
	}
	return out, nil
}

func (a slowS3) GetBucketEncryption(ctx context.Context, _ *s3.GetBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	if err := a.wait(ctx, "GetBucketEncryption"); err != nil {
		return nil, err
	}
	return &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
		ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}}, nil
}

func (a slowS3) GetPublicAccessBlock(ctx context.Context, _ *s3.GetPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	if err := a.wait(ctx, "GetPublicAccessBlock"); err != nil {
		return nil, err
	}
	t := true
	return &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: &t, IgnorePublicAcls: &t, BlockPublicPolicy: &t, RestrictPublicBuckets: &t}}, nil
}

func (a slowS3) GetBucketPolicy(ctx context.Context, _ *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	if err := a.wait(ctx, "GetBucketPolicy"); err != nil {
		return nil, err
	}
	return nil, &smithy.GenericAPIError{Code: "NoSuchBucketPolicy"}
}

func (a slowS3) GetBucketWebsite(ctx context.Context, _ *s3.GetBucketWebsiteInput, _ ...func(*s3.Options)) (*s3.GetBucketWebsiteOutput, error) {
	if err := a.wait(ctx, "GetBucketWebsite"); err != nil {
		return nil, err
	}
	return nil, &smithy.GenericAPIError{Code: "NoSuchWebsiteConfiguration"}
}

// CloudWatch Logs.
type slowLogs struct{ *slowAccount }

func (a slowLogs) DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	if err := a.wait(ctx, "DescribeLogGroups"); err != nil {
		return nil, err
	}
	from, to, next := page(in.NextToken, 50, a.logs)
	out := &cloudwatchlogs.DescribeLogGroupsOutput{NextToken: next}
	for i := from; i < to; i++ {
		name := fmt.Sprintf("/aws/lambda/fn%d", i)
		out.LogGroups = append(out.LogGroups, logtypes.LogGroup{LogGroupName: &name, LogGroupArn: new("arn:aws:logs:eu-west-2:1:log-group:" + name), RetentionInDays: new(int32(180))})
	}
	return out, nil
}

// SNS.
type slowSNS struct{ *slowAccount }

func (a slowSNS) ListTopics(ctx context.Context, in *sns.ListTopicsInput, _ ...func(*sns.Options)) (*sns.ListTopicsOutput, error) {
	if err := a.wait(ctx, "ListTopics"); err != nil {
		return nil, err
	}
	from, to, next := page(in.NextToken, 100, a.tops)
	out := &sns.ListTopicsOutput{NextToken: next}
	for i := from; i < to; i++ {
		out.Topics = append(out.Topics, snstypes.Topic{TopicArn: new(fmt.Sprintf("arn:aws:sns:eu-west-2:1:topic%d", i))})
	}
	return out, nil
}

func (a slowSNS) GetTopicAttributes(ctx context.Context, _ *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	if err := a.wait(ctx, "GetTopicAttributes"); err != nil {
		return nil, err
	}
	return &sns.GetTopicAttributesOutput{Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sns"}}, nil
}

func (a slowSNS) ListSubscriptions(ctx context.Context, _ *sns.ListSubscriptionsInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsOutput, error) {
	if err := a.wait(ctx, "ListSubscriptions"); err != nil {
		return nil, err
	}
	return &sns.ListSubscriptionsOutput{}, nil
}

func (a slowSNS) GetSubscriptionAttributes(ctx context.Context, _ *sns.GetSubscriptionAttributesInput, _ ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error) {
	return nil, a.wait(ctx, "GetSubscriptionAttributes")
}

func (a *slowAccount) clients() collect.Clients {
	return collect.Clients{Lambda: a, SQS: slowSQS{a}, DynamoDB: slowDynamoDB{a}, S3: slowS3{a}, Logs: slowLogs{a}, SNS: slowSNS{a}}
}

// collectCalls finds the run's call counter (the fakes count themselves; the
// SDK middleware does it for real clients).
var collectCalls = collect.CallsFrom

// BenchmarkAuditAt50ms measures a whole audit (collection, rules, judging)
// of synthetic accounts of growing size whose every API call takes 50 ms,
// with the default concurrency of 8 detail calls per service.
//
//	go test ./shared/audit -run '^$' -bench AuditAt50ms -benchtime 1x
func BenchmarkAuditAt50ms(b *testing.B) {
	for _, n := range []int{1000, 2500, 5000, 10000} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			acct := newSlowAccount(n, 50*time.Millisecond)
			var res *Result
			for b.Loop() {
				var err error
				res, err = Run(context.Background(), Config{Region: "eu-west-2", Account: "1", Services: []string{"lambda", "sqs", "dynamodb", "s3", "logs", "sns"}},
					Deps{Clients: acct.clients()})
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
			b.ReportMetric(info.Duration, "s/audit")
		})
	}
}
