package rules

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// The -update flag may be registered by another test file of the package
// too; register it only once (package variables initialise before init).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// TestMonitoringMessages pins what each monitoring rule says about its
// fixtures (testdata/<id>/results.golden): the messages are what a blocked
// engineer reads, so a change to them is reviewed like code. Run with
// -update to rewrite.
func TestMonitoringMessages(t *testing.T) {
	book := Default()
	for _, r := range monitoringRules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", r.ID)
			files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
			var b strings.Builder
			for _, f := range files {
				res, _ := runFixture(t, book, r, f)
				fmt.Fprintf(&b, "== %s\n", filepath.Base(f))
				for _, x := range res {
					verdict := "pass"
					if !x.Pass {
						verdict = "FAIL"
					}
					at := ""
					if !x.Pos.IsZero() {
						at = fmt.Sprintf(" @%d:%d", x.Pos.Line, x.Pos.Col)
					}
					fmt.Fprintf(&b, "%s %s%s: %s\n", verdict, x.Resource, at, x.Message)
				}
			}
			golden := filepath.Join(dir, "results.golden")
			if updateGolden() {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("results differ from %s (run with -update after review):\n%s", golden, diffLines(string(want), got))
			}
		})
	}
}

// diffLines shows the lines only in want (-) and only in got (+).
func diffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// exampleContext holds, per rule, the resources the Framework or the rest
// of the service would add around its Example (the API the Framework
// compiles, the queue an alarm watches), so the example can be checked.
var exampleContext = map[string]string{
	"api-canary":           "ApiGatewayRestApi: {Type: AWS::ApiGateway::RestApi, Properties: {Name: production-orders}}",
	"log-retention":        "ApiGatewayStage: {Type: AWS::ApiGateway::Stage, Properties: {RestApiId: !Ref ApiGatewayRestApi, StageName: production, MethodSettings: [{LoggingLevel: INFO}]}}",
	"api-5xx-alarm":        "ApiGatewayRestApi: {Type: AWS::ApiGateway::RestApi, Properties: {Name: production-orders}}",
	"canary-alarm":         "HealthCanary: {Type: AWS::Synthetics::Canary, Properties: {Name: orders-health, Schedule: {Expression: rate(5 minutes)}}}",
	"dashboard":            "ApiLambdaFunction: {Type: AWS::Lambda::Function, Properties: {FunctionName: orders-production-api}}",
	"sns-delivery-logging": "SearchSubscription: {Type: AWS::SNS::Subscription, Properties: {TopicArn: !Ref PersonTopic, Protocol: sqs, Endpoint: x}}",
	"sns-delivery-alarm":   "PersonTopic: {Type: AWS::SNS::Topic, Properties: {TopicName: person.fifo}}",
	"sqs-dlq":              "ListenerMapping: {Type: AWS::Lambda::EventSourceMapping, Properties: {EventSourceArn: !GetAtt ListenerQueue.Arn, FunctionName: !GetAtt ListenerLambdaFunction.Arn}}",
	"dlq-alarm": `ListenerQueue: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt ListenerDLQ.Arn, maxReceiveCount: 3}}}
  ListenerDLQ: {Type: AWS::SQS::Queue, Properties: {QueueName: orders-listener-dlq}}
  AlertsTopic: {Type: AWS::SNS::Topic, Properties: {Subscription: [{Protocol: email, Endpoint: team@hackney.gov.uk}]}}`,
	"dlq-archive": "WorkerLambdaFunction: {Type: AWS::Lambda::Function, Properties: {DeadLetterConfig: {TargetArn: !GetAtt WorkerDLQ.Arn}}}",
}

// TestMonitoringExamplesPass checks that each rule's Example (its
// resources: section, with the resources around it) passes the rule: the
// snippet an engineer copies must be right.
func TestMonitoringExamplesPass(t *testing.T) {
	for _, r := range monitoringRules() {
		t.Run(r.ID, func(t *testing.T) {
			ex := yamlNode(t, r.Example)
			res := ex.Get("resources", "Resources")
			if !res.Has() {
				t.Skip("the example configures provider settings only")
			}
			ctx, ok := exampleContext[r.ID]
			if !ok {
				t.Fatalf("no example context for %s", r.ID)
			}
			doc := yamlNode(t, "Resources:\n  "+ctx+"\n")
			res.Each(func(id string, n *value.Node) { doc.Get("Resources").Set(id, n) })
			results := runMonitoringRule(t, r, fixtureInventory(t, doc, inventory.FromTemplate))
			if len(results) == 0 {
				t.Fatal("the example is not checked by the rule")
			}
			for _, x := range results {
				if !x.Pass {
					t.Errorf("example fails on %s: %s", x.Resource, x.Message)
				}
			}
		})
	}
}
