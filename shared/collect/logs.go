package collect

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"prodready/shared/inventory"
)

// Log groups with their retention (absent: never expire).
var logsService = Service{
	Name:    "logs",
	Types:   []string{"AWS::Logs::LogGroup"},
	Actions: []string{"logs:DescribeLogGroups"},
	has:     func(c Clients) bool { return c.Logs != nil },
	collect: func(ctx context.Context, s *svc) error {
		p := cloudwatchlogs.NewDescribeLogGroupsPaginator(s.clients.Logs, &cloudwatchlogs.DescribeLogGroupsInput{Limit: new(int32(50))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("logs:DescribeLogGroups", "", err)
			}
			for _, g := range out.LogGroups {
				arn := str(g.LogGroupArn)
				if arn == "" {
					arn = strings.TrimSuffix(str(g.Arn), ":*")
				}
				if arn == "" {
					arn = arnf("logs", s.o.Region, s.o.Account, "log-group:%s", str(g.LogGroupName))
				}
				s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(g.LogGroupName), Type: "AWS::Logs::LogGroup",
					Props: props{}.set("LogGroupName", g.LogGroupName).set("RetentionInDays", g.RetentionInDays).
						set("KmsKeyId", g.KmsKeyId).set("LogGroupClass", string(g.LogGroupClass)).node()}, nil)
			}
		}
		return nil
	},
}
