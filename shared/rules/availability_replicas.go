package rules

import (
	"strings"

	"prodready/shared/inventory"
)

// RDSReadReplica enforces High availability 2: every RDS database has a
// read replica to fail over to.
var RDSReadReplica = &Rule{
	ID:     "rds-read-replica",
	Pillar: Availability,
	Point:  "High availability 2",
	Title:  "RDS databases have read replicas",
	Checklist: "RDS databases have read replicas enabled to support failover. All Hackney RDS databases should have a read " +
		"replica database configured for Production environments.",
	Rationale: "A read replica takes read-heavy load (reports, ETL) off the primary and, if the primary fails, is promoted " +
		"in its place, keeping the disruption to the council's services to a minimum.",
	Remediation: "Add a replica: for an RDS instance, another AWS::RDS::DBInstance with SourceDBInstanceIdentifier: " +
		"!Ref <primary>; for an Aurora cluster, a second AWS::RDS::DBInstance with DBClusterIdentifier: !Ref <cluster> " +
		"(Aurora promotes a reader on failover).",
	Example: `resources:
  Resources:
    OrdersDatabase:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.medium
        MultiAZ: true
        StorageEncrypted: true
    OrdersDatabaseReplica:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: !Ref OrdersDatabase
        DBInstanceClass: db.t4g.medium`,
	Check: checkReadReplicas,
}

func checkReadReplicas(c *Context) {
	replicas := map[*inventory.Resource][]string{}
	for _, r := range c.Inv.OfType("AWS::RDS::DBInstance") {
		if src, ref := replicaSource(c.Inv, r); ref != nil && src != nil {
			replicas[src] = append(replicas[src], r.DisplayName())
		}
	}
	for _, r := range c.Inv.OfType("AWS::RDS::DBInstance", "AWS::RDS::DBCluster") {
		if r.External {
			continue
		}
		name := r.DisplayName()
		switch {
		case r.Type == "AWS::RDS::DBInstance":
			if isClusterMember(c.Inv, r) {
				continue // the cluster is judged
			}
			if _, ref := replicaSource(c.Inv, r); ref != nil {
				continue // a replica is what the rule asks for, not a primary
			}
			if rs := replicas[r]; len(rs) > 0 {
				c.Pass(r, "RDS instance %s has read replica %s", name, strings.Join(rs, ", "))
				continue
			}
			c.Fail(r, r.Pos, "RDS instance %s has no read replica: add an AWS::RDS::DBInstance with SourceDBInstanceIdentifier: !Ref %s", name, name)
		case isMultiAZDBCluster(r):
			c.Pass(r, "Multi-AZ DB cluster %s has two readable standby instances", name)
		case isAuroraServerlessV1(r):
			c.Fail(r, r.PosOf("EngineMode"), "Aurora Serverless v1 cluster %s cannot have read replicas; move to Aurora Serverless v2 (EngineMode provisioned, db.serverless instances) with a reader instance", name)
		default:
			members := membersOf(c.Inv, r)
			if len(members) >= 2 {
				c.Pass(r, "Aurora cluster %s has %d instances, so a reader can take over", name, len(members))
				continue
			}
			c.Fail(r, r.Pos, "Aurora cluster %s has %d instance(s) and so no reader to fail over to: add an AWS::RDS::DBInstance with DBClusterIdentifier: !Ref %s", name, len(members), name)
		}
	}
}
