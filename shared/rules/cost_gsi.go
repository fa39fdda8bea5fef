package rules

import (
	"strings"
)

// maxGSIs is the standard's limit of global secondary indexes per table.
const maxGSIs = 2

// DynamoDBGSILimit enforces Cost 2: at most two GSIs per table.
var DynamoDBGSILimit = &Rule{
	ID:     "dynamodb-gsi-limit",
	Pillar: Cost,
	Point:  "Cost optimisation 2",
	Title:  "DynamoDB tables have at most 2 global secondary indexes",
	Checklist: "DynamoDB tables do not have more than 2 GSIs. If retrieval requirements are not satisfied with up to two " +
		"GSIs, then alternative methods of retrieving a record should be pursued, such as implementing a Search endpoint " +
		"that utilises AWS OpenSearch.",
	Rationale: "Each GSI is effectively a copy of the table with another key: it is paid for in storage and in write " +
		"capacity on every write to the table. Past two, a search index usually serves the access patterns for less.",
	Remediation: "Drop the indexes beyond two (keep the ones your queries need most) and serve the other lookups from a " +
		"search endpoint backed by OpenSearch, or record an exemption with the evaluation that justified more.",
	Example: `resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
      Properties:
        BillingMode: PAY_PER_REQUEST
        GlobalSecondaryIndexes:
          - IndexName: byCustomer
            KeySchema:
              - AttributeName: customerId
                KeyType: HASH
            Projection:
              ProjectionType: ALL`,
	Check: checkGSILimit,
}

func checkGSILimit(c *Context) {
	for _, t := range c.Inv.OfType("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable") {
		if t.External {
			continue
		}
		gsis := t.Prop("GlobalSecondaryIndexes")
		at := t.PosOf("GlobalSecondaryIndexes")
		if isDeployTime(gsis) {
			c.Fail(t, at, "cannot count the GSIs of DynamoDB table %s: GlobalSecondaryIndexes is %s", t.DisplayName(), describeUnseen(gsis))
			continue
		}
		var names []string
		for _, g := range gsis.List() {
			names = append(names, describeRef(g.Get("IndexName")))
		}
		switch n := len(names); {
		case n > maxGSIs:
			c.Fail(t, at, "DynamoDB table %s has %d global secondary indexes (%s); the standard allows %d", t.DisplayName(), n, strings.Join(names, ", "), maxGSIs)
		case n == 0:
			c.Pass(t, "DynamoDB table %s has no global secondary index", t.DisplayName())
		default:
			c.Pass(t, "DynamoDB table %s has %d global secondary index(es) (%s)", t.DisplayName(), n, strings.Join(names, ", "))
		}
	}
}
