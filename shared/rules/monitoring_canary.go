package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// APICanary enforces Monitoring 1: a Synthetics canary on every API's
// health check, running at least every 5 minutes.
var APICanary = &Rule{
	ID:     "api-canary",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 1",
	Title:  "A CloudWatch Synthetics canary checks every API's health at least every 5 minutes",
	Checklist: "AWS CloudWatch canaries to monitor availability are set up for APIs. All existing and new APIs must " +
		"utilise the health check functionality and configure the canaries to monitor the availability of the API " +
		"and underlying datastore every 5 minutes.",
	Rationale: "The health check tests that the API is up and that it can reach its datastore. A canary calling it " +
		"every 5 minutes finds an outage before residents do; without one, nobody knows the API is down until " +
		"someone complains.",
	Remediation: "Add an AWS::Synthetics::Canary under resources: that calls the API's health check " +
		"(/api/v1/healthcheck/ping in the Base API template) with Schedule.Expression rate(5 minutes) or more often, " +
		"and StartCanaryAfterCreation: true. Point it at the API with a reference ({Ref: ApiGatewayRestApi} in the " +
		"host name) so the check knows which API it watches. A canary that already exists outside this service " +
		"can be recorded as an exemption naming where it lives.",
	Example: `resources:
  Resources:
    HealthCanary:
      Type: AWS::Synthetics::Canary
      Properties:
        Name: orders-health
        RuntimeVersion: syn-nodejs-puppeteer-9.1
        ExecutionRoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/LBH_Canary_Role
        ArtifactS3Location: !Sub s3://cw-syn-results-${AWS::AccountId}-${AWS::Region}
        Code:
          Handler: pageLoadBlueprint.handler
          S3Bucket: lbh-cw-canaries-api-testing-script-production
          S3Key: cw-canary-api-test-script.zip
        RunConfig:
          TimeoutInSeconds: 60
          EnvironmentVariables:
            hostname: !Sub ${ApiGatewayRestApi}.execute-api.${AWS::Region}.amazonaws.com
            path: /production/api/v1/healthcheck/ping
        StartCanaryAfterCreation: true
        Schedule:
          Expression: rate(5 minutes)`,
	Check: checkAPICanaries,
}

func checkAPICanaries(c *Context) {
	apis := monitoredAPIs(c.Inv)
	everyAPI := c.Inv.OfType("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
	canaries := c.Inv.OfType("AWS::Synthetics::Canary")
	for _, api := range apis {
		var problems []alarmProblem
		passed := false
		for _, can := range canaries {
			how, covers := canaryCovers(can, api, apis, everyAPI)
			if !covers {
				continue
			}
			problem, at := judgeCanaryRuns(can, c.Settings.CanaryMaxMinutes, c.Live())
			if problem == "" {
				c.Pass(api, "%s %s is watched by canary %s (%s), which runs %s%s", apiKind(api), called(api), called(can), how, describeSchedule(can), conditionNote(can))
				passed = true
				break
			}
			problems = append(problems, alarmProblem{problem, at})
		}
		switch {
		case passed:
		case len(problems) > 0:
			msgs := make([]string, len(problems))
			for i, p := range problems {
				msgs[i] = p.Msg
			}
			c.Fail(api, problems[0].Pos, "%s %s: %s", apiKind(api), called(api), strings.Join(msgs, "; "))
		default:
			c.Fail(api, value.Pos{}, "%s %s has no CloudWatch Synthetics canary calling its health check, so an outage goes unnoticed; add an AWS::Synthetics::Canary that calls it every %d minutes and refers to the API (for example {Ref: %s} in its host name)",
				apiKind(api), called(api), c.Settings.CanaryMaxMinutes, api.ID)
		}
	}
}

// canaryCovers reports whether a canary watches api, and how the check
// knows: its properties refer to the API, or the API is the only one of its
// stack and the canary refers to no other (a canary on a custom domain
// names no API).
func canaryCovers(can, api *inventory.Resource, apis, everyAPI []*inventory.Resource) (how string, ok bool) {
	if mentionsAPI(can.Props, api) {
		return "it refers to the API", true
	}
	if can.Stack != api.Stack {
		return "", false
	}
	same := 0
	for _, a := range apis {
		if a.Stack == api.Stack {
			same++
		}
	}
	if same != 1 {
		return "", false
	}
	for _, other := range everyAPI {
		if other != api && mentionsAPI(can.Props, other) {
			return "", false
		}
	}
	return "the service's only API; the canary names no other", true
}

// judgeCanaryRuns says what keeps a canary from checking every maxMinutes
// minutes ("" when nothing), and the line to change.
func judgeCanaryRuns(can *inventory.Resource, maxMinutes int, live bool) (string, value.Pos) {
	name := called(can)
	expr := can.Prop("Schedule", "Expression")
	at := can.PosOf("Schedule", "Expression")
	text, ok := expr.Text()
	if !ok {
		return fmt.Sprintf("canary %s has no schedule the check can read (%s); set Schedule.Expression: rate(%d minutes)", name, unseen(expr), maxMinutes), at
	}
	sched, err := parseCanarySchedule(text)
	switch {
	case err != nil:
		return fmt.Sprintf("canary %s: %v; set Schedule.Expression: rate(%d minutes)", name, err, maxMinutes), at
	case sched.Once:
		return fmt.Sprintf("canary %s runs once (%s) and then never again; set Schedule.Expression: rate(%d minutes)", name, text, maxMinutes), at
	case sched.NotDaily:
		return fmt.Sprintf("canary %s runs %s, which does not run every day, so it pauses for a day or more; the standard asks for every %d minutes: set Schedule.Expression: rate(%d minutes)", name, text, maxMinutes, maxMinutes), at
	case sched.MaxGap > float64(maxMinutes):
		return fmt.Sprintf("canary %s runs %s, leaving up to %s between checks; the standard asks for every %d minutes: set Schedule.Expression: rate(%d minutes)", name, text, spanOfMinutes(sched.MaxGap), maxMinutes, maxMinutes), at
	}
	if d, ok := can.Prop("Schedule", "DurationInSeconds").AsInt(); ok && d > 0 {
		return fmt.Sprintf("canary %s stops running %d seconds after it starts (Schedule.DurationInSeconds); set it to 0 so it runs until stopped", name, d), can.PosOf("Schedule", "DurationInSeconds")
	}
	if state := can.Attrs["State"]; live && slices.Contains([]string{"STOPPED", "READY", "ERROR"}, state) {
		return fmt.Sprintf("canary %s is %s, so it checks nothing; start it (and fix it if it is in ERROR)", name, state), value.Pos{}
	}
	if start := can.Prop("StartCanaryAfterCreation"); !live && start.Has() {
		if b, isBool := start.AsBool(); isBool && !b {
			return fmt.Sprintf("canary %s has StartCanaryAfterCreation false, so it is created stopped and never runs; set it to true", name), can.PosOf("StartCanaryAfterCreation")
		}
	}
	return "", value.Pos{}
}

func describeSchedule(can *inventory.Resource) string {
	text := can.Prop("Schedule", "Expression").String()
	if s, err := parseCanarySchedule(text); err == nil && !s.Once {
		return fmt.Sprintf("every %s (%s)", spanOfMinutes(s.MaxGap), text)
	}
	return text
}

func spanOfMinutes(m float64) string {
	switch {
	case m >= 2*1440 && m == float64(int(m/1440))*1440:
		return fmt.Sprintf("%d days", int(m/1440))
	case m >= 120 && m == float64(int(m/60))*60:
		return fmt.Sprintf("%d hours", int(m/60))
	case m == 1:
		return "minute"
	}
	return strconv.FormatFloat(m, 'f', -1, 64) + " minutes"
}

// canarySchedule is how often a canary runs.
type canarySchedule struct {
	// Once: rate(0 minute) runs the canary a single time.
	Once bool
	// MaxGap is the longest wait between two runs, in minutes.
	MaxGap float64
	// PerDay is the number of runs a day.
	PerDay float64
	// NotDaily: a cron that skips days (weekdays only, some months).
	NotDaily bool
}

// parseCanarySchedule reads a Synthetics schedule expression:
// rate(N minute|minutes|hour|hours) or cron(minutes hours day-of-month
// month day-of-week year). A cron that does not run every day waits a day
// or more somewhere.
func parseCanarySchedule(expr string) (canarySchedule, error) {
	e := strings.TrimSpace(expr)
	switch {
	case strings.HasPrefix(e, "rate(") && strings.HasSuffix(e, ")"):
		f := strings.Fields(e[len("rate(") : len(e)-1])
		if len(f) != 2 {
			return canarySchedule{}, fmt.Errorf("schedule %q is not rate(N minutes) or rate(N hours)", expr)
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 0 {
			return canarySchedule{}, fmt.Errorf("schedule %q: %q is not a whole number", expr, f[0])
		}
		var unit float64
		switch f[1] {
		case "minute", "minutes":
			unit = 1
		case "hour", "hours":
			unit = 60
		default:
			return canarySchedule{}, fmt.Errorf("schedule %q: unit %q is not minute(s) or hour(s)", expr, f[1])
		}
		if n == 0 {
			return canarySchedule{Once: true}, nil
		}
		gap := float64(n) * unit
		return canarySchedule{MaxGap: gap, PerDay: 1440 / gap}, nil
	case strings.HasPrefix(e, "cron(") && strings.HasSuffix(e, ")"):
		return parseCron(expr, e[len("cron("):len(e)-1])
	}
	return canarySchedule{}, fmt.Errorf("schedule %q is neither rate(…) nor cron(…)", expr)
}

func parseCron(expr, body string) (canarySchedule, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return canarySchedule{}, fmt.Errorf("schedule %q: cron needs 6 fields (minutes hours day-of-month month day-of-week year), found %d", expr, len(f))
	}
	mins, err := cronField(f[0], 0, 59)
	if err != nil {
		return canarySchedule{}, fmt.Errorf("schedule %q: minutes: %w", expr, err)
	}
	hours, err := cronField(f[1], 0, 23)
	if err != nil {
		return canarySchedule{}, fmt.Errorf("schedule %q: hours: %w", expr, err)
	}
	var times []int
	for _, h := range hours {
		for _, m := range mins {
			times = append(times, h*60+m)
		}
	}
	slices.Sort(times)
	gap := times[0] + 1440 - times[len(times)-1]
	for i := 1; i < len(times); i++ {
		gap = max(gap, times[i]-times[i-1])
	}
	s := canarySchedule{MaxGap: float64(gap), PerDay: float64(len(times))}
	for _, d := range f[2:] {
		if d != "*" && d != "?" {
			// Not every day (or month, or year): somewhere the canary
			// waits at least a day.
			s.MaxGap = max(s.MaxGap, 1440)
			s.NotDaily = true
		}
	}
	return s, nil
}

// cronField expands one cron field of numbers: *, a, a-b, a/n, */n, a-b/n,
// and lists of those.
func cronField(field string, lo, hi int) ([]int, error) {
	seen := map[int]bool{}
	for _, part := range strings.Split(field, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("step %q is not a positive number", stepText)
			}
			step = n
		}
		from, to := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err1, err2 error
			from, err1 = strconv.Atoi(a)
			to, err2 = strconv.Atoi(b)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("range %q is not two numbers", rng)
			}
		default:
			n, err := strconv.Atoi(rng)
			if err != nil {
				return nil, fmt.Errorf("%q is not a number", rng)
			}
			from = n
			if !hasStep {
				to = n
			}
		}
		if from < lo || to > hi || from > to {
			return nil, fmt.Errorf("%q is outside %d-%d", part, lo, hi)
		}
		for v := from; v <= to; v += step {
			seen[v] = true
		}
	}
	out := make([]int, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil
}

// CanaryAlarm enforces the canary half of Monitoring 3: an alarm on every
// canary's outcome that notifies the team.
var CanaryAlarm = &Rule{
	ID:     "canary-alarm",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 3",
	Title:  "Every canary has an alarm on its success that notifies the team",
	Checklist: "API alarms are set up to monitor for 5xx errors and canaries outcome. CloudWatch Canary alarm - if a " +
		"canary detects that an API is unavailable, an alarm must be triggered.",
	Rationale: "A canary only records its result; without an alarm on SuccessPercent nobody is told when the health " +
		"check fails. The alarm must fire on the first failed run and reach the team maintaining the API.",
	Remediation: "Add an AWS::CloudWatch::Alarm on Namespace CloudWatchSynthetics, MetricName SuccessPercent, " +
		"dimension CanaryName = the canary's Name, Statistic Average, ComparisonOperator LessThanThreshold, " +
		"Threshold 100, EvaluationPeriods 1, Period equal to the canary's interval, and AlarmActions naming the " +
		"team's SNS topic (which needs a subscription).",
	Example: `resources:
  Resources:
    HealthCanaryAlarm:
      Type: AWS::CloudWatch::Alarm
      Properties:
        AlarmName: orders-health-canary-failed
        Namespace: CloudWatchSynthetics
        MetricName: SuccessPercent
        Dimensions:
          - Name: CanaryName
            Value: !Ref HealthCanary
        Statistic: Average
        Period: 300
        EvaluationPeriods: 1
        ComparisonOperator: LessThanThreshold
        Threshold: 100
        TreatMissingData: breaching
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
		for _, can := range c.Inv.OfType("AWS::Synthetics::Canary") {
			if can.External {
				continue
			}
			perDay := 0.0
			if s, err := parseCanarySchedule(can.Prop("Schedule", "Expression").String()); err == nil {
				perDay = s.PerDay
			}
			checkAlarmed(c, idx, can, "canary", alarmQuery{
				Namespace:  "CloudWatchSynthetics",
				Metrics:    []string{"SuccessPercent"},
				Dims:       map[string]string{"CanaryName": yieldsName},
				Confusable: map[string]string{"Failed": "Failed counts runs the canary itself could not execute, not failed health checks; alarm on SuccessPercent"},
			}, canaryTrigger(perDay))
		}
	},
}
