package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/value"
)

// LogRetention enforces Monitoring 2: every log group the service writes
// keeps logs 6 to 8 months.
var LogRetention = &Rule{
	ID:     "log-retention",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 2",
	Title:  "Log groups keep logs between 6 and 8 months",
	Checklist: "Logging and retention of logs are configured as per available policies. For logs stored in " +
		"CloudWatch, log groups must have a retention period setup of a minimum of 6 months and a maximum of 8 " +
		"months as per CloudWatch logs retention policy.",
	Rationale: "Logs kept less than 6 months are gone before an incident or a complaint is investigated; logs kept " +
		"forever (a log group without retention never expires) hold personal data longer than the council's " +
		"Event & Log Management Policy allows. CloudWatch accepts only fixed retention values, and 180 days is the " +
		"only one between 6 and 8 months. A group nobody declares (Lambda and API Gateway create them on first " +
		"use) never expires.",
	Remediation: "Set provider.logRetentionInDays: 180 (it applies to the function log groups and the API access " +
		"log groups the Framework creates), set RetentionInDays: 180 on every AWS::Logs::LogGroup under " +
		"resources:, do not turn function logs off with disableLogs (Lambda would then create the group itself, " +
		"with no expiry), and when REST API execution logging is on declare its group " +
		"API-Gateway-Execution-Logs_<api id>/<stage> with RetentionInDays: 180.",
	Example: `provider:
  logRetentionInDays: 180
resources:
  Resources:
    ApiExecutionLogGroup:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: !Sub API-Gateway-Execution-Logs_${ApiGatewayRestApi}/production
        RetentionInDays: 180`,
	Check: checkLogRetention,
}

// cloudWatchRetentionDays are the values CloudWatch Logs accepts for
// RetentionInDays (PutRetentionPolicy).
var cloudWatchRetentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// retentionAdvice says which RetentionInDays to set.
func retentionAdvice(s policy.Settings) string {
	var ok []string
	for _, d := range cloudWatchRetentionDays {
		if d >= int64(s.LogRetentionMinDays) && d <= int64(s.LogRetentionMaxDays) {
			ok = append(ok, strconv.FormatInt(d, 10))
		}
	}
	switch len(ok) {
	case 0:
		return fmt.Sprintf("no value CloudWatch accepts lies between %d and %d days; ask for the policy's bounds to be corrected", s.LogRetentionMinDays, s.LogRetentionMaxDays)
	case 1:
		return fmt.Sprintf("set RetentionInDays: %s, the only value CloudWatch accepts between %d and %d days (provider.logRetentionInDays sets it on the Framework's groups)", ok[0], s.LogRetentionMinDays, s.LogRetentionMaxDays)
	}
	return fmt.Sprintf("set RetentionInDays to one of %s (the values CloudWatch accepts between %d and %d days)", strings.Join(ok, ", "), s.LogRetentionMinDays, s.LogRetentionMaxDays)
}

func checkLogRetention(c *Context) {
	all := c.Inv.OfType("AWS::Logs::LogGroup")
	groups := indexLogGroups(all)
	for _, g := range all {
		if g.External {
			continue
		}
		checkGroupRetention(c, g)
	}
	for _, fn := range monitoredFunctions(c.Inv) {
		checkFunctionLogGroup(c, fn, groups)
	}
	for _, st := range c.Inv.OfType("AWS::ApiGateway::Stage") {
		checkExecutionLogGroup(c, st, groups)
	}
	for _, st := range c.Inv.OfType("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage") {
		checkAccessLogGroup(c, st)
	}
}

func checkGroupRetention(c *Context, g *inventory.Resource) {
	s := c.Settings
	name := called(g)
	r := g.Prop("RetentionInDays")
	at := g.PosOf("RetentionInDays")
	if !r.Has() {
		c.Fail(g, at, "log group %s has no RetentionInDays, so its logs never expire; %s", name, retentionAdvice(s))
		return
	}
	days, ok := r.AsInt()
	switch {
	case !ok && !isVisible(r):
		c.Fail(g, at, "cannot see the retention of log group %s: it is %s; %s", name, unseen(r), retentionAdvice(s))
	case !ok:
		c.Fail(g, at, "log group %s has RetentionInDays %s, which is not a number of days; %s", name, r.Describe(), retentionAdvice(s))
	case !slices.Contains(cloudWatchRetentionDays, days):
		c.Fail(g, at, "log group %s has RetentionInDays %d, which CloudWatch does not accept (the deploy would fail); %s", name, days, retentionAdvice(s))
	case days < int64(s.LogRetentionMinDays):
		c.Fail(g, at, "log group %s keeps logs %d days, less than the %d days (6 months) the standard asks for; %s", name, days, s.LogRetentionMinDays, retentionAdvice(s))
	case days > int64(s.LogRetentionMaxDays):
		c.Fail(g, at, "log group %s keeps logs %d days, more than the %d days (8 months) the standard allows; %s", name, days, s.LogRetentionMaxDays, retentionAdvice(s))
	default:
		c.Pass(g, "log group %s keeps logs %d days", name, days)
	}
}

// groupNamed returns the log group whose name renders as name.
// logGroups indexes log groups by physical name and by a LogGroupName
// written as text with references (!Sub /aws/lambda/${Fn}), so finding a
// function's group does not scan every group for every function.
type logGroups struct {
	byName map[string]*inventory.Resource
	byText map[string]*inventory.Resource
}

func indexLogGroups(all []*inventory.Resource) logGroups {
	ix := logGroups{byName: map[string]*inventory.Resource{}, byText: map[string]*inventory.Resource{}}
	for _, g := range all {
		if n, ok := physicalName(g); ok {
			if _, dup := ix.byName[n]; !dup {
				ix.byName[n] = g
			}
		}
		if text, ok := refText(g.Prop("LogGroupName")); ok {
			if _, dup := ix.byText[text]; !dup {
				ix.byText[text] = g
			}
		}
	}
	return ix
}

func groupNamed(groups logGroups, name string) *inventory.Resource {
	return groups.byName[name]
}

// checkFunctionLogGroup fails a function whose logs go to a group nobody
// declares: Lambda creates /aws/lambda/<name> on the first invocation, with
// no expiry.
func checkFunctionLogGroup(c *Context, fn *inventory.Resource, groups logGroups) {
	name := called(fn)
	if lg := fn.Prop("LoggingConfig", "LogGroup"); lg.Has() {
		g := resolveTyped(c.Inv, lg, "AWS::Logs::LogGroup")
		if g == nil {
			if text, ok := refText(lg); ok {
				g = groupNamed(groups, text)
			}
		}
		if g != nil {
			c.Pass(fn, "function %s logs to log group %s (its retention is checked on the group)", name, called(g))
			return
		}
		if c.Live() {
			c.Fail(fn, value.Pos{}, "function %s logs to log group %s, which does not exist yet: Lambda creates it on first use with no expiry; create it and %s", name, describeValue(lg), retentionAdvice(c.Settings))
			return
		}
		c.Fail(fn, fn.PosOf("LoggingConfig", "LogGroup"), "function %s logs to log group %s, which this service does not declare, so the check cannot see its retention; declare it as an AWS::Logs::LogGroup, or exempt the function with the reason (the nightly auditor checks the group live)", name, describeValue(lg))
		return
	}
	fnName, known := physicalName(fn)
	if known {
		if g := groupNamed(groups, "/aws/lambda/"+fnName); g != nil {
			c.Pass(fn, "function %s logs to log group %s (its retention is checked on the group)", name, called(g))
			return
		}
	}
	// A group named after the function by reference: !Sub /aws/lambda/${Fn}.
	if g := groups.byText["/aws/lambda/${"+fn.ID+"}"]; g != nil {
		c.Pass(fn, "function %s logs to log group %s (its retention is checked on the group)", name, called(g))
		return
	}
	group := "/aws/lambda/" + fnName
	if !known {
		group = "/aws/lambda/<its name>"
	}
	if c.Live() {
		c.Fail(fn, value.Pos{}, "function %s has no log group yet: Lambda will create %s on its first run with no expiry; create it and %s", name, group, retentionAdvice(c.Settings))
		return
	}
	c.Fail(fn, fn.PosOf("LoggingConfig"), "function %s logs to %s, which no AWS::Logs::LogGroup declares, so Lambda creates it on first run with no expiry; do not set disableLogs, or declare the group and %s", name, group, retentionAdvice(c.Settings))
}

// executionLogLevel returns the logging level of a REST stage's method
// settings that turns execution logging on, or "".
func executionLogLevel(st *inventory.Resource) (level string, at value.Pos) {
	for _, ms := range st.Prop("MethodSettings").List() {
		l := ms.Get("LoggingLevel")
		switch {
		case l.IsUnknown():
			return l.Str, l.Pos
		case strings.EqualFold(l.String(), "INFO"), strings.EqualFold(l.String(), "ERROR"):
			return strings.ToUpper(l.String()), l.Pos
		}
	}
	return "", value.Pos{}
}

// checkExecutionLogGroup fails a REST stage that logs execution to a group
// nobody declares: API Gateway creates API-Gateway-Execution-Logs_<api
// id>/<stage> itself, with no expiry.
func checkExecutionLogGroup(c *Context, st *inventory.Resource, groups logGroups) {
	level, at := executionLogLevel(st)
	if level == "" {
		return
	}
	name := called(st)
	apiText, ok1 := refText(st.Prop("RestApiId"))
	if i := strings.Index(apiText, "/restapis/"); i >= 0 {
		apiText, _, _ = strings.Cut(apiText[i+len("/restapis/"):], "/")
	}
	stage, ok2 := refText(st.Prop("StageName"))
	if !ok1 || !ok2 {
		c.Fail(st, at, "API stage %s logs execution at %s, but the check cannot tell its log group name (API %s, stage %s); declare API-Gateway-Execution-Logs_<api id>/<stage> and %s",
			name, level, describeValue(st.Prop("RestApiId")), describeValue(st.Prop("StageName")), retentionAdvice(c.Settings))
		return
	}
	want := "API-Gateway-Execution-Logs_" + apiText + "/" + stage
	if g := groupNamed(groups, want); g != nil {
		c.Pass(st, "API stage %s logs execution to log group %s (its retention is checked on the group)", name, called(g))
		return
	}
	c.Fail(st, at, "API stage %s logs execution at %s to %s, which no AWS::Logs::LogGroup declares, so API Gateway creates it with no expiry; declare it (LogGroupName: !Sub %s) and %s",
		name, level, want, want, retentionAdvice(c.Settings))
}

// checkAccessLogGroup fails a stage whose access logs go to a log group the
// check cannot see. A destination that resolves to a declared group is
// checked as that group; Firehose destinations are not log groups.
func checkAccessLogGroup(c *Context, st *inventory.Resource) {
	path := []string{"AccessLogSetting", "DestinationArn"}
	if st.Type == "AWS::ApiGatewayV2::Stage" {
		path = []string{"AccessLogSettings", "DestinationArn"}
	}
	dest := st.Prop(path...)
	if !dest.Has() || resolveTyped(c.Inv, dest, "AWS::Logs::LogGroup") != nil {
		return
	}
	text, ok := refText(dest)
	if !ok {
		c.Fail(st, st.PosOf(path...), "cannot see where API stage %s writes its access logs: it is %s; name a log group declared in this service, or exempt the stage with the reason (the nightly auditor checks it live)", called(st), unseen(dest))
		return
	}
	if arnService(text) != "logs" {
		return
	}
	group := logGroupFromARN(text)
	if g := groupNamed(indexLogGroups(c.Inv.OfType("AWS::Logs::LogGroup")), group); g != nil || c.Live() {
		return
	}
	c.Fail(st, st.PosOf(path...), "API stage %s writes access logs to log group %s, which this service does not declare, so the check cannot see its retention; declare it here (and %s), or exempt the stage with the reason (the nightly auditor checks it live)", called(st), group, retentionAdvice(c.Settings))
}

// logGroupFromARN returns the group name of a log group ARN
// (arn:aws:logs:eu-west-2:123:log-group:/aws/x:* -> /aws/x).
func logGroupFromARN(arn string) string {
	_, name, ok := strings.Cut(arn, ":log-group:")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(name, ":*")
}
