package rules

import (
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// Dashboard enforces Monitoring 4: a service with APIs or functions has a
// CloudWatch dashboard.
var Dashboard = &Rule{
	ID:     "dashboard",
	Pillar: Monitoring,
	Point:  "Monitoring and alerting 4",
	Title:  "The service has a CloudWatch dashboard",
	Checklist: "CloudWatch dashboards are set up for improved monitoring. All production services should make use of " +
		"available dashboard modules and/or build their custom monitoring dashboard to promote faster incident " +
		"resolution.",
	Rationale: "A dashboard puts the service's alarms, error logs and metrics in one view, so the engineer on an " +
		"incident does not search log group after log group to find what failed.",
	Remediation: "Add an AWS::CloudWatch::Dashboard under resources: with widgets for the API's 5xx errors and " +
		"latency, the functions' errors and the queues' depth. If the dashboard is built with the council's " +
		"terraform dashboard modules outside this service, record an exemption for the dashboard rule saying " +
		"where it lives; the nightly auditor finds it in the account.",
	Example: `resources:
  Resources:
    ServiceDashboard:
      Type: AWS::CloudWatch::Dashboard
      Properties:
        DashboardName: orders-production
        DashboardBody: !Sub |
          {"widgets": [{"type": "metric", "width": 12, "height": 6, "properties": {
            "title": "API 5xx", "region": "${AWS::Region}", "stat": "Sum",
            "metrics": [["AWS/ApiGateway", "5XXError", "ApiName", "production-orders"]]}}]}`,
	Check: checkDashboards,
}

func checkDashboards(c *Context) {
	dashboards := c.Inv.OfType("AWS::CloudWatch::Dashboard")
	// Services are stacks; the resources that make one need a dashboard.
	stacks := map[string][]*inventory.Resource{}
	var order []string
	for _, r := range append(monitoredFunctions(c.Inv), allServiceAPIs(c.Inv)...) {
		stack := r.Stack
		if stack == "" {
			stack = c.Inv.Service
		}
		if stack == "" {
			continue
		}
		if _, seen := stacks[stack]; !seen {
			order = append(order, stack)
		}
		stacks[stack] = append(stacks[stack], r)
	}
	if !c.Live() {
		// A template is one service: a dashboard in it is the service's.
		if len(order) == 0 {
			return
		}
		if len(dashboards) > 0 {
			c.PassService("service %s has CloudWatch dashboard %s", c.serviceName(), called(dashboards[0]))
			return
		}
		c.FailService(value.Pos{}, "service %s has APIs or functions but no CloudWatch dashboard; add an AWS::CloudWatch::Dashboard, or, if the council's terraform dashboard module builds it elsewhere, record an exemption saying where", c.serviceName())
		return
	}
	for _, stack := range order {
		d := dashboardFor(c.Inv, dashboards, stack)
		one := len(order) == 1 && stack == c.Inv.Service
		switch {
		case d != nil && one:
			c.PassService("service %s has CloudWatch dashboard %s", stack, called(d))
		case d != nil:
			c.Pass(stackResource(stack), "service %s has CloudWatch dashboard %s", stack, called(d))
		case one:
			c.FailService(value.Pos{}, "service %s has APIs or functions but no CloudWatch dashboard mentions it or its resources", stack)
		default:
			c.Fail(stackResource(stack), value.Pos{}, "service %s has APIs or functions but no CloudWatch dashboard mentions it or its resources", stack)
		}
	}
}

// allServiceAPIs returns the service's APIs of every kind.
func allServiceAPIs(inv *inventory.Inventory) []*inventory.Resource {
	var out []*inventory.Resource
	for _, r := range inv.OfType("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api") {
		if !r.External && !r.Framework {
			out = append(out, r)
		}
	}
	return out
}

// stackResource stands for a stack in an account-wide audit, where a
// service-level finding must name its service.
func stackResource(stack string) *inventory.Resource {
	return &inventory.Resource{ID: stack, Type: "AWS::CloudFormation::Stack", Stack: stack, Origin: inventory.FromLive}
}

// minNameLen keeps short names ("api") from matching every dashboard.
const minNameLen = 4

// dashboardFor returns a dashboard that belongs to stack in an account:
// one the stack created, or one whose name or body mentions the stack or
// the physical name of one of its resources.
func dashboardFor(inv *inventory.Inventory, dashboards []*inventory.Resource, stack string) *inventory.Resource {
	names := []string{stack}
	for _, r := range inv.All() {
		if r.Stack != stack || r.Type == "AWS::CloudWatch::Dashboard" {
			continue
		}
		if n, ok := physicalName(r); ok && len(n) >= minNameLen && !strings.Contains(n, "${") {
			names = append(names, n)
		}
	}
	for _, d := range dashboards {
		if d.Stack == stack {
			return d
		}
		var texts []string
		for _, n := range []*value.Node{d.Prop("DashboardName"), d.Prop("DashboardBody")} {
			if t, ok := refText(n); ok {
				texts = append(texts, t)
			}
		}
		texts = append(texts, d.Name, d.ID)
		for _, t := range texts {
			for _, n := range names {
				if t != "" && strings.Contains(t, n) {
					return d
				}
			}
		}
	}
	return nil
}
