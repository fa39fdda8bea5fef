package rules

import (
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// TestDashboardLiveStacks checks an account-wide audit: each stack with
// functions or APIs needs a dashboard that it created or that mentions it
// or its resources.
func TestDashboardLiveStacks(t *testing.T) {
	inv := inventory.New(inventory.FromLive)
	add := func(id, typ, name, stack string, props *value.Node) {
		if props == nil {
			props = value.NewMap(value.Pos{})
		}
		inv.Add(&inventory.Resource{ID: id, Type: typ, Name: name, Stack: stack, Origin: inventory.FromLive, Props: props})
	}
	body := func(s string) *value.Node {
		return value.NewMap(value.Pos{}).Set("DashboardBody", value.NewString(s, value.Pos{}))
	}
	add("fn-orders", "AWS::Lambda::Function", "orders-production-api", "orders-production", nil)
	add("fn-person", "AWS::Lambda::Function", "person-api-production", "person-api-production", nil)
	add("q-person", "AWS::SQS::Queue", "person-listener-queue", "person-api-production", nil)
	add("fn-tenure", "AWS::Lambda::Function", "tenure-production", "tenure-production", nil)
	add("fn-loose", "AWS::Lambda::Function", "hand-made", "", nil)
	add("d-orders", "AWS::CloudWatch::Dashboard", "orders-production", "", nil)
	add("d-person", "AWS::CloudWatch::Dashboard", "housing-listeners", "", body(`{"widgets":[{"properties":{"metrics":[["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","person-listener-queue"]]}}]}`))
	add("d-api", "AWS::CloudWatch::Dashboard", "api", "", body(`{"widgets":[]}`))
	res := runMonitoringRule(t, Dashboard, inv)
	want := map[string]bool{"orders-production": true, "person-api-production": true, "tenure-production": false}
	if len(res) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(res), len(want), res)
	}
	for _, r := range res {
		pass, ok := want[r.Resource]
		if !ok || r.Pass != pass {
			t.Errorf("%s: pass %v (%s); want %v", r.Resource, r.Pass, r.Message, pass)
		}
		if r.Type != "AWS::CloudFormation::Stack" {
			t.Errorf("%s: type %s", r.Resource, r.Type)
		}
	}
}
