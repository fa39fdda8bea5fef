package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/value"
)

// yamlNode parses a YAML snippet for a test.
func yamlNode(t *testing.T, src string) *value.Node {
	t.Helper()
	n, err := value.ParseYAML("test.yaml", []byte(src), value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// yamlInventory builds an inventory from a fixture-shaped template.
func yamlInventory(t *testing.T, src string, origin inventory.Origin) *inventory.Inventory {
	t.Helper()
	return fixtureInventory(t, yamlNode(t, src), origin)
}

// runMonitoringRule runs one rule on an inventory with the default settings.
func runMonitoringRule(t *testing.T, r *Rule, inv *inventory.Inventory) []Result {
	t.Helper()
	s := policy.Defaults()
	s.Stage = "production"
	s.Now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	res, err := runOne(r, inv, s)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRefText(t *testing.T) {
	cases := []struct {
		name, src, want string
		ok              bool
	}{
		{"string", `x: orders-dlq`, "orders-dlq", true},
		{"number", `x: 180`, "180", true},
		{"ref", `x: !Ref Queue`, "${Queue}", true},
		{"getatt list", `x: !GetAtt Queue.QueueName`, "${Queue.QueueName}", true},
		{"getatt string", `x: {"Fn::GetAtt": "Queue.Arn"}`, "${Queue.Arn}", true},
		{"sub", `x: !Sub "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alerts"`, "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alerts", true},
		{"sub with variables", "x: !Sub\n  - \"${Name}-dlq\"\n  - Name: !Ref AWS::StackName", "${AWS::StackName}-dlq", true},
		{"join", "x: !Join\n  - ':'\n  - - arn:aws:sns\n    - !Ref AWS::Region\n    - alerts", "arn:aws:sns:${AWS::Region}:alerts", true},
		{"join of join", "x: !Join\n  - ''\n  - - a\n    - !Join ['-', [b, c]]", "ab-c", true},
		{"if", "x: !If [Prod, a, b]", "", false},
		{"import", "x: !ImportValue alerts-arn", "", false},
		{"list", "x: [a, b]", "", false},
		{"absent", "y: 1", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := refText(yamlNode(t, c.src).Get("x"))
			if got != c.want || ok != c.ok {
				t.Errorf("refText = %q, %v; want %q, %v", got, ok, c.want, c.ok)
			}
		})
	}
	if _, ok := refText(value.NewUnknown("${ssm:/x}", "SSM is read at deploy time", value.Pos{})); ok {
		t.Error("an Unknown rendered as text")
	}
}

func TestValueNames(t *testing.T) {
	inv := yamlInventory(t, `
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: orders-dlq}
  SubQueue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub ${AWS::StackName}-dlq
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: person}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: orders, ProtocolType: HTTP}
  Canary:
    Type: AWS::Synthetics::Canary
    Properties: {Name: orders-health}
`, inventory.FromTemplate)
	live := yamlInventory(t, `
Resources:
  arn:aws:apigateway:eu-west-2::/apis/abc123:
    Type: AWS::ApiGatewayV2::Api
    Attrs: {ApiId: abc123}
  arn:aws:apigateway:eu-west-2::/restapis/def456:
    Type: AWS::ApiGateway::RestApi
`, inventory.FromLive)
	cases := []struct {
		name   string
		inv    *inventory.Inventory
		target string
		src    string
		want   string
		ok     bool
		wrong  string
	}{
		{"queue by GetAtt QueueName", inv, "Queue", `x: !GetAtt Queue.QueueName`, yieldsName, true, ""},
		{"queue by Ref is its URL", inv, "Queue", `x: !Ref Queue`, yieldsName, false, yieldsURL},
		{"queue by Arn", inv, "Queue", `x: !GetAtt Queue.Arn`, yieldsName, false, yieldsARN},
		{"queue by name", inv, "Queue", `x: orders-dlq`, yieldsName, true, ""},
		{"queue by Sub of ${Queue.QueueName}", inv, "Queue", `x: !Sub "${Queue.QueueName}"`, yieldsName, true, ""},
		{"another queue's name", inv, "Queue", `x: other-dlq`, yieldsName, false, ""},
		{"another queue's ref", inv, "Queue", `x: !GetAtt SubQueue.QueueName`, yieldsName, false, ""},
		{"queue named by the same Sub", inv, "SubQueue", `x: !Sub ${AWS::StackName}-dlq`, yieldsName, true, ""},
		{"topic by Ref is its ARN", inv, "Topic", `x: !Ref Topic`, yieldsName, false, yieldsARN},
		{"topic by TopicName", inv, "Topic", `x: !GetAtt [Topic, TopicName]`, yieldsName, true, ""},
		{"HTTP API by Ref is its id", inv, "Api", `x: !Ref Api`, yieldsID, true, ""},
		{"HTTP API by name where id is wanted", inv, "Api", `x: orders`, yieldsID, false, ""},
		{"canary by Ref is its name", inv, "Canary", `x: !Ref Canary`, yieldsName, true, ""},
		{"live HTTP API by id attribute", live, "arn:aws:apigateway:eu-west-2::/apis/abc123", `x: abc123`, yieldsID, true, ""},
		{"live REST API by id in its ARN", live, "arn:aws:apigateway:eu-west-2::/restapis/def456", `x: def456`, yieldsID, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := c.inv.ByID(c.target)
			if target == nil {
				t.Fatalf("no resource %s", c.target)
			}
			ok, wrong := valueNames(yamlNode(t, c.src).Get("x"), target, c.want)
			if ok != c.ok || wrong != c.wrong {
				t.Errorf("valueNames = %v, %q; want %v, %q", ok, wrong, c.ok, c.wrong)
			}
		})
	}
}

// alarmCase is an alarm on a DLQ named orders-dlq, with the given
// properties below the metric.
func alarmInventory(t *testing.T, alarmProps string) (*inventory.Inventory, *inventory.Resource) {
	t.Helper()
	src := `
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: orders-dlq}
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - {Protocol: email, Endpoint: team@hackney.gov.uk}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
` + indent(alarmProps, "      ")
	inv := yamlInventory(t, src, inventory.FromTemplate)
	return inv, inv.ByID("Queue")
}

func indent(s, by string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = by + l
	}
	return strings.Join(lines, "\n") + "\n"
}

const dlqMetric = `Namespace: AWS/SQS
MetricName: ApproximateNumberOfMessagesVisible
Dimensions: [{Name: QueueName, Value: orders-dlq}]
Period: 300
EvaluationPeriods: 1
AlarmActions: [!Ref Alerts]
`

// TestJudgeTrigger checks which threshold settings fire on the first event
// and stay quiet without one, for each kind of metric.
func TestJudgeTrigger(t *testing.T) {
	count := countTrigger("the first error", "fix")
	gauge := gaugeTrigger("the first message", "fix")
	canary := canaryTrigger(288) // every 5 minutes
	cases := []struct {
		name    string
		trigger alarmTrigger
		props   string
		problem string // "" when the alarm does the job
	}{
		{"count: Sum >= 1", count, "Statistic: Sum\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1", ""},
		{"count: Sum > 0", count, "Statistic: Sum\nComparisonOperator: GreaterThanThreshold\nThreshold: 0", ""},
		{"count: Sum > 0.5", count, "Statistic: Sum\nComparisonOperator: GreaterThanThreshold\nThreshold: 0.5", ""},
		{"count: Sum >= 10", count, "Statistic: Sum\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 10", "does not fire"},
		{"count: Sum > 1", count, "Statistic: Sum\nComparisonOperator: GreaterThanThreshold\nThreshold: 1", "does not fire"},
		{"count: Sum >= 0 is always in alarm", count, "Statistic: Sum\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 0", "all the time"},
		{"count: Sum < 1 fires on no error", count, "Statistic: Sum\nComparisonOperator: LessThanThreshold\nThreshold: 1", "does not fire"},
		{"count: Average > 0", count, "Statistic: Average\nComparisonOperator: GreaterThanThreshold\nThreshold: 0", ""},
		{"count: Average >= 1 (every request failing)", count, "Statistic: Average\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1", "does not fire"},
		{"count: Maximum >= 1", count, "Statistic: Maximum\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1", ""},
		{"count: p100 >= 1", count, "ExtendedStatistic: p100\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1", ""},
		{"count: p99", count, "ExtendedStatistic: p99\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1", "ignores a single failure"},
		{"count: Minimum", count, "Statistic: Minimum\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1", "every request"},
		{"count: SampleCount", count, "Statistic: SampleCount\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1", "counts requests"},
		{"count: no statistic", count, "ComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1", "no statistic"},
		{"count: 3 of 5", count, "Statistic: Sum\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1\nEvaluationPeriods: 5\nDatapointsToAlarm: 3", "waits for 3"},
		{"count: 1 of 5", count, "Statistic: Sum\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1\nEvaluationPeriods: 5\nDatapointsToAlarm: 1", ""},
		{"count: anomaly band", count, "Statistic: Sum\nComparisonOperator: GreaterThanUpperThreshold\nThresholdMetricId: ad1", "anomaly"},
		{"count: threshold unseen", count, "Statistic: Sum\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: !If [Prod, 1, 5]", "no threshold"},
		{"gauge: Maximum > 0", gauge, "Statistic: Maximum\nComparisonOperator: GreaterThanThreshold\nThreshold: 0", ""},
		{"gauge: Average >= 1", gauge, "Statistic: Average\nComparisonOperator: GreaterThanOrEqualToThreshold\nThreshold: 1", ""},
		{"gauge: 2 of 3 still fires, the message stays", gauge, "Statistic: Maximum\nComparisonOperator: GreaterThanThreshold\nThreshold: 0\nEvaluationPeriods: 3\nDatapointsToAlarm: 2", ""},
		{"gauge: SampleCount", gauge, "Statistic: SampleCount\nComparisonOperator: GreaterThanThreshold\nThreshold: 0", "counts datapoints"},
		{"gauge: > 5", gauge, "Statistic: Maximum\nComparisonOperator: GreaterThanThreshold\nThreshold: 5", "does not fire"},
		{"canary: Average < 100", canary, "Statistic: Average\nComparisonOperator: LessThanThreshold\nThreshold: 100", ""},
		{"canary: Sum <= 99 over one run", canary, "Statistic: Sum\nComparisonOperator: LessThanOrEqualToThreshold\nThreshold: 99", ""},
		{"canary: Average < 90 over one run", canary, "Statistic: Average\nComparisonOperator: LessThanThreshold\nThreshold: 90", ""},
		{"canary: Average < 100 fires, <= 100 always", canary, "Statistic: Average\nComparisonOperator: LessThanOrEqualToThreshold\nThreshold: 100", "all the time"},
		{"canary: SampleCount", canary, "Statistic: SampleCount\nComparisonOperator: LessThanThreshold\nThreshold: 100", "counts runs"},
		{"canary: > 0 fires on success", canary, "Statistic: Average\nComparisonOperator: GreaterThanThreshold\nThreshold: 0", "does not fire"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			props := strings.Replace(dlqMetric, "Period: 300\nEvaluationPeriods: 1\n", "Period: 300\n", 1)
			if !strings.Contains(c.props, "EvaluationPeriods") {
				props += "EvaluationPeriods: 1\n"
			}
			inv, _ := alarmInventory(t, props+c.props)
			a := inv.ByID("Alarm")
			shape := readAlarm(a)
			if len(shape.Metrics) != 1 {
				t.Fatalf("read %d metrics", len(shape.Metrics))
			}
			got := judgeTrigger(a, shape, shape.Metrics[0], c.trigger)
			switch {
			case c.problem == "" && len(got) > 0:
				t.Errorf("unexpected problem: %s", got[0].Msg)
			case c.problem != "" && len(got) == 0:
				t.Errorf("no problem found; want one saying %q", c.problem)
			case c.problem != "" && !strings.Contains(got[0].Msg, c.problem):
				t.Errorf("problem %q does not say %q", got[0].Msg, c.problem)
			}
			for _, p := range got {
				if p.Pos.IsZero() {
					t.Errorf("problem %q has no position", p.Msg)
				}
			}
		})
	}
}

func TestCanaryTriggerPeriods(t *testing.T) {
	// A canary every 5 minutes read by a one-hour Average: one failed run
	// of twelve reads 91.67, so "< 90" misses it and "< 100" catches it.
	tr := canaryTrigger(288)
	fire, quiet, why := tr.At("Average", 3600)
	if why != "" || fire < 91.6 || fire > 91.7 || quiet != 100 {
		t.Errorf("At(Average, 3600) = %v, %v, %q", fire, quiet, why)
	}
	if _, _, why := tr.At("Maximum", 3600); why == "" {
		t.Error("an hourly Maximum of 12 runs should not see one failure")
	}
	if fire, quiet, why := tr.At("Maximum", 300); why != "" || fire != 0 || quiet != 100 {
		t.Errorf("At(Maximum, 300) = %v, %v, %q", fire, quiet, why)
	}
	if fire, quiet, _ := tr.At("Sum", 600); fire != 100 || quiet != 200 {
		t.Errorf("At(Sum, 600) = %v, %v; want 100, 200", fire, quiet)
	}
}

func TestMathReach(t *testing.T) {
	cases := []struct {
		name, expr string
		reach      []string
		sumLike    bool
	}{
		{"identity", "m1", []string{"m1"}, true},
		{"sum", "m1 + m2", []string{"m1", "m2"}, true},
		{"fill", "FILL(m1, 0) + FILL(m2, 0)", []string{"m1", "m2"}, true},
		{"sum of metrics", "SUM(METRICS())", []string{"m1", "m2", "m3"}, true},
		{"rate", "m1 / m2 * 100", []string{"m1", "m2"}, false},
		{"difference", "m1 - m2", []string{"m1", "m2"}, false},
		{"other function", "RATE(m1)", []string{"m1"}, false},
		{"through another expression", "e2", []string{"e2", "m3"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := yamlInventory(t, `
Resources:
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Metrics:
        - {Id: m1, ReturnData: false, MetricStat: {Metric: {Namespace: N, MetricName: A}, Stat: Sum, Period: 60}}
        - {Id: m2, ReturnData: false, MetricStat: {Metric: {Namespace: N, MetricName: B}, Stat: Sum, Period: 60}}
        - {Id: m3, ReturnData: false, MetricStat: {Metric: {Namespace: N, MetricName: C}, Stat: Sum, Period: 60}}
        - {Id: e2, ReturnData: false, Expression: m3}
        - {Id: out, Expression: "`+c.expr+`"}
`, inventory.FromTemplate).ByID("Alarm")
			shape := readAlarm(a)
			if shape.Returned != "out" {
				t.Fatalf("returned = %q, want out", shape.Returned)
			}
			reach, sumLike, _ := mathReach(shape, "out")
			for _, id := range c.reach {
				if !reach[id] {
					t.Errorf("%s not reached", id)
				}
			}
			if sumLike != c.sumLike {
				t.Errorf("sumLike = %v, want %v", sumLike, c.sumLike)
			}
		})
	}
}

func TestAlarmNotifies(t *testing.T) {
	base := `
Resources:
  Heard:
    Type: AWS::SNS::Topic
    Properties: {TopicName: heard}
  HeardEmail:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Heard, Protocol: email, Endpoint: team@hackney.gov.uk}
  Unheard:
    Type: AWS::SNS::Topic
    Properties: {TopicName: unheard}
  Shared:
    Type: AWS::SNS::Topic
    External: true
  Pager:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: pager}
  SameName:
    Type: AWS::SQS::Queue
    Properties: {QueueName: housing-alerts}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
`
	cases := []struct {
		name, props string
		ok          bool
		says        string
	}{
		{"topic with a subscription", "AlarmActions: [!Ref Heard]", true, "topic Heard (1 subscription)"},
		{"topic by Sub ARN", "AlarmActions: [!Sub 'arn:aws:sns:${AWS::Region}:${AWS::AccountId}:heard']", true, "topic Heard"},
		{"topic by ARN string", "AlarmActions: [arn:aws:sns:eu-west-2:123456789012:heard]", true, "topic Heard"},
		{"topic without a subscription", "AlarmActions: [!Ref Unheard]", false, "has no subscription"},
		{"one silent and one heard", "AlarmActions: [!Ref Unheard, !Ref Heard]", true, "topic Heard"},
		{"external topic", "AlarmActions: [!Ref Shared]", true, "outside this service"},
		{"topic of another stack", "AlarmActions: [arn:aws:sns:eu-west-2:123456789012:housing-alerts]", true, "outside this service"},
		{"imported topic", "AlarmActions: [!ImportValue alerts-arn]", true, "another stack"},
		{"function", "AlarmActions: [!GetAtt Pager.Arn]", true, "function Pager"},
		{"a queue by reference", "AlarmActions: [!GetAtt SameName.Arn]", false, "notifies nobody"},
		{"incident manager", "AlarmActions: ['arn:aws:ssm-incidents::123456789012:response-plan/orders']", true, "Incident Manager"},
		{"reboot only", "AlarmActions: ['arn:aws:automate:eu-west-2:ec2:reboot']", false, "notifies nobody"},
		{"not an ARN", "AlarmActions: [alerts]", false, "not an ARN"},
		{"conditional", "AlarmActions: [!If [Prod, !Ref Heard, !Ref AWS::NoValue]]", false, "cannot see"},
		{"no actions", "OKActions: [!Ref Heard]", false, "no AlarmActions"},
		{"disabled", "ActionsEnabled: false\nAlarmActions: [!Ref Heard]", false, "ActionsEnabled false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := yamlInventory(t, base+indent(c.props, "      "), inventory.FromTemplate)
			ok, how, pos := alarmNotifies(inv, inv.ByID("Alarm"))
			if ok != c.ok || !strings.Contains(how, c.says) {
				t.Errorf("alarmNotifies = %v, %q; want %v, containing %q", ok, how, c.ok, c.says)
			}
			if !ok && pos.IsZero() {
				t.Errorf("no position for %q", how)
			}
		})
	}
	t.Run("deploy-time value", func(t *testing.T) {
		inv := yamlInventory(t, base+"      AlarmActions: [x]\n", inventory.FromTemplate)
		a := inv.ByID("Alarm")
		a.Props.Set("AlarmActions", value.NewList(value.Pos{}, value.NewUnknown("${ssm:/sns-topic/production/alerts/arn}", "SSM parameters are read at deploy time", value.Pos{})))
		if ok, how, _ := alarmNotifies(inv, a); !ok || !strings.Contains(how, "deploy time") {
			t.Errorf("alarmNotifies = %v, %q; want a target read at deploy time", ok, how)
		}
	})
}

// TestAlarmsWatching checks which alarms count as watching a queue, and
// the near misses they are reported as.
func TestAlarmsWatching(t *testing.T) {
	cases := []struct {
		name    string
		props   string
		related bool
		problem string
	}{
		{"by name", dlqMetric, true, ""},
		{"another queue", strings.Replace(dlqMetric, "orders-dlq", "other-dlq", 1), false, ""},
		{"another namespace", strings.Replace(dlqMetric, "AWS/SQS", "AWS/Lambda", 1), false, ""},
		{"another metric", strings.Replace(dlqMetric, "ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", 1), false, ""},
		{"confusable metric", strings.Replace(dlqMetric, "ApproximateNumberOfMessagesVisible", "NumberOfMessagesSent", 1), true, "redrive"},
		{"by Ref", strings.Replace(dlqMetric, "Value: orders-dlq", "Value: !Ref Queue", 1), true, "yields its URL"},
		{"narrowed", strings.Replace(dlqMetric, "[{Name: QueueName, Value: orders-dlq}]", "[{Name: QueueName, Value: orders-dlq}, {Name: Extra, Value: x}]", 1), true, "only part"},
		{"metric math", `Metrics:
  - Id: m1
    ReturnData: true
    MetricStat:
      Metric:
        Namespace: AWS/SQS
        MetricName: ApproximateNumberOfMessagesVisible
        Dimensions: [{Name: QueueName, Value: !GetAtt Queue.QueueName}]
      Stat: Maximum
      Period: 300
`, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, q := alarmInventory(t, c.props)
			got := newAlarmIndex(inv).alarmsWatching(dlqQuery, q)
			if (len(got) > 0) != c.related {
				t.Fatalf("found %d alarms; related = %v", len(got), c.related)
			}
			if !c.related {
				return
			}
			var msgs []string
			for _, p := range got[0].Problems {
				msgs = append(msgs, p.Msg)
			}
			joined := strings.Join(msgs, "; ")
			if (c.problem == "") != (joined == "") || !strings.Contains(joined, c.problem) {
				t.Errorf("problems %q; want %q", joined, c.problem)
			}
		})
	}
}

func TestTopicSubscribers(t *testing.T) {
	inv := yamlInventory(t, `
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: person
      Subscription:
        - {Protocol: email, Endpoint: team@hackney.gov.uk}
  ByRef:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: sqs, Endpoint: x}
  BySub:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Sub 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:person', Protocol: lambda, Endpoint: y}
  ByArn:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: 'arn:aws:sns:eu-west-2:123456789012:person', Protocol: https, Endpoint: z}
  OtherTopic:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: 'arn:aws:sns:eu-west-2:123456789012:tenure', Protocol: sqs, Endpoint: w}
`, inventory.FromTemplate)
	subs := topicSubscribers(inv, inv.ByID("Topic"))
	var got []string
	for _, s := range subs {
		got = append(got, s.Protocol.String())
	}
	if strings.Join(got, ",") != "email,sqs,lambda,https" {
		t.Errorf("subscribers = %v; want email, sqs, lambda, https", got)
	}
}

func BenchmarkAlarmRules(b *testing.B) {
	// A large service: 200 listener queues with DLQs, each DLQ with an alarm
	// (1000 resources).
	var sb strings.Builder
	sb.WriteString("Resources:\n  Alerts:\n    Type: AWS::SNS::Topic\n    Properties: {Subscription: [{Protocol: email, Endpoint: a@b.c}]}\n")
	for i := range 200 {
		n := fmt.Sprintf("Q%03d", i)
		sb.WriteString("  " + n + ":\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: {deadLetterTargetArn: !GetAtt " + n + "DLQ.Arn, maxReceiveCount: 3}\n")
		sb.WriteString("  " + n + "Esm:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties: {EventSourceArn: !GetAtt " + n + ".Arn, FunctionName: listener}\n")
		sb.WriteString("  " + n + "DLQ:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: " + n + "-dlq}\n")
		sb.WriteString("  " + n + "Alarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n" + indent(strings.Replace(dlqMetric, "orders-dlq", n+"-dlq", 1)+"Statistic: Maximum\nComparisonOperator: GreaterThanThreshold\nThreshold: 0", "      "))
	}
	doc, err := value.ParseYAML("bench.yaml", []byte(sb.String()), value.DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	inv := inventory.New(inventory.FromTemplate)
	doc.Get("Resources").Each(func(id string, n *value.Node) {
		inv.Add(&inventory.Resource{ID: id, Type: n.Get("Type").String(), Props: n.Get("Properties"), Pos: n.Pos})
	})
	s := policy.Defaults()
	s.Stage = "production"
	b.ResetTimer()
	for range b.N {
		for _, r := range []*Rule{DLQAlarm, DLQArchive, SQSDLQ} {
			res, err := runOne(r, inv, s)
			if err != nil || len(res) == 0 {
				b.Fatal(err, len(res))
			}
			for _, x := range res {
				if !x.Pass {
					b.Fatalf("%s: %s", x.Resource, x.Message)
				}
			}
		}
	}
}
