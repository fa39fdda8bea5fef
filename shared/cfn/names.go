package cfn

import (
	"strings"

	"prodready/shared/value"
)

// physicalNameProps maps a resource type to the property that names it
// (a path for names nested in a structure). Rules match alarms, canaries and
// exemptions against these names, so every data store and everything a rule
// names is here.
var physicalNameProps = map[string][]string{
	// Data stores.
	"AWS::S3::Bucket":                       {"BucketName"},
	"AWS::DynamoDB::Table":                  {"TableName"},
	"AWS::DynamoDB::GlobalTable":            {"TableName"},
	"AWS::RDS::DBInstance":                  {"DBInstanceIdentifier"},
	"AWS::RDS::DBCluster":                   {"DBClusterIdentifier"},
	"AWS::RDS::DBSubnetGroup":               {"DBSubnetGroupName"},
	"AWS::RDS::DBProxy":                     {"DBProxyName"},
	"AWS::DocDB::DBCluster":                 {"DBClusterIdentifier"},
	"AWS::DocDB::DBInstance":                {"DBInstanceIdentifier"},
	"AWS::DocDBElastic::Cluster":            {"ClusterName"},
	"AWS::Neptune::DBCluster":               {"DBClusterIdentifier"},
	"AWS::Neptune::DBInstance":              {"DBInstanceIdentifier"},
	"AWS::OpenSearchService::Domain":        {"DomainName"},
	"AWS::Elasticsearch::Domain":            {"DomainName"},
	"AWS::OpenSearchServerless::Collection": {"Name"},
	"AWS::Redshift::Cluster":                {"ClusterIdentifier"},
	"AWS::RedshiftServerless::Namespace":    {"NamespaceName"},
	"AWS::RedshiftServerless::Workgroup":    {"WorkgroupName"},
	"AWS::MSK::Cluster":                     {"ClusterName"},
	"AWS::MSK::ServerlessCluster":           {"ClusterName"},
	"AWS::ElastiCache::CacheCluster":        {"ClusterName"},
	"AWS::ElastiCache::ReplicationGroup":    {"ReplicationGroupId"},
	"AWS::ElastiCache::ServerlessCache":     {"ServerlessCacheName"},
	"AWS::MemoryDB::Cluster":                {"ClusterName"},
	"AWS::Kinesis::Stream":                  {"Name"},
	"AWS::KinesisFirehose::DeliveryStream":  {"DeliveryStreamName"},
	"AWS::Timestream::Database":             {"DatabaseName"},
	"AWS::Timestream::Table":                {"TableName"},
	"AWS::Keyspaces::Keyspace":              {"KeyspaceName"},
	"AWS::Keyspaces::Table":                 {"TableName"},
	"AWS::QLDB::Ledger":                     {"Name"},
	"AWS::AmazonMQ::Broker":                 {"BrokerName"},
	"AWS::Glue::Database":                   {"DatabaseInput", "Name"},
	"AWS::Glue::Table":                      {"TableInput", "Name"},
	"AWS::SecretsManager::Secret":           {"Name"},
	"AWS::SSM::Parameter":                   {"Name"},
	"AWS::Backup::BackupVault":              {"BackupVaultName"},
	"AWS::Backup::BackupPlan":               {"BackupPlan", "BackupPlanName"},
	"AWS::Cognito::UserPool":                {"UserPoolName"},
	// Messaging and compute.
	"AWS::SQS::Queue":                  {"QueueName"},
	"AWS::SNS::Topic":                  {"TopicName"},
	"AWS::Lambda::Function":            {"FunctionName"},
	"AWS::Lambda::LayerVersion":        {"LayerName"},
	"AWS::StepFunctions::StateMachine": {"StateMachineName"},
	"AWS::Events::Rule":                {"Name"},
	"AWS::Events::EventBus":            {"Name"},
	"AWS::Events::Archive":             {"ArchiveName"},
	"AWS::Scheduler::Schedule":         {"Name"},
	"AWS::Pipes::Pipe":                 {"Name"},
	"AWS::ECS::Cluster":                {"ClusterName"},
	"AWS::ECS::Service":                {"ServiceName"},
	"AWS::EKS::Cluster":                {"Name"},
	"AWS::AppSync::GraphQLApi":         {"Name"},
	// APIs.
	"AWS::ApiGateway::RestApi":                  {"Name"},
	"AWS::ApiGateway::Stage":                    {"StageName"},
	"AWS::ApiGateway::ApiKey":                   {"Name"},
	"AWS::ApiGateway::UsagePlan":                {"UsagePlanName"},
	"AWS::ApiGateway::DomainName":               {"DomainName"},
	"AWS::ApiGatewayV2::Api":                    {"Name"},
	"AWS::ApiGatewayV2::Stage":                  {"StageName"},
	"AWS::ApiGatewayV2::DomainName":             {"DomainName"},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": {"Name"},
	"AWS::ElasticLoadBalancingV2::TargetGroup":  {"Name"},
	"AWS::WAFv2::WebACL":                        {"Name"},
	// Monitoring.
	"AWS::Logs::LogGroup":             {"LogGroupName"},
	"AWS::CloudWatch::Alarm":          {"AlarmName"},
	"AWS::CloudWatch::CompositeAlarm": {"AlarmName"},
	"AWS::CloudWatch::Dashboard":      {"DashboardName"},
	"AWS::Synthetics::Canary":         {"Name"},
	"AWS::CloudTrail::Trail":          {"TrailName"},
	// Identity and keys.
	"AWS::IAM::Role":          {"RoleName"},
	"AWS::IAM::ManagedPolicy": {"ManagedPolicyName"},
	"AWS::IAM::User":          {"UserName"},
	"AWS::KMS::Alias":         {"AliasName"},
	"AWS::EC2::SecurityGroup": {"GroupName"},
}

// physicalName returns the resource's name when its naming property is a
// plain value; "" when the name is generated or only known at deploy time.
func physicalName(typ string, props *value.Node) string {
	path, ok := physicalNameProps[typ]
	if !ok {
		return ""
	}
	n := props.Get(path...)
	if n == nil || (n.Kind != value.String && n.Kind != value.Number) {
		return ""
	}
	return n.Str
}

// isFramework reports whether the Serverless Framework made the resource for
// its own use: the deployment bucket (build artifacts, not data), its
// policy, and the function and role behind its custom resources.
func isFramework(id, typ string) bool {
	switch id {
	case "ServerlessDeploymentBucket":
		return typ == "AWS::S3::Bucket"
	case "ServerlessDeploymentBucketPolicy":
		return typ == "AWS::S3::BucketPolicy"
	case "IamRoleCustomResourcesLambdaExecution":
		return typ == "AWS::IAM::Role"
	}
	// osls names them getLambdaLogicalId("custom-resource-…"), such as
	// CustomDashresourceDashexistingDashs3LambdaFunction.
	return typ == "AWS::Lambda::Function" && strings.HasPrefix(id, "CustomDashresourceDash") && strings.HasSuffix(id, "LambdaFunction")
}
