package rules

import (
	"fmt"
	"strings"
	"time"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// SQSDLQ enforces the first part of Monitoring 7: nothing a listener or an
// asynchronous invocation fails on is thrown away.
var SQSDLQ = &Rule{
	ID:     "sqs-dlq",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 7",
	Title:  "Listener queues and asynchronously invoked functions keep failed messages in a dead-letter queue",
	Checklist: "The EDA setup for APIs includes mechanisms to prevent data loss. To ensure no data loss occurs for " +
		"message that fail to be processed by one or more of the listeners, engineers must be notified if a " +
		"message is inserted in a dead-letter queue (DLQ).",
	Rationale: "A message a listener keeps failing on is retried until the queue's retention expires and then " +
		"deleted; an event SNS, S3 or EventBridge delivers to a function that fails is retried twice and then " +
		"dropped. A dead-letter queue (a redrive policy, a function DLQ or an on-failure destination) keeps them " +
		"so they can be reviewed, archived and replayed.",
	Remediation: "For a queue a function consumes, add RedrivePolicy {deadLetterTargetArn: !GetAtt <Queue>DLQ.Arn, " +
		"maxReceiveCount: 3} and declare the DLQ. For a function invoked by SNS, S3, EventBridge or a schedule, set " +
		"onError: <DLQ ARN> or destinations.onFailure on the function in serverless.yml. For a queue owned by " +
		"another service, check its redrive policy there and record an exemption saying so.",
	Example: `functions:
  listener:
    handler: bin/listener
    events:
      - sqs:
          arn: !GetAtt ListenerQueue.Arn
resources:
  Resources:
    ListenerQueue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: orders-listener
        RedrivePolicy:
          deadLetterTargetArn: !GetAtt ListenerDLQ.Arn
          maxReceiveCount: 3
    ListenerDLQ:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: orders-listener-dlq
        MessageRetentionPeriod: 1209600`,
	Check: func(c *Context) {
		listeners := queueListeners(c.Inv)
		dlqs := map[*inventory.Resource]bool{}
		for _, d := range deadLetterQueues(c.Inv) {
			dlqs[d.Queue] = true
		}
		for _, q := range c.Inv.OfType("AWS::SQS::Queue") {
			if len(listeners[q]) > 0 {
				checkListenerQueue(c, q, listeners[q], dlqs[q])
			}
		}
		async := asyncInvokerIndex(c.Inv)
		for _, fn := range monitoredFunctions(c.Inv) {
			invokers := async[fn]
			if len(invokers) == 0 {
				continue
			}
			if how, ok := failureCatcher(c.Inv, fn); ok {
				c.Pass(fn, "function %s is invoked asynchronously (%s) and keeps failed events in %s", called(fn), invokers[0], how)
				continue
			}
			c.Fail(fn, fn.PosOf("DeadLetterConfig"), "function %s is invoked asynchronously (%s), and Lambda drops an event after two failed retries; set onError (DeadLetterConfig.TargetArn) or destinations.onFailure to a dead-letter queue",
				called(fn), strings.Join(invokers, "; "))
		}
	},
}

func checkListenerQueue(c *Context, q *inventory.Resource, listeners []*inventory.Resource, isDLQ bool) {
	name := called(q)
	consumer := describeTarget(c.Inv, listeners[0].Prop("FunctionName"))
	if q.External {
		c.Fail(q, value.Pos{}, "cannot see the redrive policy of %s: the queue is defined outside this service (consumed here by %s); the nightly auditor checks it live; exempt it here with the reason", name, consumer)
		return
	}
	if isDLQ {
		c.Pass(q, "queue %s is itself a dead-letter queue (consumed by %s), which needs none", name, consumer)
		return
	}
	at := q.PosOf("RedrivePolicy")
	rp, err := redrivePolicy(q.Prop("RedrivePolicy"))
	switch {
	case err != nil:
		c.Fail(q, at, "queue %s: %v", name, err)
		return
	case rp == nil:
		c.Fail(q, at, "queue %s is consumed by %s but has no RedrivePolicy, so a message the listener keeps failing on is retried until it expires and is lost; add RedrivePolicy {deadLetterTargetArn: <DLQ ARN>, maxReceiveCount: 3}", name, consumer)
		return
	}
	target := rp.Get("deadLetterTargetArn")
	var dlq string
	switch text, readable := refText(target); {
	case !target.Has():
		c.Fail(q, at, "queue %s has a RedrivePolicy without deadLetterTargetArn; name the dead-letter queue's ARN", name)
		return
	case resolveTyped(c.Inv, target, "AWS::SQS::Queue") != nil:
		dlq = resolveTyped(c.Inv, target, "AWS::SQS::Queue").DisplayName()
	case target.IsUnknown():
		dlq = "the queue " + target.Str + " names at deploy time"
	case readable && arnService(text) == "sqs":
		dlq = text + " (outside this service)"
	default:
		c.Fail(q, posIn(target, at), "queue %s has deadLetterTargetArn %s, which is not an SQS queue ARN; name the dead-letter queue with {Fn::GetAtt: [<DLQ>, Arn]}", name, describeValue(target))
		return
	}
	mrc := rp.Get("maxReceiveCount")
	n, ok := mrc.AsInt()
	switch {
	case !mrc.Has():
		c.Fail(q, at, "queue %s has a RedrivePolicy without maxReceiveCount; set it (3 is usual) so failed messages move to %s", name, dlq)
	case !ok && !isVisible(mrc):
		c.Fail(q, posIn(mrc, at), "cannot see the maxReceiveCount of queue %s: it is %s", name, unseen(mrc))
	case !ok || n < 1:
		c.Fail(q, posIn(mrc, at), "queue %s has maxReceiveCount %s; it must be a whole number of at least 1 (3 is usual)", name, mrc.Describe())
	default:
		c.Pass(q, "queue %s moves a message its listener fails on %d time%s to dead-letter queue %s", name, n, plural(int(n)), dlq)
	}
}

// dlqQuery is the metric that shows a message waiting in a dead-letter queue.
var dlqQuery = alarmQuery{
	Namespace: "AWS/SQS",
	Metrics:   []string{"ApproximateNumberOfMessagesVisible"},
	Dims:      map[string]string{"QueueName": yieldsName},
	Confusable: map[string]string{
		"NumberOfMessagesSent":     "SQS does not count messages it moves into a dead-letter queue by redrive in NumberOfMessagesSent; alarm on ApproximateNumberOfMessagesVisible",
		"NumberOfMessagesReceived": "that counts receives, not messages waiting; alarm on ApproximateNumberOfMessagesVisible",
	},
}

// DLQAlarm enforces the notification part of Monitoring 7.
var DLQAlarm = &Rule{
	ID:     "dlq-alarm",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 7",
	Title:  "Every dead-letter queue has an alarm on its first message that notifies the team",
	Checklist: "The EDA setup for APIs includes mechanisms to prevent data loss. Engineers must be notified if a " +
		"message is inserted in a dead-letter queue (DLQ).",
	Rationale: "A message in a dead-letter queue is data a listener failed to process. Unless someone is told, it " +
		"sits there until its retention expires.",
	Remediation: "Add an AWS::CloudWatch::Alarm on Namespace AWS/SQS, MetricName ApproximateNumberOfMessagesVisible, " +
		"dimension QueueName = {Fn::GetAtt: [<DLQ>, QueueName]} (Ref gives the queue URL, which CloudWatch does not " +
		"use), Statistic Maximum, ComparisonOperator GreaterThanThreshold, Threshold 0, and AlarmActions naming the " +
		"team's SNS topic (with a subscription). NumberOfMessagesSent does not count messages moved in by redrive.",
	Example: `resources:
  Resources:
    ListenerDLQAlarm:
      Type: AWS::CloudWatch::Alarm
      Properties:
        AlarmName: orders-listener-dlq-not-empty
        Namespace: AWS/SQS
        MetricName: ApproximateNumberOfMessagesVisible
        Dimensions:
          - Name: QueueName
            Value: !GetAtt ListenerDLQ.QueueName
        Statistic: Maximum
        Period: 300
        EvaluationPeriods: 1
        ComparisonOperator: GreaterThanThreshold
        Threshold: 0
        AlarmActions:
          - !Ref AlertsTopic`,
	Check: func(c *Context) {
		idx := newAlarmIndex(c.Inv)
		for _, d := range deadLetterQueues(c.Inv) {
			checkAlarmed(c, idx, d.Queue, "dead-letter queue", dlqQuery, gaugeTrigger("the first message",
				"Statistic: Maximum, ComparisonOperator: GreaterThanThreshold, Threshold: 0"))
		}
	},
}

// DLQArchive enforces the archiving part of Monitoring 7: the DLQ archiver
// copies every DLQ's messages to S3 before they expire.
var DLQArchive = &Rule{
	ID:     "dlq-archive",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 7",
	Title:  "Every dead-letter queue is archived to S3 before its messages expire",
	Checklist: "The EDA setup for APIs includes mechanisms to prevent data loss. Any pending messages in the DLQ, " +
		"that have been reviewed, must be stored in S3 prior to the retention period expiry.",
	Rationale: "SQS deletes a message when its retention period ends, reviewed or not. The DLQ archiver copies " +
		"messages to S3 hourly, 48 hours before they would expire; it finds DLQs named by a queue's redrive " +
		"policy, and other DLQs (a function's DLQ or on-failure destination) by a tag. A retention shorter than " +
		"the archiver's margin leaves it no time. SQS keeps a standard queue message's original enqueue time " +
		"when it moves to a DLQ, so a DLQ should keep messages longer than its source queue does.",
	Remediation: "Give the DLQ MessageRetentionPeriod of at least the minimum (1209600, 14 days, leaves the most " +
		"time). If no queue's RedrivePolicy names it (it is a function's onError or on-failure destination), tag it " +
		"with the archive tag set to \"true\" so the archiver finds it.",
	Example: `resources:
  Resources:
    WorkerDLQ:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: orders-worker-dlq
        MessageRetentionPeriod: 1209600
        Tags:
          - Key: safeguard:dlq-archive
            Value: "true"`,
	Check: checkDLQArchive,
}

// sqsDefaultRetention is MessageRetentionPeriod when unset (4 days).
const sqsDefaultRetention = 345600 * time.Second

func checkDLQArchive(c *Context) {
	minRet := c.Settings.DLQMinRetention
	tag := c.Settings.ArchiveTag
	for _, d := range deadLetterQueues(c.Inv) {
		q := d.Queue
		name := called(q)
		if q.External {
			c.Fail(q, d.Sources[0].Pos, "cannot see the retention and tags of %s: the queue is defined outside this service (it is the %s); the nightly auditor checks it live; exempt it here with the reason", name, d.Describe())
			continue
		}
		var problems []string
		at := value.Pos{}
		covered := d.Redriven()
		if !covered {
			if v, ok := q.Tag(tag); ok && strings.EqualFold(strings.TrimSpace(v.String()), "true") {
				covered = true
			}
		}
		if !covered {
			problems = append(problems, fmt.Sprintf("the DLQ archiver cannot find it: no queue's RedrivePolicy names it (it is the %s) and it has no tag %s = \"true\"; add the tag", d.Describe(), tag))
			at = q.PosOf("Tags")
		}
		retNode := q.Prop("MessageRetentionPeriod")
		ret := sqsDefaultRetention
		retWhat := "the default 345600 s (4 days)"
		if retNode.Has() {
			secs, ok := retNode.AsInt()
			if !ok {
				problems = append(problems, fmt.Sprintf("cannot see its MessageRetentionPeriod (%s), so cannot tell whether the archiver has time", unseen(retNode)))
				if at.IsZero() {
					at = q.PosOf("MessageRetentionPeriod")
				}
				ret = -1
			} else {
				ret = time.Duration(secs) * time.Second
				retWhat = fmt.Sprintf("%d s (%s)", secs, days(ret))
			}
		}
		if ret >= 0 && ret < minRet {
			problems = append(problems, fmt.Sprintf("it keeps messages %s, less than the %d s (%s) the hourly archiver needs with its 48-hour margin; set MessageRetentionPeriod to at least %d (1209600, 14 days, gives the most time)",
				retWhat, int64(minRet/time.Second), days(minRet), int64(minRet/time.Second)))
			if at.IsZero() {
				at = q.PosOf("MessageRetentionPeriod")
			}
		}
		if len(problems) > 0 {
			c.Fail(q, at, "dead-letter queue %s: %s", name, strings.Join(problems, "; "))
			continue
		}
		how := "a redrive policy names it"
		if !d.Redriven() {
			how = "it carries tag " + tag + " = \"true\""
		}
		c.Pass(q, "dead-letter queue %s is archived (%s) and keeps messages %s, at least the %d s (%s) the archiver needs", name, how, retWhat, int64(minRet/time.Second), days(minRet))
	}
}

func days(d time.Duration) string {
	n := d.Hours() / 24
	if n == float64(int(n)) {
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", int(n))
	}
	return fmt.Sprintf("%.1f days", n)
}
