package serverless

import (
	"strings"

	"prodready/shared/value"
)

// WebSocket APIs (websocket events), as compile/events/websockets compiles
// them. The deployment resource, whose logical id is a hash of the routes,
// is left out: no rule reads it.

type wsEvent struct {
	f        *function
	item     *value.Node
	route    string
	routePos value.Pos
	rrse     *value.Node
	auth     *wsAuthorizer
}

type wsAuthorizer struct {
	pos            value.Pos
	name           string
	uri            *value.Node
	identitySource *value.Node
	permission     *value.Node // an ARN, or the logical id of an in-service function
	local          bool
}

func (c *compiler) websocketAPIID(p value.Pos) *value.Node {
	if id := c.provider.Get("apiGateway", "websocketApiId"); truthy(id) {
		return cp(id)
	}
	return ref(p, idWebsocketsAPI)
}

func (c *compiler) websocketEvents() error {
	var events []*wsEvent
	err := c.eventsOf("websocket", func(f *function, ev, item *value.Node, _ int) error {
		we := &wsEvent{f: f, item: item}
		if !isObj(ev) {
			we.route, we.routePos = text(ev), ev.Pos
			events = append(events, we)
			return nil
		}
		we.route, we.routePos = text(ev.Field("route")), posOf(ev.Pos, ev.Field("route"))
		if v := ev.Field("routeResponseSelectionExpression"); truthy(v) {
			we.rrse = v
		}
		uri := func(p value.Pos, target *value.Node) *value.Node {
			return join(p, "", "arn:", partitionRef(p), ":apigateway:", regionRef(p), ":lambda:path/2015-03-31/functions/", target, "/invocations")
		}
		a := ev.Field("authorizer")
		switch {
		case !truthy(a):
		case !isObj(a):
			p := a.Pos
			au := &wsAuthorizer{pos: p, identitySource: L(p, "route.request.header.Auth")}
			s := text(a)
			if strings.Contains(s, ":") || a.IsUnknown() {
				parts := strings.Split(s, ":")
				au.name = parts[len(parts)-1]
				if a.IsUnknown() {
					au.name = nonAlnum.ReplaceAllString(au.name, "")
				}
				au.uri = uri(p, cp(a))
				au.permission = cp(a)
			} else {
				af := c.function(s)
				if af == nil {
					return value.Errorf(p, "websocket authorizer function %q doesn't exist in this service", s)
				}
				au.name, au.local = s, true
				au.uri = uri(p, c.lambdaTarget(af, p))
				au.permission = value.NewString(af.logicalID, p)
			}
			we.auth = au
		default:
			p := a.Pos
			au := &wsAuthorizer{pos: p}
			if arn := a.Field("arn"); truthy(arn) {
				if isObj(arn) {
					if !truthy(a.Field("name")) {
						return value.Errorf(p, "websocket authorizer: a non-string \"arn\" needs to be accompanied with \"name\"")
					}
					au.name = text(a.Field("name"))
				} else {
					parts := strings.Split(text(arn), ":")
					au.name = parts[len(parts)-1]
					if arn.IsUnknown() {
						au.name = nonAlnum.ReplaceAllString(au.name, "")
					}
				}
				au.uri = uri(p, cp(arn))
				au.permission = cp(arn)
			} else if n := a.Field("name"); truthy(n) {
				af := c.function(text(n))
				if af == nil {
					return value.Errorf(n.Pos, "websocket authorizer function %q doesn't exist in this service", text(n))
				}
				au.name, au.local = text(n), true
				au.uri = uri(p, c.lambdaTarget(af, p))
				au.permission = value.NewString(af.logicalID, p)
			}
			if is := a.Field("identitySource"); truthy(is) {
				au.identitySource = asList(is)
			} else {
				au.identitySource = L(p, "route.request.header.Auth")
			}
			we.auth = au
		}
		events = append(events, we)
		return nil
	})
	if err != nil || len(events) == 0 {
		return err
	}
	p0 := events[0].item.Pos
	apiGateway := c.provider.Field("apiGateway")
	external := truthy(apiGateway.Field("websocketApiId"))
	description := value.NewString("Serverless Websockets", p0)
	if d := c.provider.Field("websocketsDescription"); truthy(d) {
		description = cp(d)
	}
	if !external {
		name := value.NewString(c.stage+"-"+c.service+"-websockets", p0)
		if n := c.provider.Field("websocketsApiName"); isStr(n) && n.Str != "" {
			name = cp(n)
		}
		rse := value.NewString("$request.body.action", p0)
		if v := c.provider.Field("websocketsApiRouteSelectionExpression"); truthy(v) {
			rse = cp(v)
		}
		pr := M(p0, "Name", name, "RouteSelectionExpression", rse, "Description", description, "ProtocolType", "WEBSOCKET")
		if tags := c.provider.Field("tags"); truthy(tags) {
			pr.Set("Tags", tagMap(tags))
		}
		c.t.put(idWebsocketsAPI, resource(p0, "AWS::ApiGatewayV2::Api", pr))
		c.addStatement(M(p0, "Effect", "Allow", "Action", L(p0, "execute-api:ManageConnections"),
			"Resource", L(p0, sub(p0, "arn:${AWS::Partition}:execute-api:*:*:*/@connections/*"))))
	}
	for _, we := range events {
		p := we.item.Pos
		c.t.put(websocketsIntegrationLogicalID(we.f.key), M(p, "Type", "AWS::ApiGatewayV2::Integration", "DependsOn", nilIfEmpty(we.f.aliasID(), p), "Properties", M(p,
			"ApiId", c.websocketAPIID(p),
			"IntegrationType", "AWS_PROXY",
			"IntegrationUri", join(p, "", "arn:", partitionRef(p), ":apigateway:", regionRef(p), ":lambda:path/2015-03-31/functions/", c.lambdaTarget(we.f, p), "/invocations"),
		)))
	}
	for _, we := range events {
		if we.rrse == nil {
			continue
		}
		p := we.rrse.Pos
		c.t.put(websocketsRouteLogicalID(we.route)+"Response", resource(p, "AWS::ApiGatewayV2::RouteResponse", M(p,
			"ApiId", c.websocketAPIID(p),
			"RouteId", ref(p, websocketsRouteLogicalID(we.route)),
			"RouteResponseKey", "$default")))
	}
	for _, we := range events {
		a := we.auth
		if a == nil {
			continue
		}
		r := M(a.pos, "Type", "AWS::ApiGatewayV2::Authorizer")
		if af := c.function(a.name); af != nil && af.alias != nil {
			r.Set("DependsOn", value.NewString(af.alias.logicalID, a.pos))
		}
		r.Set("Properties", M(a.pos,
			"ApiId", c.websocketAPIID(a.pos),
			"Name", a.name,
			"AuthorizerType", "REQUEST",
			"AuthorizerUri", a.uri,
			"IdentitySource", cp(a.identitySource)))
		c.t.put(websocketsAuthorizerLogicalID(a.name), r)
	}
	for _, we := range events {
		p := we.item.Pos
		deps := L(p)
		if !external {
			deps.Items = append(deps.Items, value.NewString(idWebsocketsAPI, p))
		}
		if we.f.alias != nil {
			deps.Items = append(deps.Items, value.NewString(we.f.alias.logicalID, p))
		} else {
			deps.Items = append(deps.Items, value.NewString(we.f.logicalID, p))
		}
		c.t.put(websocketsPermissionID(we.f.key), M(p, "Type", "AWS::Lambda::Permission", "DependsOn", deps, "Properties", M(p,
			"FunctionName", c.lambdaTarget(we.f, p),
			"Action", "lambda:InvokeFunction",
			"Principal", "apigateway.amazonaws.com")))
		a := we.auth
		if a == nil {
			continue
		}
		ap := a.pos
		adeps := L(ap)
		if !external {
			adeps.Items = append(adeps.Items, value.NewString(idWebsocketsAPI, ap))
		}
		pr := M(ap, "Action", "lambda:InvokeFunction", "Principal", "apigateway.amazonaws.com")
		if a.local {
			af := c.function(a.name)
			pr.Set("FunctionName", c.lambdaTarget(af, ap))
			adeps.Items = append(adeps.Items, cp(a.permission))
			if af.alias != nil {
				adeps.Items = append(adeps.Items, value.NewString(af.alias.logicalID, ap))
			}
		} else {
			pr.Set("FunctionName", cp(a.permission))
		}
		c.t.put(websocketsPermissionID(a.name), M(ap, "Type", "AWS::Lambda::Permission", "DependsOn", adeps, "Properties", pr))
	}
	for _, we := range events {
		p := we.item.Pos
		pr := M(p,
			"ApiId", c.websocketAPIID(p),
			"RouteKey", value.NewString(we.route, we.routePos),
			"AuthorizationType", "NONE",
			"Target", join(p, "/", "integrations", ref(p, websocketsIntegrationLogicalID(we.f.key))),
		)
		if we.rrse != nil {
			pr.Set("RouteResponseSelectionExpression", cp(we.rrse))
		}
		if we.auth != nil {
			pr.Set("AuthorizationType", value.NewString("CUSTOM", we.auth.pos))
			pr.Set("AuthorizerId", ref(we.auth.pos, websocketsAuthorizerLogicalID(we.auth.name)))
		}
		c.t.put(websocketsRouteLogicalID(we.route), resource(p, "AWS::ApiGatewayV2::Route", pr))
	}
	if external {
		return nil
	}
	stagePr := M(p0, "ApiId", c.websocketAPIID(p0), "StageName", c.stage, "Description", cp(description))
	c.t.put(idWebsocketsStage, resource(p0, "AWS::ApiGatewayV2::Stage", stagePr))
	logs := c.provider.Get("logs", "websocket")
	if !truthy(logs) || logs.Str == "false" {
		return nil
	}
	lp := logs.Pos
	setting := func(key string) bool {
		if isObj(logs) {
			if v := logs.Field(key); v.Has() {
				return flag(v)
			}
		}
		return true
	}
	format := value.NewString("$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] \"$context.eventType $context.routeKey $context.connectionId\" $context.requestId", lp)
	if f := logs.Field("format"); truthy(f) {
		format = cp(f)
	}
	level := value.NewString("INFO", lp)
	if !setting("executionLogging") {
		level = value.NewString("OFF", lp)
	} else if l := logs.Field("level"); truthy(l) {
		if t := text(l); t != "INFO" && t != "ERROR" {
			return value.Errorf(l.Pos, "provider.logs.websocket.level must be INFO or ERROR, found %s", describe(l))
		}
		level = cp(l)
	}
	stagePr.Set("DefaultRouteSettings", M(lp, "DataTraceEnabled", setting("fullExecutionData"), "LoggingLevel", level))
	if setting("accessLogging") {
		stagePr.Set("AccessLogSettings", M(lp,
			"DestinationArn", sub(lp, "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${"+idWebsocketsLogGroup+"}"),
			"Format", format))
	}
	c.t.put(idWebsocketsLogGroup, c.logGroup(lp, value.NewString("/aws/websocket/"+c.service+"-"+c.stage, lp)))
	return c.apiGatewayCloudWatchRole(lp)
}
