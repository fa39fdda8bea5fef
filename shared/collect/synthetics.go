package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/synthetics"

	"prodready/shared/inventory"
)

// Synthetics canaries with their schedule (rate(5 minutes), cron(...)) and
// run configuration. The canary's state is in Attrs["State"]: a stopped
// canary monitors nothing.
var syntheticsService = Service{
	Name:    "synthetics",
	Types:   []string{"AWS::Synthetics::Canary"},
	Actions: []string{"synthetics:DescribeCanaries"},
	has:     func(c Clients) bool { return c.Synthetics != nil },
	collect: func(ctx context.Context, s *svc) error {
		p := synthetics.NewDescribeCanariesPaginator(s.clients.Synthetics, &synthetics.DescribeCanariesInput{MaxResults: new(int32(20))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("synthetics:DescribeCanaries", "", err)
			}
			for _, c := range out.Canaries {
				arn := arnf("synthetics", s.o.Region, s.o.Account, "canary:%s", str(c.Name))
				cp := props{}.set("Name", c.Name).set("RuntimeVersion", c.RuntimeVersion).set("ExecutionRoleArn", c.ExecutionRoleArn).
					set("ArtifactS3Location", c.ArtifactS3Location).set("Tags", tagList(c.Tags))
				if sc := c.Schedule; sc != nil {
					cp.set("Schedule", props{}.set("Expression", sc.Expression).set("DurationInSeconds", sc.DurationInSeconds))
				}
				if rc := c.RunConfig; rc != nil {
					cp.set("RunConfig", props{}.set("TimeoutInSeconds", rc.TimeoutInSeconds).set("MemoryInMB", rc.MemoryInMB).
						set("ActiveTracing", rc.ActiveTracing))
				}
				if code := c.Code; code != nil {
					cp.set("Code", props{}.set("Handler", code.Handler))
				}
				attrs := map[string]string{}
				if c.Status != nil {
					attrs["State"] = string(c.Status.State)
				}
				s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(c.Name), Type: "AWS::Synthetics::Canary", Props: cp.node(), Attrs: attrs}, c.Tags)
			}
		}
		return nil
	},
}
