package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/synthetics"
	"github.com/aws/smithy-go/encoding/cbor"

	"prodready/shared/inventory"
)

// These tests answer the SDK at the HTTP protocol level for the services
// moto cannot serve faithfully: CloudWatch (aws-sdk-go-v2's client speaks
// only rpc-v2-cbor, whose /service/GraniteServiceVersion20100801/operation/…
// path moto answers with 404), Synthetics (moto's canary timestamps are
// rejected by the SDK) and SNS delivery-status attributes (moto accepts them
// but never returns them). Responses are encoded as the services encode them:
// CBOR by smithy-go's own encoder, REST-JSON, and query-protocol XML.

func testConfig(url string) aws.Config {
	return aws.Config{Region: "eu-west-2", BaseEndpoint: &url,
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""), RetryMaxAttempts: 1}
}

func collectOne(t *testing.T, c Clients, service string) Result {
	t.Helper()
	calls := NewCalls()
	res := Collect(WithCalls(context.Background(), calls), c, Options{Account: "123456789012", Region: "eu-west-2", Services: []string{service}})
	if len(res.Failures) > 0 {
		t.Fatalf("failures: %+v", res.Failures)
	}
	return res
}

func only(t *testing.T, inv *inventory.Inventory, typ string, n int) []*inventory.Resource {
	t.Helper()
	rs := inv.OfType(typ)
	if len(rs) != n {
		t.Fatalf("%d %s, want %d: %v", len(rs), typ, n, rs)
	}
	return rs
}

func plainJSON(n any) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestCloudWatchOverCBOR(t *testing.T) {
	var pages []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		in, _ := cbor.Decode(body)
		op := strings.TrimPrefix(r.URL.Path, "/service/GraniteServiceVersion20100801/operation/")
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		var out cbor.Map
		switch op {
		case "DescribeAlarms":
			token, _ := in.(cbor.Map)["NextToken"].(cbor.String)
			pages = append(pages, string(token))
			if token == "" { // first page: a classic alarm, and a token
				out = cbor.Map{"NextToken": cbor.String("p2"), "MetricAlarms": cbor.List{cbor.Map{
					"AlarmName": cbor.String("api-5xx"), "AlarmArn": cbor.String("arn:aws:cloudwatch:eu-west-2:123456789012:alarm:api-5xx"),
					"Namespace": cbor.String("AWS/ApiGateway"), "MetricName": cbor.String("5XXError"),
					"Dimensions": cbor.List{cbor.Map{"Name": cbor.String("ApiName"), "Value": cbor.String("production-orders")}},
					"Statistic":  cbor.String("Sum"), "Period": cbor.Uint(60), "EvaluationPeriods": cbor.Uint(1),
					"Threshold": cbor.Float64(1), "ComparisonOperator": cbor.String("GreaterThanOrEqualToThreshold"),
					"AlarmActions": cbor.List{cbor.String("arn:aws:sns:eu-west-2:123456789012:alerts")}, "ActionsEnabled": cbor.Bool(true),
					"StateValue": cbor.String("OK"),
				}}}
			} else { // second page: metric math, and a composite alarm
				out = cbor.Map{"MetricAlarms": cbor.List{cbor.Map{
					"AlarmName": cbor.String("dlq-math"), "AlarmArn": cbor.String("arn:aws:cloudwatch:eu-west-2:123456789012:alarm:dlq-math"),
					"Threshold": cbor.Float64(0), "ComparisonOperator": cbor.String("GreaterThanThreshold"),
					"Metrics": cbor.List{cbor.Map{"Id": cbor.String("m1"), "ReturnData": cbor.Bool(true), "MetricStat": cbor.Map{
						"Period": cbor.Uint(300), "Stat": cbor.String("Maximum"), "Metric": cbor.Map{
							"Namespace": cbor.String("AWS/SQS"), "MetricName": cbor.String("ApproximateNumberOfMessagesVisible"),
							"Dimensions": cbor.List{cbor.Map{"Name": cbor.String("QueueName"), "Value": cbor.String("orders-dlq")}}}}}},
				}}, "CompositeAlarms": cbor.List{cbor.Map{"AlarmName": cbor.String("any"), "AlarmArn": cbor.String("arn:aws:cloudwatch:eu-west-2:123456789012:alarm:any"),
					"AlarmRule": cbor.String(`ALARM("api-5xx")`), "AlarmActions": cbor.List{cbor.String("arn:aws:sns:eu-west-2:123456789012:alerts")}}}}
			}
		case "ListDashboards":
			out = cbor.Map{"DashboardEntries": cbor.List{cbor.Map{"DashboardName": cbor.String("orders")}}}
		case "GetDashboard":
			out = cbor.Map{"DashboardName": cbor.String("orders"), "DashboardArn": cbor.String("arn:aws:cloudwatch::123456789012:dashboard/orders"),
				"DashboardBody": cbor.String(`{"widgets":[]}`)}
		default:
			w.WriteHeader(http.StatusBadRequest)
			out = cbor.Map{"__type": cbor.String("UnknownOperation")}
		}
		_, _ = w.Write(cbor.Encode(out))
	}))
	defer srv.Close()
	res := collectOne(t, Clients{CloudWatch: cloudwatch.NewFromConfig(testConfig(srv.URL))}, "cloudwatch")
	if strings.Join(pages, ",") != ",p2" {
		t.Errorf("DescribeAlarms pages requested with tokens %q, want first page then p2", pages)
	}
	alarms := only(t, res.Inventory, "AWS::CloudWatch::Alarm", 2)
	a := res.Inventory.ByID("arn:aws:cloudwatch:eu-west-2:123456789012:alarm:api-5xx")
	if a == nil || a.Name != "api-5xx" || a.Origin != inventory.FromLive {
		t.Fatalf("alarm api-5xx: %+v (of %v)", a, alarms)
	}
	want := `{"ActionsEnabled":true,"AlarmActions":["arn:aws:sns:eu-west-2:123456789012:alerts"],"AlarmName":"api-5xx","ComparisonOperator":"GreaterThanOrEqualToThreshold","Dimensions":[{"Name":"ApiName","Value":"production-orders"}],"EvaluationPeriods":1,"MetricName":"5XXError","Namespace":"AWS/ApiGateway","Period":60,"Statistic":"Sum","Threshold":1}`
	if got := plainJSON(a.Props.Plain()); got != want {
		t.Errorf("alarm props\n got %s\nwant %s", got, want)
	}
	m := res.Inventory.ByID("arn:aws:cloudwatch:eu-west-2:123456789012:alarm:dlq-math")
	if got := m.Prop("Metrics", "0", "MetricStat", "Metric", "Dimensions", "0", "Value").String(); got != "orders-dlq" {
		t.Errorf("metric math alarm: Metrics[0].MetricStat.Metric.Dimensions[0].Value = %q", got)
	}
	only(t, res.Inventory, "AWS::CloudWatch::CompositeAlarm", 1)
	d := only(t, res.Inventory, "AWS::CloudWatch::Dashboard", 1)[0]
	if d.Name != "orders" || d.Prop("DashboardBody").String() != `{"widgets":[]}` {
		t.Errorf("dashboard = %+v %v", d, d.Props.Plain())
	}
}

func TestSyntheticsOverRESTJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/canaries" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"Canaries":[{"Name":"orders-health","RuntimeVersion":"syn-nodejs-puppeteer-9.1",
			"Schedule":{"Expression":"rate(5 minutes)","DurationInSeconds":0},
			"RunConfig":{"TimeoutInSeconds":60,"MemoryInMB":960,"ActiveTracing":true},
			"Code":{"Handler":"index.handler"},"Status":{"State":"RUNNING"},
			"Tags":{"aws:cloudformation:stack-name":"orders-production"}}]}`)
	}))
	defer srv.Close()
	res := collectOne(t, Clients{Synthetics: synthetics.NewFromConfig(testConfig(srv.URL))}, "synthetics")
	c := only(t, res.Inventory, "AWS::Synthetics::Canary", 1)[0]
	if c.ID != "arn:aws:synthetics:eu-west-2:123456789012:canary:orders-health" || c.Stack != "orders-production" || c.Attrs["State"] != "RUNNING" {
		t.Errorf("canary identity: %+v", c)
	}
	if got := c.Prop("Schedule", "Expression").String(); got != "rate(5 minutes)" {
		t.Errorf("Schedule.Expression = %q", got)
	}
	if !c.Prop("RunConfig", "ActiveTracing").IsTrue() || c.Prop("RunConfig", "TimeoutInSeconds").String() != "60" {
		t.Errorf("RunConfig = %v", c.Prop("RunConfig").Plain())
	}
}

func TestSNSDeliveryStatusOverQuery(t *testing.T) {
	topic := "arn:aws:sns:eu-west-2:123456789012:orders"
	attrs := map[string]string{"TopicArn": topic, "KmsMasterKeyId": "alias/aws/sns",
		"SQSSuccessFeedbackRoleArn": "arn:aws:iam::123456789012:role/sns-log", "SQSFailureFeedbackRoleArn": "arn:aws:iam::123456789012:role/sns-log",
		"SQSSuccessFeedbackSampleRate": "10", "LambdaFailureFeedbackRoleArn": "arn:aws:iam::123456789012:role/sns-log"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		w.Header().Set("Content-Type", "text/xml")
		entries := func(m map[string]string) string {
			var b strings.Builder
			for k, v := range m {
				fmt.Fprintf(&b, "<entry><key>%s</key><value>%s</value></entry>", k, html.EscapeString(v))
			}
			return b.String()
		}
		switch op := form.Get("Action"); op {
		case "ListTopics":
			fmt.Fprintf(w, `<ListTopicsResponse><ListTopicsResult><Topics><member><TopicArn>%s</TopicArn></member></Topics></ListTopicsResult></ListTopicsResponse>`, topic)
		case "GetTopicAttributes":
			fmt.Fprintf(w, `<GetTopicAttributesResponse><GetTopicAttributesResult><Attributes>%s</Attributes></GetTopicAttributesResult></GetTopicAttributesResponse>`, entries(attrs))
		case "ListSubscriptions":
			fmt.Fprintf(w, `<ListSubscriptionsResponse><ListSubscriptionsResult><Subscriptions>
				<member><Endpoint>arn:aws:sqs:eu-west-2:123456789012:orders-listener</Endpoint><Protocol>sqs</Protocol><SubscriptionArn>%[1]s:sub1</SubscriptionArn><TopicArn>%[1]s</TopicArn></member>
				<member><Endpoint>team@example.com</Endpoint><Protocol>email</Protocol><SubscriptionArn>PendingConfirmation</SubscriptionArn><TopicArn>%[1]s</TopicArn></member>
				</Subscriptions></ListSubscriptionsResult></ListSubscriptionsResponse>`, topic)
		case "GetSubscriptionAttributes":
			fmt.Fprintf(w, `<GetSubscriptionAttributesResponse><GetSubscriptionAttributesResult><Attributes>%s</Attributes></GetSubscriptionAttributesResult></GetSubscriptionAttributesResponse>`,
				entries(map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-2:123456789012:orders-sns-dlq"}`, "RawMessageDelivery": "true"}))
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `<ErrorResponse><Error><Code>InvalidAction</Code><Message>%s</Message></Error></ErrorResponse>`, op)
		}
	}))
	defer srv.Close()
	res := collectOne(t, Clients{SNS: sns.NewFromConfig(testConfig(srv.URL))}, "sns")
	tp := only(t, res.Inventory, "AWS::SNS::Topic", 1)[0]
	want := `[{"FailureFeedbackRoleArn":"arn:aws:iam::123456789012:role/sns-log","Protocol":"sqs","SuccessFeedbackRoleArn":"arn:aws:iam::123456789012:role/sns-log","SuccessFeedbackSampleRate":"10"},{"FailureFeedbackRoleArn":"arn:aws:iam::123456789012:role/sns-log","Protocol":"lambda"}]`
	if got := plainJSON(tp.Prop("DeliveryStatusLogging").Plain()); got != want {
		t.Errorf("DeliveryStatusLogging\n got %s\nwant %s", got, want)
	}
	if tp.Prop("KmsMasterKeyId").String() != "alias/aws/sns" || tp.Name != "orders" {
		t.Errorf("topic = %+v %v", tp, tp.Props.Plain())
	}
	subs := only(t, res.Inventory, "AWS::SNS::Subscription", 2)
	sub := res.Inventory.ByID(topic + ":sub1")
	if sub == nil || sub.Prop("RedrivePolicy", "deadLetterTargetArn").String() != "arn:aws:sqs:eu-west-2:123456789012:orders-sns-dlq" ||
		sub.Prop("Endpoint").String() != "arn:aws:sqs:eu-west-2:123456789012:orders-listener" {
		t.Errorf("confirmed subscription: %v (of %v)", sub, subs)
	}
	pending := res.Inventory.ByID(topic + "#pending/email/team@example.com")
	if pending == nil || pending.ARN != "" || pending.Prop("RedrivePolicy").Has() {
		t.Errorf("pending subscription (no attributes to read): %+v", pending)
	}
}
