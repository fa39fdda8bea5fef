package rules

import (
	"prodready/shared/inventory"
	"prodready/shared/value"
)

// RDSNotPublic enforces Security 3 for RDS: no instance is publicly
// accessible.
var RDSNotPublic = &Rule{
	ID:     "rds-not-public",
	Pillar: Security,
	Point:  "Security 3",
	Title:  "RDS instances are not publicly accessible",
	Checklist: "All AWS RDS instances must have the \"publicly accessible\" property set to false. In addition, all " +
		"database instances must be hosted in a private subnet to not allow access via the internet.",
	Rationale: "A publicly accessible instance gets a public DNS name and IP; only its security group then stands between " +
		"the internet and the database. Left unset, RDS decides by the subnets' VPC: in the default VPC, or any VPC with an " +
		"internet gateway, the instance is public.",
	Remediation: "Set PubliclyAccessible: false explicitly and give the instance a DBSubnetGroupName whose subnets are " +
		"private (no route to an internet gateway). For Aurora, set it on every instance of the cluster.",
	Example: `resources:
  Resources:
    OrdersDatabase:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        PubliclyAccessible: false
        DBSubnetGroupName: !Ref OrdersDatabaseSubnets`,
	Check: checkRDSNotPublic,
}

func checkRDSNotPublic(c *Context) {
	for _, r := range c.Inv.OfType("AWS::RDS::DBInstance", "AWS::RDS::DBCluster") {
		if r.External {
			continue
		}
		// Only Multi-AZ DB clusters carry PubliclyAccessible; Aurora
		// clusters are judged through their instances.
		if r.Type == "AWS::RDS::DBCluster" && !isMultiAZDBCluster(r) {
			continue
		}
		checkPubliclyAccessible(c, r)
	}
}

func checkPubliclyAccessible(c *Context, r *inventory.Resource) {
	noun := "RDS instance " + r.DisplayName()
	if r.Type == "AWS::RDS::DBCluster" {
		noun = "RDS cluster " + r.DisplayName()
	}
	pa := r.Prop("PubliclyAccessible")
	at := r.PosOf("PubliclyAccessible")
	switch readBool(pa) {
	case boolFalse:
		c.Pass(r, "%s is not publicly accessible", noun)
	case boolTrue:
		c.Fail(r, at, "%s is publicly accessible (PubliclyAccessible: true); set it to false and reach it from inside the VPC", noun)
	case boolUnseen:
		c.Fail(r, at, "cannot see whether %s is publicly accessible: PubliclyAccessible is %s", noun, describeUnseen(pa))
	case boolInvalid:
		c.Fail(r, at, "%s: PubliclyAccessible must be false, found %s", noun, pa.Describe())
	default:
		// An Aurora instance is placed by its cluster's subnet group, a
		// same-region replica by its source's.
		owner := r
		if cluster, ref := clusterOf(c.Inv, r); ref != nil && cluster != nil {
			owner = cluster
		} else if src, ref := replicaSource(c.Inv, r); ref != nil && src != nil && !r.Prop("DBSubnetGroupName").Has() {
			owner = src
		}
		if !owner.Prop("DBSubnetGroupName").Has() {
			c.Fail(r, at, "%s does not set PubliclyAccessible and has no DBSubnetGroupName: it goes in the default VPC, where RDS makes it publicly accessible; set PubliclyAccessible: false and a private DB subnet group", noun)
			return
		}
		// The standard asks for the property "set to false"; unset, RDS
		// makes the instance public when its VPC has an internet gateway.
		c.Fail(r, at, "%s does not set PubliclyAccessible: RDS then makes it public if its subnets' VPC has an internet gateway; set PubliclyAccessible: false", noun)
	}
}

// OpenSearchInVPC enforces Security 3 for search domains: they live in a
// VPC's private subnets.
var OpenSearchInVPC = &Rule{
	ID:     "opensearch-in-vpc",
	Pillar: Security,
	Point:  "Security 3",
	Title:  "OpenSearch domains are hosted in a VPC",
	Checklist: "All OpenSearch clusters must be hosted in a private subnet to not allow access via the internet and thus " +
		"reduce the security risk and possible attack scope.",
	Rationale: "A domain without VPCOptions has a public endpoint: only its access policy stands between the internet and " +
		"the data. A VPC domain has only private addresses in the subnets it is given.",
	Remediation: "Give the domain VPCOptions with the private subnets (one per zone) and a security group; a domain cannot " +
		"move into a VPC in place, so create a new one and reindex.",
	Example: `resources:
  Resources:
    SearchDomain:
      Type: AWS::OpenSearchService::Domain
      Properties:
        VPCOptions:
          SubnetIds:
            - subnet-01d3657f97a243261
            - subnet-0b7b8fea07efabf34
            - subnet-0c39cd286eeaff2b2
          SecurityGroupIds:
            - !Ref SearchSecurityGroup`,
	Check: checkOpenSearchInVPC,
}

func checkOpenSearchInVPC(c *Context) {
	for _, d := range c.Inv.OfType(searchTypes...) {
		if d.External {
			continue
		}
		noun := dataStoreTypes[d.Type].Noun + " " + d.DisplayName()
		opts := d.Prop("VPCOptions")
		subnets := opts.Get("SubnetIds")
		switch {
		case isDeployTime(opts) || isDeployTime(subnets):
			// Subnets known only at deploy time still put the domain in a
			// VPC: a VPC domain has no public endpoint.
			c.Pass(d, "%s is in a VPC (its subnets are read at deploy time)", noun)
		case subnets.Len() > 0 || (subnets.Has() && subnets.Kind != value.List):
			c.Pass(d, "%s is in a VPC", noun)
		default:
			c.Fail(d, d.PosOf("VPCOptions"), "%s has a public endpoint: it has no VPCOptions.SubnetIds; put it in the VPC's private subnets", noun)
		}
	}
}
