package rules

import (
	"fmt"
	"slices"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// The EDA rules (Monitoring 7) need to know which queues hold failed
// messages (dead-letter queues, inventory convention 11), which queues a
// listener consumes, and which functions are invoked asynchronously
// (convention 8), whose failures are lost unless a DLQ or on-failure
// destination catches them.

// deadLetterSource is one way failed messages reach a dead-letter queue.
type deadLetterSource struct {
	// From is the resource that sends them (a queue, a function, an SNS
	// subscription, an event invoke config, an event source mapping, an
	// EventBridge rule).
	From *inventory.Resource
	// How says it in messages ("redrive policy of queue orders").
	How string
	// Redrive marks a queue's redrive policy: the DLQ archiver discovers
	// those DLQs by itself.
	Redrive bool
	// Pos is where the target is named.
	Pos value.Pos
}

// deadLetterQueue is a queue that receives failed messages, and from where.
type deadLetterQueue struct {
	Queue   *inventory.Resource
	Sources []deadLetterSource
}

// Redriven reports whether a queue's redrive policy names the DLQ.
func (d *deadLetterQueue) Redriven() bool {
	for _, s := range d.Sources {
		if s.Redrive {
			return true
		}
	}
	return false
}

// Describe lists where the DLQ's messages come from.
func (d *deadLetterQueue) Describe() string {
	hows := make([]string, 0, len(d.Sources))
	for _, s := range d.Sources {
		hows = append(hows, s.How)
	}
	return strings.Join(hows, ", ")
}

// deadLetterQueues returns the SQS queues in the inventory that receive
// failed messages, in inventory order: those named by a queue's or an SNS
// subscription's RedrivePolicy.deadLetterTargetArn, by a function's
// DeadLetterConfig.TargetArn, by the OnFailure destination of an
// AWS::Lambda::EventInvokeConfig or of an event source mapping (stream
// failures), and by an EventBridge rule target's DeadLetterConfig.
func deadLetterQueues(inv *inventory.Inventory) []*deadLetterQueue {
	byQueue := map[*inventory.Resource]*deadLetterQueue{}
	var order []*inventory.Resource
	add := func(target *value.Node, src deadLetterSource) {
		q := resolveTyped(inv, target, "AWS::SQS::Queue")
		if q == nil {
			return
		}
		d := byQueue[q]
		if d == nil {
			d = &deadLetterQueue{Queue: q}
			byQueue[q] = d
			order = append(order, q)
		}
		if src.Pos.IsZero() {
			src.Pos = target.Pos
		}
		d.Sources = append(d.Sources, src)
	}
	for _, q := range inv.OfType("AWS::SQS::Queue") {
		if rp, _ := redrivePolicy(q.Prop("RedrivePolicy")); rp != nil {
			add(rp.Get("deadLetterTargetArn"), deadLetterSource{From: q, How: "redrive policy of queue " + called(q), Redrive: true, Pos: q.PosOf("RedrivePolicy")})
		}
	}
	for _, sub := range inv.OfType("AWS::SNS::Subscription") {
		if rp, _ := redrivePolicy(sub.Prop("RedrivePolicy")); rp != nil {
			add(rp.Get("deadLetterTargetArn"), deadLetterSource{From: sub, How: "redrive policy of SNS subscription " + called(sub), Pos: sub.PosOf("RedrivePolicy")})
		}
	}
	for _, fn := range inv.OfType("AWS::Lambda::Function") {
		if t := fn.Prop("DeadLetterConfig", "TargetArn"); t.Has() {
			add(t, deadLetterSource{From: fn, How: "DeadLetterConfig of function " + called(fn)})
		}
	}
	for _, eic := range inv.OfType("AWS::Lambda::EventInvokeConfig") {
		if d := eic.Prop("DestinationConfig", "OnFailure", "Destination"); d.Has() {
			add(d, deadLetterSource{From: eic, How: "on-failure destination of " + called(eic)})
		}
	}
	for _, esm := range inv.OfType("AWS::Lambda::EventSourceMapping") {
		if d := esm.Prop("DestinationConfig", "OnFailure", "Destination"); d.Has() {
			add(d, deadLetterSource{From: esm, How: "on-failure destination of event source mapping " + called(esm)})
		}
	}
	for _, rule := range inv.OfType("AWS::Events::Rule") {
		for _, t := range rule.Prop("Targets").List() {
			if d := t.Get("DeadLetterConfig", "Arn"); d.Has() {
				add(d, deadLetterSource{From: rule, How: "dead-letter config of a target of rule " + called(rule)})
			}
		}
	}
	out := make([]*deadLetterQueue, 0, len(order))
	for _, q := range order {
		out = append(out, byQueue[q])
	}
	return out
}

// redrivePolicy reads a RedrivePolicy: a map, or the JSON text live
// collectors (and some templates) hold. A nil node is no policy; text that
// is not a JSON object is an error.
func redrivePolicy(n *value.Node) (*value.Node, error) {
	if !n.Has() {
		return nil, nil
	}
	if n.Kind == value.Map {
		return n, nil
	}
	s, ok := n.Text()
	if !ok || n.Kind != value.String {
		return nil, fmt.Errorf("RedrivePolicy is %s, not a map or JSON text", unseen(n))
	}
	doc, err := value.ParseJSON(n.Pos.File, []byte(s), value.DefaultLimits)
	if err != nil || doc.Kind != value.Map {
		return nil, fmt.Errorf("RedrivePolicy %q is not a JSON object", s)
	}
	// Positions inside the text would be relative to it: point at the text.
	inventory.Walk(doc, func(x *value.Node) bool { x.Pos = n.Pos; return true })
	return doc, nil
}

// queueListeners maps each SQS queue to the event source mappings that
// consume it: the Framework compiles an sqs event into one whose
// EventSourceArn points at the queue.
func queueListeners(inv *inventory.Inventory) map[*inventory.Resource][]*inventory.Resource {
	out := map[*inventory.Resource][]*inventory.Resource{}
	for _, esm := range inv.OfType("AWS::Lambda::EventSourceMapping") {
		if q := resolveTyped(inv, esm.Prop("EventSourceArn"), "AWS::SQS::Queue"); q != nil {
			out[q] = append(out[q], esm)
		}
	}
	return out
}

// asyncPrincipals are the services that invoke functions asynchronously
// (SNS, S3, EventBridge, CloudWatch Logs, IoT, SES): a failed invocation is
// retried twice, then dropped unless a DLQ or on-failure destination
// catches it.
var asyncPrincipals = []string{"sns", "s3", "events", "logs", "iot", "ses"}

// asyncInvokers says why fn is invoked asynchronously (inventory
// convention 8): a Lambda permission for an async principal, an SNS
// subscription or an EventBridge rule target pointing at it. Empty when it
// is not.
func asyncInvokers(inv *inventory.Inventory, fn *inventory.Resource) []string {
	return asyncInvokerIndex(inv)[fn]
}

// asyncInvokerIndex finds, in one pass over permissions, subscriptions and
// rules, what invokes each function asynchronously (asking per function made
// the check quadratic in the number of functions).
func asyncInvokerIndex(inv *inventory.Inventory) map[*inventory.Resource][]string {
	out := map[*inventory.Resource][]string{}
	for _, p := range inv.OfType("AWS::Lambda::Permission") {
		principal, _ := refText(p.Prop("Principal"))
		svc, _, _ := strings.Cut(principal, ".")
		if !slices.Contains(asyncPrincipals, svc) {
			continue
		}
		if fn := resolveTyped(inv, p.Prop("FunctionName"), "AWS::Lambda::Function"); fn != nil {
			out[fn] = append(out[fn], fmt.Sprintf("permission %s lets %s invoke it", called(p), principal))
		}
	}
	for _, sub := range inv.OfType("AWS::SNS::Subscription") {
		if !strings.EqualFold(sub.Prop("Protocol").String(), "lambda") {
			continue
		}
		if fn := resolveTyped(inv, sub.Prop("Endpoint"), "AWS::Lambda::Function"); fn != nil {
			out[fn] = append(out[fn], "SNS subscription "+called(sub)+" delivers to it")
		}
	}
	for _, rule := range inv.OfType("AWS::Events::Rule") {
		for _, t := range rule.Prop("Targets").List() {
			if fn := resolveTyped(inv, t.Get("Arn"), "AWS::Lambda::Function"); fn != nil {
				out[fn] = append(out[fn], "rule "+called(rule)+" targets it")
			}
		}
	}
	return out
}

// failureCatcher says where fn's failed asynchronous invocations go: its
// DeadLetterConfig.TargetArn or an AWS::Lambda::EventInvokeConfig OnFailure
// destination. ok is false when nothing catches them.
func failureCatcher(inv *inventory.Inventory, fn *inventory.Resource) (how string, ok bool) {
	if t := fn.Prop("DeadLetterConfig", "TargetArn"); t.Has() {
		return "DeadLetterConfig " + describeTarget(inv, t), true
	}
	for _, eic := range inv.OfType("AWS::Lambda::EventInvokeConfig") {
		if resolveTyped(inv, eic.Prop("FunctionName"), "AWS::Lambda::Function") != fn {
			continue
		}
		if d := eic.Prop("DestinationConfig", "OnFailure", "Destination"); d.Has() {
			return "on-failure destination " + describeTarget(inv, d) + " (" + called(eic) + ")", true
		}
	}
	return "", false
}

// describeTarget names what a reference points at, for messages.
func describeTarget(inv *inventory.Inventory, n *value.Node) string {
	if r := inv.Resolve(n); r != nil {
		return called(r)
	}
	if id, _, ok := refTo(n); ok {
		return id
	}
	if t, ok := refText(n); ok {
		return t
	}
	return unseen(n)
}
