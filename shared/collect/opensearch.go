package collect

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	"github.com/aws/aws-sdk-go-v2/service/opensearch/types"

	"prodready/shared/inventory"
)

// OpenSearch domains (the OpenSearch API also describes Elasticsearch
// domains; both are AWS::OpenSearchService::Domain here, with EngineVersion
// saying which) with VPCOptions, EncryptionAtRestOptions and ClusterConfig
// (ZoneAwarenessConfig). Tags come per domain: the tagging API does not
// cover them everywhere. The zones of a VPC domain's subnets are in
// Attrs["AvailabilityZones"].
var openSearchService = Service{
	Name:    "opensearch",
	Types:   []string{"AWS::OpenSearchService::Domain"},
	Actions: []string{"es:ListDomainNames", "es:DescribeDomains", "es:ListTags"},
	has:     func(c Clients) bool { return c.OpenSearch != nil },
	collect: func(ctx context.Context, s *svc) error {
		c := s.clients.OpenSearch
		out, err := c.ListDomainNames(ctx, &opensearch.ListDomainNamesInput{})
		if err != nil {
			return wrap("es:ListDomainNames", "", err)
		}
		var batches [][]string
		for i, d := range out.DomainNames {
			if i%5 == 0 { // DescribeDomains takes at most 5 names
				batches = append(batches, nil)
			}
			batches[len(batches)-1] = append(batches[len(batches)-1], str(d.DomainName))
		}
		return detail(ctx, s, batches, func(b []string) string { return strings.Join(b, ",") }, func(ctx context.Context, names []string) error {
			d, err := c.DescribeDomains(ctx, &opensearch.DescribeDomainsInput{DomainNames: names})
			if err != nil {
				return wrap("es:DescribeDomains", strings.Join(names, ","), err)
			}
			for _, st := range d.DomainStatusList {
				tags, err := c.ListTags(ctx, &opensearch.ListTagsInput{ARN: st.ARN})
				if err != nil {
					s.failure(str(st.DomainName), wrap("es:ListTags", str(st.DomainName), err))
					continue
				}
				m := map[string]string{}
				for _, t := range tags.TagList {
					m[str(t.Key)] = str(t.Value)
				}
				addDomain(s, st, m)
			}
			return nil
		})
	},
}

func addDomain(s *svc, d types.DomainStatus, tags map[string]string) {
	arn := str(d.ARN)
	dp := props{}.set("DomainName", d.DomainName).set("EngineVersion", d.EngineVersion).set("Tags", tagList(tags))
	attrs := map[string]string{}
	if v := d.VPCOptions; v != nil && len(v.SubnetIds) > 0 {
		dp.set("VPCOptions", props{}.set("SubnetIds", v.SubnetIds).set("SecurityGroupIds", v.SecurityGroupIds))
		az := append([]string(nil), v.AvailabilityZones...)
		sort.Strings(az)
		attrs["AvailabilityZones"] = strings.Join(az, ",")
	}
	if e := d.EncryptionAtRestOptions; e != nil {
		dp.set("EncryptionAtRestOptions", props{}.set("Enabled", e.Enabled).set("KmsKeyId", e.KmsKeyId))
	}
	if n := d.NodeToNodeEncryptionOptions; n != nil {
		dp.set("NodeToNodeEncryptionOptions", props{}.set("Enabled", n.Enabled))
	}
	if c := d.ClusterConfig; c != nil {
		cc := props{}.set("InstanceType", string(c.InstanceType)).set("InstanceCount", c.InstanceCount).
			set("ZoneAwarenessEnabled", c.ZoneAwarenessEnabled).set("MultiAZWithStandbyEnabled", c.MultiAZWithStandbyEnabled).
			set("DedicatedMasterEnabled", c.DedicatedMasterEnabled)
		if z := c.ZoneAwarenessConfig; z != nil {
			cc.set("ZoneAwarenessConfig", props{}.set("AvailabilityZoneCount", z.AvailabilityZoneCount))
		}
		dp.set("ClusterConfig", cc)
	}
	if ap := str(d.AccessPolicies); ap != "" {
		if v, err := jsonDoc(ap); err == nil {
			dp.set("AccessPolicies", v)
		}
	}
	s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(d.DomainName), Type: "AWS::OpenSearchService::Domain", Props: dp.node(), Attrs: attrs}, tags)
}
