package serverless

import (
	"crypto/md5"
	"encoding/hex"
	"strings"

	"prodready/shared/value"
)

// Scheduled and rule-driven event sources: schedule, eventBridge,
// cloudwatchEvent, cloudwatchLog, iot, alexa, cognitoUserPool, alb.

func (c *compiler) scheduleEvents() error {
	hasScheduler := false
	schedStmt := L(c.top)
	for _, f := range c.fns {
		n := 0
		fnScheduler := false
		for _, item := range f.events {
			ev := item.Field("schedule")
			if !truthy(ev) {
				continue
			}
			p := item.Pos
			var exprs []*value.Node
			state := "ENABLED"
			var input, inputPath, inputTransformer, name, description, roleArn, group, tz *value.Node
			method := "eventBus"
			if isObj(ev) {
				exprs = ev.Field("rate").List()
				if e := ev.Field("enabled"); e.Has() && !flag(e) {
					state = "DISABLED"
				}
				input, inputPath, inputTransformer = ev.Field("input"), ev.Field("inputPath"), ev.Field("inputTransformer")
				name, description, group, tz = ev.Field("name"), ev.Field("description"), ev.Field("groupName"), ev.Field("timezone")
				roleArn = ev.Field("roleArn")
				if !truthy(roleArn) {
					roleArn = c.t.get(f.logicalID).Get("Properties", "Role")
				}
				if m := ev.Field("method"); truthy(m) {
					method = text(m)
				}
				if len(exprs) > 1 && truthy(name) {
					return value.Errorf(name.Pos, "you cannot specify a name when defining more than one rate expression")
				}
				if method == "scheduler" {
					switch {
					case truthy(inputTransformer):
						return value.Errorf(inputTransformer.Pos, "cannot set up \"schedule\" event: \"inputTransformer\" is not supported with \"scheduler\" mode")
					case truthy(inputPath):
						return value.Errorf(inputPath.Pos, "cannot set up \"schedule\" event: \"inputPath\" is not supported with \"scheduler\" mode")
					}
				} else {
					switch {
					case truthy(tz):
						return value.Errorf(tz.Pos, "cannot set up \"schedule\" event: \"timezone\" is only supported with \"scheduler\" mode")
					case truthy(group):
						return value.Errorf(group.Pos, "cannot set up \"schedule\" event: \"groupName\" is only supported with \"scheduler\" mode")
					}
				}
			} else {
				exprs = []*value.Node{ev}
			}
			var inputText *value.Node
			if truthy(input) {
				if isObj(input) {
					inputText = value.NewString(jsonString(input), input.Pos)
				} else {
					inputText = cp(input)
				}
			}
			for _, expr := range exprs {
				n++
				if method == "scheduler" {
					hasScheduler, fnScheduler = true, true
					c.t.put(schedulerScheduleLogicalID(f.key, n), dependsOnAlias(resource(p, "AWS::Scheduler::Schedule", M(p,
						"ScheduleExpression", cp(expr),
						"State", state,
						"Target", M(p, "Arn", c.lambdaTarget(f, p), "RoleArn", cp(roleArn), "Input", inputText),
						"FlexibleTimeWindow", M(p, "Mode", "OFF"),
						"Name", cp(name), "GroupName", cp(group), "Description", cp(description), "ScheduleExpressionTimezone", cp(tz))), f))
					continue
				}
				id := scheduleLogicalID(f.key, n)
				target := M(p, "Input", inputText, "InputPath", cp(inputPath))
				if truthy(inputTransformer) {
					target.Set("InputTransformer", inputTransformerNode(inputTransformer))
				}
				target.Set("Arn", c.lambdaTarget(f, p))
				target.Set("Id", value.NewString(f.key+"Schedule", p))
				pr := M(p, "ScheduleExpression", cp(expr), "State", state, "Name", cp(name), "Description", cp(description), "Targets", L(p, target))
				c.t.put(id, dependsOnAlias(resource(p, "AWS::Events::Rule", pr), f))
				c.t.put(schedulePermissionID(f.key, n), dependsOnAlias(resource(p, "AWS::Lambda::Permission", M(p,
					"FunctionName", c.lambdaTarget(f, p),
					"Action", "lambda:InvokeFunction",
					"Principal", "events.amazonaws.com",
					"SourceArn", getAtt(p, id, "Arn"))), f))
			}
		}
		if fnScheduler {
			arn := "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:" + text(f.name)
			schedStmt.Items = append(schedStmt.Items, sub(f.pos, arn), sub(f.pos, arn+":*"))
		}
	}
	if hasScheduler {
		if role := c.t.get(idRole); role != nil {
			svc := role.Get("Properties", "AssumeRolePolicyDocument", "Statement", "0", "Principal", "Service")
			if svc != nil {
				svc.Items = append(svc.Items, value.NewString("scheduler.amazonaws.com", svc.Pos))
			}
			c.addStatement(M(c.top, "Effect", "Allow", "Action", L(c.top, "lambda:InvokeFunction"), "Resource", schedStmt))
		}
	}
	return nil
}

// inputTransformerNode is formatInputTransformer's {InputTemplate,
// InputPathsMap} as a JSON string, which the Framework splices into the
// template as an object.
func inputTransformerNode(it *value.Node) *value.Node {
	out := M(it.Pos, "InputTemplate", cp(it.Field("inputTemplate")))
	if m := it.Field("inputPathsMap"); truthy(m) {
		out.Set("InputPathsMap", cp(m))
	}
	return out
}

func (c *compiler) eventBridgeEvents() error {
	return c.eventsOf("eventBridge", func(f *function, ev, item *value.Node, idx int) error {
		idx++
		p := item.Pos
		ruleName := ev.Field("name")
		if !truthy(ruleName) {
			ruleName = value.NewString(hashRuleName(text(f.name)+"-rule-"+itoa(idx), "rule-"+itoa(idx)), p)
		}
		state := ruleState(ev)
		input, inputPath, it, err := ruleInput(ev, "for eventBridge events")
		if err != nil {
			return err
		}
		bus := ev.Field("eventBus")
		busName := text(bus)
		exists := isObj(bus)
		if isStr(bus) && strings.HasPrefix(bus.Str, "arn") {
			exists = true
			busName = bus.Str[strings.Index(bus.Str, "/")+1:]
		}
		create := !exists && truthy(bus) && busName != "default"
		if create {
			c.t.put(eventBusLogicalID(busName), resource(bus.Pos, "AWS::Events::EventBus", M(bus.Pos, "Name", busName)))
		}
		targetID := text(ruleName) + "-target"
		if len(targetID) > 64 {
			targetID = hashName(targetID, "target")
		}
		target := M(p, "Arn", c.lambdaTarget(f, p), "Id", targetID)
		if rp := ev.Field("retryPolicy"); truthy(rp) {
			target.Set("RetryPolicy", M(rp.Pos, "MaximumEventAgeInSeconds", cp(rp.Field("maximumEventAge")), "MaximumRetryAttempts", cp(rp.Field("maximumRetryAttempts"))))
		}
		if dlq := ev.Field("deadLetterQueueArn"); truthy(dlq) {
			target.Set("DeadLetterConfig", M(dlq.Pos, "Arn", cp(dlq)))
		}
		switch {
		case truthy(input):
			target.Set("Input", value.NewString(jsonString(input), input.Pos))
		case truthy(inputPath):
			target.Set("InputPath", cp(inputPath))
		case truthy(it):
			m := value.NewMap(it.Pos)
			it.Each(func(k string, v *value.Node) { m.Set(upperFirst(k), cp(v)) })
			target.Set("InputTransformer", m)
		}
		var busProp *value.Node
		if truthy(bus) && busName != "default" {
			if isObj(bus) {
				busProp = cp(bus)
			} else {
				busProp = value.NewString(busName, bus.Pos)
			}
		}
		r := resource(p, "AWS::Events::Rule", M(p,
			"Description", cp(ev.Field("description")),
			"EventBusName", busProp,
			"EventPattern", cp(ev.Field("pattern")),
			"Name", cp(ruleName),
			"ScheduleExpression", cp(ev.Field("schedule")),
			"State", state,
			"Targets", L(p, target)))
		dependsOnAlias(r, f)
		if create {
			deps := []string{}
			if f.alias != nil {
				deps = append(deps, f.alias.logicalID)
			}
			deps = append(deps, eventBusLogicalID(busName))
			if len(deps) == 1 {
				r.Set("DependsOn", value.NewString(deps[0], p))
			} else {
				r.Set("DependsOn", V(p, deps))
			}
		}
		c.t.put(eventBridgeRuleLogicalID(text(f.name)+"-rule-"+itoa(idx)), r)
		path := []any{"rule"}
		if truthy(bus) && busName != "default" {
			if isObj(bus) {
				path = append(path, cp(bus))
			} else {
				path = append(path, busName)
			}
		}
		path = append(path, cp(ruleName))
		c.t.put(eventBridgePermissionID(f.key, idx), dependsOnAlias(resource(p, "AWS::Lambda::Permission", M(p,
			"Action", "lambda:InvokeFunction",
			"FunctionName", c.lambdaTarget(f, p),
			"Principal", "events.amazonaws.com",
			"SourceArn", join(p, ":", "arn", partitionRef(p), "events", regionRef(p), accountRef(p), join(p, "/", path...)))), f))
		return nil
	})
}

// hashRuleName and hashName are event-bridge/utils.js: names longer than
// 64 characters are shortened with an md5 of the whole.
func hashRuleName(name, suffix string) string {
	if len(name) > 64 {
		return hashName(name, suffix)
	}
	return name
}

func hashName(name, suffix string) string {
	sum := md5.Sum([]byte(name))
	cut := 31 - len(suffix)
	if cut > len(name) {
		cut = len(name)
	}
	if cut < 0 {
		cut = 0
	}
	return name[:cut] + hex.EncodeToString(sum[:]) + "-" + suffix
}

func (c *compiler) cloudWatchEventEvents() error {
	return c.eachOfType("cloudwatchEvent", func(f *function, ev, item *value.Node, n int) error {
		p := item.Pos
		state := ruleState(ev)
		input, inputPath, it, err := ruleInput(ev, "at the same time for cloudwatch events")
		if err != nil {
			return err
		}
		id := cloudWatchEventLogicalID(f.key, n)
		target := value.NewMap(p)
		if truthy(input) {
			if isObj(input) {
				target.Set("Input", value.NewString(jsonString(input), input.Pos))
			} else {
				target.Set("Input", cp(input))
			}
		}
		if truthy(inputPath) {
			target.Set("InputPath", cp(inputPath))
		}
		if truthy(it) {
			target.Set("InputTransformer", inputTransformerNode(it))
		}
		target.Set("Arn", c.lambdaTarget(f, p))
		target.Set("Id", value.NewString(f.key+"CloudWatchEvent", p))
		pr := M(p, "EventPattern", cp(ev.Field("event")), "State", state)
		if d := ev.Field("description"); truthy(d) {
			pr.Set("Description", cp(d))
		}
		if nm := ev.Field("name"); truthy(nm) {
			pr.Set("Name", cp(nm))
		}
		pr.Set("Targets", L(p, target))
		c.t.put(id, dependsOnAlias(resource(p, "AWS::Events::Rule", pr), f))
		c.t.put(cloudWatchEventPermissionID(f.key, n), dependsOnAlias(resource(p, "AWS::Lambda::Permission", M(p,
			"FunctionName", c.lambdaTarget(f, p),
			"Action", "lambda:InvokeFunction",
			"Principal", "events.amazonaws.com",
			"SourceArn", getAtt(p, id, "Arn"))), f))
		return nil
	})
}

func (c *compiler) cloudWatchLogEvents() error {
	perGroup := map[string]int{}
	for _, f := range c.fns {
		n := 0
		var groups []string
		for _, item := range f.events {
			ev := item.Field("cloudwatchLog")
			if !truthy(ev) {
				continue
			}
			n++
			p := item.Pos
			var group, filter string
			var groupNode *value.Node
			if isObj(ev) {
				groupNode = ev.Field("logGroup")
				group = newlines.Replace(text(groupNode))
				filter = newlines.Replace(text(ev.Field("filter")))
			} else {
				groupNode = ev
				group = newlines.Replace(text(ev))
			}
			perGroup[group]++
			if perGroup[group] > 2 {
				return value.Errorf(p, "only 2 subscription filters can be configured per log group; %q has more", group)
			}
			groups = append(groups, group)
			permID := cloudWatchLogPermissionID(f.key)
			if i, j := strings.Index(filter, "\\"), strings.Index(filter, "\""); i >= 0 && j >= 0 && j > i {
				filter = unescapeQuotes(filter)
			}
			deps := L(p, permID)
			if f.alias != nil {
				deps.Items = append(deps.Items, value.NewString(f.alias.logicalID, p))
			}
			c.t.put(cloudWatchLogLogicalID(f.key, n), M(p, "Type", "AWS::Logs::SubscriptionFilter", "DependsOn", deps, "Properties", M(p,
				"LogGroupName", value.NewString(group, posOf(p, groupNode)),
				"FilterPattern", filter,
				"DestinationArn", c.lambdaTarget(f, p))))
			perm := resource(p, "AWS::Lambda::Permission", M(p,
				"FunctionName", c.lambdaTarget(f, p),
				"Action", "lambda:InvokeFunction",
				"Principal", join(p, "", "logs.", regionRef(p), ".amazonaws.com"),
				"SourceArn", join(p, "", "arn:", partitionRef(p), ":logs:", regionRef(p), ":", accountRef(p), ":log-group:", commonPrefix(groups), ":*")))
			if f.alias != nil {
				perm.Set("DependsOn", L(p, f.alias.logicalID))
			}
			c.t.put(permID, perm)
		}
	}
	return nil
}

// commonPrefix is longestCommonSuffix in cloud-watch-log.js (which in fact
// computes the common prefix), with a * appended for several groups.
func commonPrefix(names []string) string {
	common := names[0]
	for _, n := range names[1:] {
		i := 0
		for i < len(common) && i < len(n) && common[i] == n[i] {
			i++
		}
		if i < len(common) {
			common = common[:i]
		}
	}
	if len(names) > 1 && !strings.HasSuffix(common, "*") {
		common += "*"
	}
	return common
}

func unescapeQuotes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\' || s[i+1] == '\'') {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (c *compiler) iotEvents() error {
	return c.eachOfType("iot", func(f *function, ev, item *value.Node, n int) error {
		p := item.Pos
		id := iotLogicalID(f.key, n)
		payload := M(p, "RuleDisabled", !flagDefault(ev.Field("enabled"), true), "Sql", cp(ev.Field("sql")),
			"Actions", L(p, M(p, "Lambda", M(p, "FunctionArn", c.lambdaTarget(f, p)))))
		if d := ev.Field("description"); truthy(d) {
			payload.Set("Description", cp(d))
		}
		if v := ev.Field("sqlVersion"); truthy(v) {
			payload.Set("AwsIotSqlVersion", cp(v))
		}
		pr := M(p, "TopicRulePayload", payload)
		if nm := ev.Field("name"); truthy(nm) {
			pr.Set("RuleName", cp(nm))
		}
		c.t.put(id, dependsOnAlias(resource(p, "AWS::IoT::TopicRule", pr), f))
		c.t.put(iotPermissionID(f.key, n), dependsOnAlias(resource(p, "AWS::Lambda::Permission", M(p,
			"FunctionName", c.lambdaTarget(f, p),
			"Action", "lambda:InvokeFunction",
			"Principal", "iot.amazonaws.com",
			"SourceArn", join(p, "", "arn:", partitionRef(p), ":iot:", regionRef(p), ":", accountRef(p), ":rule/", ref(p, id)))), f))
		return nil
	})
}

// flagDefault reads a boolean that defaults to def when absent.
func flagDefault(n *value.Node, def bool) bool {
	if !n.Has() {
		return def
	}
	return flag(n)
}

func (c *compiler) alexaEvents() error {
	for _, kind := range []struct{ event, principal string }{{"alexaSkill", "alexa-appkit.amazon.com"}, {"alexaSmartHome", "alexa-connectedhome.amazon.com"}} {
		err := c.eachOfType(kind.event, func(f *function, ev, item *value.Node, n int) error {
			p := item.Pos
			appID, enabled := ev, true
			if isObj(ev) {
				appID = ev.Field("appId")
				enabled = flagDefault(ev.Field("enabled"), true)
			}
			action := "lambda:InvokeFunction"
			if !enabled {
				action = "lambda:DisableInvokeFunction"
			}
			pr := M(p, "FunctionName", c.lambdaTarget(f, p), "Action", action, "Principal", kind.principal)
			if truthy(appID) {
				pr.Set("EventSourceToken", cp(appID))
			}
			id := alexaSkillPermissionID(f.key, n)
			if kind.event == "alexaSmartHome" {
				id = alexaSmartHomePermissionID(f.key, n)
			}
			c.t.put(id, dependsOnAlias(resource(p, "AWS::Lambda::Permission", pr), f))
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) cognitoEvents() error {
	type trigger struct {
		f             *function
		pool, trigger string
		item          *value.Node
	}
	var triggers []trigger
	var pools []string
	existing := false
	for _, f := range c.fns {
		for _, item := range f.events {
			ev := item.Field("cognitoUserPool")
			if !truthy(ev) {
				continue
			}
			if flag(ev.Field("existing")) {
				existing = true
				continue
			}
			pool := text(ev.Field("pool"))
			triggers = append(triggers, trigger{f: f, pool: pool, trigger: text(ev.Field("trigger")), item: item})
			if !contains(pools, pool) {
				pools = append(pools, pool)
			}
		}
	}
	for _, pool := range pools {
		var p value.Pos
		lc := value.NewMap(p)
		deps := value.NewList(p)
		for _, t := range triggers {
			if t.pool != pool {
				continue
			}
			if p.IsZero() {
				p = t.item.Pos
			}
			lc.Set(t.trigger, c.lambdaTarget(t.f, t.item.Pos))
			id := t.f.logicalID
			if t.f.alias != nil {
				id = t.f.alias.logicalID
			}
			deps.Items = append(deps.Items, value.NewString(id, t.item.Pos))
		}
		lc.Pos, deps.Pos = p, p
		c.t.put(cognitoUserPoolLogicalID(pool), M(p, "Type", "AWS::Cognito::UserPool", "Properties", M(p, "UserPoolName", pool, "LambdaConfig", lc), "DependsOn", deps))
	}
	for _, t := range triggers {
		p := t.item.Pos
		c.t.put(cognitoPermissionID(t.f.key, t.pool, t.trigger), dependsOnAlias(resource(p, "AWS::Lambda::Permission", M(p,
			"FunctionName", c.lambdaTarget(t.f, p),
			"Action", "lambda:InvokeFunction",
			"Principal", "cognito-idp.amazonaws.com",
			"SourceArn", getAtt(p, cognitoUserPoolLogicalID(t.pool), "Arn"))), t.f))
	}
	if !existing {
		return nil
	}
	var statements []*value.Node
	for _, f := range c.fns {
		n := 0
		for _, item := range f.events {
			ev := item.Field("cognitoUserPool")
			if !isObj(ev) || !flag(ev.Field("existing")) {
				continue
			}
			n++
			p := item.Pos
			id := normalizedResourceName(f.key) + "CustomCognitoUserPool1"
			cfg := M(p, "Trigger", cp(ev.Field("trigger")))
			if n == 1 {
				crFn := c.customResourceFunctionID(crCognito)
				deps := L(p, f.logicalID)
				if f.alias != nil {
					deps.Items = append(deps.Items, value.NewString(f.alias.logicalID, p))
				}
				deps.Items = append(deps.Items, value.NewString(crFn, p))
				pr := M(p, "ServiceToken", getAtt(p, crFn, "Arn"), "FunctionName", cp(f.name))
				if f.alias != nil {
					pr.Set("FunctionQualifier", value.NewString(f.alias.name, p))
				}
				pr.Set("UserPoolName", cp(ev.Field("pool")))
				pr.Set("UserPoolConfigs", L(p, cfg))
				c.t.put(id, M(p, "Type", "Custom::CognitoUserPool", "Version", value.NewNumber("1", p), "DependsOn", deps, "Properties", pr))
				if len(statements) == 0 {
					statements = append(statements, M(p, "Effect", "Allow", "Resource", "*",
						"Action", L(p, "cognito-idp:ListUserPools", "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool")))
				}
			} else {
				l := c.t.get(id).Get("Properties", "UserPoolConfigs")
				l.Items = append(l.Items, cfg)
			}
		}
	}
	statements = append(statements, M(c.top, "Effect", "Allow",
		"Resource", join(c.top, ":", "arn", partitionRef(c.top), "lambda", "*", "*", "function", "*"),
		"Action", L(c.top, "lambda:AddPermission", "lambda:RemovePermission")))
	c.addCustomResource(crCognito, c.top, statements)
	return nil
}

func (c *compiler) albEvents() error {
	return c.eventsOf("alb", func(f *function, ev, item *value.Node, _ int) error {
		p := item.Pos
		listener := ev.Field("listenerArn")
		var albID string
		if r := listener.Field("Ref"); r != nil {
			albID = text(r)
		} else {
			// arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<albId>/<listenerId>
			parts := strings.Split(text(listener), "/")
			if len(parts) < 5 {
				return value.Errorf(listener.Pos, "alb listenerArn must be a listener ARN (…:listener/app/<name>/<id>/<id>) or a Ref, found %s", describe(listener))
			}
			albID = parts[len(parts)-2]
		}
		multi := flag(ev.Field("multiValueHeaders"))
		tgID := albTargetGroupLogicalID(f.key, albID, multi)
		regID := registerTargetPermissionID(f.key)
		name := ev.Field("targetGroupName")
		mv := ""
		if multi {
			mv = "multi-value-"
		}
		tagValue := c.service + "-" + f.key + "-" + albID + "-" + mv + c.stage
		if !truthy(name) {
			sum := md5.Sum([]byte(tagValue))
			prefix := text(c.provider.Get("alb", "targetGroupPrefix"))
			name = value.NewString(trunc(prefix+hex.EncodeToString(sum[:]), 32), p)
		}
		hc := ev.Field("healthCheck")
		tgp := M(p,
			"TargetType", "lambda",
			"Targets", L(p, M(p, "Id", c.lambdaTarget(f, p))),
			"Name", cp(name),
			"Tags", L(p, M(p, "Key", "Name", "Value", c.service+"-"+f.key+"-"+albID+"-"+c.stage)),
			"TargetGroupAttributes", L(p, M(p, "Key", "lambda.multi_value_headers.enabled", "Value", multi)),
			"HealthCheckEnabled", false)
		if truthy(hc) {
			tgp.Set("HealthCheckEnabled", value.NewBool(flagDefault(hc.Field("enabled"), true), hc.Pos))
			tgp.Set("HealthCheckPath", firstOr(hc.Field("path"), value.NewString("/", hc.Pos)))
			tgp.Set("HealthCheckIntervalSeconds", firstOr(hc.Field("intervalSeconds"), value.NewInt(35, hc.Pos)))
			tgp.Set("HealthCheckTimeoutSeconds", firstOr(hc.Field("timeoutSeconds"), value.NewInt(30, hc.Pos)))
			tgp.Set("HealthyThresholdCount", firstOr(hc.Field("healthyThresholdCount"), value.NewInt(5, hc.Pos)))
			tgp.Set("UnhealthyThresholdCount", firstOr(hc.Field("unhealthyThresholdCount"), value.NewInt(5, hc.Pos)))
			tgp.Set("Matcher", M(hc.Pos, "HttpCode", firstOr(hc.Get("matcher", "httpCode"), value.NewString("200", hc.Pos))))
		}
		tgDeps := L(p, regID)
		if f.alias != nil {
			tgDeps.Items = append(tgDeps.Items, value.NewString(f.alias.logicalID, p))
		}
		c.t.put(tgID, M(p, "Type", "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties", tgp, "DependsOn", tgDeps))
		conds := L(p)
		cn := ev.Field("conditions")
		if v := cn.Field("path"); truthy(v) {
			conds.Items = append(conds.Items, M(v.Pos, "Field", "path-pattern", "Values", asList(v)))
		}
		if v := cn.Field("host"); truthy(v) {
			conds.Items = append(conds.Items, M(v.Pos, "Field", "host-header", "HostHeaderConfig", M(v.Pos, "Values", asList(v))))
		}
		if v := cn.Field("method"); truthy(v) {
			conds.Items = append(conds.Items, M(v.Pos, "Field", "http-request-method", "HttpRequestMethodConfig", M(v.Pos, "Values", asList(v))))
		}
		for _, h := range cn.Field("header").List() {
			conds.Items = append(conds.Items, M(h.Pos, "Field", "http-header", "HttpHeaderConfig", M(h.Pos, "HttpHeaderName", cp(h.Field("name")), "Values", cp(h.Field("values")))))
		}
		if q := cn.Field("query"); truthy(q) {
			vals := L(q.Pos)
			q.Each(func(k string, v *value.Node) { vals.Items = append(vals.Items, M(v.Pos, "Key", k, "Value", cp(v))) })
			conds.Items = append(conds.Items, M(q.Pos, "Field", "query-string", "QueryStringConfig", M(q.Pos, "Values", vals)))
		}
		if v := cn.Field("ip"); truthy(v) {
			conds.Items = append(conds.Items, M(v.Pos, "Field", "source-ip", "SourceIpConfig", M(v.Pos, "Values", asList(v))))
		}
		c.t.put(albListenerRuleLogicalID(f.key, text(ev.Field("priority"))), resource(p, "AWS::ElasticLoadBalancingV2::ListenerRule", M(p,
			"Actions", L(p, M(p, "Type", "forward", "TargetGroupArn", ref(p, tgID))),
			"Conditions", conds,
			"ListenerArn", cp(listener),
			"Priority", cp(ev.Field("priority")))))
		perm := func(withSource bool) *value.Node {
			pr := M(p, "FunctionName", c.lambdaTarget(f, p), "Action", "lambda:InvokeFunction", "Principal", "elasticloadbalancing.amazonaws.com")
			if withSource {
				pr.Set("SourceArn", ref(p, tgID))
			}
			r := resource(p, "AWS::Lambda::Permission", pr)
			if f.alias != nil {
				r.Set("DependsOn", L(p, f.alias.logicalID))
			}
			return r
		}
		c.t.put(albPermissionID(f.key), perm(true))
		c.t.put(regID, perm(false))
		return nil
	})
}

func firstOr(n, def *value.Node) *value.Node {
	if n.Has() {
		return cp(n)
	}
	return def
}

var newlines = strings.NewReplacer("\r\n", "", "\n", "")

// ruleState is an event rule's State: ENABLED unless enabled: false.
func ruleState(ev *value.Node) string {
	if e := ev.Field("enabled"); e.Has() && !flag(e) {
		return "DISABLED"
	}
	return "ENABLED"
}

// ruleInput returns an event's input settings, of which the Framework
// allows one (its error message ends differently per event type: tail).
func ruleInput(ev *value.Node, tail string) (input, inputPath, transformer *value.Node, err error) {
	input, inputPath, transformer = ev.Field("input"), ev.Field("inputPath"), ev.Field("inputTransformer")
	count := 0
	for _, x := range []*value.Node{input, inputPath, transformer} {
		if truthy(x) {
			count++
		}
	}
	if count > 1 {
		return nil, nil, nil, value.Errorf(ev.Pos, "you can only set one of input, inputPath, or inputTransformer properties %s", tail)
	}
	return input, inputPath, transformer, nil
}
