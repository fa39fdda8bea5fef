package serverless

import (
	"fmt"
	"strings"

	"prodready/shared/cfn"
	"prodready/shared/inventory"
	"prodready/shared/value"
)

// Compile builds the inventory the Framework would deploy for the service:
// the resources it generates from provider, functions and events, the
// resources: section merged the way it merges them (with Conditions
// evaluated for the stage), the REST API stage whose settings the Framework
// applies after deploy, and the event sources the service uses but does
// not own.
func (s *Service) Compile() (*inventory.Inventory, error) {
	c, err := s.template()
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", s.Path, err)
	}
	inv := inventory.New(inventory.FromServerless)
	inv.Service, inv.Stage, inv.Region = s.Name, s.Stage, s.Region
	if n := s.Config.Field("service"); n != nil {
		inv.Settings["service"] = n // where service-wide findings point
	}
	if err := cfn.Load(inv, c.t.root, cfn.Options{
		Region:    s.Region,
		StackName: c.stackName(),
		Origin:    inventory.FromServerless,
		Stack:     s.Name,
		StackTags: stackTags(c.provider),
	}); err != nil {
		return nil, fmt.Errorf("compile %s: %w", s.Path, err)
	}
	c.finish(inv)
	return inv, nil
}

// finish adds what never reaches the template: the REST API stage and the
// external event sources.
func (c *compiler) finish(inv *inventory.Inventory) {
	if api := inv.ByID(idRestAPI); api != nil && api.Type == "AWS::ApiGateway::RestApi" && frameworkRestAPI(c.cfg) {
		addAPIStage(inv, c.provider, c.stage, c.service, api.Pos)
	}
	addExternals(inv, eventExternals(c.cfg))
}

// frameworkRestAPI reports whether the Framework makes the service's REST
// API, whose stage it then configures after deploy: http events without
// provider.apiGateway.restApiId.
func frameworkRestAPI(cfg *value.Node) bool {
	if truthy(cfg.Get("provider", "apiGateway", "restApiId")) {
		return false
	}
	found := false
	cfg.Field("functions").Each(func(_ string, f *value.Node) {
		for _, ev := range f.Field("events").List() {
			if truthy(ev.Field("http")) {
				found = true
			}
		}
	})
	return found
}

// stackTags reads provider.stackTags for the loader.
func stackTags(provider *value.Node) map[string]*value.Node {
	st := provider.Field("stackTags")
	if !isObj(st) {
		return nil
	}
	out := map[string]*value.Node{}
	st.Each(func(k string, v *value.Node) { out[k] = v })
	return out
}

// defaultAccessLogFormat is the Framework's REST API access log format
// (api-gateway/lib/hack/update-stage.js).
const defaultAccessLogFormat = "requestId: $context.requestId, ip: $context.identity.sourceIp, caller: $context.identity.caller, " +
	"user: $context.identity.user, requestTime: $context.requestTime, httpMethod: $context.httpMethod, " +
	"resourcePath: $context.resourcePath, status: $context.status, protocol: $context.protocol, " +
	"responseLength: $context.responseLength"

// addAPIStage synthesizes the AWS::ApiGateway::Stage the Framework
// configures by API call after deploy (update-stage.js): tracing, access
// and execution logging, metrics and tags never reach the template, so the
// rules read them from this resource, id ApiGatewayStage as osls reserves.
func addAPIStage(inv *inventory.Inventory, provider *value.Node, stage, service string, apiPos value.Pos) {
	if existing := inv.ByID(idAPIStage); existing != nil {
		return // the service declares the stage itself
	}
	tracing := provider.Field("tracing")
	logs := provider.Get("logs", "restApi")
	p := posOf(apiPos, tracing.Field("apiGateway"), logs, tracing, provider)
	stageName := value.NewString(stage, apiPos)
	if st := provider.Get("apiGateway", "stage"); truthy(st) {
		stageName = cp(st)
	}
	props := M(p,
		"RestApiId", ref(apiPos, idRestAPI),
		"StageName", stageName,
		"TracingEnabled", value.NewBool(flag(tracing.Field("apiGateway")), posOf(p, tracing.Field("apiGateway"), tracing)),
	)
	if u := getU(provider, "tracing", "apiGateway"); u.IsUnknown() {
		props.Set("TracingEnabled", cp(u))
	}
	if truthy(logs) && logs.Str != "false" {
		lp := logs.Pos
		setting := func(key string) (*value.Node, bool) {
			if isObj(logs) {
				if v := logs.Field(key); v.Has() {
					return v, flag(v)
				}
			}
			return nil, true
		}
		if n, on := setting("accessLogging"); on {
			format := value.NewString(defaultAccessLogFormat, lp)
			if f := logs.Field("format"); truthy(f) {
				format = cp(f)
			}
			props.Set("AccessLogSetting", M(posOf(lp, n), "DestinationArn", getAtt(lp, idAPILogGroup, "Arn"), "Format", format))
		}
		if n, on := setting("executionLogging"); on {
			level := value.NewString("INFO", posOf(lp, n))
			if l := logs.Field("level"); truthy(l) {
				level = cp(l)
			}
			full, fullOn := setting("fullExecutionData")
			ms := M(posOf(lp, n), "HttpMethod", "*", "ResourcePath", "/*", "LoggingLevel", level,
				"DataTraceEnabled", value.NewBool(fullOn, posOf(lp, full)))
			if m := provider.Get("apiGateway", "metrics"); m.Has() {
				ms.Set("MetricsEnabled", value.NewBool(flag(m), m.Pos))
			}
			props.Set("MethodSettings", L(lp, ms))
		}
	}
	if props.Field("MethodSettings") == nil {
		if m := provider.Get("apiGateway", "metrics"); m.Has() {
			props.Set("MethodSettings", L(m.Pos, M(m.Pos, "HttpMethod", "*", "ResourcePath", "/*", "MetricsEnabled", value.NewBool(flag(m), m.Pos))))
		}
	}
	tags := tagMap(provider.Field("stackTags"), provider.Field("tags"))
	if tags.Len() > 0 {
		props.Set("Tags", tagList(tags))
	}
	r := &inventory.Resource{
		ID:     idAPIStage,
		Type:   "AWS::ApiGateway::Stage",
		Name:   text(stageName),
		Props:  props,
		Tags:   map[string]*value.Node{},
		Stack:  service,
		Pos:    p,
		Origin: inv.Origin,
	}
	tags.Each(func(k string, v *value.Node) { r.Tags[k] = v })
	inv.Add(r)
}

// addExternals adds the event sources the service names but does not own:
// a queue ARN from SSM, an existing topic or bucket. One the stack declares
// (by Ref, Fn::GetAtt or its name) is not external.
func addExternals(inv *inventory.Inventory, exts []external) {
	for _, e := range exts {
		if inv.Resolve(e.node) != nil {
			continue
		}
		id := exprText(e.node)
		if id == "" || inv.ByID(id) != nil {
			continue
		}
		r := &inventory.Resource{
			ID:       id,
			Type:     e.typ,
			Props:    value.NewMap(e.pos),
			Pos:      e.pos,
			Origin:   inv.Origin,
			External: true,
		}
		if isStr(e.node) {
			if strings.HasPrefix(e.node.Str, "arn:") {
				r.ARN = e.node.Str
			} else {
				r.Name = e.node.Str
			}
		}
		inv.Add(r)
	}
}

// exprText renders a value as readable text: a string as itself, a
// deploy-time value as its expression, an intrinsic function in Fn::Sub
// syntax (arn:aws:sns:${AWS::Region}:…).
func exprText(n *value.Node) string {
	if n == nil {
		return ""
	}
	switch n.Kind {
	case value.String, value.Number, value.Bool, value.Unknown:
		return n.Str
	}
	name, arg, ok := n.Intrinsic()
	if !ok {
		return jsonString(n)
	}
	switch name {
	case "Ref":
		return "${" + text(arg) + "}"
	case "Fn::GetAtt":
		if arg.Kind == value.List {
			parts := make([]string, 0, len(arg.Items))
			for _, it := range arg.Items {
				parts = append(parts, text(it))
			}
			return "${" + strings.Join(parts, ".") + "}"
		}
		return "${" + text(arg) + "}"
	case "Fn::Join":
		var parts []string
		for _, it := range arg.Get("1").List() {
			parts = append(parts, exprText(it))
		}
		return strings.Join(parts, text(arg.Get("0")))
	case "Fn::Sub":
		if arg.Kind == value.List {
			return text(arg.Get("0"))
		}
		return text(arg)
	case "Fn::ImportValue":
		return "Fn::ImportValue(" + exprText(arg) + ")"
	}
	return jsonString(n)
}
