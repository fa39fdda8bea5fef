package cfn

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// bigTemplate writes a JSON template of n resources in the shapes the
// Framework compiles (functions, log groups, queues, tables, alarms), with
// conditions, Fn::If, Fn::Sub, Fn::Join and tags to resolve.
func bigTemplate(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"Parameters": {"Stage": {"Type": "String", "Default": "production"}},
"Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "production"]}, "IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "development"]}},
"Resources": {`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, `"Fn%dLambdaFunction": {"Type": "AWS::Lambda::Function", "DependsOn": ["Fn%dLogGroup"], "Properties": {
"FunctionName": "svc-production-fn%d", "Runtime": "nodejs20.x", "Handler": "h.h", "MemorySize": 1024, "Timeout": 6,
"Role": {"Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"]}, "TracingConfig": {"Mode": {"Fn::If": ["IsProd", "Active", "PassThrough"]}},
"Environment": {"Variables": {"TABLE": {"Ref": "Table%d"}, "REGION": {"Ref": "AWS::Region"}}},
"Tags": [{"Key": "Service", "Value": "svc"}, {"Key": "Index", "Value": "%d"}]}}`, i, i, i, i, i)
		case 1:
			fmt.Fprintf(&b, `"Fn%dLogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/svc-${Stage}-fn%d"}, "RetentionInDays": 180}}`, i, i)
		case 2:
			fmt.Fprintf(&b, `"Queue%d": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Join": ["-", ["svc", {"Ref": "Stage"}, "q%d"]]},
"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq%d", "Arn"]}, "maxReceiveCount": 3}, "KmsMasterKeyId": {"Fn::If": ["IsDev", {"Ref": "AWS::NoValue"}, "alias/aws/sqs"]}}}`, i, i, i)
		case 3:
			fmt.Fprintf(&b, `"Table%d": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "svc-production-t%d", "BillingMode": "PAY_PER_REQUEST",
"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}, "Tags": [{"Key": "BackupPolicy", "Value": {"Fn::If": ["IsProd", "Prod", "Dev"]}}]}}`, i, i)
		case 4:
			fmt.Fprintf(&b, `"Alarm%d": {"Type": "AWS::CloudWatch::Alarm", "Condition": "IsProd", "Properties": {"AlarmName": {"Fn::Sub": "${AWS::StackName}-alarm%d"},
"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible", "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Queue%d", "QueueName"]}}],
"Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "AlarmActions": [{"Ref": "Topic"}]}}`, i, i, i-2)
		}
	}
	b.WriteString("}}\n")
	return []byte(b.String())
}

const benchResources = 5000

func benchOptions() Options {
	return Options{Region: "eu-west-2", StackName: "svc-production", Stack: "svc-production", Origin: inventory.FromTemplate,
		StackTags: map[string]*value.Node{"BackupPolicy": value.NewString("Prod", value.Pos{}), "Team": value.NewString("housing", value.Pos{})}}
}

// BenchmarkLoad measures Load alone on a parsed template of 5,000 resources.
func BenchmarkLoad(b *testing.B) {
	tmpl, err := value.ParseJSON("big.json", bigTemplate(benchResources), value.DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	o := benchOptions()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		inv := inventory.New(inventory.FromTemplate)
		if err := Load(inv, tmpl, o); err != nil {
			b.Fatal(err)
		}
		if inv.Len() != benchResources {
			b.Fatalf("loaded %d resources", inv.Len())
		}
	}
}

// BenchmarkLoadFile measures reading, parsing and loading the same template
// from a file, as the command does with --template.
func BenchmarkLoadFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.json")
	src := bigTemplate(benchResources)
	if err := os.WriteFile(path, src, 0o600); err != nil {
		b.Fatal(err)
	}
	o := benchOptions()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := LoadFile(inventory.New(inventory.FromTemplate), path, o); err != nil {
			b.Fatal(err)
		}
	}
}
