package collect

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"prodready/shared/inventory"
)

// deliveryProtocols maps the prefix of SNS's delivery-status attributes
// (LambdaSuccessFeedbackRoleArn…) to CloudFormation's
// DeliveryStatusLogging.Protocol.
var deliveryProtocols = []struct{ prefix, protocol string }{
	{"HTTP", "http/s"}, {"SQS", "sqs"}, {"Lambda", "lambda"}, {"Firehose", "firehose"}, {"Application", "application"},
}

// SNS topics (encryption, delivery status logging, tags) and their
// subscriptions as AWS::SNS::Subscription {TopicArn, Protocol, Endpoint,
// RedrivePolicy}.
var snsService = Service{
	Name:  "sns",
	Types: []string{"AWS::SNS::Topic", "AWS::SNS::Subscription"},
	Actions: []string{"sns:ListTopics", "sns:GetTopicAttributes", "sns:ListSubscriptions",
		"sns:GetSubscriptionAttributes"},
	has: func(c Clients) bool { return c.SNS != nil },
	collect: func(ctx context.Context, s *svc) error {
		c := s.clients.SNS
		var arns []string
		p := sns.NewListTopicsPaginator(c, &sns.ListTopicsInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("sns:ListTopics", "", err)
			}
			for _, t := range out.Topics {
				arns = append(arns, str(t.TopicArn))
			}
		}
		topics := map[string]*inventory.Resource{}
		var collected = make(chan *inventory.Resource, len(arns))
		err := detail(ctx, s, arns, func(a string) string { return a }, func(ctx context.Context, arn string) error {
			out, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
			if isCode(err, "NotFound") {
				return nil
			}
			if err != nil {
				return wrap("sns:GetTopicAttributes", arn, err)
			}
			collected <- addTopic(s, arn, out.Attributes)
			return nil
		})
		close(collected)
		for t := range collected {
			topics[t.ARN] = t
		}
		if err != nil {
			return err
		}

		var subs []types.Subscription
		sp := sns.NewListSubscriptionsPaginator(c, &sns.ListSubscriptionsInput{})
		for sp.HasMorePages() {
			out, err := sp.NextPage(ctx)
			if err != nil {
				return wrap("sns:ListSubscriptions", "", err)
			}
			subs = append(subs, out.Subscriptions...)
		}
		return detail(ctx, s, subs, func(x types.Subscription) string { return str(x.SubscriptionArn) }, func(ctx context.Context, x types.Subscription) error {
			arn := str(x.SubscriptionArn)
			sp := props{}.set("TopicArn", x.TopicArn).set("Protocol", x.Protocol).set("Endpoint", x.Endpoint)
			if strings.HasPrefix(arn, "arn:") { // not "PendingConfirmation"
				out, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &arn})
				if isCode(err, "NotFound") {
					return nil
				}
				if err != nil {
					return wrap("sns:GetSubscriptionAttributes", arn, err)
				}
				a := out.Attributes
				for _, k := range []string{"RedrivePolicy", "FilterPolicy"} {
					if v, err := jsonDoc(a[k]); a[k] != "" && err == nil {
						sp.set(k, v)
					}
				}
				sp.set("RawMessageDelivery", a["RawMessageDelivery"] == "true")
			} else {
				arn = str(x.TopicArn) + "#pending/" + str(x.Protocol) + "/" + str(x.Endpoint)
			}
			r := &inventory.Resource{ID: arn, ARN: arn, Name: str(x.Protocol) + " " + str(x.Endpoint), Type: "AWS::SNS::Subscription", Props: sp.node()}
			if strings.Contains(arn, "#pending/") {
				r.ARN = ""
			}
			if t := topics[str(x.TopicArn)]; t != nil {
				s.child(t, r)
			} else {
				s.add(r, map[string]string{})
			}
			return nil
		})
	},
}

func addTopic(s *svc, arn string, a map[string]string) *inventory.Resource {
	name := lastSegment(arn)
	tp := props{}.set("TopicName", name).set("KmsMasterKeyId", a["KmsMasterKeyId"]).set("DisplayName", a["DisplayName"]).
		set("FifoTopic", a["FifoTopic"] == "true")
	var logging []any
	for _, d := range deliveryProtocols {
		success, failure := a[d.prefix+"SuccessFeedbackRoleArn"], a[d.prefix+"FailureFeedbackRoleArn"]
		if success == "" && failure == "" {
			continue
		}
		logging = append(logging, map[string]any(props{}.set("Protocol", d.protocol).set("SuccessFeedbackRoleArn", success).
			set("FailureFeedbackRoleArn", failure).set("SuccessFeedbackSampleRate", a[d.prefix+"SuccessFeedbackSampleRate"])))
	}
	tp.set("DeliveryStatusLogging", logging)
	tags := s.tags[arn]
	tp.set("Tags", tagList(tags))
	attrs := map[string]string{}
	for _, k := range []string{"SubscriptionsConfirmed", "SubscriptionsPending"} {
		if v := a[k]; v != "" {
			attrs[k] = v
		}
	}
	return s.add(&inventory.Resource{ID: arn, ARN: arn, Name: name, Type: "AWS::SNS::Topic", Props: tp.node(), Attrs: attrs}, tags)
}
