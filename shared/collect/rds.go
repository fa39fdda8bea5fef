package collect

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"prodready/shared/inventory"
)

// References between RDS resources (SourceDBInstanceIdentifier,
// DBClusterIdentifier, DBSubnetGroupName) are written as ARNs: a subnet
// group, an instance and a cluster often share one name, and a bare name
// would resolve to whichever was read last.
//
// RDS instances and clusters (DescribeDB* also list DocumentDB and Neptune,
// which the database-technology rule should see) and their DB subnet
// groups. A read replica has SourceDBInstanceIdentifier naming its primary;
// Attrs["ReadReplicas"] lists a primary's replicas, comma-separated. The
// availability zones of a subnet group's subnets are in
// Attrs["AvailabilityZones"] of the group and of the instance.
var rdsService = Service{
	Name:    "rds",
	Types:   []string{"AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::RDS::DBSubnetGroup"},
	Actions: []string{"rds:DescribeDBInstances", "rds:DescribeDBClusters"},
	has:     func(c Clients) bool { return c.RDS != nil },
	collect: func(ctx context.Context, s *svc) error {
		groups := &subnetGroups{s: s, seen: map[string]bool{}}
		p := rds.NewDescribeDBInstancesPaginator(s.clients.RDS, &rds.DescribeDBInstancesInput{MaxRecords: new(int32(100))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("rds:DescribeDBInstances", "", err)
			}
			for _, db := range out.DBInstances {
				addDBInstance(s, groups, db)
			}
		}
		cp := rds.NewDescribeDBClustersPaginator(s.clients.RDS, &rds.DescribeDBClustersInput{MaxRecords: new(int32(100))})
		for cp.HasMorePages() {
			out, err := cp.NextPage(ctx)
			if err != nil {
				return wrap("rds:DescribeDBClusters", "", err)
			}
			for _, c := range out.DBClusters {
				addDBCluster(s, c)
			}
		}
		return nil
	},
}

func rdsTags(tl []types.Tag) map[string]string {
	out := map[string]string{}
	for _, t := range tl {
		out[str(t.Key)] = str(t.Value)
	}
	return out
}

// subnetGroups emits each DB subnet group once.
type subnetGroups struct {
	s    *svc
	mu   sync.Mutex
	seen map[string]bool
}

func (g *subnetGroups) add(sg *types.DBSubnetGroup, stack string) (arn, zones string) {
	var ids, az []string
	for _, sn := range sg.Subnets {
		ids = append(ids, str(sn.SubnetIdentifier))
		if sn.SubnetAvailabilityZone != nil && str(sn.SubnetAvailabilityZone.Name) != "" {
			az = append(az, str(sn.SubnetAvailabilityZone.Name))
		}
	}
	sort.Strings(az)
	zones = strings.Join(compact(az), ",")
	arn = str(sg.DBSubnetGroupArn)
	if arn == "" {
		arn = arnf("rds", g.s.o.Region, g.s.o.Account, "subgrp:%s", str(sg.DBSubnetGroupName))
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen[arn] {
		return arn, zones
	}
	g.seen[arn] = true
	g.s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(sg.DBSubnetGroupName), Type: "AWS::RDS::DBSubnetGroup", Stack: stack,
		Props: props{}.set("DBSubnetGroupName", sg.DBSubnetGroupName).set("SubnetIds", ids).set("VpcId", sg.VpcId).node(),
		Attrs: map[string]string{"AvailabilityZones": zones}}, map[string]string{})
	return arn, zones
}

func compact(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func addDBInstance(s *svc, groups *subnetGroups, db types.DBInstance) {
	arn := str(db.DBInstanceArn)
	tags := rdsTags(db.TagList)
	dp := props{}.set("DBInstanceIdentifier", db.DBInstanceIdentifier).set("Engine", db.Engine).set("EngineVersion", db.EngineVersion).
		set("DBInstanceClass", db.DBInstanceClass).set("PubliclyAccessible", db.PubliclyAccessible).set("StorageEncrypted", db.StorageEncrypted).
		set("KmsKeyId", db.KmsKeyId).set("MultiAZ", db.MultiAZ).
		set("SourceDBInstanceIdentifier", rdsRef(s, "db", db.ReadReplicaSourceDBInstanceIdentifier)).
		set("SourceDBClusterIdentifier", rdsRef(s, "cluster", db.ReadReplicaSourceDBClusterIdentifier)).
		set("DBClusterIdentifier", rdsRef(s, "cluster", db.DBClusterIdentifier)).set("AvailabilityZone", db.AvailabilityZone).
		set("BackupRetentionPeriod", db.BackupRetentionPeriod).set("DeletionProtection", db.DeletionProtection).set("Tags", tagList(tags))
	attrs := map[string]string{}
	if sg := db.DBSubnetGroup; sg != nil {
		var arn string
		arn, attrs["AvailabilityZones"] = groups.add(sg, tags[StackTag])
		dp.set("DBSubnetGroupName", arn)
	}
	if len(db.ReadReplicaDBInstanceIdentifiers) > 0 {
		attrs["ReadReplicas"] = strings.Join(db.ReadReplicaDBInstanceIdentifiers, ",")
	}
	if z := str(db.SecondaryAvailabilityZone); z != "" {
		attrs["SecondaryAvailabilityZone"] = z
	}
	attrs["Status"] = str(db.DBInstanceStatus)
	s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(db.DBInstanceIdentifier), Type: "AWS::RDS::DBInstance", Props: dp.node(), Attrs: attrs}, tags)
}

func addDBCluster(s *svc, c types.DBCluster) {
	arn := str(c.DBClusterArn)
	tags := rdsTags(c.TagList)
	cp := props{}.set("DBClusterIdentifier", c.DBClusterIdentifier).set("Engine", c.Engine).set("EngineVersion", c.EngineVersion).
		set("EngineMode", c.EngineMode).set("StorageEncrypted", c.StorageEncrypted).set("KmsKeyId", c.KmsKeyId).
		set("DBSubnetGroupName", rdsRef(s, "subgrp", c.DBSubnetGroup)).set("AvailabilityZones", c.AvailabilityZones).set("PubliclyAccessible", c.PubliclyAccessible).
		set("DeletionProtection", c.DeletionProtection).set("BackupRetentionPeriod", c.BackupRetentionPeriod).
		set("ReplicationSourceIdentifier", c.ReplicationSourceIdentifier).set("Tags", tagList(tags))
	var members []string
	for _, m := range c.DBClusterMembers {
		members = append(members, str(m.DBInstanceIdentifier))
	}
	sort.Strings(members)
	attrs := map[string]string{"Members": strings.Join(members, ","), "MemberCount": strconv.Itoa(len(members)), "Status": str(c.Status)}
	if len(c.ReadReplicaIdentifiers) > 0 {
		attrs["ReadReplicas"] = strings.Join(c.ReadReplicaIdentifiers, ",")
	}
	s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(c.DBClusterIdentifier), Type: "AWS::RDS::DBCluster", Props: cp.node(), Attrs: attrs}, tags)
}

// rdsRef turns an identifier (or an ARN, as cross-region replicas give)
// into the ARN of the RDS resource of the given kind (db, cluster, subgrp).
func rdsRef(s *svc, kind string, id *string) *string {
	v := str(id)
	if v == "" || strings.HasPrefix(v, "arn:") {
		return id
	}
	arn := arnf("rds", s.o.Region, s.o.Account, "%s:%s", kind, v)
	return &arn
}
