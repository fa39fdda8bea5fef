package rules

import (
	"fmt"
	"slices"
	"strings"
)

// SNSDeliveryLogging enforces the first half of Monitoring 6: SNS logs the
// delivery status of every protocol its subscribers use.
var SNSDeliveryLogging = &Rule{
	ID:     "sns-delivery-logging",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 6",
	Title:  "SNS topics log the delivery status of every subscribed protocol",
	Checklist: "Alarms and notification mechanisms are in place for scenarios when a message fails to be delivered " +
		"via SNS. To ensure a message is delivered to all consumers, SNS must have delivery status logging set to " +
		"enabled.",
	Rationale: "Without delivery status logging, a message SNS failed to deliver to a listener's queue leaves no " +
		"trace: the data the listener should have synchronised is silently missing. SNS logs failures per " +
		"protocol, to CloudWatch Logs, using a role it assumes (FailureFeedbackRoleArn).",
	Remediation: "Add DeliveryStatusLogging to the AWS::SNS::Topic with one entry per protocol its subscribers use " +
		"(sqs, lambda, http/s, firehose, application), each with FailureFeedbackRoleArn: a role SNS can assume " +
		"that may write to CloudWatch Logs (logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents).",
	Example: `resources:
  Resources:
    PersonTopic:
      Type: AWS::SNS::Topic
      Properties:
        TopicName: person.fifo
        FifoTopic: true
        DeliveryStatusLogging:
          - Protocol: sqs
            FailureFeedbackRoleArn: !GetAtt SnsDeliveryLoggingRole.Arn
            SuccessFeedbackRoleArn: !GetAtt SnsDeliveryLoggingRole.Arn
            SuccessFeedbackSampleRate: "10"`,
	Check: checkSNSDeliveryLogging,
}

// deliveryLogProtocols maps a subscription protocol to the
// DeliveryStatusLogging protocol that logs it. Email and SMS have no
// topic-level delivery status logging.
var deliveryLogProtocols = map[string]string{
	"sqs": "sqs", "lambda": "lambda", "http": "http/s", "https": "http/s", "firehose": "firehose", "application": "application",
}

func checkSNSDeliveryLogging(c *Context) {
	for _, topic := range c.Inv.OfType("AWS::SNS::Topic") {
		if topic.External {
			continue
		}
		name := called(topic)
		subs := topicSubscribers(c.Inv, topic)
		if len(subs) == 0 {
			c.Pass(topic, "topic %s has no subscribers in this service, so there is no delivery to log here (the nightly auditor checks subscriptions made elsewhere)", name)
			continue
		}
		var need []string
		var problems []string
		for _, s := range subs {
			p, ok := s.Protocol.Text()
			if !ok {
				problems = append(problems, fmt.Sprintf("cannot see the protocol of a subscription (%s), so cannot tell which delivery status to log", unseen(s.Protocol)))
				continue
			}
			if lp, logs := deliveryLogProtocols[strings.ToLower(p)]; logs && !slices.Contains(need, lp) {
				need = append(need, lp)
			}
		}
		logged := map[string]bool{}
		var noRole []string
		for _, e := range topic.Prop("DeliveryStatusLogging").List() {
			p := strings.ToLower(e.Get("Protocol").String())
			if e.Get("FailureFeedbackRoleArn").Has() {
				logged[p] = true
			} else {
				noRole = append(noRole, p)
			}
		}
		var missing []string
		for _, p := range need {
			if !logged[p] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			msg := fmt.Sprintf("topic %s delivers to %s subscribers but does not log failed deliveries for %s", name, strings.Join(need, ", "), strings.Join(missing, ", "))
			if len(noRole) > 0 {
				msg += fmt.Sprintf(" (its DeliveryStatusLogging entry for %s has no FailureFeedbackRoleArn)", strings.Join(noRole, ", "))
			}
			problems = append(problems, msg+"; add a DeliveryStatusLogging entry per protocol with FailureFeedbackRoleArn")
		}
		if len(problems) > 0 {
			c.Fail(topic, topic.PosOf("DeliveryStatusLogging"), "%s", strings.Join(problems, "; "))
			continue
		}
		if len(need) == 0 {
			c.Pass(topic, "topic %s has only email or SMS subscribers, which SNS topic delivery status logging does not cover", name)
			continue
		}
		c.Pass(topic, "topic %s logs failed deliveries for %s", name, strings.Join(need, ", "))
	}
}

// SNSDeliveryAlarm enforces the second half of Monitoring 6: an alarm on
// failed deliveries of every topic that notifies the team.
var SNSDeliveryAlarm = &Rule{
	ID:     "sns-delivery-alarm",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 6",
	Title:  "Every SNS topic has an alarm on failed deliveries that notifies the team",
	Checklist: "Alarms and notification mechanisms are in place for scenarios when a message fails to be delivered " +
		"via SNS. In the event of a failure to deliver a message, an alarm must be triggered and the relevant " +
		"engineers, who provide support for the data synchronised via the given SNS topic, must be notified.",
	Rationale: "Logs record a failed delivery; an alarm makes someone look at it. The alarm must fire on the first " +
		"failure: every failed delivery is an event a listener never saw.",
	Remediation: "Add an AWS::CloudWatch::Alarm on Namespace AWS/SNS, MetricName NumberOfNotificationsFailed, " +
		"dimension TopicName = {Fn::GetAtt: [Topic, TopicName]} (Ref gives the ARN, which CloudWatch does not " +
		"use), Statistic Sum, ComparisonOperator GreaterThanOrEqualToThreshold, Threshold 1, EvaluationPeriods 1, " +
		"and AlarmActions naming the SNS topic of the engineers who support the data (with a subscription).",
	Example: `resources:
  Resources:
    PersonTopicFailedAlarm:
      Type: AWS::CloudWatch::Alarm
      Properties:
        AlarmName: person-topic-delivery-failed
        Namespace: AWS/SNS
        MetricName: NumberOfNotificationsFailed
        Dimensions:
          - Name: TopicName
            Value: !GetAtt PersonTopic.TopicName
        Statistic: Sum
        Period: 60
        EvaluationPeriods: 1
        ComparisonOperator: GreaterThanOrEqualToThreshold
        Threshold: 1
        TreatMissingData: notBreaching
        AlarmActions:
          - !Sub arn:aws:sns:${AWS::Region}:${AWS::AccountId}:housing-tl-alerts`,
	Check: func(c *Context) {
		idx := newAlarmIndex(c.Inv)
		for _, topic := range c.Inv.OfType("AWS::SNS::Topic") {
			if topic.External {
				continue
			}
			checkAlarmed(c, idx, topic, "topic", topicFailureQuery, countTrigger("a failed delivery",
				"Statistic: Sum, ComparisonOperator: GreaterThanOrEqualToThreshold, Threshold: 1, EvaluationPeriods: 1"))
		}
	},
}

var topicFailureQuery = alarmQuery{
	Namespace: "AWS/SNS",
	Metrics:   []string{"NumberOfNotificationsFailed"},
	Dims:      map[string]string{"TopicName": yieldsName},
	Confusable: map[string]string{
		"NumberOfNotificationsFailedToRedriveToDlq": "that counts only failures to move a message to a subscription's DLQ; alarm on NumberOfNotificationsFailed",
	},
}
