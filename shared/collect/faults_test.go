package collect

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// fakeS3 refuses to list buckets.
type fakeS3 struct{ S3API }

func (fakeS3) ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform s3:ListAllMyBuckets"}
}

// fakeSQS serves two queues.
type fakeSQS struct{ SQSAPI }

func (fakeSQS) ListQueues(context.Context, *sqs.ListQueuesInput, ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	return &sqs.ListQueuesOutput{QueueUrls: []string{"https://q/1/a", "https://q/1/b"}}, nil
}

func (fakeSQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	name := (*in.QueueUrl)[len(*in.QueueUrl)-1:]
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{"QueueArn": "arn:aws:sqs:eu-west-2:1:" + name, "MessageRetentionPeriod": "345600"}}, nil
}

// fakeDynamoDB throttles one table's DescribeTable and counts concurrency.
type fakeDynamoDB struct {
	DynamoDBAPI
	tables            []string
	inFlight, maxSeen atomic.Int32
}

func (f *fakeDynamoDB) ListTables(context.Context, *dynamodb.ListTablesInput, ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	return &dynamodb.ListTablesOutput{TableNames: f.tables}, nil
}

func (f *fakeDynamoDB) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxSeen.Load()
		if n <= m || f.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond)
	if *in.TableName == "hot" {
		return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "rate exceeded"}
	}
	arn := "arn:aws:dynamodb:eu-west-2:1:table/" + *in.TableName
	return &dynamodb.DescribeTableOutput{Table: &ddbtypes.TableDescription{TableArn: &arn, TableName: in.TableName}}, nil
}

func (f *fakeDynamoDB) DescribeContinuousBackups(context.Context, *dynamodb.DescribeContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error) {
	return &dynamodb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: &ddbtypes.ContinuousBackupsDescription{
		PointInTimeRecoveryDescription: &ddbtypes.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: ddbtypes.PointInTimeRecoveryStatusEnabled}}}, nil
}

func TestOneServiceFailingDoesNotStopTheOthers(t *testing.T) {
	ddb := &fakeDynamoDB{tables: []string{"t1", "t2", "hot", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11"}}
	res := Collect(context.Background(), Clients{S3: fakeS3{}, SQS: fakeSQS{}, DynamoDB: ddb}, Options{Account: "1", Region: "eu-west-2", Concurrency: 3})
	if got := len(res.Inventory.OfType("AWS::SQS::Queue")); got != 2 {
		t.Errorf("%d queues collected, want 2", got)
	}
	if got := len(res.Inventory.OfType("AWS::DynamoDB::Table")); got != 11 {
		t.Errorf("%d tables collected, want the 11 not throttled", got)
	}
	if len(res.Failures) != 2 {
		t.Fatalf("failures = %+v, want s3 and one table", res.Failures)
	}
	byService := map[string]Failure{}
	for _, f := range res.Failures {
		byService[f.Service] = f
	}
	if f := byService["s3"]; f.Reason != "access-denied" || f.Resource != "" || !strings.Contains(f.Message, "s3:ListBuckets") || !reflect.DeepEqual(f.Types, s3Service.Types) {
		t.Errorf("s3 failure = %+v", f)
	}
	if f := byService["dynamodb"]; f.Reason != "throttled" || f.Resource != "hot" {
		t.Errorf("dynamodb failure = %+v", f)
	}
	if m := ddb.maxSeen.Load(); m > 3 || m < 2 {
		t.Errorf("at most %d DescribeTable calls were in flight, want the bound 3 reached and kept", m)
	}
	for _, st := range res.Services {
		if st.Service == "s3" && !st.Failed || st.Service == "sqs" && (st.Failed || st.Resources != 2) {
			t.Errorf("service stat %+v", st)
		}
	}
}

// slowSQS blocks until the context ends.
type slowSQS struct{ SQSAPI }

func (slowSQS) ListQueues(ctx context.Context, _ *sqs.ListQueuesInput, _ ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestDeadlineFailsTheServiceStillRunning(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res := Collect(ctx, Clients{SQS: slowSQS{}, DynamoDB: &fakeDynamoDB{tables: []string{"t1"}}}, Options{Account: "1", Region: "eu-west-2"})
	if len(res.Failures) != 1 || res.Failures[0].Service != "sqs" || res.Failures[0].Reason != "deadline" {
		t.Errorf("failures = %+v, want sqs at the deadline", res.Failures)
	}
	if len(res.Inventory.OfType("AWS::DynamoDB::Table")) != 1 {
		t.Errorf("the table read before the deadline is kept")
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&smithy.GenericAPIError{Code: "AccessDeniedException"}, "access-denied"},
		{&smithy.GenericAPIError{Code: "UnauthorizedOperation"}, "access-denied"},
		{&smithy.GenericAPIError{Code: "Throttling"}, "throttled"},
		{&smithy.GenericAPIError{Code: "TooManyRequestsException"}, "throttled"},
		{&smithy.GenericAPIError{Code: "ServiceUnavailable"}, "unavailable"},
		{context.DeadlineExceeded, "deadline"},
		{errors.New("dial tcp: connection refused"), "error"},
	}
	for _, tc := range tests {
		if got := Reason(tc.err); got != tc.want {
			t.Errorf("Reason(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

// TestActionsMatchTheInterfaces keeps the IAM policy honest: every SDK method
// a collector may call has its read-only action listed, and no action is a
// wildcard or a write.
func TestActionsMatchTheInterfaces(t *testing.T) {
	actions := map[string]bool{}
	for _, a := range Actions() {
		actions[a] = true
		if strings.Contains(a, "*") {
			t.Errorf("action %s is a wildcard", a)
		}
		_, verb, _ := strings.Cut(a, ":")
		if !(strings.HasPrefix(verb, "Get") || strings.HasPrefix(verb, "List") || strings.HasPrefix(verb, "Describe") || verb == "GET") {
			t.Errorf("action %s is not read-only", a)
		}
	}
	prefix := map[string]string{"APIGatewayAPI": "apigateway", "APIGatewayV2API": "apigateway", "LambdaAPI": "lambda", "LogsAPI": "logs",
		"CloudWatchAPI": "cloudwatch", "SyntheticsAPI": "synthetics", "S3API": "s3", "DynamoDBAPI": "dynamodb", "SQSAPI": "sqs", "SNSAPI": "sns",
		"RDSAPI": "rds", "OpenSearchAPI": "es", "RedshiftAPI": "redshift", "KafkaAPI": "kafka", "EC2API": "ec2", "TaggingAPI": "tag"}
	// IAM names a few actions differently from the SDK method.
	rename := map[string]string{"s3:ListBuckets": "s3:ListAllMyBuckets", "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
		"s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock"}
	ct := reflect.TypeOf(Clients{})
	for i := range ct.NumField() {
		it := ct.Field(i).Type
		p := prefix[it.Name()]
		if p == "" {
			t.Fatalf("no IAM prefix for %s", it.Name())
		}
		for j := range it.NumMethod() {
			a := p + ":" + it.Method(j).Name
			if p == "apigateway" {
				a = "apigateway:GET"
			}
			if r, ok := rename[a]; ok {
				a = r
			}
			if !actions[a] {
				t.Errorf("%s.%s needs action %s, which Actions() does not list", it.Name(), it.Method(j).Name, a)
			}
		}
	}
}
