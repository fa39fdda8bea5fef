package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"prodready/shared/inventory"
)

// Subnets carry the availability zones the multi-az rule counts. Name is
// the subnet id, so VpcConfig.SubnetIds and DB subnet groups resolve to them.
var ec2Service = Service{
	Name:    "ec2",
	Types:   []string{"AWS::EC2::Subnet"},
	Actions: []string{"ec2:DescribeSubnets"},
	has:     func(c Clients) bool { return c.EC2 != nil },
	collect: func(ctx context.Context, s *svc) error {
		p := ec2.NewDescribeSubnetsPaginator(s.clients.EC2, &ec2.DescribeSubnetsInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("ec2:DescribeSubnets", "", err)
			}
			for _, sn := range out.Subnets {
				tags := map[string]string{}
				for _, t := range sn.Tags {
					tags[str(t.Key)] = str(t.Value)
				}
				arn := str(sn.SubnetArn)
				if arn == "" {
					arn = arnf("ec2", s.o.Region, s.o.Account, "subnet/%s", str(sn.SubnetId))
				}
				s.add(&inventory.Resource{
					ID: arn, ARN: arn, Name: str(sn.SubnetId), Type: "AWS::EC2::Subnet",
					Props: props{}.set("AvailabilityZone", sn.AvailabilityZone).set("VpcId", sn.VpcId).
						set("CidrBlock", sn.CidrBlock).set("MapPublicIpOnLaunch", sn.MapPublicIpOnLaunch).
						set("Tags", tagList(tags)).node(),
				}, tags)
			}
		}
		return nil
	},
}
