package rules

import (
	"strings"
	"testing"
	"time"

	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/value"
)

// unknownExpr is the deploy-time expression the fail-closed tests plant.
const unknownExpr = "${ssm:/orders/production/setting}"

// plantUnknown replaces the property at path of resource id (creating maps
// on the way) with a value only known at deploy time.
func plantUnknown(t *testing.T, inv *inventory.Inventory, id string, path ...string) {
	t.Helper()
	r := inv.ByID(id)
	if r == nil {
		t.Fatalf("no resource %s", id)
	}
	n := r.Props
	for _, k := range path[:len(path)-1] {
		next := n.Field(k)
		if next == nil || next.Kind != value.Map {
			next = value.NewMap(n.Pos)
			n.Set(k, next)
		}
		n = next
	}
	n.Set(path[len(path)-1], value.NewUnknown(unknownExpr, "SSM parameter read at deploy time", n.Pos))
}

// runRule runs one rule over an inventory in the production stage.
func runRule(t *testing.T, r *Rule, inv *inventory.Inventory, s policy.Settings) []Result {
	t.Helper()
	s.Now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	if s.Stage == "" {
		s.Stage = "production"
	}
	res, skipped, err := NewBook(r).Run(inv, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) > 0 {
		t.Fatalf("rule skipped: %s", skipped[0].Reason)
	}
	return res
}

// unknownCase is one fail-closed expectation: planting an unknown at path
// of resource id makes that resource fail with a message naming the
// expression.
type unknownCase struct {
	name string
	rule *Rule
	yaml string
	id   string
	path []string
	// passes, when true, expects a pass instead: the unknown does not
	// matter to the verdict (an SNS key id that is set, whatever it is).
	passes bool
}

func runUnknownCases(t *testing.T, cases []unknownCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv := inventoryFromYAML(t, inventory.FromTemplate, tc.yaml)
			plantUnknown(t, inv, tc.id, tc.path...)
			var got *Result
			for _, x := range runRule(t, tc.rule, inv, policy.Defaults()) {
				if x.Resource == tc.id {
					x := x
					got = &x
				}
			}
			switch {
			case got == nil:
				t.Fatalf("no result on %s", tc.id)
			case tc.passes && !got.Pass:
				t.Errorf("want a pass, got failure: %s", got.Message)
			case !tc.passes && got.Pass:
				t.Errorf("want a fail-closed failure, got pass: %s", got.Message)
			case !tc.passes && !strings.Contains(got.Message, unknownExpr):
				t.Errorf("failure does not name what could not be seen: %s", got.Message)
			}
		})
	}
}

func TestSecurityRulesFailClosed(t *testing.T) {
	runUnknownCases(t, []unknownCase{
		{name: "RDS StorageEncrypted", rule: EncryptionAtRest, id: "Db", path: []string{"StorageEncrypted"},
			yaml: "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: postgres}\n"},
		{name: "OpenSearch encryption flag", rule: EncryptionAtRest, id: "Search", path: []string{"EncryptionAtRestOptions", "Enabled"},
			yaml: "Resources:\n  Search:\n    Type: AWS::OpenSearchService::Domain\n"},
		{name: "S3 BucketEncryption", rule: EncryptionAtRest, id: "Bucket", path: []string{"BucketEncryption"},
			yaml: "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"},
		{name: "SQS managed SSE switch", rule: EncryptionAtRest, id: "Queue", path: []string{"SqsManagedSseEnabled"},
			yaml: "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"},
		{name: "SNS key id from SSM is still a key", rule: EncryptionAtRest, id: "Topic", path: []string{"KmsMasterKeyId"}, passes: true,
			yaml: "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"},
		{name: "REST authorization type", rule: APIAuthorizer, id: "Method", path: []string{"AuthorizationType"},
			yaml: "Resources:\n  Method:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      HttpMethod: GET\n      ResourceId: {\"Fn::GetAtt\": [Api, RootResourceId]}\n"},
		{name: "REST path from a deploy-time resource id", rule: APIAuthorizer, id: "Method", path: []string{"ResourceId"},
			yaml: "Resources:\n  Method:\n    Type: AWS::ApiGateway::Method\n    Properties: {HttpMethod: GET, AuthorizationType: NONE}\n"},
		{name: "public access block", rule: S3PublicAccess, id: "Bucket", path: []string{"PublicAccessBlockConfiguration", "RestrictPublicBuckets"},
			yaml: "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      PublicAccessBlockConfiguration: {BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true}\n"},
		{name: "bucket policy principal", rule: S3PublicAccess, id: "Policy", path: []string{"PolicyDocument", "Statement"},
			yaml: "Resources:\n  Policy:\n    Type: AWS::S3::BucketPolicy\n    Properties: {Bucket: other-bucket}\n"},
		{name: "permission principal", rule: LambdaPublicInvoke, id: "Perm", path: []string{"Principal"},
			yaml: "Resources:\n  Perm:\n    Type: AWS::Lambda::Permission\n    Properties: {FunctionName: fn, Action: lambda:InvokeFunction}\n"},
		{name: "function URL auth type", rule: LambdaPublicInvoke, id: "Url", path: []string{"AuthType"},
			yaml: "Resources:\n  Url:\n    Type: AWS::Lambda::Url\n    Properties: {TargetFunctionArn: fn}\n"},
		{name: "function subnets for a database", rule: LambdaVPCForPrivateDB, id: "Fn", path: []string{"VpcConfig", "SubnetIds"},
			yaml: "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment: {Variables: {DB: {Ref: Db}}}\n"},
		{name: "PubliclyAccessible", rule: RDSNotPublic, id: "Db", path: []string{"PubliclyAccessible"},
			yaml: "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n"},
		{name: "OpenSearch subnets from SSM are still a VPC", rule: OpenSearchInVPC, id: "Search", path: []string{"VPCOptions", "SubnetIds"}, passes: true,
			yaml: "Resources:\n  Search:\n    Type: AWS::OpenSearchService::Domain\n"},
	})
}

func TestOtherRulesFailClosed(t *testing.T) {
	runUnknownCases(t, []unknownCase{
		{name: "function subnets", rule: MultiAZ, id: "Fn", path: []string{"VpcConfig", "SubnetIds"},
			yaml: "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {VpcConfig: {SecurityGroupIds: [sg-1]}}\n"},
		{name: "whole VPC config", rule: MultiAZ, id: "Fn", path: []string{"VpcConfig"},
			yaml: "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {VpcConfig: {}}\n"},
		{name: "DB subnet group name", rule: MultiAZ, id: "Db", path: []string{"DBSubnetGroupName"},
			yaml: "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {MultiAZ: true}\n"},
		{name: "zone count of a domain", rule: MultiAZ, id: "Search", path: []string{"ClusterConfig", "ZoneAwarenessConfig", "AvailabilityZoneCount"},
			yaml: "Resources:\n  Search:\n    Type: AWS::OpenSearchService::Domain\n    Properties: {ClusterConfig: {ZoneAwarenessEnabled: true}}\n"},
		{name: "PITR flag", rule: DynamoDBPITR, id: "Table", path: []string{"PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"},
			yaml: "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n"},
		{name: "backup tags", rule: BackupTags, id: "Table", path: []string{"Tags"},
			yaml: "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n"},
		{name: "RDS engine", rule: DatabaseTechnology, id: "Db", path: []string{"Engine"},
			yaml: "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n"},
		{name: "GSI list", rule: DynamoDBGSILimit, id: "Table", path: []string{"GlobalSecondaryIndexes"},
			yaml: "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n"},
	})
}

func TestBackupTagValueFailsClosed(t *testing.T) {
	inv := inventoryFromYAML(t, inventory.FromTemplate, "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n")
	inv.ByID("Table").Tags["BackupPolicy"] = value.NewUnknown(unknownExpr, "SSM parameter read at deploy time", value.Pos{})
	res := runRule(t, BackupTags, inv, policy.Defaults())
	if len(res) != 1 || res[0].Pass || !strings.Contains(res[0].Message, unknownExpr) {
		t.Errorf("want one fail-closed result naming %s, got %+v", unknownExpr, res)
	}
}
