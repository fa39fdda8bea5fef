package inventory

import (
	"testing"

	"prodready/shared/value"
)

func node(t *testing.T, src string) *value.Node {
	t.Helper()
	n, err := value.ParseYAML("t.yml", []byte(src), value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testInventory() *Inventory {
	inv := New(FromTemplate)
	inv.Add(&Resource{ID: "OrdersQueue", Type: "AWS::SQS::Queue", Name: "orders-prod"})
	inv.Add(&Resource{ID: "OrdersDLQ", Type: "AWS::SQS::Queue", Name: "orders-prod-dlq", ARN: "arn:aws:sqs:eu-west-2:1:orders-prod-dlq"})
	inv.Add(&Resource{ID: "Table", Type: "AWS::DynamoDB::Table", Name: "orders"})
	return inv
}

func TestResolve(t *testing.T) {
	inv := testInventory()
	tests := []struct {
		name, src, want string
	}{
		{"ref", "v: !Ref OrdersQueue", "OrdersQueue"},
		{"getatt list", "v: !GetAtt OrdersDLQ.Arn", "OrdersDLQ"},
		{"getatt string", "v: {Fn::GetAtt: OrdersDLQ.Arn}", "OrdersDLQ"},
		{"physical name", "v: orders-prod", "OrdersQueue"},
		{"arn", "v: arn:aws:sqs:eu-west-2:1:orders-prod-dlq", "OrdersDLQ"},
		{"arn of a name", "v: arn:aws:sqs:eu-west-2:999:orders-prod", "OrdersQueue"},
		{"sub with one resource", "v: !Sub 'arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${OrdersQueue.QueueName}'", "OrdersQueue"},
		{"join with one resource", "v: !Join [':', [arn, !Ref AWS::Region, !GetAtt OrdersDLQ.QueueName]]", "OrdersDLQ"},
		{"sub with two resources", "v: !Sub '${OrdersQueue}-${OrdersDLQ}'", ""},
		{"unknown", "v: somewhere-else", ""},
		{"ref to missing", "v: !Ref Nope", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := inv.Resolve(node(t, tc.src).Get("v"))
			id := ""
			if got != nil {
				id = got.ID
			}
			if id != tc.want {
				t.Errorf("Resolve = %q, want %q", id, tc.want)
			}
		})
	}
}

func TestRefersTo(t *testing.T) {
	inv := testInventory()
	q := inv.ByID("OrdersQueue")
	for src, want := range map[string]bool{
		"v: {a: [1, {b: !Ref OrdersQueue}]}":                true,
		"v: !Sub 'https://${OrdersQueue.QueueName}/x'":      true,
		"v: 'queue is orders-prod here'":                    true,
		"v: {a: !Ref OrdersDLQ, b: !Sub '${!OrdersQueue}'}": false,
		"v: 42": false,
	} {
		if got := RefersTo(node(t, src).Get("v"), q); got != want {
			t.Errorf("RefersTo(%s) = %v, want %v", src, got, want)
		}
	}
}

func TestTagsFromProperty(t *testing.T) {
	list := TagsFromProperty(node(t, "v: [{Key: BackupPolicy, Value: Prod}, {Key: Team}]").Get("v"))
	if list["BackupPolicy"].String() != "Prod" || list["Team"] == nil || list["Team"].String() != "" {
		t.Errorf("list tags = %v", list)
	}
	m := TagsFromProperty(node(t, "v: {BackupPolicy: Prod}").Get("v"))
	if m["BackupPolicy"].String() != "Prod" {
		t.Errorf("map tags = %v", m)
	}
	if len(TagsFromProperty(nil)) != 0 {
		t.Error("nil tags not empty")
	}
}

func TestTypeIndexFollowsChanges(t *testing.T) {
	inv := testInventory()
	if n := len(inv.OfType("AWS::SQS::Queue")); n != 2 {
		t.Fatalf("%d queues", n)
	}
	inv.Add(&Resource{ID: "More", Type: "AWS::SQS::Queue"})
	inv.Remove("OrdersQueue")
	got := inv.OfType("AWS::SQS::Queue", "AWS::DynamoDB::Table")
	if len(got) != 3 || got[0].ID != "OrdersDLQ" || got[1].ID != "Table" || got[2].ID != "More" {
		t.Errorf("OfType after changes = %v", ids(got))
	}
	inv.Add(&Resource{ID: "Table", Type: "AWS::S3::Bucket"}) // replaced in place
	if len(inv.OfType("AWS::DynamoDB::Table")) != 0 || len(inv.OfType("AWS::S3::Bucket")) != 1 || inv.Len() != 3 {
		t.Errorf("replacing a resource: tables %d, buckets %d, len %d", len(inv.OfType("AWS::DynamoDB::Table")), len(inv.OfType("AWS::S3::Bucket")), inv.Len())
	}
}

func ids(rs []*Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestPosOf(t *testing.T) {
	props := node(t, "TracingConfig:\n  Mode: PassThrough\nOther: 1\n")
	r := &Resource{ID: "Fn", Props: props, Pos: value.Pos{File: "t.yml", Line: 40}}
	if p := r.PosOf("TracingConfig", "Mode"); p.Line != 2 {
		t.Errorf("PosOf(TracingConfig.Mode) = %v", p)
	}
	if p := r.PosOf("TracingConfig", "Missing"); p.Line != 1 {
		t.Errorf("PosOf falls back to the nearest present ancestor: %v", p)
	}
	if p := r.PosOf("Absent"); p.Line != 40 {
		t.Errorf("PosOf falls back to the resource: %v", p)
	}
}
