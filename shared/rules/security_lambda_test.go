package rules

import (
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

func TestMentionsDatabase(t *testing.T) {
	db := &inventory.Resource{ID: "OrdersDatabase", Type: "AWS::RDS::DBInstance", Name: "orders", ARN: "arn:aws:rds:eu-west-2:153306643385:db:orders"}
	p := value.Pos{}
	str := func(s string) *value.Node { return value.NewString(s, p) }
	tests := []struct {
		name string
		n    *value.Node
		want bool
	}{
		{"Ref", value.NewMap(p).Set("Ref", str("OrdersDatabase")), true},
		{"GetAtt endpoint", value.NewMap(p).Set("Fn::GetAtt", value.NewList(p, str("OrdersDatabase"), str("Endpoint.Address"))), true},
		{"Sub", value.NewMap(p).Set("Fn::Sub", str("Host=${OrdersDatabase.Endpoint.Address};Port=5432")), true},
		{"endpoint host name", str("Host=orders.c9akciq32.eu-west-2.rds.amazonaws.com;Database=orders_db"), true},
		{"ARN", str("arn:aws:rds:eu-west-2:153306643385:db:orders"), true},
		{"table named after the service", str("orders-production"), false},
		{"queue URL", str("https://sqs.eu-west-2.amazonaws.com/153306643385/orders_events"), false},
		{"unrelated", str("notes"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := value.NewMap(p).Set("Variables", value.NewMap(p).Set("X", tc.n))
			if got := mentionsDatabase(env, db); got != tc.want {
				t.Errorf("mentionsDatabase = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestContainsWord(t *testing.T) {
	tests := []struct {
		s, word string
		want    bool
	}{
		{"orders", "orders", true},
		{"orders.abc.rds.amazonaws.com", "orders", true},
		{"Host=orders;", "orders", true},
		{"orders-production", "orders", false},
		{"myorders", "orders", false},
		{"orders_x orders", "orders", true},
		{"", "orders", false},
	}
	for _, tc := range tests {
		if got := containsWord(tc.s, tc.word); got != tc.want {
			t.Errorf("containsWord(%q, %q) = %v, want %v", tc.s, tc.word, got, tc.want)
		}
	}
}
