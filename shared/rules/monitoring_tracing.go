package rules

import (
	"prodready/shared/inventory"
	"prodready/shared/value"
)

// XRayTracing enforces Monitoring 5: X-Ray on every API stage and function.
var XRayTracing = &Rule{
	ID:     "xray-tracing",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 5",
	Title:  "AWS X-Ray active tracing on API stages and functions",
	Checklist: "AWS X-Ray is enabled for APIs. Services should have X-Ray enabled to improve the monitoring " +
		"process for services and provide engineers and support analysts to quickly identify which of the " +
		"components invoked as part of the request is the cause of a given issue.",
	Rationale: "X-Ray gives the end-to-end view of a request through API Gateway, the functions it invokes " +
		"and the datastore behind them. Without it on every hop, the trace stops where tracing is off.",
	Remediation: "Turn on active tracing for the REST API stage and for every function: provider.tracing.apiGateway " +
		"and provider.tracing.lambda (HTTP APIs have no X-Ray support; their functions must still trace). The " +
		"Framework's own functions are not checked.",
	Example: `provider:
  tracing:
    apiGateway: true
    lambda: true`,
	Check: func(c *Context) {
		for _, fn := range monitoredFunctions(c.Inv) {
			mode := fn.Prop("TracingConfig", "Mode")
			switch {
			case mode.IsUnknown():
				c.Fail(fn, fn.PosOf("TracingConfig", "Mode"), "cannot see the tracing mode of function %s: it is %s (%s)", called(fn), mode.Str, mode.Why)
			case mode.String() == "Active":
				c.Pass(fn, "function %s traces actively", called(fn))
			case mode.Has():
				c.Fail(fn, fn.PosOf("TracingConfig", "Mode"), "function %s has tracing mode %s; X-Ray needs Active: set provider.tracing.lambda: true (or tracing: Active on the function)", called(fn), mode.Describe())
			default:
				c.Fail(fn, fn.PosOf("TracingConfig"), "function %s has no X-Ray active tracing; set provider.tracing.lambda: true (or tracing: Active on the function)", called(fn))
			}
		}
		stages := c.Inv.OfType("AWS::ApiGateway::Stage")
		for _, st := range stages {
			checkStageTracing(c, st)
		}
		for _, api := range allServiceAPIs(c.Inv) {
			if api.Type == "AWS::ApiGatewayV2::Api" {
				// API Gateway traces only REST APIs; the functions behind an
				// HTTP or WebSocket API trace on their own (checked above).
				c.Pass(api, "%s %s cannot trace with X-Ray (API Gateway traces REST APIs only); its functions must, and are checked on their own", apiKind(api), called(api))
				continue
			}
			if hasStage(c, api, stages) {
				continue
			}
			checkDeploymentTracing(c, api)
		}
	},
}

// checkDeploymentTracing judges a REST API that has no Stage resource: its
// stage is made by an AWS::ApiGateway::Deployment with StageName, which
// traces when StageDescription.TracingEnabled is true.
func checkDeploymentTracing(c *Context, api *inventory.Resource) {
	for _, d := range c.Inv.OfType("AWS::ApiGateway::Deployment") {
		if resolveTyped(c.Inv, d.Prop("RestApiId"), "AWS::ApiGateway::RestApi") != api || !d.Prop("StageName").Has() {
			continue
		}
		t := d.Prop("StageDescription", "TracingEnabled")
		switch {
		case t.IsTrue():
			c.Pass(api, "REST API %s traces with X-Ray (stage %s of deployment %s)", called(api), d.Prop("StageName").String(), called(d))
		case t.IsUnknown():
			c.Fail(api, d.PosOf("StageDescription", "TracingEnabled"), "cannot see whether REST API %s traces: TracingEnabled of deployment %s is %s", called(api), called(d), unseen(t))
		default:
			c.Fail(api, d.PosOf("StageDescription", "TracingEnabled"), "REST API %s's stage %s, made by deployment %s, does not trace with X-Ray; set StageDescription.TracingEnabled: true (or declare an AWS::ApiGateway::Stage with TracingEnabled: true)", called(api), d.Prop("StageName").String(), called(d))
		}
		return
	}
	c.Fail(api, value.Pos{}, "REST API %s has no stage in this service that turns X-Ray on; declare an AWS::ApiGateway::Stage with TracingEnabled: true (provider.tracing.apiGateway: true for the Framework's API)", called(api))
}

// hasStage reports whether a stage of the inventory belongs to a REST API.
func hasStage(c *Context, api *inventory.Resource, stages []*inventory.Resource) bool {
	for _, st := range stages {
		if resolveTyped(c.Inv, st.Prop("RestApiId"), "AWS::ApiGateway::RestApi") == api {
			return true
		}
		if id := liveAPIID(api); id != "" && st.Prop("RestApiId").String() == id {
			return true
		}
	}
	return false
}

func checkStageTracing(c *Context, st *inventory.Resource) {
	t := st.Prop("TracingEnabled")
	switch {
	case t.IsUnknown():
		c.Fail(st, st.PosOf("TracingEnabled"), "cannot see whether API stage %s traces: it is %s (%s)", called(st), t.Str, t.Why)
	case t.IsTrue():
		c.Pass(st, "API stage %s traces with X-Ray", called(st))
	default:
		c.Fail(st, st.PosOf("TracingEnabled"), "API stage %s does not have X-Ray tracing enabled; set provider.tracing.apiGateway: true (TracingEnabled: true on a stage under resources:)", called(st))
	}
}
