package rules

import (
	"fmt"
	"testing"
	"time"

	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/value"
)

// syntheticService builds a large service: n functions with VPC configs
// and environment references, a REST API tree of n methods four levels
// deep, n/4 buckets with policies, n/10 databases with subnet groups and
// replicas, n/4 tables.
func syntheticService(n int) *inventory.Inventory {
	p := value.Pos{File: "bench.yml", Line: 1}
	s := func(x string) *value.Node { return value.NewString(x, p) }
	ref := func(id string) *value.Node { return value.NewMap(p).Set("Ref", s(id)) }
	list := func(items ...*value.Node) *value.Node { return value.NewList(p, items...) }
	m := func(kv ...any) *value.Node {
		out := value.NewMap(p)
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i].(string), kv[i+1].(*value.Node))
		}
		return out
	}
	inv := inventory.New(inventory.FromTemplate)
	add := func(id, typ string, props *value.Node) {
		inv.Add(&inventory.Resource{ID: id, Type: typ, Props: props, Pos: p, Origin: inventory.FromTemplate})
	}
	for z := 0; z < 3; z++ {
		add(fmt.Sprintf("Subnet%d", z), "AWS::EC2::Subnet", m("AvailabilityZone", s(fmt.Sprintf("eu-west-2%c", 'a'+z)), "VpcId", ref("Vpc")))
	}
	subnets := list(ref("Subnet0"), ref("Subnet1"), ref("Subnet2"))
	add("DbSubnets", "AWS::RDS::DBSubnetGroup", m("SubnetIds", subnets))
	for i := 0; i < n/10+1; i++ {
		id := fmt.Sprintf("Db%d", i)
		add(id, "AWS::RDS::DBInstance", m("Engine", s("postgres"), "StorageEncrypted", s("true"), "MultiAZ", s("true"), "PubliclyAccessible", s("false"), "DBSubnetGroupName", ref("DbSubnets")))
		add(id+"Replica", "AWS::RDS::DBInstance", m("SourceDBInstanceIdentifier", ref(id), "PubliclyAccessible", s("false")))
	}
	add("Api", "AWS::ApiGateway::RestApi", m())
	for i := 0; i < n; i++ {
		parent := value.NewMap(p).Set("Fn::GetAtt", list(s("Api"), s("RootResourceId")))
		for d := 0; d < 4; d++ {
			id := fmt.Sprintf("Res%d_%d", i, d)
			add(id, "AWS::ApiGateway::Resource", m("ParentId", parent, "PathPart", s(fmt.Sprintf("p%d", d))))
			parent = ref(id)
		}
		add(fmt.Sprintf("Method%d", i), "AWS::ApiGateway::Method", m("HttpMethod", s("GET"), "ResourceId", parent, "AuthorizationType", s("CUSTOM")))
		add(fmt.Sprintf("Fn%d", i), "AWS::Lambda::Function", m(
			"Environment", m("Variables", m("DB", value.NewMap(p).Set("Fn::GetAtt", list(s(fmt.Sprintf("Db%d", i%(n/10+1))), s("Endpoint.Address"))))),
			"VpcConfig", m("SubnetIds", subnets)))
	}
	for i := 0; i < n/4; i++ {
		id := fmt.Sprintf("Bucket%d", i)
		add(id, "AWS::S3::Bucket", m("BucketEncryption", m("ServerSideEncryptionConfiguration", list(m("ServerSideEncryptionByDefault", m("SSEAlgorithm", s("AES256"))))), "PublicAccessBlockConfiguration", m("BlockPublicAcls", s("true"), "BlockPublicPolicy", s("true"), "IgnorePublicAcls", s("true"), "RestrictPublicBuckets", s("true"))))
		add(id+"Policy", "AWS::S3::BucketPolicy", m("Bucket", ref(id), "PolicyDocument", m("Statement", list(m("Effect", s("Allow"), "Principal", s("*"),
			"Condition", m("StringEquals", m("aws:SourceAccount", s("153306643385"))))))))
		add(fmt.Sprintf("Table%d", i), "AWS::DynamoDB::Table", m("PointInTimeRecoverySpecification", m("PointInTimeRecoveryEnabled", s("true"))))
	}
	return inv
}

// BenchmarkPillarRules runs the Security, High availability, Back ups and
// Cost rules over a service of 1000 functions and API methods (about 7000
// resources): the cross-resource rules must stay near linear.
func BenchmarkPillarRules(b *testing.B) {
	inv := syntheticService(1000)
	s := policy.Defaults()
	s.Stage, s.Now = "production", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	var rs []*Rule
	rs = append(rs, securityRules()...)
	rs = append(rs, availabilityRules()...)
	rs = append(rs, backupRules()...)
	rs = append(rs, costRules()...)
	book := NewBook(rs...)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, _, err := book.Run(inv, s)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if !r.Pass && r.Rule.ID != "backup-tags" {
				b.Fatalf("%s failed on %s: %s", r.Rule.ID, r.Resource, r.Message)
			}
		}
	}
}
