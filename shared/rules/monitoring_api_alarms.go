package rules

// API5xxAlarm enforces the 5xx half of Monitoring 3: an alarm that fires on
// an API's first 5xx error and notifies the team.
var API5xxAlarm = &Rule{
	ID:     "api-5xx-alarm",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 3",
	Title:  "Every API has an alarm that fires on one 5xx error and notifies the team",
	Checklist: "API alarms are set up to monitor for 5xx errors and canaries outcome. API 5xx error alarm - if an API " +
		"encounters one or more 5xx errors, the alarm must be triggered.",
	Rationale: "A 5xx is a request the API failed to serve. The standard asks for the alarm at the first one: an " +
		"alarm with a threshold of 10, on an error rate, or waiting for several periods lets a failing endpoint " +
		"that few residents call go unnoticed.",
	Remediation: "Add an AWS::CloudWatch::Alarm on Namespace AWS/ApiGateway, MetricName 5XXError for a REST API " +
		"with dimension ApiName = the API's name (the Framework names it <stage>-<service>, or provider.apiName); " +
		"for an HTTP API MetricName 5xx with dimension ApiId = {Ref: HttpApi}. Statistic Sum, ComparisonOperator " +
		"GreaterThanOrEqualToThreshold, Threshold 1, EvaluationPeriods 1, and AlarmActions naming the team's SNS " +
		"topic (which needs a subscription).",
	Example: `resources:
  Resources:
    Api5xxAlarm:
      Type: AWS::CloudWatch::Alarm
      Properties:
        AlarmName: orders-production-api-5xx
        Namespace: AWS/ApiGateway
        MetricName: 5XXError
        Dimensions:
          - Name: ApiName
            Value: production-orders
        Statistic: Sum
        Period: 60
        EvaluationPeriods: 1
        ComparisonOperator: GreaterThanOrEqualToThreshold
        Threshold: 1
        TreatMissingData: notBreaching
        AlarmActions:
          - !Ref AlertsTopic
    AlertsTopic:
      Type: AWS::SNS::Topic
      Properties:
        Subscription:
          - Protocol: email
            Endpoint: orders-team@hackney.gov.uk`,
	Check: func(c *Context) {
		idx := newAlarmIndex(c.Inv)
		for _, api := range monitoredAPIs(c.Inv) {
			q := alarmQuery{
				Namespace: "AWS/ApiGateway",
				Metrics:   []string{"5XXError"},
				Dims:      map[string]string{"ApiName": yieldsName},
				Misnamed:  map[string]string{"ApiId": yieldsID},
				Extra:     []string{"Stage"},
				Confusable: map[string]string{
					"5xx":      "that is the HTTP API metric; REST APIs publish 5XXError",
					"4XXError": "4XX errors are the caller's; the standard asks for 5XXError",
				},
			}
			if isHTTPAPI(api) {
				q.Metrics = []string{"5xx"}
				q.Dims = map[string]string{"ApiId": yieldsID}
				q.Misnamed = map[string]string{"ApiName": yieldsName}
				q.Confusable = map[string]string{
					"5XXError": "that is the REST API metric; HTTP APIs publish 5xx",
					"4xx":      "4xx errors are the caller's; the standard asks for 5xx",
				}
			}
			checkAlarmed(c, idx, api, apiKind(api), q, countTrigger("the first 5xx error",
				"Statistic: Sum, ComparisonOperator: GreaterThanOrEqualToThreshold, Threshold: 1, EvaluationPeriods: 1"))
		}
	},
}
