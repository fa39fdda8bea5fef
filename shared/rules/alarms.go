package rules

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// Every alarm rule asks the same three questions of the alarms in the
// inventory: does one watch this resource's metric, does it fire on the
// first event the standard names (one 5xx error, one failed delivery, one
// message in a dead-letter queue, one failed canary run), and does it tell
// someone? This file answers them once, for single-metric and metric-math
// alarms, with references or names in the dimensions.

// alarmQuery says which alarms can watch a resource.
type alarmQuery struct {
	// Namespace and Metrics are the CloudWatch metric the alarm must read.
	Namespace string
	Metrics   []string
	// Dims maps the dimensions that identify the resource to what their
	// value must be (yieldsName or yieldsID); one of them must be present.
	Dims map[string]string
	// Misnamed maps dimensions that name the resource but under which the
	// metric is not published (ApiId for a REST API) to what their value
	// would hold, so an alarm using one is reported rather than ignored.
	Misnamed map[string]string
	// Extra lists dimensions an alarm may add without narrowing it to a
	// part of the resource (an API's Stage).
	Extra []string
	// Confusable maps metric names that are easy to take for the right one
	// to what to use instead.
	Confusable map[string]string
}

func (q alarmQuery) describe() string {
	dims := slices.Sorted(maps.Keys(q.Dims))
	return fmt.Sprintf("%s %s with dimension %s", q.Namespace, strings.Join(q.Metrics, " or "), strings.Join(dims, " or "))
}

// alarmMetric is one metric an alarm reads.
type alarmMetric struct {
	// ID is the metric-math id, "" for a single-metric alarm.
	ID        string
	Namespace string
	Name      string
	Dims      *value.Node
	// Stat is the Statistic or ExtendedStatistic (Stat in metric math).
	Stat   string
	Period int64
	// Node is where the metric is declared, and StatPath the path of its
	// statistic below the alarm's properties, for positions.
	Node     *value.Node
	StatPath []string
}

// alarmShape is what an alarm compares with its threshold.
type alarmShape struct {
	Metrics []alarmMetric
	// Math holds the metric-math entries by id, and Returned the id of the
	// one whose result is compared ("" for a single-metric alarm).
	Math     map[string]*value.Node
	Returned string
}

// readAlarm reads an AWS::CloudWatch::Alarm: either Namespace/MetricName or
// Metrics (metric math, MetricStat entries and Expression entries).
func readAlarm(a *inventory.Resource) alarmShape {
	var s alarmShape
	if a.Prop("MetricName").Has() {
		stat, statKey := a.Prop("Statistic"), "Statistic"
		if !stat.Has() {
			stat, statKey = a.Prop("ExtendedStatistic"), "ExtendedStatistic"
		}
		period, _ := a.Prop("Period").AsInt()
		ns, _ := refText(a.Prop("Namespace"))
		name, _ := refText(a.Prop("MetricName"))
		s.Metrics = append(s.Metrics, alarmMetric{Namespace: ns, Name: name, Dims: a.Prop("Dimensions"), Stat: stat.String(), Period: period, Node: a.Props, StatPath: []string{statKey}})
		return s
	}
	entries := a.Prop("Metrics").List()
	s.Math = map[string]*value.Node{}
	var returned []string
	for i, e := range entries {
		id := e.Get("Id").String()
		if id == "" {
			id = "#" + strconv.Itoa(i)
		}
		s.Math[id] = e
		if rd, ok := e.Get("ReturnData").AsBool(); !ok || rd {
			returned = append(returned, id)
		}
		ms := e.Get("MetricStat")
		if !ms.Has() {
			continue
		}
		m := ms.Get("Metric")
		ns, _ := refText(m.Get("Namespace"))
		name, _ := refText(m.Get("MetricName"))
		period, _ := ms.Get("Period").AsInt()
		s.Metrics = append(s.Metrics, alarmMetric{ID: id, Namespace: ns, Name: name, Dims: m.Get("Dimensions"), Stat: ms.Get("Stat").String(), Period: period, Node: e,
			StatPath: []string{"Metrics", strconv.Itoa(i), "MetricStat", "Stat"}})
	}
	// CloudWatch compares the one entry with ReturnData true; when several
	// leave it unset, prefer the expression (the others feed it).
	for _, id := range returned {
		if s.Returned == "" || s.Math[id].Get("Expression").Has() && !s.Math[s.Returned].Get("Expression").Has() {
			s.Returned = id
		}
	}
	return s
}

// alarmProblem is something an alarm lacks, and the line to change.
type alarmProblem struct {
	Msg string
	Pos value.Pos
}

// alarmCandidate is an alarm that watches (or nearly watches) a resource,
// with what keeps it from doing the job.
type alarmCandidate struct {
	Alarm    *inventory.Resource
	Metric   alarmMetric
	Problems []alarmProblem
	// WrongMetric marks an alarm on a confusable metric, whose threshold
	// means something else.
	WrongMetric bool
}

// alarmIndex holds the alarms of an inventory by the metrics they read, so
// a rule over many resources reads each alarm once.
type alarmIndex struct {
	byMetric map[string][]indexedMetric
}

type indexedMetric struct {
	Alarm  *inventory.Resource
	Metric alarmMetric
}

func metricKey(namespace, name string) string { return namespace + "\x00" + name }

// newAlarmIndex reads every AWS::CloudWatch::Alarm of inv.
func newAlarmIndex(inv *inventory.Inventory) *alarmIndex {
	idx := &alarmIndex{byMetric: map[string][]indexedMetric{}}
	for _, a := range inv.OfType("AWS::CloudWatch::Alarm") {
		for _, m := range readAlarm(a).Metrics {
			k := metricKey(m.Namespace, m.Name)
			idx.byMetric[k] = append(idx.byMetric[k], indexedMetric{a, m})
		}
	}
	return idx
}

// alarmsWatching returns the alarms reading q's metric for target, with a
// problem recorded on each near miss: a dimension that refers to target but
// yields the wrong thing (a queue's URL for QueueName), a dimension that
// narrows the alarm to a part of it, a confusable metric name. Alarms come
// in inventory order, one candidate (its best metric) per alarm.
func (idx *alarmIndex) alarmsWatching(q alarmQuery, target *inventory.Resource) []*alarmCandidate {
	names := append(slices.Clone(q.Metrics), slices.Sorted(maps.Keys(q.Confusable))...)
	byAlarm := map[*inventory.Resource]*alarmCandidate{}
	var order []*inventory.Resource
	for _, name := range names {
		for _, im := range idx.byMetric[metricKey(q.Namespace, name)] {
			problems, related := metricWatches(im.Alarm, im.Metric, q, target)
			if !related {
				continue
			}
			best, seen := byAlarm[im.Alarm]
			if !seen {
				order = append(order, im.Alarm)
			}
			if !seen || len(problems) < len(best.Problems) {
				byAlarm[im.Alarm] = &alarmCandidate{Alarm: im.Alarm, Metric: im.Metric, Problems: problems, WrongMetric: !slices.Contains(q.Metrics, im.Metric.Name)}
			}
		}
	}
	out := make([]*alarmCandidate, 0, len(order))
	for _, a := range order {
		out = append(out, byAlarm[a])
	}
	return out
}

// metricWatches reports whether m reads q's metric for target (related),
// and what is wrong with it.
func metricWatches(a *inventory.Resource, m alarmMetric, q alarmQuery, target *inventory.Resource) (problems []alarmProblem, related bool) {
	if m.Namespace != q.Namespace {
		return nil, false
	}
	at := a.PosOf()
	if m.Node != nil && !m.Node.Pos.IsZero() {
		at = m.Node.Pos
	}
	nameOK := false
	for _, want := range q.Metrics {
		nameOK = nameOK || m.Name == want
	}
	if !nameOK {
		hint, confusable := q.Confusable[m.Name]
		if !confusable {
			return nil, false
		}
		problems = append(problems, alarmProblem{fmt.Sprintf("alarm %s watches metric %s; %s", called(a), m.Name, hint), posIn(m.Node, at, "MetricName", "MetricStat")})
	}
	identified := false
	var narrowing []alarmProblem
	for _, d := range m.Dims.List() {
		name := d.Get("Name").String()
		v := d.Get("Value")
		want, identifying := q.Dims[name]
		misWant, misnamed := q.Misnamed[name]
		switch {
		case misnamed:
			if ok, _ := valueNames(v, target, misWant); ok {
				identified = true
				problems = append(problems, alarmProblem{fmt.Sprintf("alarm %s names %s by dimension %s, but CloudWatch publishes %s for it under %s",
					called(a), called(target), name, q.Metrics[0], strings.Join(slices.Sorted(maps.Keys(q.Dims)), " or ")), posIn(d, at, "Name")})
			}
		case identifying:
			ok, wrong := valueNames(v, target, want)
			switch {
			case ok:
				identified = true
			case wrong != "":
				identified = true
				problems = append(problems, alarmProblem{fmt.Sprintf("alarm %s names %s in dimension %s by a reference that yields its %s; CloudWatch publishes %s under its %s: use %s",
					called(a), called(target), name, wrong, q.Metrics[0], want, refHint(target, want)), posIn(v, at)})
			}
		case !slices.Contains(q.Extra, name):
			narrowing = append(narrowing, alarmProblem{fmt.Sprintf("alarm %s also filters on dimension %s = %s, so it watches only part of %s", called(a), name, describeValue(v), called(target)), posIn(v, at)})
		}
	}
	if !identified {
		return nil, false
	}
	return append(problems, narrowing...), true
}

// posIn returns the position of the first present path below n, or of n,
// or fallback.
func posIn(n *value.Node, fallback value.Pos, paths ...string) value.Pos {
	for _, p := range paths {
		if x := n.Get(p); x != nil && !x.Pos.IsZero() {
			return x.Pos
		}
	}
	if n != nil && !n.Pos.IsZero() {
		return n.Pos
	}
	return fallback
}

func describeValue(n *value.Node) string {
	if id, attr, ok := refTo(n); ok {
		if attr == "" {
			return "{Ref: " + id + "}"
		}
		return "{Fn::GetAtt: [" + id + ", " + attr + "]}"
	}
	if t, ok := refText(n); ok {
		return strconv.Quote(t)
	}
	return unseen(n)
}

// alarmTrigger is the event an alarm rule wants to hear about.
type alarmTrigger struct {
	// Event names it in messages ("the first 5xx error").
	Event string
	// At returns what the statistic reads in a period of the given length
	// (seconds) at the first event (fire) and with no event (quiet); why is
	// set when the statistic cannot see the event at all.
	At func(stat string, period int64) (fire, quiet float64, why string)
	// Positive marks metrics that read 0 without the event and more than 0
	// with it, so an expression derived from them (an error rate) does too.
	Positive bool
	// FirstPeriod requires the alarm to fire on the first breaching period
	// (DatapointsToAlarm 1): the event may not repeat, so waiting for more
	// periods can miss it.
	FirstPeriod bool
	// Fix is the setting that works, for messages.
	Fix string
}

// The value a rate-like metric takes at the first event: one error in a
// million requests. Only "greater than 0" catches it.
const firstEventFraction = 1e-6

// normStat maps percentiles that mean the extremes to their statistic names.
func normStat(stat string) string {
	switch strings.ToLower(stat) {
	case "p100":
		return "Maximum"
	case "p0":
		return "Minimum"
	}
	return stat
}

// countTrigger is for metrics that count events (5XXError, 5xx,
// NumberOfNotificationsFailed): Sum is the count, Maximum is at least one,
// Average is the fraction of requests that failed.
func countTrigger(event, fix string) alarmTrigger {
	return alarmTrigger{Event: event, Positive: true, FirstPeriod: true, Fix: fix,
		At: func(stat string, _ int64) (float64, float64, string) {
			switch normStat(stat) {
			case "Sum", "Maximum":
				return 1, 0, ""
			case "Average":
				return firstEventFraction, 0, ""
			case "":
				return 0, 0, "it names no statistic"
			case "Minimum":
				return 0, 0, "statistic Minimum rises only when every request in the period fails"
			case "SampleCount":
				return 0, 0, "statistic SampleCount counts requests, not failures"
			}
			return 0, 0, fmt.Sprintf("statistic %s ignores a single failure", stat)
		}}
}

// gaugeTrigger is for metrics that hold a level that stays until someone
// acts (ApproximateNumberOfMessagesVisible): every statistic but
// SampleCount reads at least 1 once a message sits in the queue.
func gaugeTrigger(event, fix string) alarmTrigger {
	return alarmTrigger{Event: event, Positive: true, Fix: fix,
		At: func(stat string, _ int64) (float64, float64, string) {
			switch {
			case stat == "":
				return 0, 0, "it names no statistic"
			case stat == "SampleCount":
				return 0, 0, "statistic SampleCount counts datapoints, not messages"
			}
			return 1, 0, ""
		}}
}

// canaryTrigger is for SuccessPercent of a canary that runs runsPerDay
// times a day: a failed run among k runs in the period reads 100·(k-1)/k on
// Average, 0 on Minimum and 100·(k-1) on Sum.
func canaryTrigger(runsPerDay float64) alarmTrigger {
	return alarmTrigger{Event: "a failed canary run", FirstPeriod: true,
		Fix: "Statistic: Average, ComparisonOperator: LessThanThreshold, Threshold: 100, EvaluationPeriods: 1",
		At: func(stat string, period int64) (float64, float64, string) {
			k := 1.0
			if runsPerDay > 0 && period > 0 {
				k = math.Max(1, math.Ceil(float64(period)*runsPerDay/86400))
			}
			switch normStat(stat) {
			case "Average":
				return 100 * (k - 1) / k, 100, ""
			case "Minimum":
				return 0, 100, ""
			case "Sum":
				return 100 * (k - 1), 100 * k, ""
			case "Maximum":
				if k == 1 {
					return 0, 100, ""
				}
				return 0, 0, fmt.Sprintf("statistic Maximum drops only when all %d runs in the %d-second period fail", int(k), period)
			case "":
				return 0, 0, "it names no statistic"
			case "SampleCount":
				return 0, 0, "statistic SampleCount counts runs, not failures"
			}
			return 0, 0, fmt.Sprintf("statistic %s may not see one failed run", stat)
		}}
}

// compare applies a ComparisonOperator; ok is false for the anomaly band
// operators, which need a band rather than a threshold.
func compare(op string, v, threshold float64) (fires, ok bool) {
	switch op {
	case "GreaterThanThreshold":
		return v > threshold, true
	case "GreaterThanOrEqualToThreshold":
		return v >= threshold, true
	case "LessThanThreshold":
		return v < threshold, true
	case "LessThanOrEqualToThreshold":
		return v <= threshold, true
	}
	return false, false
}

var opSymbols = map[string]string{
	"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=",
	"LessThanThreshold": "<", "LessThanOrEqualToThreshold": "<=",
}

func fmtNum(f float64) string {
	switch {
	case f > 0 && f < 0.001:
		return "just above 0"
	case f == math.Trunc(f):
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

// judgeTrigger records what keeps an alarm from firing on t's event.
func judgeTrigger(a *inventory.Resource, shape alarmShape, m alarmMetric, t alarmTrigger) []alarmProblem {
	var problems []alarmProblem
	name := called(a)
	if a.Prop("ThresholdMetricId").Has() {
		return []alarmProblem{{fmt.Sprintf("alarm %s compares with an anomaly detection band, which does not fire on %s; use %s", name, t.Event, t.Fix), a.PosOf("ThresholdMetricId")}}
	}
	stat, period, derived := m.Stat, m.Period, false
	statPos := a.PosOf(m.StatPath...)
	if shape.Math != nil {
		reach, sumLike, expr := mathReach(shape, shape.Returned)
		switch {
		case shape.Returned == "":
			return []alarmProblem{{fmt.Sprintf("alarm %s returns no metric-math result (no entry has ReturnData true)", name), a.PosOf("Metrics")}}
		case !reach[m.ID]:
			return []alarmProblem{{fmt.Sprintf("alarm %s reads metric %s (id %s) but alarms on %s, which does not use it", name, m.Name, m.ID, describeMath(shape, shape.Returned)), a.PosOf("Metrics")}}
		case !sumLike:
			derived = true
			if !t.Positive {
				return []alarmProblem{{fmt.Sprintf("alarm %s alarms on the expression %q, which the check cannot judge for %s; alarm on the metric itself: %s", name, expr, t.Event, t.Fix), posIn(shape.Math[shape.Returned], a.Pos, "Expression")}}
			}
		}
	}
	op := a.Prop("ComparisonOperator").String()
	thrNode := a.Prop("Threshold")
	thr, thrOK := thrNode.AsFloat()
	if !thrOK {
		return append(problems, alarmProblem{fmt.Sprintf("alarm %s has no threshold the check can read (%s); use %s", name, unseen(thrNode), t.Fix), a.PosOf("Threshold")})
	}
	var fire, quiet float64
	if derived {
		fire, quiet = firstEventFraction, 0
	} else {
		var why string
		fire, quiet, why = t.At(stat, period)
		if why != "" {
			return append(problems, alarmProblem{fmt.Sprintf("alarm %s cannot fire on %s: %s; use %s", name, t.Event, why, t.Fix), statPos})
		}
	}
	what := "the " + stat
	if derived {
		what = "the expression"
	}
	fires, known := compare(op, fire, thr)
	switch {
	case !known:
		problems = append(problems, alarmProblem{fmt.Sprintf("alarm %s uses ComparisonOperator %q, which needs an anomaly detection band; use %s", name, op, t.Fix), a.PosOf("ComparisonOperator")})
	case !fires:
		problems = append(problems, alarmProblem{fmt.Sprintf("alarm %s does not fire on %s: %s reads %s then, and it fires only when %s %s %s; use %s", name, t.Event, what, fmtNum(fire), what, opSymbols[op], fmtNum(thr), t.Fix), a.PosOf("Threshold")})
	default:
		if always, _ := compare(op, quiet, thr); always {
			problems = append(problems, alarmProblem{fmt.Sprintf("alarm %s is in alarm all the time: with no event %s reads %s, and %s %s %s, so it notifies once and never again; use %s", name, what, fmtNum(quiet), fmtNum(quiet), opSymbols[op], fmtNum(thr), t.Fix), a.PosOf("Threshold")})
		}
	}
	if t.FirstPeriod {
		m := a.Prop("DatapointsToAlarm")
		key := "DatapointsToAlarm"
		if !m.Has() {
			m, key = a.Prop("EvaluationPeriods"), "EvaluationPeriods"
		}
		if n, ok := m.AsInt(); ok && n > 1 {
			problems = append(problems, alarmProblem{fmt.Sprintf("alarm %s waits for %d breaching periods (%s %d), so %s alone does not fire it; set DatapointsToAlarm: 1", name, n, key, n, t.Event), a.PosOf(key)})
		}
	}
	return problems
}

var mathIdent = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// sumFuncs are the metric-math functions that keep a count a count.
var sumFuncs = map[string]bool{"SUM": true, "FILL": true, "METRICS": true}

// mathReach returns the metric ids the entry id depends on, whether its
// value is a plain sum of them (so a count stays a count), and its
// expression.
func mathReach(s alarmShape, id string) (reach map[string]bool, sumLike bool, expr string) {
	reach = map[string]bool{}
	sumLike = true
	var visit func(id string, depth int)
	visit = func(id string, depth int) {
		e := s.Math[id]
		if e == nil || depth > 10 || reach[id] {
			return
		}
		reach[id] = true
		x, ok := e.Get("Expression").Text()
		if !ok {
			return
		}
		if depth == 0 {
			expr = x
		}
		rest := mathIdent.ReplaceAllStringFunc(x, func(tok string) string {
			switch {
			case s.Math[tok] != nil:
				visit(tok, depth+1)
			case strings.EqualFold(tok, "METRICS"):
				for other := range s.Math {
					if other != id {
						visit(other, depth+1)
					}
				}
			case sumFuncs[strings.ToUpper(tok)]:
			default:
				sumLike = false
			}
			return ""
		})
		if strings.Trim(rest, " +(),0\t") != "" {
			sumLike = false
		}
	}
	visit(id, 0)
	return reach, sumLike, expr
}

func describeMath(s alarmShape, id string) string {
	if x, ok := s.Math[id].Get("Expression").Text(); ok {
		return fmt.Sprintf("the expression %q (id %s)", x, id)
	}
	return "metric id " + id
}

// alarmNotifies reports whether an alarm tells someone when it fires: an
// enabled alarm action that is an SNS topic with a subscription (or a topic
// outside the service, whose subscriptions the nightly auditor checks), an
// Incident Manager response plan, or a Lambda function. how says whom; when
// ok is false, how says why not and pos is the line to change.
func alarmNotifies(inv *inventory.Inventory, a *inventory.Resource) (ok bool, how string, pos value.Pos) {
	name := called(a)
	if en := a.Prop("ActionsEnabled"); en.Has() {
		if b, isBool := en.AsBool(); isBool && !b {
			return false, fmt.Sprintf("alarm %s has ActionsEnabled false, so it tells nobody", name), a.PosOf("ActionsEnabled")
		}
	}
	actions := a.Prop("AlarmActions").List()
	if len(actions) == 0 {
		return false, fmt.Sprintf("alarm %s has no AlarmActions, so it tells nobody when it fires; add the team's SNS topic", name), a.PosOf("AlarmActions")
	}
	var told []string
	var firstWhy string
	var firstPos value.Pos
	for _, act := range actions {
		yes, what, at := actionNotifies(inv, act)
		if yes {
			told = append(told, what)
			continue
		}
		if firstWhy == "" {
			firstWhy, firstPos = what, at
		}
	}
	if len(told) > 0 {
		return true, strings.Join(told, ", "), value.Pos{}
	}
	return false, fmt.Sprintf("alarm %s tells nobody: %s", name, firstWhy), firstPos
}

// actionNotifies judges one alarm action.
func actionNotifies(inv *inventory.Inventory, act *value.Node) (ok bool, what string, pos value.Pos) {
	if act.IsUnknown() {
		return true, "a target read at deploy time (" + act.Str + ")", value.Pos{}
	}
	if topic := resolveTyped(inv, act, "AWS::SNS::Topic"); topic != nil {
		if topic.External {
			return true, "topic " + called(topic) + " (outside this service; the nightly auditor checks its subscriptions)", value.Pos{}
		}
		subs := topicSubscribers(inv, topic)
		if len(subs) == 0 {
			return false, fmt.Sprintf("its topic %s has no subscription, so nobody receives the alarm; subscribe the team (Subscription or AWS::SNS::Subscription)", called(topic)), topic.PosOf("Subscription")
		}
		return true, fmt.Sprintf("topic %s (%d subscription%s)", called(topic), len(subs), plural(len(subs))), value.Pos{}
	}
	// A reference names the resource; a string is judged by its ARN (a
	// queue that shares the topic's name is not the action).
	if id, _, isRef := refTo(act); isRef && inv.ByID(id) != nil {
		r := inv.ByID(id)
		if r.Type == "AWS::Lambda::Function" {
			return true, "function " + called(r), value.Pos{}
		}
		return false, fmt.Sprintf("its action %s is a %s, which notifies nobody", called(r), r.Type), act.Pos
	}
	if name, _, isFn := act.Intrinsic(); isFn && name == "Fn::ImportValue" {
		return true, "a topic exported by another stack", value.Pos{}
	}
	text, readable := refText(act)
	if !readable {
		return false, fmt.Sprintf("the check cannot see what its action is (%s)", unseen(act)), act.Pos
	}
	switch svc := arnService(text); {
	case svc == "sns":
		return true, "topic " + arnResourceName(text) + " (outside this service; the nightly auditor checks its subscriptions)", value.Pos{}
	case svc == "ssm-incidents":
		return true, "Incident Manager response plan " + arnResourceName(text), value.Pos{}
	case svc == "lambda":
		return true, "function " + arnResourceName(text), value.Pos{}
	case svc == "":
		return false, fmt.Sprintf("its action %q is not an ARN", text), act.Pos
	}
	return false, fmt.Sprintf("its action %s stops, reboots, scales or opens an item, but notifies nobody", text), act.Pos
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// topicSubscriber is one subscription to a topic.
type topicSubscriber struct {
	Protocol *value.Node
	Endpoint *value.Node
	// From is the subscription resource (nil for the topic's own
	// Subscription property).
	From *inventory.Resource
	Pos  value.Pos
}

// topicSubscribers returns a topic's subscriptions: its Subscription
// property and the AWS::SNS::Subscription resources whose TopicArn points
// at it (the Framework compiles sns events into those).
func topicSubscribers(inv *inventory.Inventory, topic *inventory.Resource) []topicSubscriber {
	var out []topicSubscriber
	for _, s := range topic.Prop("Subscription").List() {
		out = append(out, topicSubscriber{Protocol: s.Get("Protocol"), Endpoint: s.Get("Endpoint"), Pos: s.Pos})
	}
	for _, sub := range inv.OfType("AWS::SNS::Subscription") {
		if resolveTyped(inv, sub.Prop("TopicArn"), "AWS::SNS::Topic") == topic {
			out = append(out, topicSubscriber{Protocol: sub.Prop("Protocol"), Endpoint: sub.Prop("Endpoint"), From: sub, Pos: sub.Pos})
		}
	}
	return out
}

// checkAlarmed records an alarm rule's verdict on target (a noun says what
// it is, "dead-letter queue"): a pass when an alarm reads q's metric for
// it, fires on t's event and tells someone; otherwise a failure saying
// what the nearest alarm lacks, at the line to change, or that there is
// none.
func checkAlarmed(c *Context, idx *alarmIndex, target *inventory.Resource, noun string, q alarmQuery, t alarmTrigger) {
	cands := idx.alarmsWatching(q, target)
	for _, cand := range cands {
		if !cand.WrongMetric {
			cand.Problems = append(cand.Problems, judgeTrigger(cand.Alarm, readAlarm(cand.Alarm), cand.Metric, t)...)
		}
		ok, how, pos := alarmNotifies(c.Inv, cand.Alarm)
		if !ok {
			cand.Problems = append(cand.Problems, alarmProblem{how, pos})
		}
		if len(cand.Problems) == 0 {
			c.Pass(target, "%s %s: alarm %s fires on %s and notifies %s%s", noun, called(target), called(cand.Alarm), t.Event, how, conditionNote(cand.Alarm))
			return
		}
	}
	if len(cands) == 0 {
		c.Fail(target, value.Pos{}, "%s %s has no CloudWatch alarm on %s naming it, so nobody hears of %s; add one (%s) that notifies the team's SNS topic",
			noun, called(target), q.describe(), t.Event, t.Fix)
		return
	}
	var msgs []string
	for _, cand := range cands {
		for _, p := range cand.Problems {
			msgs = append(msgs, p.Msg)
		}
	}
	c.Fail(target, cands[0].Problems[0].Pos, "%s %s: %s", noun, called(target), strings.Join(msgs, "; "))
}

// conditionNote says when a resource exists only under a condition the
// loader could not evaluate (Attrs["condition"] names it).
func conditionNote(r *inventory.Resource) string {
	if cond := r.Attrs["condition"]; cond != "" {
		return fmt.Sprintf(" (note: %s is created only when condition %s holds, which the check cannot evaluate before deploy)", called(r), cond)
	}
	return ""
}
