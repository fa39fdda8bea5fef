package rules

import (
	"fmt"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// DynamoDBPITR enforces Back ups 1: point-in-time recovery on every table.
var DynamoDBPITR = &Rule{
	ID:     "dynamodb-pitr",
	Pillar: Backups,
	Point:  "Back ups 1",
	Title:  "DynamoDB point-in-time recovery is enabled",
	Checklist: "DynamoDB PITR is enabled. All production services that store data in DynamoDB must have PITR enabled to " +
		"ensure that even if data gets accidentally deleted or the table becomes corrupted, the data can be restored.",
	Rationale: "Point-in-time recovery keeps 35 days of continuous backups: a table deleted, overwritten by a bad release " +
		"or corrupted can be restored to any second in that window. Without it, only the nightly central backup is left.",
	Remediation: "Add PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true} to the table (for a global " +
		"table, to every replica). It can be turned on in place, without downtime.",
	Example: `resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
      Properties:
        BillingMode: PAY_PER_REQUEST
        PointInTimeRecoverySpecification:
          PointInTimeRecoveryEnabled: true`,
	Check: checkDynamoDBPITR,
}

func checkDynamoDBPITR(c *Context) {
	for _, t := range c.Inv.OfType("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable") {
		if t.External {
			continue
		}
		if t.Type == "AWS::DynamoDB::Table" {
			if s := pitrShortfall(t, "", t.Prop("PointInTimeRecoverySpecification"), []string{"PointInTimeRecoverySpecification"}); s != nil {
				failShortfalls(c, t, "DynamoDB table "+t.DisplayName()+" has no point-in-time recovery", []shortfall{*s})
				continue
			}
			c.Pass(t, "DynamoDB table %s has point-in-time recovery", t.DisplayName())
			continue
		}
		checkGlobalTablePITR(c, t)
	}
}

func checkGlobalTablePITR(c *Context, t *inventory.Resource) {
	replicas := t.Prop("Replicas")
	if isDeployTime(replicas) {
		c.Fail(t, t.PosOf("Replicas"), "cannot see the replicas of DynamoDB global table %s: Replicas is %s", t.DisplayName(), describeUnseen(replicas))
		return
	}
	var ps []shortfall
	for i, rep := range replicas.List() {
		path := []string{"Replicas", fmt.Sprint(i), "PointInTimeRecoverySpecification"}
		region := rep.Get("Region").String()
		if s := pitrShortfall(t, "replica "+region+": ", rep.Get("PointInTimeRecoverySpecification"), path); s != nil {
			ps = append(ps, *s)
		}
	}
	if len(ps) > 0 {
		failShortfalls(c, t, "DynamoDB global table "+t.DisplayName()+" has replicas without point-in-time recovery", ps)
		return
	}
	c.Pass(t, "every replica of DynamoDB global table %s has point-in-time recovery", t.DisplayName())
}

// pitrShortfall judges one PointInTimeRecoverySpecification block.
func pitrShortfall(t *inventory.Resource, prefix string, spec *value.Node, path []string) *shortfall {
	on := spec.Get("PointInTimeRecoveryEnabled")
	at := t.PosOf(append(path, "PointInTimeRecoveryEnabled")...)
	switch readBool(on) {
	case boolTrue:
		return nil
	case boolUnseen:
		return &shortfall{at, prefix + "cannot see PointInTimeRecoveryEnabled: it is " + describeUnseen(on)}
	case boolFalse:
		return &shortfall{at, prefix + "PointInTimeRecoveryEnabled is false; set it to true"}
	}
	return &shortfall{at, prefix + "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled is not set (it defaults to off); set it to true"}
}
