package audittest

import "fmt"

// AlertTopic is where the good service's alarms notify (a topic of the
// team's, outside the audited resources).
const AlertTopic = "arn:aws:sns:eu-west-2:999999999999:orders-team-alerts"

// Monitoring returns the alarms, dashboard and canaries of the two seeded
// services: the good service has every alarm the standard asks for, a
// dashboard and five-minute canaries on both its APIs; the bad one has an
// hourly canary on its REST API and nothing else.
func (s Seeded) Monitoring(region string) *Monitoring {
	alarm := func(name, ns, metric, cmp string, thr float64, dims map[string]string) Alarm {
		return Alarm{Name: name, Namespace: ns, Metric: metric, Comparison: cmp, Threshold: thr, Dimensions: dims, Actions: []string{AlertTopic}}
	}
	ge := "GreaterThanOrEqualToThreshold"
	return &Monitoring{
		Region: region,
		Alarms: []Alarm{
			alarm("orders-rest-5xx", "AWS/ApiGateway", "5XXError", ge, 1, map[string]string{"ApiName": "orders-rest-api"}),
			alarm("orders-http-5xx", "AWS/ApiGateway", "5xx", ge, 1, map[string]string{"ApiId": s.GoodHTTPAPI}),
			alarm("orders-rest-canary", "CloudWatchSynthetics", "SuccessPercent", "LessThanThreshold", 90, map[string]string{"CanaryName": "orders-rest"}),
			alarm("orders-http-canary", "CloudWatchSynthetics", "SuccessPercent", "LessThanThreshold", 90, map[string]string{"CanaryName": "orders-http"}),
			alarm("orders-changed-failed", "AWS/SNS", "NumberOfNotificationsFailed", ge, 1, map[string]string{"TopicName": s.GoodTopicName}),
			alarm("orders-dlq-visible", "AWS/SQS", "ApproximateNumberOfMessagesVisible", ge, 1, map[string]string{"QueueName": s.GoodDLQ}),
		},
		Dashboards: []Dashboard{{Name: GoodStack, Body: fmt.Sprintf(
			`{"widgets":[{"type":"metric","properties":{"metrics":[["AWS/Lambda","Errors","FunctionName","%s"]],"region":"%s"}}]}`, s.GoodFunction, region)}},
		Canaries: []Canary{
			{Name: "orders-rest", Expression: "rate(5 minutes)", Handler: "index.handler", Tags: stackTags(GoodStack, "Api", "orders-rest-api")},
			{Name: "orders-http", Expression: "rate(5 minutes)", Handler: "index.handler", Tags: stackTags(GoodStack, "Api", "orders-http-api")},
			{Name: "legacy-health", Expression: "rate(1 hour)", Handler: "index.handler", Tags: stackTags(BadStack, "Api", "legacy-rest-api")},
		},
	}
}
