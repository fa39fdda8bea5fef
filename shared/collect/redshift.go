package collect

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/redshift"
	"github.com/aws/aws-sdk-go-v2/service/redshift/types"

	"prodready/shared/inventory"
)

// Redshift clusters (ClusterSubnetGroupName written as the group's ARN, so
// it cannot resolve to a same-named cluster) (encryption, public access, subnet group) and their
// subnet groups (AWS::Redshift::ClusterSubnetGroup {SubnetIds}, zones in
// Attrs["AvailabilityZones"], also copied to the cluster).
var redshiftService = Service{
	Name:    "redshift",
	Types:   []string{"AWS::Redshift::Cluster", "AWS::Redshift::ClusterSubnetGroup"},
	Actions: []string{"redshift:DescribeClusters", "redshift:DescribeClusterSubnetGroups"},
	has:     func(c Clients) bool { return c.Redshift != nil },
	collect: func(ctx context.Context, s *svc) error {
		var clusters []types.Cluster
		p := redshift.NewDescribeClustersPaginator(s.clients.Redshift, &redshift.DescribeClustersInput{MaxRecords: new(int32(100))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("redshift:DescribeClusters", "", err)
			}
			clusters = append(clusters, out.Clusters...)
		}
		if len(clusters) == 0 {
			return nil // no subnet groups worth a call
		}
		zones := map[string]string{}
		gp := redshift.NewDescribeClusterSubnetGroupsPaginator(s.clients.Redshift, &redshift.DescribeClusterSubnetGroupsInput{MaxRecords: new(int32(100))})
		for gp.HasMorePages() {
			out, err := gp.NextPage(ctx)
			if err != nil {
				return wrap("redshift:DescribeClusterSubnetGroups", "", err)
			}
			for _, g := range out.ClusterSubnetGroups {
				var ids, az []string
				for _, sn := range g.Subnets {
					ids = append(ids, str(sn.SubnetIdentifier))
					if sn.SubnetAvailabilityZone != nil {
						az = append(az, str(sn.SubnetAvailabilityZone.Name))
					}
				}
				sort.Strings(az)
				name := str(g.ClusterSubnetGroupName)
				zones[name] = strings.Join(compact(az), ",")
				tags := map[string]string{}
				for _, t := range g.Tags {
					tags[str(t.Key)] = str(t.Value)
				}
				arn := arnf("redshift", s.o.Region, s.o.Account, "subnetgroup:%s", name)
				s.add(&inventory.Resource{ID: arn, ARN: arn, Name: name, Type: "AWS::Redshift::ClusterSubnetGroup",
					Props: props{}.set("SubnetIds", ids).set("Description", g.Description).node(),
					Attrs: map[string]string{"AvailabilityZones": zones[name]}}, tags)
			}
		}
		groupArn := func(name string) string {
			if name == "" {
				return ""
			}
			return arnf("redshift", s.o.Region, s.o.Account, "subnetgroup:%s", name)
		}
		for _, c := range clusters {
			tags := map[string]string{}
			for _, t := range c.Tags {
				tags[str(t.Key)] = str(t.Value)
			}
			arn := arnf("redshift", s.o.Region, s.o.Account, "cluster:%s", str(c.ClusterIdentifier))
			attrs := map[string]string{"AvailabilityZones": zones[str(c.ClusterSubnetGroupName)]}
			s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(c.ClusterIdentifier), Type: "AWS::Redshift::Cluster",
				Props: props{}.set("ClusterIdentifier", c.ClusterIdentifier).set("NodeType", c.NodeType).set("NumberOfNodes", c.NumberOfNodes).
					set("Encrypted", c.Encrypted).set("KmsKeyId", c.KmsKeyId).set("PubliclyAccessible", c.PubliclyAccessible).
					set("ClusterSubnetGroupName", groupArn(str(c.ClusterSubnetGroupName))).set("AvailabilityZone", c.AvailabilityZone).
					set("MultiAZ", c.MultiAZ != nil && strings.EqualFold(*c.MultiAZ, "enabled")).set("Tags", tagList(tags)).node(),
				Attrs: attrs}, tags)
		}
		return nil
	},
}
