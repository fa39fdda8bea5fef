// Package audittest seeds the moto emulator with compliant and
// non-compliant resources and serves the AWS APIs moto cannot answer for
// the SDK (CloudWatch's rpc-v2-cbor, Synthetics' canary timestamps), so the
// auditor can be tested end to end against emulated accounts.
package audittest

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	ostypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	rstypes "github.com/aws/aws-sdk-go-v2/service/redshift/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Account is moto's account id.
const Account = "123456789012"

// Stack names: the good service complies, the bad one does not.
const (
	GoodStack = "orders-production"
	BadStack  = "legacy-production"
)

// Seeded names what Seed created, for assertions.
type Seeded struct {
	Subnets       []string // subnet ids in three zones
	GoodFunction  string
	BadFunction   string
	GoodQueue     string // consumed, with a redrive policy to GoodDLQ
	GoodDLQ       string
	BadQueue      string // consumed, no redrive policy
	GoodTopic     string // topic ARNs
	BadTopic      string
	GoodRestAPI   string // API ids
	BadRestAPI    string
	GoodHTTPAPI   string
	BadHTTPAPI    string
	GoodFuncARN   string
	BadFuncARN    string
	GoodTableARN  string
	BadTableARN   string
	GoodQueueARN  string
	GoodDLQARN    string
	BadQueueARN   string
	GoodBucket    string
	BadBucket     string
	GoodDB        string
	GoodReplica   string
	BadDB         string
	GoodLogGroup  string
	BadLogGroup   string
	GoodTopicName string
}

// Client is what Seed needs: an SDK config pointed at moto and moto's URL
// (for IAM, whose client this module does not carry).
type Client struct {
	Cfg aws.Config
	URL string
}

func stackTags(stack string, extra ...string) map[string]string {
	m := map[string]string{"aws:cloudformation:stack-name": stack}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// Seed creates the two services. Every call must succeed: a seeding error
// fails the test, never the audit.
func Seed(t testing.TB, c Client) Seeded {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
	var s Seeded
	region := c.Cfg.Region

	// Subnets: moto's default VPC has one per zone.
	ec := ec2.NewFromConfig(c.Cfg)
	subs, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	must("subnets", err)
	zones := map[string]bool{}
	for _, sn := range subs.Subnets {
		if !zones[*sn.AvailabilityZone] && len(s.Subnets) < 3 {
			zones[*sn.AvailabilityZone] = true
			s.Subnets = append(s.Subnets, *sn.SubnetId)
		}
	}
	if len(s.Subnets) < 3 {
		t.Fatalf("seed: moto's default VPC has subnets in %d zones, need 3", len(s.Subnets))
	}

	// S3 (moto refuses aws: tags on buckets, so they carry no stack tag).
	s3c := s3.NewFromConfig(c.Cfg, func(o *s3.Options) { o.UsePathStyle = true })
	s.GoodBucket, s.BadBucket = "orders-documents", "legacy-site"
	for _, b := range []string{s.GoodBucket, s.BadBucket} {
		_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &b, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}})
		must("bucket "+b, err)
	}
	_, err = s3c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &s.GoodBucket, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: new("alias/orders")}}}}})
	must("bucket encryption", err)
	_, err = s3c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &s.GoodBucket, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: new(true), IgnorePublicAcls: new(true), BlockPublicPolicy: new(true), RestrictPublicBuckets: new(true)}})
	must("public access block", err)
	_, err = s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &s.GoodBucket, Tagging: &s3types.Tagging{TagSet: s3Tags(map[string]string{"BackupPolicy": "Prod"})}})
	must("bucket tags", err)
	_, err = s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &s.BadBucket, Tagging: &s3types.Tagging{TagSet: s3Tags(map[string]string{"BackupPolicy": "Dev"})}})
	must("bucket tags", err)
	_, err = s3c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: &s.BadBucket, WebsiteConfiguration: &s3types.WebsiteConfiguration{IndexDocument: &s3types.IndexDocument{Suffix: new("index.html")}}})
	must("website", err)
	_, err = s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &s.BadBucket, Policy: new(fmt.Sprintf(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, s.BadBucket))})
	must("bucket policy", err)

	// DynamoDB.
	ddb := dynamodb.NewFromConfig(c.Cfg)
	table := func(name string, gsis int, kms bool, tags map[string]string) string {
		in := &dynamodb.CreateTableInput{TableName: &name, BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: new("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: new("id"), KeyType: ddbtypes.KeyTypeHash}}}
		for i := range gsis {
			k := fmt.Sprintf("g%d", i)
			in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{AttributeName: &k, AttributeType: ddbtypes.ScalarAttributeTypeS})
			in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{IndexName: new("by-" + k),
				KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: &k, KeyType: ddbtypes.KeyTypeHash}}, Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll}})
		}
		if kms {
			in.SSESpecification = &ddbtypes.SSESpecification{Enabled: new(true), SSEType: ddbtypes.SSETypeKms, KMSMasterKeyId: new("alias/orders")}
		}
		for k, v := range tags {
			in.Tags = append(in.Tags, ddbtypes.Tag{Key: new(k), Value: new(v)})
		}
		out, err := ddb.CreateTable(ctx, in)
		must("table "+name, err)
		return *out.TableDescription.TableArn
	}
	s.GoodTableARN = table("orders", 2, true, stackTags(GoodStack, "BackupPolicy", "Prod"))
	s.BadTableARN = table("legacy-records", 3, false, stackTags(BadStack))
	_, err = ddb.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: new("orders"),
		PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: new(true)}})
	must("pitr", err)

	// SQS: a consumed queue with a DLQ, and one without.
	sq := sqs.NewFromConfig(c.Cfg)
	queue := func(name string, attrs map[string]string, tags map[string]string) (url, arn string) {
		out, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs, Tags: tags})
		must("queue "+name, err)
		a, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		must("queue arn", err)
		return *out.QueueUrl, a.Attributes["QueueArn"]
	}
	s.GoodDLQ = "orders-events-dlq"
	_, s.GoodDLQARN = queue(s.GoodDLQ, map[string]string{"KmsMasterKeyId": "alias/orders", "MessageRetentionPeriod": "1209600"}, stackTags(GoodStack, "BackupPolicy", "Prod"))
	s.GoodQueue = "orders-events"
	_, s.GoodQueueARN = queue(s.GoodQueue, map[string]string{"KmsMasterKeyId": "alias/orders",
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":"3"}`, s.GoodDLQARN)}, stackTags(GoodStack, "BackupPolicy", "Prod"))
	s.BadQueue = "legacy-jobs"
	_, s.BadQueueARN = queue(s.BadQueue, map[string]string{"MessageRetentionPeriod": "60", "SqsManagedSseEnabled": "false"}, stackTags(BadStack))

	// SNS.
	sn := sns.NewFromConfig(c.Cfg)
	topic := func(name string, attrs, tags map[string]string) string {
		in := &sns.CreateTopicInput{Name: &name, Attributes: attrs}
		for k, v := range tags {
			in.Tags = append(in.Tags, snstypes.Tag{Key: new(k), Value: new(v)})
		}
		out, err := sn.CreateTopic(ctx, in)
		must("topic "+name, err)
		return *out.TopicArn
	}
	s.GoodTopicName = "orders-changed"
	s.GoodTopic = topic(s.GoodTopicName, map[string]string{"KmsMasterKeyId": "alias/orders"}, stackTags(GoodStack))
	s.BadTopic = topic("legacy-changed", nil, stackTags(BadStack))
	for _, t := range []string{s.GoodTopic, s.BadTopic} {
		_, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &t, Protocol: new("sqs"), Endpoint: &s.GoodQueueARN,
			Attributes: map[string]string{"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":"%s"}`, s.GoodDLQARN)}})
		must("subscribe", err)
	}

	// Lambda (moto wants the execution role to exist in IAM).
	role := createRole(t, c, "auditor-test-role")
	lc := lambda.NewFromConfig(c.Cfg)
	fn := func(name string, tags map[string]string, mod func(*lambda.CreateFunctionInput)) string {
		in := &lambda.CreateFunctionInput{FunctionName: &name, Role: &role, Runtime: lambdatypes.RuntimeProvidedal2023, Handler: new("bootstrap"),
			Code: &lambdatypes.FunctionCode{ZipFile: tinyZip(t)}, Tags: tags}
		if mod != nil {
			mod(in)
		}
		out, err := lc.CreateFunction(ctx, in)
		must("function "+name, err)
		return *out.FunctionArn
	}
	s.GoodFunction, s.BadFunction = "orders-production-api", "legacy-production-worker"
	s.GoodFuncARN = fn(s.GoodFunction, stackTags(GoodStack), func(in *lambda.CreateFunctionInput) {
		in.TracingConfig = &lambdatypes.TracingConfig{Mode: lambdatypes.TracingModeActive}
		in.VpcConfig = &lambdatypes.VpcConfig{SubnetIds: s.Subnets, SecurityGroupIds: []string{"sg-12345678"}}
	})
	s.BadFuncARN = fn(s.BadFunction, stackTags(BadStack), nil)
	_, err = lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: &s.BadFunction, StatementId: new("public"), Action: new("lambda:InvokeFunction"), Principal: new("*")})
	must("permission", err)
	_, err = lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: &s.BadFunction, StatementId: new("sns"), Action: new("lambda:InvokeFunction"),
		Principal: new("sns.amazonaws.com"), SourceArn: &s.BadTopic})
	must("permission", err)
	_, err = lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: &s.GoodFunction, StatementId: new("apigw"), Action: new("lambda:InvokeFunction"),
		Principal: new("apigateway.amazonaws.com"), SourceArn: new(fmt.Sprintf("arn:aws:execute-api:%s:%s:*/*", region, Account))})
	must("permission", err)
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: &s.BadFunction, AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	must("function url", err)
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: &s.GoodFunction, EventSourceArn: &s.GoodQueueARN})
	must("event source mapping", err)
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: &s.BadFunction, EventSourceArn: &s.BadQueueARN})
	must("event source mapping", err)

	// Logs.
	lg := cloudwatchlogs.NewFromConfig(c.Cfg)
	s.GoodLogGroup, s.BadLogGroup = "/aws/lambda/"+s.GoodFunction, "/aws/lambda/"+s.BadFunction
	_, err = lg.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &s.GoodLogGroup, Tags: stackTags(GoodStack)})
	must("log group", err)
	_, err = lg.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: &s.GoodLogGroup, RetentionInDays: new(int32(180))})
	must("retention", err)
	_, err = lg.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &s.BadLogGroup, Tags: stackTags(BadStack)})
	must("log group", err)

	// REST APIs: good has a custom authorizer on its method and a traced stage.
	ag := apigateway.NewFromConfig(c.Cfg)
	restAPI := func(name, stack string, authorized, traced bool) string {
		api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: &name, Tags: stackTags(stack)})
		must("rest api", err)
		res, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: new("orders")})
		must("resource", err)
		auth, authID := "NONE", (*string)(nil)
		if authorized {
			a, err := ag.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: api.Id, Name: new("google-groups"), Type: "TOKEN",
				AuthorizerUri:  new(fmt.Sprintf("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", region, s.GoodFuncARN)),
				IdentitySource: new("method.request.header.Authorization")})
			must("authorizer", err)
			auth, authID = "CUSTOM", a.Id
		}
		_, err = ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: new("GET"), AuthorizationType: &auth, AuthorizerId: authID})
		must("method", err)
		_, err = ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: new("GET"), Type: "AWS_PROXY",
			IntegrationHttpMethod: new("POST"), Uri: new(fmt.Sprintf("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", region, s.GoodFuncARN))})
		must("integration", err)
		dep, err := ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id})
		must("deployment", err)
		_, err = ag.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: new("production"), DeploymentId: dep.Id,
			TracingEnabled: traced, Tags: stackTags(stack)})
		must("stage", err)
		return *api.Id
	}
	s.GoodRestAPI = restAPI("orders-rest-api", GoodStack, true, true)
	s.BadRestAPI = restAPI("legacy-rest-api", BadStack, false, false)

	// HTTP APIs.
	a2 := apigatewayv2.NewFromConfig(c.Cfg)
	httpAPI := func(name, stack string, authorized bool) string {
		api, err := a2.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: &name, ProtocolType: v2types.ProtocolTypeHttp, Tags: stackTags(stack)})
		must("http api", err)
		in := &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: new("GET /items")}
		if authorized {
			au, err := a2.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: api.ApiId, Name: new("jwt"), AuthorizerType: v2types.AuthorizerTypeJwt,
				IdentitySource: []string{"$request.header.Authorization"}, JwtConfiguration: &v2types.JWTConfiguration{Audience: []string{"orders"}, Issuer: new("https://issuer.example")}})
			must("http authorizer", err)
			in.AuthorizationType, in.AuthorizerId = v2types.AuthorizationTypeJwt, au.AuthorizerId
		}
		_, err = a2.CreateRoute(ctx, in)
		must("route", err)
		_, err = a2.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: new("$default"), Tags: stackTags(stack)})
		must("http stage", err)
		return *api.ApiId
	}
	s.GoodHTTPAPI = httpAPI("orders-http-api", GoodStack, true)
	s.BadHTTPAPI = httpAPI("legacy-http-api", BadStack, false)

	// RDS: an encrypted private PostgreSQL primary with a replica, and a
	// public unencrypted MySQL without one.
	rc := rds.NewFromConfig(c.Cfg)
	_, err = rc.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: new("orders-db"), DBSubnetGroupDescription: new("orders"), SubnetIds: s.Subnets})
	must("db subnet group", err)
	s.GoodDB, s.GoodReplica, s.BadDB = "orders-db", "orders-db-replica", "legacy-db"
	_, err = rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: &s.GoodDB, Engine: new("postgres"), DBInstanceClass: new("db.t3.micro"),
		AllocatedStorage: new(int32(20)), MasterUsername: new("admin"), MasterUserPassword: new("password123"), StorageEncrypted: new(true),
		PubliclyAccessible: new(false), MultiAZ: new(true), DBSubnetGroupName: new("orders-db"), Tags: rdsTags(stackTags(GoodStack, "BackupPolicy", "Prod"))})
	must("db", err)
	_, err = rc.CreateDBInstanceReadReplica(ctx, &rds.CreateDBInstanceReadReplicaInput{DBInstanceIdentifier: &s.GoodReplica, SourceDBInstanceIdentifier: &s.GoodDB,
		DBInstanceClass: new("db.t3.micro"), PubliclyAccessible: new(false), Tags: rdsTags(stackTags(GoodStack, "BackupPolicy", "Prod"))})
	must("replica", err)
	_, err = rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: &s.BadDB, Engine: new("mysql"), DBInstanceClass: new("db.t3.micro"),
		AllocatedStorage: new(int32(20)), MasterUsername: new("admin"), MasterUserPassword: new("password123"), StorageEncrypted: new(false),
		PubliclyAccessible: new(true), Tags: rdsTags(stackTags(BadStack))})
	must("db", err)
	// OpenSearch, Redshift: public and unencrypted, in the bad service.
	osc := opensearch.NewFromConfig(c.Cfg)
	_, err = osc.CreateDomain(ctx, &opensearch.CreateDomainInput{DomainName: new("legacy-search"), EngineVersion: new("OpenSearch_2.11"),
		TagList: []ostypes.Tag{{Key: new("aws:cloudformation:stack-name"), Value: new(BadStack)}}})
	must("opensearch domain", err)
	rs := redshift.NewFromConfig(c.Cfg)
	_, err = rs.CreateCluster(ctx, &redshift.CreateClusterInput{ClusterIdentifier: new("legacy-warehouse"), NodeType: new("ra3.xlplus"),
		MasterUsername: new("admin"), MasterUserPassword: new("Password123"), Encrypted: new(false), PubliclyAccessible: new(true),
		Tags: []rstypes.Tag{{Key: new("aws:cloudformation:stack-name"), Value: new(BadStack)}}})
	must("redshift cluster", err)
	return s
}

func s3Tags(m map[string]string) []s3types.Tag {
	var out []s3types.Tag
	for k, v := range m {
		out = append(out, s3types.Tag{Key: new(k), Value: new(v)})
	}
	return out
}

func rdsTags(m map[string]string) []rdstypes.Tag {
	var out []rdstypes.Tag
	for k, v := range m {
		out = append(out, rdstypes.Tag{Key: new(k), Value: new(v)})
	}
	return out
}

func tinyZip(t testing.TB) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte("#!/bin/sh\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// createRole makes an IAM role through moto's query API (IAM is a global
// service moto routes by the credential scope of the Authorization header).
func createRole(t testing.TB, c Client, name string) string {
	t.Helper()
	form := url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {name},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}}
	req, err := http.NewRequest(http.MethodPost, c.URL+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("seed role: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("seed role: HTTP %d", resp.StatusCode)
	}
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", Account, name)
}
