package rules

import (
	"fmt"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// minZones is the standard's number of availability zones.
const minZones = 3

// MultiAZ enforces High availability 1: VPC-bound components span three
// availability zones.
var MultiAZ = &Rule{
	ID:     "multi-az",
	Pillar: Availability,
	Point:  "High availability 1",
	Title:  "Resources are deployed across 3 availability zones",
	Checklist: "Resources have been deployed across 3 availability zones. Each production service must be deployed to 3 " +
		"availability zones as per best practices to promote reliability and high availability.",
	Rationale: "A zone can fail. Lambda, S3 and DynamoDB spread over zones by themselves, but a function in a VPC runs only " +
		"in the subnets it is given, and a database or search domain lives in the zones it is configured for. With fewer " +
		"than three, losing one zone takes a large share (or all) of the service with it, and the council's disaster " +
		"recovery plan assumes three.",
	Remediation: "Give each VPC-bound resource subnets in three different availability zones: provider.vpc.subnetIds (or " +
		"the function's vpc) with three private subnets, DB/cluster subnet groups with three subnets, OpenSearch " +
		"ZoneAwarenessConfig.AvailabilityZoneCount: 3 with three VPCOptions subnets, MSK ClientSubnets in three zones, " +
		"RDS MultiAZ: true. When a subnet is only known by id, declare its zone so the check can count it: " +
		"custom.safeguard.subnets: {subnet-0abc…: eu-west-2a}.",
	Example: `provider:
  vpc:
    securityGroupIds:
      - sg-038eb450496ec5548
    subnetIds:
      - subnet-01d3657f97a243261
      - subnet-0b7b8fea07efabf34
      - subnet-0c39cd286eeaff2b2
custom:
  safeguard:
    subnets:
      subnet-01d3657f97a243261: eu-west-2a
      subnet-0b7b8fea07efabf34: eu-west-2b
      subnet-0c39cd286eeaff2b2: eu-west-2c`,
	Check: checkMultiAZ,
}

func checkMultiAZ(c *Context) {
	for _, r := range c.Inv.All() {
		if r.External || r.Framework {
			continue
		}
		switch r.Type {
		case "AWS::Lambda::Function":
			if inVPC(r) {
				checkSpread(c, r, "function "+r.DisplayName(), nil)
			}
		case "AWS::RDS::DBInstance":
			if isClusterMember(c.Inv, r) {
				continue // placed by its cluster's subnet group
			}
			if _, ref := replicaSource(c.Inv, r); ref != nil {
				continue // a replica adds to its primary's zones; the primary is judged
			}
			checkSpread(c, r, "RDS instance "+r.DisplayName(), multiAZFlag(r, "MultiAZ",
				"a single-AZ instance lives in one zone whatever its subnet group; set MultiAZ: true for a standby in another zone"))
		case "AWS::RDS::DBCluster", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster":
			checkClusterZones(c, r)
		case "AWS::Redshift::Cluster":
			checkSpread(c, r, "Redshift cluster "+r.DisplayName(), multiAZFlag(r, "MultiAZ",
				"a Redshift cluster without MultiAZ: true runs in one zone (Multi-AZ needs RA3 nodes)"))
		case "AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain":
			checkDomainZones(c, r)
		case "AWS::MSK::Cluster", "AWS::MSK::ServerlessCluster":
			checkSpread(c, r, "MSK cluster "+r.DisplayName(), nil)
		}
	}
}

// inVPC reports whether a function is attached to a VPC. The Lambda API
// reports VpcConfig with empty lists for a function outside any VPC, so
// the block alone does not say it; a deploy-time block or list might.
func inVPC(fn *inventory.Resource) bool {
	vc := fn.Prop("VpcConfig")
	subnets := vc.Get("SubnetIds")
	return isDeployTime(vc) || isDeployTime(subnets) || len(subnets.List()) > 0
}

// multiAZFlag returns a check that a boolean placement setting is true,
// giving the shortfall when it is not.
func multiAZFlag(r *inventory.Resource, prop, why string) func() *shortfall {
	return func() *shortfall {
		n := r.Prop(prop)
		switch readBool(n) {
		case boolTrue:
			return nil
		case boolUnseen:
			return &shortfall{r.PosOf(prop), fmt.Sprintf("cannot see %s: it is %s", prop, describeUnseen(n))}
		}
		return &shortfall{r.PosOf(prop), why}
	}
}

// checkSpread records the verdict on a resource's subnets, together with an
// extra placement condition (nil: none).
func checkSpread(c *Context, r *inventory.Resource, noun string, extra func() *shortfall) {
	var ps []shortfall
	if extra != nil {
		if s := extra(); s != nil {
			ps = append(ps, *s)
		}
	}
	p := placementOf(c.Inv, r)
	var zonesOK bool
	var spreadText string
	if p.Subnets == nil {
		ps = append(ps, shortfall{p.Pos, "cannot count its availability zones: " + p.Missing})
	} else {
		z := spreadOf(c.Inv, c.Settings, p.Subnets)
		ok, certain := z.Verdict(minZones)
		spreadText = z.Describe(p.From, !certain)
		switch {
		case ok:
			zonesOK = true
		case certain:
			ps = append(ps, shortfall{p.Pos, spreadText})
		default:
			ps = append(ps, shortfall{p.Pos, fmt.Sprintf("cannot confirm %d zones: %s", minZones, spreadText)})
		}
	}
	if len(ps) == 0 && zonesOK {
		c.Pass(r, "%s spans %d availability zones: %s", noun, minZones, spreadText)
		return
	}
	failShortfalls(c, r, noun+" is not deployed across "+fmt.Sprint(minZones)+" availability zones", ps)
}

func checkClusterZones(c *Context, r *inventory.Resource) {
	noun := dataStoreTypes[r.Type].Noun + " " + r.DisplayName()
	// An explicit AvailabilityZones list pins the cluster's storage zones.
	var extra func() *shortfall
	if azs := r.Prop("AvailabilityZones"); azs.Has() {
		extra = func() *shortfall {
			if isDeployTime(azs) {
				return &shortfall{r.PosOf("AvailabilityZones"), "cannot see AvailabilityZones: it is " + describeUnseen(azs)}
			}
			distinct := map[string]bool{}
			for _, s := range azs.Strings() {
				distinct[s] = true
			}
			if len(distinct) < minZones {
				return &shortfall{r.PosOf("AvailabilityZones"), fmt.Sprintf("AvailabilityZones lists %d zones (%s)", len(distinct), strings.Join(azs.Strings(), ", "))}
			}
			return nil
		}
	}
	checkSpread(c, r, noun, extra)
}

// checkDomainZones: a search domain spreads its nodes over
// ZoneAwarenessConfig.AvailabilityZoneCount zones (2 when zone awareness is
// on without a count, 1 when it is off), within its VPC subnets if any.
func checkDomainZones(c *Context, r *inventory.Resource) {
	noun := dataStoreTypes[r.Type].Noun + " " + r.DisplayName()
	cc := "ClusterConfig"
	if r.Type == "AWS::Elasticsearch::Domain" {
		cc = "ElasticsearchClusterConfig"
	}
	awareness := func() *shortfall {
		on := r.Prop(cc, "ZoneAwarenessEnabled")
		count := r.Prop(cc, "ZoneAwarenessConfig", "AvailabilityZoneCount")
		switch readBool(on) {
		case boolUnseen:
			return &shortfall{r.PosOf(cc, "ZoneAwarenessEnabled"), "cannot see ZoneAwarenessEnabled: it is " + describeUnseen(on)}
		case boolTrue:
		default:
			return &shortfall{r.PosOf(cc, "ZoneAwarenessEnabled"), fmt.Sprintf("%s.ZoneAwarenessEnabled is not true, so all nodes are in one zone; enable it with AvailabilityZoneCount: %d", cc, minZones)}
		}
		if isDeployTime(count) {
			return &shortfall{r.PosOf(cc, "ZoneAwarenessConfig", "AvailabilityZoneCount"), "cannot see AvailabilityZoneCount: it is " + describeUnseen(count)}
		}
		n, ok := count.AsInt()
		if !count.Has() {
			n, ok = 2, true // the service default with zone awareness on
		}
		if !ok || n < minZones {
			return &shortfall{r.PosOf(cc, "ZoneAwarenessConfig", "AvailabilityZoneCount"), fmt.Sprintf("nodes are spread over %s zones; set %s.ZoneAwarenessConfig.AvailabilityZoneCount: %d", describeZoneCount(count, n, ok), cc, minZones)}
		}
		return nil
	}
	if !r.Prop("VPCOptions").Has() {
		// A public domain has no subnets; only its zone awareness places it.
		if s := awareness(); s != nil {
			failShortfalls(c, r, noun+" is not deployed across "+fmt.Sprint(minZones)+" availability zones", []shortfall{*s})
			return
		}
		c.Pass(r, "%s spreads its nodes over %d availability zones", noun, minZones)
		return
	}
	checkSpread(c, r, noun, awareness)
}

func describeZoneCount(n *value.Node, v int64, ok bool) string {
	if ok {
		return fmt.Sprint(v)
	}
	return n.Describe()
}
