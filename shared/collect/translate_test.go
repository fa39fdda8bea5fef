package collect

import (
	"context"
	"strings"
	"testing"

	"prodready/shared/audit/audittest"
	"prodready/shared/awsenv"
	"prodready/shared/motoserver"
)

func TestMethodSettingKey(t *testing.T) {
	tests := []struct{ key, path, verb string }{
		{"*/*", "/*", "*"},
		{"~1users~1{id}/GET", "/users/{id}", "GET"},
		{"orders/POST", "/orders", "POST"},
	}
	for _, tc := range tests {
		if p, v := methodSettingKey(tc.key); p != tc.path || v != tc.verb {
			t.Errorf("methodSettingKey(%q) = %q %q, want %q %q", tc.key, p, v, tc.path, tc.verb)
		}
	}
}

func TestParseStatements(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"sns","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"lambda:InvokeFunction",
	  "Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:sns:eu-west-2:1:t"}}},
	 {"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl",
	  "Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}},
	 {"Sid":"org","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::2:root","arn:aws:iam::3:root"]},"Action":["lambda:InvokeFunction"],
	  "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc","AWS:SourceAccount":"2"}}},
	 {"Sid":"deny","Effect":"Deny","Principal":"*","Action":"lambda:InvokeFunction"}]}`
	sts, err := parseStatements(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 3 {
		t.Fatalf("%d statements, want the 3 that allow", len(sts))
	}
	if s := sts[0]; s.principals[0] != "sns.amazonaws.com" || s.cond["aws:sourcearn"] != "arn:aws:sns:eu-west-2:1:t" {
		t.Errorf("sns statement = %+v", s)
	}
	if s := sts[1]; s.principals[0] != "*" || s.cond["lambda:functionurlauthtype"] != "NONE" || s.action != "lambda:InvokeFunctionUrl" {
		t.Errorf("url statement = %+v", s)
	}
	if s := sts[2]; len(s.principals) != 2 || s.cond["aws:principalorgid"] != "o-abc" || s.cond["aws:sourceaccount"] != "2" {
		t.Errorf("org statement = %+v", s)
	}
	if _, err := parseStatements("{not json"); err == nil {
		t.Error("a policy that does not parse must be an error, not no statements")
	}
}

func TestSplitQualifier(t *testing.T) {
	if fn, q := splitQualifier("arn:aws:lambda:eu-west-2:1:function:f:live"); fn != "arn:aws:lambda:eu-west-2:1:function:f" || q != "live" {
		t.Errorf("got %s %s", fn, q)
	}
	if fn, q := splitQualifier("arn:aws:lambda:eu-west-2:1:function:f"); fn != "arn:aws:lambda:eu-west-2:1:function:f" || q != "" {
		t.Errorf("got %s %s", fn, q)
	}
}

// TestCollectMotoShapes checks the translation of moto's answers into the
// inventory's vocabulary where a rule depends on the exact shape, and that
// the call-counting middleware counts each call once.
func TestCollectMotoShapes(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	cfg, err := awsenv.Load(ctx, awsenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := audittest.Seed(t, audittest.Client{Cfg: cfg, URL: srv.URL})
	calls := NewCalls()
	clients := NewClients(cfg)
	clients.CloudWatch, clients.Synthetics = nil, nil // not served by moto for this SDK
	res := Collect(WithCalls(ctx, calls), clients, Options{Account: audittest.Account, Region: "eu-west-2"})
	if len(res.Failures) > 0 {
		t.Fatalf("failures: %+v", res.Failures)
	}
	inv := res.Inventory

	api := inv.ByID("arn:aws:apigateway:eu-west-2::/restapis/" + s.GoodRestAPI)
	if api == nil || api.Name != "orders-rest-api" || api.Stack != audittest.GoodStack {
		t.Fatalf("rest api = %+v", api)
	}
	root := api.Prop("RootResourceId").String()
	for _, r := range inv.OfType("AWS::ApiGateway::Resource") {
		if r.ID == root || !r.Prop("ParentId").Has() {
			t.Errorf("root resource emitted: %+v", r)
		}
	}
	var methods int
	for _, m := range inv.OfType("AWS::ApiGateway::Method") {
		if !strings.Contains(m.ID, s.GoodRestAPI) {
			continue
		}
		methods++
		parent := inv.Resolve(m.Prop("ResourceId"))
		if parent == nil || parent.Prop("PathPart").String() != "orders" || parent.Prop("ParentId").String() != root {
			t.Errorf("GET /orders must resolve to resource orders under the root: %v", m.Props.Plain())
		}
		if m.Prop("AuthorizationType").String() != "CUSTOM" || !m.Prop("AuthorizerId").Has() || m.Prop("Integration", "Type").String() != "AWS_PROXY" {
			t.Errorf("method props = %v", m.Props.Plain())
		}
	}
	if methods != 1 {
		t.Errorf("%d methods on the good API, want 1", methods)
	}
	st := inv.ByID("arn:aws:apigateway:eu-west-2::/restapis/" + s.GoodRestAPI + "/stages/production")
	if st == nil || !st.Prop("TracingEnabled").IsTrue() || inv.Resolve(st.Prop("RestApiId")) != api {
		t.Errorf("stage = %+v", st)
	}

	fn := inv.ByID(s.GoodFuncARN)
	if fn == nil || fn.Prop("TracingConfig", "Mode").String() != "Active" || len(fn.Prop("VpcConfig", "SubnetIds").List()) != 3 {
		t.Fatalf("function = %+v", fn)
	}
	for _, sn := range fn.Prop("VpcConfig", "SubnetIds").List() {
		if r := inv.Resolve(sn); r == nil || r.Type != "AWS::EC2::Subnet" || !r.Prop("AvailabilityZone").Has() {
			t.Errorf("subnet %s does not resolve to a subnet with a zone", sn.String())
		}
	}
	var esm int
	for _, m := range inv.OfType("AWS::Lambda::EventSourceMapping") {
		if inv.Resolve(m.Prop("FunctionName")) == nil || inv.Resolve(m.Prop("EventSourceArn")) == nil {
			t.Errorf("mapping does not resolve: %v", m.Props.Plain())
		}
		esm++
	}
	if esm != 2 {
		t.Errorf("%d event source mappings, want 2", esm)
	}
	q := inv.ByID(s.GoodQueueARN)
	if q == nil || inv.Resolve(q.Prop("RedrivePolicy", "deadLetterTargetArn")) == nil || q.Tags["BackupPolicy"].String() != "Prod" || q.Stack != audittest.GoodStack {
		t.Errorf("queue = %+v", q)
	}
	table := inv.ByID(s.GoodTableARN)
	if table == nil || !table.Prop("PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled").IsTrue() || table.Prop("GlobalSecondaryIndexes").Len() != 2 {
		t.Errorf("table = %v", table.Props.Plain())
	}
	replica := inv.Lookup("orders-db-replica")
	if replica == nil || inv.Resolve(replica.Prop("SourceDBInstanceIdentifier")) != inv.Lookup("arn:aws:rds:eu-west-2:123456789012:db:orders-db") {
		t.Errorf("replica = %v", replica.Props.Plain())
	}

	// Every call is counted once; lists are paged, details are per resource.
	ops := map[string]int{}
	for _, o := range calls.ByOperation() {
		ops[o.Operation] = o.Calls
		if o.Attempts < o.Calls {
			t.Errorf("%s: %d attempts for %d calls", o.Operation, o.Attempts, o.Calls)
		}
	}
	for op, want := range map[string]int{"SQS.ListQueues": 1, "SQS.GetQueueAttributes": 3, "Lambda.ListFunctions": 1, "Lambda.GetPolicy": 2,
		"DynamoDB.DescribeTable": 2, "Resource Groups Tagging API.GetResources": 1, "EC2.DescribeSubnets": 1} {
		if ops[op] != want {
			t.Errorf("%s called %d times, want %d (all: %v)", op, ops[op], want, ops)
		}
	}
	if calls.Total() == 0 || calls.Total() > 2*inv.Len() {
		t.Errorf("%d calls for %d resources", calls.Total(), inv.Len())
	}
}
