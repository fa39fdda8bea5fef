package serverless

import (
	"encoding/json"
	"regexp"
	"strings"

	"prodready/shared/value"
)

// HTTP APIs (httpApi events), as compile/events/http-api.js compiles them.

var httpAPIMethods = []string{"ANY", "GET", "POST", "PUT", "PATCH", "OPTIONS", "HEAD", "DELETE"}
var httpAPIMethodPath = regexp.MustCompile(`(?i)^(?:\*|(ANY|GET|POST|PUT|PATCH|OPTIONS|HEAD|DELETE) (/\S*))$`)

type httpAPIAuthorizer struct {
	key, name         string
	node              *value.Node
	typ               string
	identitySource    *value.Node
	issuerURL         *value.Node
	audience          *value.Node
	functionName      string
	functionArn       *value.Node
	managedExternally bool
	ttl, simple       *value.Node
	payloadVersion    *value.Node
	fn                *function
}

type httpAPIRoute struct {
	key     string
	f       *function
	item    *value.Node
	auth    *httpAPIAuthorizer
	authID  *value.Node // external authorizer id
	iam     bool
	scopes  *value.Node
	authPos value.Pos
}

func (c *compiler) httpAPIID(p value.Pos) *value.Node {
	if id := c.provider.Get("httpApi", "id"); truthy(id) {
		return cp(id)
	}
	return ref(p, idHTTPAPI)
}

func (c *compiler) httpAPIEvents() error {
	cfg := c.provider.Field("httpApi")
	external := truthy(cfg.Field("id"))
	// CORS
	var corsOn bool
	var origins, headers, methods, expose []string
	var creds, maxAge *value.Node
	fillMethods := false
	corsNode := cfg.Field("cors")
	defaultHeaders := []string{"Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token", "X-Amz-User-Agent", "X-Amzn-Trace-Id"}
	if truthy(corsNode) && corsNode.Str != "false" {
		if external {
			return value.Errorf(corsNode.Pos, "cannot set up CORS rules for an externally configured HTTP API")
		}
		corsOn = true
		if !isObj(corsNode) {
			origins, headers, fillMethods = []string{"*"}, defaultHeaders, true
		} else {
			origins, headers = []string{"*"}, defaultHeaders
			if v := corsNode.Field("allowedOrigins"); truthy(v) {
				origins = uniqStrings(v.Strings())
			}
			if v := corsNode.Field("allowedHeaders"); truthy(v) {
				headers = uniqStrings(v.Strings())
			}
			if v := corsNode.Field("allowedMethods"); truthy(v) {
				methods = uniqStrings(v.Strings())
			} else {
				fillMethods = true
			}
			if flag(corsNode.Field("allowCredentials")) {
				creds = value.NewBool(true, corsNode.Pos)
			}
			if v := corsNode.Field("exposedResponseHeaders"); truthy(v) {
				expose = uniqStrings(v.Strings())
			}
			maxAge = corsNode.Field("maxAge")
		}
		if fillMethods {
			methods = []string{"OPTIONS"}
		}
	}
	// Authorizers
	authorizers := map[string]*httpAPIAuthorizer{}
	var authOrder []string
	if ua := cfg.Field("authorizers"); truthy(ua) {
		if external {
			return value.Errorf(ua.Pos, "cannot set up authorizers for an externally configured HTTP API")
		}
		var err error
		ua.Each(func(key string, a *value.Node) {
			if err != nil {
				return
			}
			au := &httpAPIAuthorizer{key: key, node: a, name: key, typ: text(a.Field("type"))}
			if n := a.Field("name"); truthy(n) {
				au.name = text(n)
			}
			au.identitySource = a.Field("identitySource")
			au.issuerURL = a.Field("issuerUrl")
			au.audience = a.Field("audience")
			au.functionName = text(a.Field("functionName"))
			au.functionArn = a.Field("functionArn")
			au.managedExternally = flag(a.Field("managedExternally"))
			au.ttl = a.Field("resultTtlInSeconds")
			au.simple = a.Field("enableSimpleResponses")
			au.payloadVersion = a.Field("payloadVersion")
			if au.typ == "request" {
				switch {
				case !truthy(au.functionArn) && au.functionName == "":
					err = value.Errorf(a.Pos, "either \"functionArn\" or \"functionName\" property needs to be set on authorizer %q", key)
					return
				case truthy(au.functionArn) && au.functionName != "":
					err = value.Errorf(a.Pos, "either \"functionArn\" or \"functionName\" (not both) property needs to be set on authorizer %q", key)
					return
				}
				if au.functionName != "" {
					au.fn = c.function(au.functionName)
					if au.fn == nil {
						err = value.Errorf(a.Field("functionName").Pos, "function %q for HTTP API authorizer %q not found in service", au.functionName, key)
						return
					}
				}
				if truthy(au.ttl) && !truthy(au.identitySource) {
					err = value.Errorf(a.Pos, "property \"identitySource\" has to be set on authorizer %q when \"resultTtlInSeconds\" is set to a non-zero value", key)
					return
				}
			}
			authorizers[key] = au
			authOrder = append(authOrder, key)
		})
		if err != nil {
			return err
		}
	}
	var accessLogFormat *value.Node
	if logs := c.provider.Get("logs", "httpApi"); truthy(logs) && logs.Str != "false" {
		if external {
			return value.Errorf(logs.Pos, "cannot set up access logs for an externally configured HTTP API")
		}
		if f := logs.Field("format"); truthy(f) {
			accessLogFormat = cp(f)
		} else {
			def, _ := json.Marshal(struct {
				RequestID      string `json:"requestId"`
				IP             string `json:"ip"`
				RequestTime    string `json:"requestTime"`
				HTTPMethod     string `json:"httpMethod"`
				RouteKey       string `json:"routeKey"`
				Status         string `json:"status"`
				Protocol       string `json:"protocol"`
				ResponseLength string `json:"responseLength"`
			}{"$context.requestId", "$context.identity.sourceIp", "$context.requestTime", "$context.httpMethod", "$context.routeKey", "$context.status", "$context.protocol", "$context.responseLength"})
			accessLogFormat = value.NewString(string(def), logs.Pos)
		}
	}
	// Routes
	var routes []*httpAPIRoute
	byKey := map[string]int{}
	err := c.eventsOf("httpApi", func(f *function, ev, item *value.Node, _ int) error {
		var method, path string
		var auth *value.Node
		if isObj(ev) {
			method, path, auth = text(ev.Field("method")), text(ev.Field("path")), ev.Field("authorizer")
			if !ev.Field("path").Has() {
				path = "undefined"
			}
		} else {
			s := text(ev)
			if s == "*" {
				path = "*"
			} else {
				m := httpAPIMethodPath.FindStringSubmatch(s)
				if m == nil {
					return value.Errorf(ev.Pos, "function %s: httpApi event must be \"METHOD /path\" or \"*\", found %s", f.key, describe(ev))
				}
				method, path = m[1], m[2]
			}
		}
		var routeKey, resolved string
		if path == "*" {
			if method != "" && method != "*" {
				return value.Errorf(ev.Pos, "invalid \"path\" property in function %s for httpApi event", f.key)
			}
			routeKey, resolved = "*", "ANY"
		} else {
			if method == "" {
				return value.Errorf(ev.Pos, "missing \"method\" property in function %s for httpApi event", f.key)
			}
			method = strings.ToUpper(method)
			if method == "*" {
				method = "ANY"
			} else if !contains(httpAPIMethods, method) {
				return value.Errorf(ev.Pos, "invalid \"method\" property in function %s for httpApi event", f.key)
			}
			resolved = method
			routeKey = method + " " + path
			if _, dup := byKey[routeKey]; dup {
				return value.Errorf(ev.Pos, "duplicate route '%s' configuration in function %s for httpApi event", routeKey, f.key)
			}
		}
		rt := &httpAPIRoute{key: routeKey, f: f, item: item}
		if truthy(auth) {
			rt.authPos = auth.Pos
			var name, typ string
			var id, scopes *value.Node
			if isObj(auth) {
				name, typ, id, scopes = text(auth.Field("name")), text(auth.Field("type")), auth.Field("id"), auth.Field("scopes")
			} else {
				name = text(auth)
			}
			if typ != "aws_iam" && !truthy(id) && name == "" {
				t := typ
				if t == "" {
					t = "jwt"
				}
				return value.Errorf(auth.Pos, "when configuring an authorizer with type: %q, property \"id\" or \"name\" has to be specified", t)
			}
			if typ == "aws_iam" && (name != "" || truthy(id) || truthy(scopes)) {
				return value.Errorf(auth.Pos, "when configuring authorizer with type: \"aws_iam\", all other properties are not supported")
			}
			switch {
			case truthy(id):
				if !external {
					return value.Errorf(id.Pos, "event references external authorizer %s, but httpApi is part of the current stack", describe(id))
				}
				rt.authID = id
				rt.auth = &httpAPIAuthorizer{typ: typ}
			case typ == "aws_iam":
				rt.iam = true
			default:
				a, ok := authorizers[name]
				if !ok {
					return value.Errorf(auth.Pos, "event references not configured authorizer '%s'", name)
				}
				rt.auth = a
			}
			if truthy(scopes) {
				rt.scopes = uniqList(scopes)
			}
		}
		if i, ok := byKey[routeKey]; ok {
			routes[i] = rt
		} else {
			byKey[routeKey] = len(routes)
			routes = append(routes, rt)
		}
		if fillMethods {
			if resolved == "ANY" {
				for _, m := range httpAPIMethods[1:] {
					if !contains(methods, m) {
						methods = append(methods, m)
					}
				}
			} else if !contains(methods, resolved) {
				methods = append(methods, resolved)
			}
		}
		return nil
	})
	if err != nil || len(routes) == 0 {
		return err
	}
	p := posOf(routes[0].item.Pos, cfg)
	if !external {
		name := value.NewString(c.stage+"-"+c.service, p)
		if n := cfg.Field("name"); truthy(n) {
			name = cat(n.Pos, n)
		} else if flag(cfg.Field("shouldStartNameWithService")) {
			name = value.NewString(c.service+"-"+c.stage, p)
		}
		pr := M(p, "Name", name)
		if d := cfg.Field("description"); truthy(d) {
			pr.Set("Description", cat(d.Pos, d))
		}
		pr.Set("ProtocolType", value.NewString("HTTP", p))
		if d := cfg.Field("disableDefaultEndpoint"); d.Has() {
			pr.Set("DisableExecuteApiEndpoint", cp(d))
		}
		if tags := c.provider.Field("tags"); truthy(tags) {
			pr.Set("Tags", tagMap(tags))
		}
		if corsOn {
			cpos := corsNode.Pos
			cc := M(cpos, "AllowCredentials", creds, "AllowHeaders", V(cpos, headers), "AllowMethods", V(cpos, methods), "AllowOrigins", V(cpos, origins))
			if expose != nil {
				cc.Set("ExposeHeaders", V(cpos, expose))
			}
			set(cc, "MaxAge", cp(maxAge))
			pr.Set("CorsConfiguration", cc)
		}
		c.t.put(idHTTPAPI, resource(p, "AWS::ApiGatewayV2::Api", pr))
	}
	if accessLogFormat != nil {
		c.t.put(idHTTPAPILogGroup, c.logGroup(accessLogFormat.Pos, value.NewString("/aws/http-api/"+c.stackName(), accessLogFormat.Pos)))
	}
	if !external {
		metrics := cfg.Field("metrics")
		m := value.NewBool(false, p)
		if truthy(metrics) {
			m = cp(metrics)
		}
		pr := M(p, "ApiId", ref(p, idHTTPAPI), "StageName", "$default", "AutoDeploy", true, "DefaultRouteSettings", M(posOf(p, metrics), "DetailedMetricsEnabled", m))
		if tags := c.provider.Field("tags"); truthy(tags) {
			pr.Set("Tags", tagMap(tags))
		}
		st := resource(p, "AWS::ApiGatewayV2::Stage", pr)
		if accessLogFormat != nil {
			lp := accessLogFormat.Pos
			pr.Set("AccessLogSettings", M(lp, "DestinationArn", getAtt(lp, idHTTPAPILogGroup, "Arn"), "Format", accessLogFormat))
			st.Set("DependsOn", value.NewString(idHTTPAPILogGroup, lp))
		}
		c.t.put(idHTTPAPIStage, st)
	}
	for _, key := range authOrder {
		a := authorizers[key]
		ap := a.node.Pos
		is := a.identitySource
		var isList *value.Node
		switch {
		case is == nil:
			isList = L(ap)
		case is.Kind == value.List:
			isList = cp(is)
		default:
			isList = L(ap, cp(is))
		}
		pr := M(ap, "ApiId", c.httpAPIID(ap), "Name", a.name, "IdentitySource", isList)
		r := resource(ap, "AWS::ApiGatewayV2::Authorizer", pr)
		if a.typ == "request" {
			pr.Set("AuthorizerType", value.NewString("REQUEST", ap))
			set(pr, "EnableSimpleResponses", cp(a.simple))
			set(pr, "AuthorizerResultTtlInSeconds", cp(a.ttl))
			pv := value.NewString("2.0", ap)
			if truthy(a.payloadVersion) {
				pv = cp(a.payloadVersion)
			}
			pr.Set("AuthorizerPayloadFormatVersion", pv)
			var target *value.Node
			if truthy(a.functionArn) {
				target = cp(a.functionArn)
			} else {
				target = c.lambdaTarget(a.fn, ap)
			}
			pr.Set("AuthorizerUri", join(ap, "", "arn:", partitionRef(ap), ":apigateway:", regionRef(ap), ":lambda:path/2015-03-31/functions/", target, "/invocations"))
			if a.fn != nil && a.fn.alias != nil {
				r.Set("DependsOn", value.NewString(a.fn.alias.logicalID, ap))
			}
			if !a.managedExternally {
				perm := resource(ap, "AWS::Lambda::Permission", M(ap,
					"FunctionName", cp(target),
					"Action", "lambda:InvokeFunction",
					"Principal", "apigateway.amazonaws.com",
					"SourceArn", c.executeAPIArn(ap, c.httpAPIID(ap), "/*")))
				if a.fn != nil && a.fn.alias != nil {
					perm.Set("DependsOn", value.NewString(a.fn.alias.logicalID, ap))
				}
				c.t.put(httpAPIAuthorizerPermissionID(a.name), perm)
			}
		} else {
			pr.Set("AuthorizerType", value.NewString("JWT", ap))
			aud := value.NewList(posOf(ap, a.audience))
			for _, it := range uniqList(posNode(a.audience, value.NewNull(ap))).Items {
				aud.Items = append(aud.Items, it)
			}
			pr.Set("JwtConfiguration", M(ap, "Audience", aud, "Issuer", cp(a.issuerURL)))
		}
		c.t.put(httpAPIAuthorizerLogicalID(a.name), r)
	}
	done := map[string]bool{}
	for _, rt := range routes {
		f := rt.f
		p := rt.item.Pos
		if !done[f.key] {
			done[f.key] = true
			c.t.put(httpAPIPermissionID(f.key), M(p, "Type", "AWS::Lambda::Permission", "Properties", M(p,
				"FunctionName", c.lambdaTarget(f, p),
				"Action", "lambda:InvokeFunction",
				"Principal", "apigateway.amazonaws.com",
				"SourceArn", c.executeAPIArn(p, c.httpAPIID(p), "/*"),
			), "DependsOn", nilIfEmpty(f.aliasID(), p)))
			payload := firstTruthy(f.node.Get("httpApi", "payload"), cfg.Field("payload"))
			pv := value.NewString("2.0", p)
			if payload != nil {
				pv = cp(payload)
			}
			c.t.put(httpAPIIntegrationLogicalID(f.key), M(p, "Type", "AWS::ApiGatewayV2::Integration", "DependsOn", nilIfEmpty(f.aliasID(), p), "Properties", M(p,
				"ApiId", c.httpAPIID(p),
				"IntegrationType", "AWS_PROXY",
				"IntegrationUri", c.lambdaTarget(f, p),
				"PayloadFormatVersion", pv,
				"TimeoutInMillis", 30000,
			)))
		}
		routeKey := rt.key
		if routeKey == "*" {
			routeKey = "$default"
		}
		pr := M(p,
			"ApiId", c.httpAPIID(p),
			"RouteKey", routeKey,
			"Target", join(p, "/", "integrations", ref(p, httpAPIIntegrationLogicalID(f.key))),
		)
		switch {
		case rt.iam:
			pr.Set("AuthorizationType", value.NewString("AWS_IAM", rt.authPos))
		case rt.auth != nil:
			typ := "JWT"
			if rt.auth.typ == "request" {
				typ = "CUSTOM"
			}
			pr.Set("AuthorizationType", value.NewString(typ, rt.authPos))
			if rt.authID != nil {
				pr.Set("AuthorizerId", cp(rt.authID))
			} else {
				pr.Set("AuthorizerId", ref(rt.authPos, httpAPIAuthorizerLogicalID(rt.auth.name)))
			}
			set(pr, "AuthorizationScopes", rt.scopes)
		}
		c.t.put(httpAPIRouteLogicalID(rt.key), M(p, "Type", "AWS::ApiGatewayV2::Route", "Properties", pr, "DependsOn", httpAPIIntegrationLogicalID(f.key)))
	}
	return nil
}

func uniqStrings(in []string) []string {
	var out []string
	for _, s := range in {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
