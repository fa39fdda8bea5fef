package cfn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

func TestResources(t *testing.T) {
	const src = `
Parameters:
  Stage: {Type: String, Default: production}
  Email: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, production]
  IsStaging: !Equals [!Ref Stage, staging]
  HasEmail: !Not [!Equals [!Ref Email, ""]]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub svc-${Stage}-people
      Tags:
        - Key: BackupPolicy
          Value: !If [IsProd, Prod, Stg]
        - Key: Team
          Value: housing
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !GetAtt Other.Name
  Canary:
    Type: AWS::Synthetics::Canary
    Condition: IsProd
    Properties:
      Name: svc-health
  StagingCanary:
    Type: AWS::Synthetics::Canary
    Condition: IsStaging
    Properties:
      Name: svc-health-stg
  Subscription:
    Type: AWS::SNS::Subscription
    Condition: HasEmail
    DependsOn: [Topic]
    Properties:
      TopicArn: !Ref Topic
      Protocol: email
      Endpoint: !Ref Email
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: production-svc
      ProtocolType: HTTP
      Tags: {BackupPolicy: None}
  Vault:
    Type: AWS::Backup::BackupVault
    Properties:
      BackupVaultName: vault
      BackupVaultTags: {Owner: platform}
  Global:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      TableName: global
      Replicas:
        - Region: eu-west-1
          Tags: [{Key: BackupPolicy, Value: Dev}, {Key: Team, Value: housing}]
        - Region: eu-west-2
          Tags: [{Key: BackupPolicy, Value: Prod}]
  Custom:
    Type: Custom::Thing
    Properties:
      ServiceToken: arn:aws:lambda:eu-west-2:1:function:x
      Tags: [{Key: Own, Value: "yes"}]
  ThirdParty:
    Type: MongoDB::Atlas::Cluster
  ServerlessDeploymentBucket:
    Type: AWS::S3::Bucket
  ServerlessDeploymentBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref ServerlessDeploymentBucket
  IamRoleCustomResourcesLambdaExecution:
    Type: AWS::IAM::Role
  CustomDashresourceDashexistingDashs3LambdaFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: svc-production-custom-resource-existing-s3
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Principal: sns.amazonaws.com
`
	stackTags := map[string]*value.Node{"BackupPolicy": str("Prod"), "Stack": str("svc")}
	inv, err := load(t, src, Options{Region: "eu-west-2", StackTags: stackTags, Stack: "svc-production", Origin: inventory.FromTemplate})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	type want struct {
		typ, name, tags string
		line            int
		framework       bool
		condition       string
	}
	wants := map[string]want{
		"Table":                                 {typ: "AWS::DynamoDB::Table", name: "svc-production-people", tags: `BackupPolicy="Prod",Stack="svc",Team="housing"`, line: 10},
		"Queue":                                 {typ: "AWS::SQS::Queue", tags: `BackupPolicy="Prod",Stack="svc"`, line: 19},
		"Topic":                                 {typ: "AWS::SNS::Topic", tags: `BackupPolicy="Prod",Stack="svc"`, line: 21},
		"Canary":                                {typ: "AWS::Synthetics::Canary", name: "svc-health", tags: `BackupPolicy="Prod",Stack="svc"`, line: 25},
		"Subscription":                          {typ: "AWS::SNS::Subscription", line: 35, condition: "HasEmail"},
		"Api":                                   {typ: "AWS::ApiGatewayV2::Api", name: "production-svc", tags: `BackupPolicy="None",Stack="svc"`, line: 43},
		"Vault":                                 {typ: "AWS::Backup::BackupVault", name: "vault", tags: `BackupPolicy="Prod",Owner="platform",Stack="svc"`, line: 49},
		"Global":                                {typ: "AWS::DynamoDB::GlobalTable", name: "global", tags: `BackupPolicy="Prod"`, line: 54},
		"Custom":                                {typ: "Custom::Thing", tags: `Own="yes"`, line: 63},
		"ThirdParty":                            {typ: "MongoDB::Atlas::Cluster", line: 68},
		"ServerlessDeploymentBucket":            {typ: "AWS::S3::Bucket", tags: `BackupPolicy="Prod",Stack="svc"`, line: 70, framework: true},
		"ServerlessDeploymentBucketPolicy":      {typ: "AWS::S3::BucketPolicy", line: 72, framework: true},
		"IamRoleCustomResourcesLambdaExecution": {typ: "AWS::IAM::Role", tags: `BackupPolicy="Prod",Stack="svc"`, line: 76, framework: true},
		"CustomDashresourceDashexistingDashs3LambdaFunction": {typ: "AWS::Lambda::Function", name: "svc-production-custom-resource-existing-s3", tags: `BackupPolicy="Prod",Stack="svc"`, line: 78, framework: true},
		"Permission": {typ: "AWS::Lambda::Permission", line: 82},
	}
	wantOrder := []string{"Table", "Queue", "Topic", "Canary", "Subscription", "Api", "Vault", "Global", "Custom", "ThirdParty",
		"ServerlessDeploymentBucket", "ServerlessDeploymentBucketPolicy", "IamRoleCustomResourcesLambdaExecution",
		"CustomDashresourceDashexistingDashs3LambdaFunction", "Permission"}
	if got := strings.Join(ids(inv), " "); got != strings.Join(wantOrder, " ") {
		t.Errorf("resources\n got: %s\nwant: %s (StagingCanary's condition is false)", got, strings.Join(wantOrder, " "))
	}
	for id, w := range wants {
		t.Run(id, func(t *testing.T) {
			r := inv.ByID(id)
			if r == nil {
				t.Fatal("not loaded")
			}
			if r.Type != w.typ || r.Name != w.name {
				t.Errorf("type %q name %q, want %q %q", r.Type, r.Name, w.typ, w.name)
			}
			if got := dumpTags(r.Tags); got != w.tags {
				t.Errorf("tags %s, want %s", got, w.tags)
			}
			if r.Pos.File != "t.yml" || r.Pos.Line != w.line {
				t.Errorf("at %v, want t.yml:%d", r.Pos, w.line)
			}
			if r.Framework != w.framework {
				t.Errorf("Framework = %v, want %v", r.Framework, w.framework)
			}
			if got := r.Attrs["condition"]; got != w.condition {
				t.Errorf("Attrs[condition] = %q, want %q", got, w.condition)
			}
			if r.Props == nil || r.Props.Kind != value.Map {
				t.Errorf("Props = %s, want a map", dump(r.Props))
			}
			if r.Stack != "svc-production" || r.Origin != inventory.FromTemplate {
				t.Errorf("Stack %q Origin %q", r.Stack, r.Origin)
			}
		})
	}
	if got := inv.Lookup("svc-production-people"); got == nil || got.ID != "Table" {
		t.Errorf("Lookup by physical name = %v, want Table", got)
	}
}

func TestGlobalTableTagsWithoutRegion(t *testing.T) {
	inv, err := load(t, `
Resources:
  Global:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      Replicas:
        - Region: eu-west-1
          Tags: [{Key: BackupPolicy, Value: Dev}, {Key: Team, Value: housing}, {Key: Only, Value: one}]
        - Region: eu-west-2
          Tags: [{Key: BackupPolicy, Value: Prod}, {Key: Team, Value: housing}]
`, Options{StackTags: map[string]*value.Node{"Stack": str("svc")}})
	if err != nil {
		t.Fatal(err)
	}
	want := `BackupPolicy=?(the replicas of the global table tag BackupPolicy differently),Team="housing"`
	if got := dumpTags(inv.ByID("Global").Tags); got != want {
		t.Errorf("tags %s, want %s", got, want)
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		src      string
		line     int
		contains string
	}{
		{"malformed JSON", "t.json", "{\n  \"Resources\": {\n    \"A\": {\"Type\": \"AWS::S3::Bucket\",}\n  }\n}\n", 3, "invalid JSON"},
		{"truncated JSON", "t.json", "{\n  \"Resources\": {\n    \"A\": {\"Type\": \"AWS::S3::Bucket\"}\n  }\n", 0, "invalid JSON: unexpected end of input"},
		{"malformed YAML", "t.yml", "Resources:\n  A:\n    Type: [AWS::S3::Bucket\n", 3, "invalid YAML"},
		{"empty file", "t.yml", "", 1, "expected a CloudFormation template (a map with a Resources section), found a null"},
		{"no Resources", "t.yml", "AWSTemplateFormatVersion: '2010-09-09'\n", 1, "the template has no Resources section"},
		{"Resources not a map", "t.json", "{\n  \"Resources\": [\n    \"A\"\n  ]\n}\n", 2, "Resources must be a map from logical id to resource, found a list"},
		{"resource not a map", "t.yml", "Resources:\n  A: AWS::S3::Bucket\n", 2, `resource A must be a map with a Type, found "AWS::S3::Bucket"`},
		{"resource without Type", "t.json", "{\"Resources\": {\n  \"A\": {\n    \"Properties\": {}\n  }\n}}\n", 2, "resource A has no Type (expected AWS::Service::Resource, Custom::Name or Org::Service::Resource)"},
		{"Type not a string", "t.yml", "Resources:\n  A:\n    Type: [AWS::S3::Bucket]\n", 3, "resource A: Type must be a string such as AWS::S3::Bucket, found a list"},
		{"Type malformed", "t.yml", "Resources:\n  A:\n    Type: S3Bucket\n", 3, `resource A: Type "S3Bucket" is not a resource type`},
		{"SAM type", "t.yml", "Resources:\n  A:\n    Type: AWS::Serverless::Function\n", 3, "AWS::Serverless::Function is a SAM resource type"},
		{"SAM transform", "t.yml", "Transform: AWS::Serverless-2016-10-31\nResources: {}\n", 1, "this is a SAM template (Transform AWS::Serverless-2016-10-31), which CloudFormation rewrites at deploy time: pass the transformed template instead"},
		{"SAM transform in a list", "t.yml", "Transform:\n  - AWS::LanguageExtensions\n  - AWS::Serverless-2016-10-31\nResources: {}\n", 3, "this is a SAM template"},
		{"macro transform", "t.yml", "Transform: {Name: AWS::Include, Parameters: {Location: s3://b/k}}\nResources: {}\n", 1, "rewrites it at deploy time: pass the processed template"},
		{"Fn::ForEach", "t.yml", "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Topics:\n    - Name\n    - [a, b]\n    - Topic${Name}: {Type: AWS::SNS::Topic}\n", 3, "Fn::ForEach (AWS::LanguageExtensions) expands at deploy time"},
		{"bad logical id", "t.yml", "Resources:\n  my-bucket:\n    Type: AWS::S3::Bucket\n", 2, `logical id "my-bucket" must be 1 to 255 letters and digits`},
		{"unknown attribute", "t.yml", "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    properties:\n      BucketName: x\n", 4, "resource A has an unknown attribute properties (expected Type, Properties, Condition"},
		{"Properties not a map", "t.yml", "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: [BucketName]\n", 4, "resource A: Properties must be a map, found a list"},
		{"Properties resolve to a string", "t.yml", "Conditions:\n  C: !Equals [a, a]\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: !If [C, x, y]\n", 6, `resource A: Properties must be a map, found "x"`},
		{"Condition undefined", "t.yml", "Conditions:\n  IsProd: !Equals [a, a]\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Condition: IsProduction\n", 6, "resource A: condition IsProduction is not defined in Conditions (defined: IsProd)"},
		{"Condition without Conditions", "t.yml", "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Condition: IsProd\n", 4, "condition IsProd is not defined in Conditions (the template defines no conditions)"},
		{"Condition not a name", "t.yml", "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Condition: [IsProd]\n", 4, "resource A: Condition must be the name of a condition, found a list"},
		{"condition cycle", "t.yml", "Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\nResources:\n  R:\n    Type: AWS::S3::Bucket\n    Condition: A\n", 3, "condition A refers to itself: A -> B -> A"},
		{"DependsOn a map", "t.yml", "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    DependsOn: {B: true}\n", 4, "resource A: DependsOn must be a logical id or a list of them, found a map"},
		{"DependsOn item not a string", "t.yml", "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    DependsOn:\n      - B\n      - [C]\n", 6, "resource A: DependsOn lists logical ids, found a list"},
		{"Fn::If on an undefined condition", "t.yml", "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !If [Nope, a, b]\n", 5, "Fn::If uses condition Nope, which is not defined in Conditions"},
		{"Fn::If on an undefined condition in a branch not taken", "t.yml", "Conditions:\n  C: !Equals [a, b]\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !If [C, !If [Typo, a, b], c]\n", 7, "Fn::If uses condition Typo, which is not defined"},
		{"Fn::If on an undefined condition in a resource not created", "t.yml", "Conditions:\n  C: !Equals [a, b]\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Condition: C\n    Properties:\n      BucketName: !If [Typo, a, b]\n", 8, "Fn::If uses condition Typo, which is not defined"},
		{"Fn::If malformed", "t.yml", "Conditions:\n  C: !Equals [a, a]\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !If [C, a]\n", 7, "Fn::If expects [condition name, value if true, value if false], found 2 items"},
		{"Fn::FindInMap without the key", "t.yml", "Mappings:\n  M: {production: {Days: 1}}\nResources:\n  A:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: !FindInMap [M, staging, Days]\n", 7, "Fn::FindInMap: Mappings has no M > staging > Days"},
		{"Ref to a non-name", "t.yml", "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName:\n        Ref: [x]\n", 6, "Ref expects the name of a parameter or resource, found a list"},
		{"Parameters not a map", "t.yml", "Parameters: [Stage]\nResources: {}\n", 1, "Parameters must be a map"},
		{"Mappings not a map", "t.yml", "Mappings: x\nResources: {}\n", 1, "Mappings must be a map of maps"},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, []byte(tc.src), 0o600); err != nil {
				t.Fatal(err)
			}
			inv := inventory.New(inventory.FromTemplate)
			err := LoadFile(inv, path, Options{})
			checkError(t, err, path, tc.line, tc.contains)
			if inv.Len() != 0 {
				t.Errorf("a failed load added %d resources", inv.Len())
			}
		})
	}
}

func TestLoadFileMissing(t *testing.T) {
	err := LoadFile(inventory.New(inventory.FromTemplate), filepath.Join(t.TempDir(), "none.json"), Options{})
	if err == nil || !strings.Contains(err.Error(), "none.json") {
		t.Errorf("error %v, want one naming the file", err)
	}
}

func TestExpansionIsBounded(t *testing.T) {
	// A mapping value of 50 items selected 100 times expands past a budget
	// of 2,000 values.
	var b strings.Builder
	b.WriteString("Mappings:\n  M:\n    K:\n      V: [")
	for i := 0; i < 50; i++ {
		b.WriteString("x, ")
	}
	b.WriteString("y]\nResources:\n")
	for i := 0; i < 100; i++ {
		b.WriteString("  R" + strings.Repeat("a", i+1) + ":\n    Type: AWS::Test::Thing\n    Properties:\n      V: !FindInMap [M, K, V]\n")
	}
	_, err := load(t, b.String(), Options{Limits: value.Limits{MaxNodes: 2000}})
	checkError(t, err, "t.yml", 0, "the template expands to more than 2000 values")
}

func TestFoldingIsBounded(t *testing.T) {
	// A 10 kB delimiter between 10 parts would make a 90 kB string: left as
	// Fn::Join rather than folded.
	long := strings.Repeat("d", 10<<10)
	inv, err := load(t, `
Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      Short: !Join ["-", [a, b]]
      Long: !Join ["`+long+`", [a, b, c, d, e, f, g, h, i, j]]
`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := inv.ByID("R")
	if got := r.Prop("Short").String(); got != "a-b" {
		t.Errorf("Short = %q", got)
	}
	if fn, _, ok := r.Prop("Long").Intrinsic(); !ok || fn != "Fn::Join" {
		t.Errorf("Long = %.80s, want the Fn::Join left as it is", dump(r.Prop("Long")))
	}
}
