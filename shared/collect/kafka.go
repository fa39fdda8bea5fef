package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/kafka"

	"prodready/shared/inventory"
)

// MSK clusters: provisioned as AWS::MSK::Cluster {BrokerNodeGroupInfo
// {ClientSubnets}, EncryptionInfo}, serverless as AWS::MSK::ServerlessCluster
// {VpcConfigs [{SubnetIds}]} (always encrypted at rest by AWS).
var kafkaService = Service{
	Name:    "kafka",
	Types:   []string{"AWS::MSK::Cluster", "AWS::MSK::ServerlessCluster"},
	Actions: []string{"kafka:ListClustersV2"},
	has:     func(c Clients) bool { return c.Kafka != nil },
	collect: func(ctx context.Context, s *svc) error {
		p := kafka.NewListClustersV2Paginator(s.clients.Kafka, &kafka.ListClustersV2Input{MaxResults: new(int32(100))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("kafka:ListClustersV2", "", err)
			}
			for _, c := range out.ClusterInfoList {
				arn := str(c.ClusterArn)
				cp := props{}.set("ClusterName", c.ClusterName).set("Tags", stringMap(c.Tags))
				typ := "AWS::MSK::Cluster"
				if pv := c.Provisioned; pv != nil {
					cp.set("NumberOfBrokerNodes", pv.NumberOfBrokerNodes)
					if b := pv.BrokerNodeGroupInfo; b != nil {
						cp.set("BrokerNodeGroupInfo", props{}.set("ClientSubnets", b.ClientSubnets).set("InstanceType", b.InstanceType).
							set("SecurityGroups", b.SecurityGroups))
					}
					if e := pv.EncryptionInfo; e != nil {
						ei := props{}
						if r := e.EncryptionAtRest; r != nil {
							ei.set("EncryptionAtRest", props{}.set("DataVolumeKMSKeyId", r.DataVolumeKMSKeyId))
						}
						if t := e.EncryptionInTransit; t != nil {
							ei.set("EncryptionInTransit", props{}.set("ClientBroker", string(t.ClientBroker)).set("InCluster", t.InCluster))
						}
						cp.set("EncryptionInfo", ei)
					}
				}
				if sv := c.Serverless; sv != nil {
					typ = "AWS::MSK::ServerlessCluster"
					var vcs []any
					for _, v := range sv.VpcConfigs {
						vcs = append(vcs, map[string]any(props{}.set("SubnetIds", v.SubnetIds).set("SecurityGroups", v.SecurityGroupIds)))
					}
					cp.set("VpcConfigs", vcs)
				}
				s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(c.ClusterName), Type: typ, Props: cp.node(),
					Attrs: map[string]string{"State": string(c.State)}}, c.Tags)
			}
		}
		return nil
	},
}
