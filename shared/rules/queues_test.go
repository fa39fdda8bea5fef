package rules

import (
	"slices"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

func TestDeadLetterQueues(t *testing.T) {
	inv := yamlInventory(t, `
Resources:
  Source:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt RedriveDLQ.Arn, maxReceiveCount: 3}
  JSONSource:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: '{"deadLetterTargetArn": "arn:aws:sqs:eu-west-2:123456789012:json-dlq", "maxReceiveCount": 3}'
  RedriveDLQ:
    Type: AWS::SQS::Queue
  JSONDLQ:
    Type: AWS::SQS::Queue
    Properties: {QueueName: json-dlq}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      DeadLetterConfig: {TargetArn: !Sub 'arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:fn-dlq'}
  FnDLQ:
    Type: AWS::SQS::Queue
    Properties: {QueueName: fn-dlq}
  SameNameTopic:
    Type: AWS::SNS::Topic
    Name: json-dlq
  TopicDLQFn:
    Type: AWS::Lambda::Function
    Properties:
      DeadLetterConfig: {TargetArn: !Ref FailureTopic}
  FailureTopic:
    Type: AWS::SNS::Topic
  EvConf:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Fn
      DestinationConfig: {OnFailure: {Destination: !GetAtt OnFailureQueue.Arn}}
  OnFailureQueue:
    Type: AWS::SQS::Queue
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: arn:aws:sns:eu-west-2:123456789012:person
      Protocol: sqs
      Endpoint: !GetAtt Source.Arn
      RedrivePolicy: {deadLetterTargetArn: !GetAtt SubDLQ.Arn}
  SubDLQ:
    Type: AWS::SQS::Queue
  StreamMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Table.StreamArn
      DestinationConfig: {OnFailure: {Destination: !GetAtt StreamDLQ.Arn}}
  StreamDLQ:
    Type: AWS::SQS::Queue
  Rule:
    Type: AWS::Events::Rule
    Properties:
      Targets:
        - {Id: t, Arn: !GetAtt Fn.Arn, DeadLetterConfig: {Arn: !GetAtt RuleDLQ.Arn}}
  RuleDLQ:
    Type: AWS::SQS::Queue
  PlainQueue:
    Type: AWS::SQS::Queue
`, inventory.FromTemplate)
	want := map[string]bool{ // DLQ -> redriven
		"RedriveDLQ": true, "JSONDLQ": true, "FnDLQ": false, "OnFailureQueue": false,
		"SubDLQ": false, "StreamDLQ": false, "RuleDLQ": false,
	}
	got := map[string]bool{}
	for _, d := range deadLetterQueues(inv) {
		got[d.Queue.ID] = d.Redriven()
		if len(d.Sources) == 0 || d.Describe() == "" {
			t.Errorf("%s: no source described", d.Queue.ID)
		}
		for _, s := range d.Sources {
			if s.Pos.IsZero() {
				t.Errorf("%s: source %q has no position", d.Queue.ID, s.How)
			}
		}
	}
	for id, redriven := range want {
		r, ok := got[id]
		switch {
		case !ok:
			t.Errorf("%s is not found as a DLQ", id)
		case r != redriven:
			t.Errorf("%s: Redriven = %v, want %v", id, r, redriven)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s is not a DLQ", id)
		}
	}
}

func TestRedrivePolicy(t *testing.T) {
	cases := []struct {
		name    string
		node    *value.Node
		target  string
		wantErr bool
	}{
		{"absent", nil, "", false},
		{"map", yamlNode(t, "x: {deadLetterTargetArn: arn:aws:sqs:r:1:d, maxReceiveCount: 3}").Get("x"), "arn:aws:sqs:r:1:d", false},
		{"JSON text", value.NewString(`{"deadLetterTargetArn":"arn:aws:sqs:r:1:d","maxReceiveCount":"5"}`, value.Pos{File: "f", Line: 3}), "arn:aws:sqs:r:1:d", false},
		{"text that is not JSON", value.NewString("dlq", value.Pos{}), "", true},
		{"JSON that is not an object", value.NewString("[1]", value.Pos{}), "", true},
		{"a number", value.NewInt(3, value.Pos{}), "", true},
		{"deploy-time value", value.NewUnknown("${ssm:/x}", "SSM", value.Pos{}), "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rp, err := redrivePolicy(c.node)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if got := rp.Get("deadLetterTargetArn").String(); got != c.target {
				t.Errorf("target = %q, want %q", got, c.target)
			}
			if c.name == "JSON text" && rp.Get("maxReceiveCount").Pos.Line != 3 {
				t.Errorf("a value inside JSON text should point at the text, got %v", rp.Get("maxReceiveCount").Pos)
			}
		})
	}
}

func TestAsyncInvokersAndCatchers(t *testing.T) {
	inv := yamlInventory(t, `
Resources:
  Sns:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: sns-fn}
  SnsSub:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: arn:aws:sns:r:1:t, Protocol: lambda, Endpoint: !GetAtt Sns.Arn}
  S3:
    Type: AWS::Lambda::Function
    Properties:
      DeadLetterConfig: {TargetArn: !GetAtt S3DLQ.Arn}
  S3DLQ:
    Type: AWS::SQS::Queue
  S3Permission:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !GetAtt S3.Arn, Principal: s3.amazonaws.com}
  Events:
    Type: AWS::Lambda::Function
  EventsPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Events
      Principal: !Join ['', [events., !Ref AWS::URLSuffix]]
  EventsConf:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Events
      DestinationConfig: {OnFailure: {Destination: arn:aws:sqs:r:1:events-dlq}}
  Ruled:
    Type: AWS::Lambda::Function
  Rule:
    Type: AWS::Events::Rule
    Properties: {Targets: [{Id: x, Arn: !GetAtt Ruled.Arn}]}
  Api:
    Type: AWS::Lambda::Function
  ApiPermission:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !GetAtt Api.Arn, Principal: apigateway.amazonaws.com}
  Consumer:
    Type: AWS::Lambda::Function
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !GetAtt Queue.Arn, FunctionName: !GetAtt Consumer.Arn}
  Queue:
    Type: AWS::SQS::Queue
`, inventory.FromTemplate)
	cases := []struct {
		fn      string
		async   string // part of the reason, "" when not async
		catcher string // part of the catcher, "" when none
	}{
		{"Sns", "SNS subscription SnsSub", ""},
		{"S3", "s3.amazonaws.com", "DeadLetterConfig S3DLQ"},
		{"Events", "events.${AWS::URLSuffix}", "on-failure destination arn:aws:sqs:r:1:events-dlq"},
		{"Ruled", "rule Rule targets it", ""},
		{"Api", "", ""},
		{"Consumer", "", ""},
	}
	for _, c := range cases {
		t.Run(c.fn, func(t *testing.T) {
			fn := inv.ByID(c.fn)
			why := strings.Join(asyncInvokers(inv, fn), "; ")
			if (c.async == "") != (why == "") || !strings.Contains(why, c.async) {
				t.Errorf("asyncInvokers = %q, want %q", why, c.async)
			}
			how, ok := failureCatcher(inv, fn)
			if ok != (c.catcher != "") || !strings.Contains(how, c.catcher) {
				t.Errorf("failureCatcher = %q, %v; want %q", how, ok, c.catcher)
			}
		})
	}
	listeners := queueListeners(inv)
	if got := listeners[inv.ByID("Queue")]; len(got) != 1 || got[0].ID != "Mapping" {
		t.Errorf("listeners of Queue = %v", got)
	}
}

// TestFailClosed checks that values only known at deploy time fail the
// monitoring rules with a message saying what could not be seen, rather
// than passing.
func TestFailClosed(t *testing.T) {
	unknown := func() *value.Node {
		return value.NewUnknown("${ssm:/orders/production/value}", "SSM parameters are read at deploy time", value.Pos{File: "serverless.yml", Line: 9, Col: 5})
	}
	cases := []struct {
		name string
		rule *Rule
		src  string
		set  func(inv *inventory.Inventory)
		says string
	}{
		{"log retention", LogRetention, `
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: /x, RetentionInDays: 180}
`, func(inv *inventory.Inventory) { inv.ByID("Logs").Props.Set("RetentionInDays", unknown()) }, "cannot see the retention"},
		{"canary schedule", APICanary, `
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: orders}
  Canary:
    Type: AWS::Synthetics::Canary
    Properties: {Name: c, Schedule: {Expression: rate(5 minutes)}}
`, func(inv *inventory.Inventory) {
			inv.ByID("Canary").Props.Get("Schedule").Set("Expression", unknown())
		}, "no schedule the check can read"},
		{"DLQ retention", DLQArchive, `
Resources:
  Source:
    Type: AWS::SQS::Queue
    Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 3}}
  DLQ:
    Type: AWS::SQS::Queue
    Properties: {MessageRetentionPeriod: 1209600}
`, func(inv *inventory.Inventory) { inv.ByID("DLQ").Props.Set("MessageRetentionPeriod", unknown()) }, "cannot see its MessageRetentionPeriod"},
		{"maxReceiveCount", SQSDLQ, `
Resources:
  Source:
    Type: AWS::SQS::Queue
    Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 3}}
  DLQ:
    Type: AWS::SQS::Queue
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !GetAtt Source.Arn, FunctionName: fn}
`, func(inv *inventory.Inventory) {
			inv.ByID("Source").Props.Get("RedrivePolicy").Set("maxReceiveCount", unknown())
		}, "cannot see the maxReceiveCount"},
		{"SNS protocol", SNSDeliveryLogging, `
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties: {DeliveryStatusLogging: [{Protocol: sqs, FailureFeedbackRoleArn: role}]}
  Sub:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: sqs, Endpoint: q}
`, func(inv *inventory.Inventory) { inv.ByID("Sub").Props.Set("Protocol", unknown()) }, "cannot see the protocol"},
		{"stage access log destination", LogRetention, `
Resources:
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: abc, StageName: production, AccessLogSetting: {DestinationArn: x}}
`, func(inv *inventory.Inventory) {
			inv.ByID("Stage").Props.Get("AccessLogSetting").Set("DestinationArn", unknown())
		}, "cannot see where"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The same service with the value visible passes: the failure
			// is the unseen value's.
			for _, r := range runMonitoringRule(t, c.rule, yamlInventory(t, c.src, inventory.FromTemplate)) {
				if !r.Pass {
					t.Fatalf("the visible version fails: %s", r.Message)
				}
			}
			inv := yamlInventory(t, c.src, inventory.FromTemplate)
			c.set(inv)
			res := runMonitoringRule(t, c.rule, inv)
			var fails []string
			for _, r := range res {
				if !r.Pass {
					fails = append(fails, r.Message)
				}
			}
			if !slices.ContainsFunc(fails, func(m string) bool { return strings.Contains(m, c.says) }) {
				t.Errorf("failures %q; want one saying %q", fails, c.says)
			}
		})
	}
}
