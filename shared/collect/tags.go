package collect

import (
	"context"

	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
)

// taggedTypes are the services whose list calls return no tags: their tags
// come from the Resource Groups Tagging API in pages of 100 rather than one
// ListTags call per resource. (API Gateway, RDS, Redshift, MSK, Synthetics
// and EC2 return tags with their list calls; OpenSearch is asked per domain.)
var taggedTypes = []string{"lambda", "s3", "dynamodb", "sqs", "sns", "logs", "cloudwatch"}

var taggingService = Service{
	Name: "tagging",
	Types: []string{"AWS::Lambda::Function", "AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SNS::Topic",
		"AWS::Logs::LogGroup", "AWS::CloudWatch::Alarm"},
	Actions: []string{"tag:GetResources"},
	has:     func(c Clients) bool { return c.Tagging != nil },
	collect: func(ctx context.Context, s *svc) error {
		p := rgt.NewGetResourcesPaginator(s.clients.Tagging, &rgt.GetResourcesInput{ResourceTypeFilters: taggedTypes, ResourcesPerPage: new(int32(100))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("tag:GetResources", "", err)
			}
			for _, m := range out.ResourceTagMappingList {
				if m.ResourceARN == nil {
					continue
				}
				tags := make(map[string]string, len(m.Tags))
				for _, t := range m.Tags {
					tags[str(t.Key)] = str(t.Value)
				}
				s.tags[*m.ResourceARN] = tags
			}
		}
		return nil
	},
}
