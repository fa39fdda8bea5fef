package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/value"
)

// placement is where a VPC-bound resource puts its network interfaces: a
// subnet list and where that list is written.
type placement struct {
	// Subnets is the subnet list (nil when none is visible).
	Subnets *value.Node
	// From names the list in messages ("VpcConfig.SubnetIds",
	// "DB subnet group OrdersSubnets").
	From string
	// Pos is the line to change.
	Pos value.Pos
	// Missing, when Subnets is nil, says why no list is visible.
	Missing string
}

// subnetGroupTypes maps a database type to its subnet group type and the
// property naming the group.
var subnetGroupTypes = map[string]struct{ group, prop, nameProp string }{
	"AWS::RDS::DBInstance":     {"AWS::RDS::DBSubnetGroup", "DBSubnetGroupName", "DBSubnetGroupName"},
	"AWS::RDS::DBCluster":      {"AWS::RDS::DBSubnetGroup", "DBSubnetGroupName", "DBSubnetGroupName"},
	"AWS::DocDB::DBCluster":    {"AWS::DocDB::DBSubnetGroup", "DBSubnetGroupName", "DBSubnetGroupName"},
	"AWS::DocDB::DBInstance":   {"AWS::DocDB::DBSubnetGroup", "DBSubnetGroupName", "DBSubnetGroupName"},
	"AWS::Neptune::DBCluster":  {"AWS::Neptune::DBSubnetGroup", "DBSubnetGroupName", "DBSubnetGroupName"},
	"AWS::Neptune::DBInstance": {"AWS::Neptune::DBSubnetGroup", "DBSubnetGroupName", "DBSubnetGroupName"},
	"AWS::Redshift::Cluster":   {"AWS::Redshift::ClusterSubnetGroup", "ClusterSubnetGroupName", ""},
}

// placementOf returns where a resource's network interfaces go.
func placementOf(inv *inventory.Inventory, r *inventory.Resource) placement {
	switch r.Type {
	case "AWS::Lambda::Function":
		return listPlacement(r, "VpcConfig", "SubnetIds")
	case "AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain":
		return listPlacement(r, "VPCOptions", "SubnetIds")
	case "AWS::MSK::Cluster":
		return listPlacement(r, "BrokerNodeGroupInfo", "ClientSubnets")
	case "AWS::MSK::ServerlessCluster":
		return listPlacement(r, "VpcConfigs", "0", "SubnetIds")
	}
	sg, ok := subnetGroupTypes[r.Type]
	if !ok {
		return placement{Missing: r.Type + " has no subnets", Pos: r.Pos}
	}
	owner := r
	if cluster, ref := clusterOf(inv, r); ref != nil {
		if cluster == nil {
			return placement{Missing: "its cluster " + describeRef(ref) + " is not part of this service", Pos: r.PosOf("DBClusterIdentifier")}
		}
		owner = cluster // members use the cluster's subnet group
	}
	name := owner.Prop(sg.prop)
	at := owner.PosOf(sg.prop)
	switch {
	case !name.Has():
		return placement{Missing: sg.prop + " is not set, so it uses the default VPC's subnets, which this check cannot see", Pos: at}
	case isDeployTime(name):
		return placement{Missing: sg.prop + " is " + describeUnseen(name), Pos: at}
	}
	group := inv.Resolve(name)
	if group == nil && sg.nameProp != "" {
		want := strings.ToLower(name.String())
		for _, g := range inv.OfType(sg.group) {
			if want != "" && strings.ToLower(g.Prop(sg.nameProp).String()) == want {
				group = g
				break
			}
		}
	}
	if group == nil || group.Type != sg.group || group.External {
		return placement{Missing: "subnet group " + describeRef(name) + " is not part of this service", Pos: at}
	}
	p := listPlacement(group, "SubnetIds")
	p.From = "subnet group " + group.DisplayName()
	return p
}

func listPlacement(r *inventory.Resource, path ...string) placement {
	p := placement{From: strings.Join(slices.DeleteFunc(slices.Clone(path), func(s string) bool { return s == "0" }), "."), Pos: r.PosOf(path...)}
	// The parent block itself may be a deploy-time value (vpc: ${ssm:…}).
	for i := 1; i <= len(path); i++ {
		if n := r.Prop(path[:i]...); isDeployTime(n) {
			p.Subnets = n
			return p
		}
	}
	if n := r.Prop(path...); n.Has() && (n.Len() > 0 || n.Kind != value.List) {
		p.Subnets = n
		return p
	}
	p.Missing = p.From + " is not set"
	return p
}

// zoneSpread is how many availability zones a subnet list covers, as far
// as the inventory and settings tell.
type zoneSpread struct {
	// Subnets are the distinct subnets named, as messages show them.
	Subnets []string
	// Zones are the distinct zones known.
	Zones []string
	// NoZone lists subnets whose zone is not known.
	NoZone []string
	// UnseenItems counts list entries that could not be read; ListUnseen
	// says why the whole list could not be read.
	UnseenItems int
	Unseen      []string
	ListUnseen  string
}

// spreadOf reads a subnet list. A subnet's zone comes from an
// AWS::EC2::Subnet resource in the inventory (AvailabilityZone,
// {Fn::Select: [i, {Fn::GetAZs: …}]}, or AvailabilityZoneId), or from
// custom.safeguard.subnets.
func spreadOf(inv *inventory.Inventory, s policy.Settings, list *value.Node) zoneSpread {
	var z zoneSpread
	if isDeployTime(list) {
		z.ListUnseen = describeUnseen(list)
		return z
	}
	seen := map[string]bool{}
	zones := map[string]bool{}
	for _, it := range list.List() {
		key, label, ok := subnetKey(inv, it)
		if !ok {
			z.UnseenItems++
			z.Unseen = append(z.Unseen, describeUnseen(it))
			continue
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		z.Subnets = append(z.Subnets, label)
		if zone, ok := subnetZone(inv, s, it); ok {
			zones[zone] = true
		} else {
			z.NoZone = append(z.NoZone, label)
		}
	}
	for zone := range zones {
		z.Zones = append(z.Zones, zone)
	}
	sort.Strings(z.Zones)
	return z
}

// Verdict compares the spread with the zones required: ok when enough
// zones are known; certain when even the unknowns could not make up the
// difference (a failure no declaration can fix).
func (z zoneSpread) Verdict(min int) (ok, certain bool) {
	if z.ListUnseen != "" {
		return false, false
	}
	if len(z.Zones) >= min {
		return true, true
	}
	most := len(z.Zones) + len(z.NoZone) + z.UnseenItems
	return false, most < min
}

// Describe says what the spread is, for messages; askZones adds how to
// declare the zones not known (useless when the verdict is certain).
func (z zoneSpread) Describe(from string, askZones bool) string {
	if z.ListUnseen != "" {
		return fmt.Sprintf("cannot see %s: it is %s", from, z.ListUnseen)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s names %d subnet", from, len(z.Subnets))
	if len(z.Subnets) != 1 {
		b.WriteString("s")
	}
	if len(z.Subnets) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(z.Subnets, ", "))
	}
	if len(z.Zones) > 0 {
		fmt.Fprintf(&b, " in %d known zone", len(z.Zones))
		if len(z.Zones) != 1 {
			b.WriteString("s")
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(z.Zones, ", "))
	}
	switch {
	case len(z.NoZone) == 1 && askZones:
		fmt.Fprintf(&b, "; the zone of %s is unknown: declare it in custom.safeguard.subnets: {%s: eu-west-2a}", z.NoZone[0], z.NoZone[0])
	case len(z.NoZone) > 1 && askZones:
		fmt.Fprintf(&b, "; the zones of %s are unknown: declare them in custom.safeguard.subnets: {%s: eu-west-2a, …}", strings.Join(z.NoZone, ", "), z.NoZone[0])
	case len(z.NoZone) > 0 && len(z.Zones) == 0:
		b.WriteString(", zones unknown")
	case len(z.NoZone) > 0:
		fmt.Fprintf(&b, " and %d of unknown zone", len(z.NoZone))
	}
	if len(z.Unseen) > 0 {
		fmt.Fprintf(&b, "; cannot see %s", strings.Join(z.Unseen, ", "))
	}
	return b.String()
}

// subnetKey identifies a subnet list entry: the subnet resource it names
// (a Ref in a template, an id a collector wrote), or the subnet id text.
func subnetKey(inv *inventory.Inventory, n *value.Node) (key, label string, ok bool) {
	if n.IsUnknown() {
		return "", "", false
	}
	if r := inv.Resolve(n); r != nil {
		return "resource:" + r.ID, r.DisplayName(), true
	}
	if id, isRef := n.RefTarget(); isRef {
		return "ref:" + id, id, true
	}
	if s, isText := n.Text(); isText && strings.TrimSpace(s) != "" {
		return "id:" + s, s, true
	}
	return "", "", false
}

// subnetZone returns the availability zone of a subnet list entry.
func subnetZone(inv *inventory.Inventory, s policy.Settings, n *value.Node) (string, bool) {
	if r := inv.Resolve(n); r != nil && r.Type == "AWS::EC2::Subnet" {
		if z, ok := zoneText(r.Prop("AvailabilityZone")); ok {
			return z, true
		}
		if z, ok := r.Prop("AvailabilityZoneId").Text(); ok && z != "" {
			return z, true
		}
		if s.SubnetZones != nil {
			for _, name := range r.Names() {
				if z, ok := s.SubnetZones[name]; ok {
					return z, true
				}
			}
		}
		return "", false
	}
	if id, ok := n.Text(); ok {
		z, found := s.SubnetZones[id]
		return z, found && z != ""
	}
	return "", false
}

// zoneText reads a subnet's AvailabilityZone: a name, or the i-th zone of
// the region ({Fn::Select: [i, {Fn::GetAZs: ""}]}), which is distinct for
// distinct i.
func zoneText(n *value.Node) (string, bool) {
	if s, ok := n.Text(); ok && s != "" {
		return s, true
	}
	name, arg, ok := n.Intrinsic()
	if !ok || name != "Fn::Select" || arg.Len() != 2 {
		return "", false
	}
	i, okIdx := arg.Get("0").AsInt()
	azsFn, _, okAZs := arg.Get("1").Intrinsic()
	if !okIdx || !okAZs || azsFn != "Fn::GetAZs" {
		return "", false
	}
	return fmt.Sprintf("zone #%d of the region", i), true
}

// subnetVPC returns the VPC of a subnet resource in the inventory.
func subnetVPC(inv *inventory.Inventory, n *value.Node) (string, bool) {
	r := inv.Resolve(n)
	if r == nil || r.Type != "AWS::EC2::Subnet" {
		return "", false
	}
	v := r.Prop("VpcId")
	if isDeployTime(v) || !v.Has() {
		return "", false
	}
	if vpc := inv.Resolve(v); vpc != nil {
		return "resource:" + vpc.ID, true
	}
	return describeRef(v), true
}
