package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"prodready/shared/inventory"
)

// DynamoDB tables: point-in-time recovery, encryption, GSIs, stream, tags.
// SSESpecification follows CloudFormation: SSEEnabled true means a KMS key
// (AWS managed or customer managed); false is DynamoDB's own key, which
// still encrypts at rest.
var dynamoDBService = Service{
	Name:    "dynamodb",
	Types:   []string{"AWS::DynamoDB::Table"},
	Actions: []string{"dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups"},
	has:     func(c Clients) bool { return c.DynamoDB != nil },
	collect: func(ctx context.Context, s *svc) error {
		var names []string
		p := dynamodb.NewListTablesPaginator(s.clients.DynamoDB, &dynamodb.ListTablesInput{Limit: new(int32(100))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("dynamodb:ListTables", "", err)
			}
			names = append(names, out.TableNames...)
		}
		return detail(ctx, s, names, func(n string) string { return n }, func(ctx context.Context, name string) error {
			return collectTable(ctx, s, name)
		})
	},
}

func collectTable(ctx context.Context, s *svc, name string) error {
	c := s.clients.DynamoDB
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		return wrap("dynamodb:DescribeTable", name, err)
	}
	b, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: &name})
	if err != nil {
		return wrap("dynamodb:DescribeContinuousBackups", name, err)
	}
	t := d.Table
	arn := str(t.TableArn)
	pitr := false
	if cb := b.ContinuousBackupsDescription; cb != nil && cb.PointInTimeRecoveryDescription != nil {
		pitr = cb.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus == "ENABLED"
	}
	tp := props{}.set("TableName", name).set("PointInTimeRecoverySpecification", props{}.set("PointInTimeRecoveryEnabled", pitr)).
		set("DeletionProtectionEnabled", t.DeletionProtectionEnabled)
	sse := props{}.set("SSEEnabled", false)
	if e := t.SSEDescription; e != nil && (e.Status == "ENABLED" || e.Status == "UPDATING") {
		sse.set("SSEEnabled", true).set("SSEType", string(e.SSEType)).set("KMSMasterKeyId", e.KMSMasterKeyArn)
	}
	tp.set("SSESpecification", sse)
	if t.BillingModeSummary != nil {
		tp.set("BillingMode", string(t.BillingModeSummary.BillingMode))
	}
	var gsis []any
	for _, g := range t.GlobalSecondaryIndexes {
		gsis = append(gsis, map[string]any{"IndexName": str(g.IndexName)})
	}
	tp.set("GlobalSecondaryIndexes", gsis)
	if st := t.StreamSpecification; st != nil && st.StreamEnabled != nil && *st.StreamEnabled {
		tp.set("StreamSpecification", props{}.set("StreamViewType", string(st.StreamViewType)))
	}
	tags := s.tags[arn]
	tp.set("Tags", tagList(tags))
	attrs := map[string]string{}
	if a := str(t.LatestStreamArn); a != "" {
		attrs["StreamArn"] = a
	}
	s.add(&inventory.Resource{ID: arn, ARN: arn, Name: name, Type: "AWS::DynamoDB::Table", Props: tp.node(), Attrs: attrs}, tags)
	return nil
}
