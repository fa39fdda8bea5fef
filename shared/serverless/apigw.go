package serverless

import (
	"regexp"
	"strconv"
	"strings"

	"prodready/shared/value"
)

// The REST API (http events) as compile/events/api-gateway compiles it.

var cognitoArn = regexp.MustCompile(`^arn:[a-zA-Z-]*:cognito-idp`)
var apiStageName = regexp.MustCompile(`^[-_a-zA-Z0-9]+$`)

// httpEvent is one http event after the Framework's validate step.
type httpEvent struct {
	f        *function
	item     *value.Node // the event list item, for positions
	raw      *value.Node // the http value
	path     string
	method   string // lower case
	auth     *httpAuthorizer
	cors     *corsConfig
	private  *value.Node
	integ    string
	opID     *value.Node
	resource string // normalized resource name ("" for the root)
}

type httpAuthorizer struct {
	node               *value.Node // the authorizer setting
	typ                string      // as given, or AWS_IAM
	typNode            *value.Node
	name               string
	arn                *value.Node // nil when none
	managedExternally  bool
	authorizerID       *value.Node
	logicalID          string // target alias of an in-service authorizer function
	ttl                int
	identitySource     *value.Node
	identityValidation *value.Node
	scopes             *value.Node
	claims             *value.Node
}

type corsConfig struct {
	pos              value.Pos
	origin           string
	hasOrigin        bool
	origins          []string
	headers          []string
	methods          []string
	allowCredentials bool
	maxAge           string
	cacheControl     string
}

func (a *httpAuthorizer) cognito() bool {
	return strings.EqualFold(a.typ, "COGNITO_USER_POOLS") || (isStr(a.arn) && cognitoArn.MatchString(a.arn.Str))
}

func (c *compiler) restAPIID(p value.Pos) *value.Node {
	if id := c.provider.Get("apiGateway", "restApiId"); truthy(id) {
		return cp(id)
	}
	return ref(p, idRestAPI)
}

func (c *compiler) restAPIRootID(p value.Pos) *value.Node {
	if id := c.provider.Get("apiGateway", "restApiRootResourceId"); truthy(id) {
		return cp(id)
	}
	return getAtt(p, idRestAPI, "RootResourceId")
}

// apiName is naming.getApiGatewayName.
func (c *compiler) apiName(p value.Pos) *value.Node {
	if n := c.provider.Field("apiName"); truthy(n) {
		return cat(n.Pos, n)
	}
	if flag(c.provider.Get("apiGateway", "shouldStartNameWithService")) {
		return value.NewString(c.service+"-"+c.stage, p)
	}
	return value.NewString(c.stage+"-"+c.service, p)
}

func (c *compiler) collectHTTPEvents() ([]*httpEvent, []string, map[string]*corsConfig, error) {
	var events []*httpEvent
	var corsOrder []string
	preflight := map[string]*corsConfig{}
	apiGateway := c.provider.Field("apiGateway")
	if truthy(apiGateway.Field("restApiId")) {
		if !truthy(apiGateway.Field("restApiRootResourceId")) {
			return nil, nil, nil, value.Errorf(apiGateway.Field("restApiId").Pos, "missing required \"provider.apiGateway.restApiRootResourceId\" property (needed if \"provider.apiGateway.restApiId\" is provided)")
		}
		if t := c.provider.Get("tracing", "apiGateway"); t.Has() {
			return nil, nil, nil, value.Errorf(t.Pos, "when an external API Gateway is imported via \"provider.apiGateway.restApiId\", \"provider.tracing.apiGateway\" is ineffective")
		}
		if l := c.provider.Get("logs", "restApi"); l.Has() {
			return nil, nil, nil, value.Errorf(l.Pos, "when an external API Gateway is imported via \"provider.apiGateway.restApiId\", \"provider.logs.restApi\" is ineffective")
		}
	}
	err := c.eventsOf("http", func(f *function, raw, item *value.Node, _ int) error {
		ev := &httpEvent{f: f, item: item, raw: raw}
		var http *value.Node
		if isObj(raw) {
			http = raw
			ev.path, ev.method = text(raw.Field("path")), text(raw.Field("method"))
			if !raw.Field("path").Has() || !raw.Field("method").Has() {
				return value.Errorf(raw.Pos, "function %s: http event needs path and method", f.key)
			}
		} else {
			parts := strings.Split(text(raw), " ")
			ev.method = parts[0]
			if len(parts) > 1 {
				ev.path = parts[1]
			} else {
				return value.Errorf(raw.Pos, "function %s: http event must be \"METHOD /path\", found %s", f.key, describe(raw))
			}
			http = value.NewMap(raw.Pos)
		}
		ev.path = strings.TrimSuffix(strings.TrimPrefix(ev.path, "/"), "/")
		ev.method = strings.ToLower(ev.method)
		if a := http.Field("authorizer"); truthy(a) {
			auth, err := c.httpAuthorizer(a, http)
			if err != nil {
				return err
			}
			ev.auth = auth
		}
		if cors := http.Field("cors"); truthy(cors) {
			cc := httpCors(cors, ev.method)
			ev.cors = cc
			pf, ok := preflight[ev.path]
			if !ok {
				pf = &corsConfig{pos: cc.pos}
				preflight[ev.path] = pf
				corsOrder = append(corsOrder, ev.path)
			}
			pf.headers = unionStrings(cc.headers, pf.headers)
			pf.methods = unionStrings(cc.methods, pf.methods)
			pf.origins = unionStrings(cc.origins, pf.origins)
			pf.origin, pf.hasOrigin = cc.origin, cc.hasOrigin
			pf.allowCredentials = pf.allowCredentials || cc.allowCredentials
			if cc.maxAge != "" {
				pf.maxAge = cc.maxAge
			}
			if cc.cacheControl != "" {
				pf.cacheControl = cc.cacheControl
			}
		}
		ev.integ = httpIntegration(http)
		ev.private = http.Field("private")
		ev.opID = http.Field("operationId")
		if !apiStageName.MatchString(c.stage) {
			return value.Errorf(raw.Pos, "invalid stage name %s: it should contain only [-_a-zA-Z0-9] for AWS provider if http events are present, according to API Gateway limitation", c.stage)
		}
		events = append(events, ev)
		return nil
	})
	return events, corsOrder, preflight, err
}

func unionStrings(left, right []string) []string {
	var out []string
	for _, s := range append(append([]string(nil), left...), right...) {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func httpIntegration(http *value.Node) string {
	if i := http.Field("integration"); truthy(i) {
		n := strings.Replace(strings.ToUpper(text(i)), "-", "_", 1)
		switch n {
		case "LAMBDA":
			return "AWS"
		case "LAMBDA_PROXY":
			return "AWS_PROXY"
		}
		return n
	}
	if flag(http.Field("async")) {
		return "AWS"
	}
	return "AWS_PROXY"
}

func httpCors(cors *value.Node, method string) *corsConfig {
	cc := &corsConfig{
		pos:       cors.Pos,
		origin:    "*",
		hasOrigin: true,
		methods:   []string{"OPTIONS"},
		headers:   []string{"Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token", "X-Amz-User-Agent", "X-Amzn-Trace-Id"},
	}
	up := strings.ToUpper(method)
	if !isObj(cors) {
		cc.methods = append(cc.methods, up)
		return cc
	}
	if cors.Field("origins").Has() {
		cc.origin, cc.hasOrigin = "", false
	}
	if o := cors.Field("origin"); o != nil {
		cc.origin, cc.hasOrigin = text(o), o.Has()
	}
	if o := cors.Field("origins"); o.Has() {
		cc.origins = o.Strings()
	}
	if h := cors.Field("headers"); h != nil {
		cc.headers = h.Strings()
	}
	if m := cors.Field("methods"); m != nil {
		cc.methods = m.Strings()
	} else {
		cc.methods = nil
	}
	cc.allowCredentials = flag(cors.Field("allowCredentials"))
	if v := cors.Field("maxAge"); truthy(v) {
		cc.maxAge = text(v)
	}
	if v := cors.Field("cacheControl"); truthy(v) {
		cc.cacheControl = text(v)
	}
	if !contains(cc.methods, "OPTIONS") {
		cc.methods = append(cc.methods, "OPTIONS")
	}
	if !contains(cc.methods, up) {
		cc.methods = append(cc.methods, up)
	}
	return cc
}

// authorizerNameFromArn is naming.extractAuthorizerNameFromArn: the part of
// the function name after its last dash. For a deploy-time ARN the name is
// made from the expression, which keeps logical ids valid but cannot match
// the Framework's.
func authorizerNameFromArn(arn *value.Node) string {
	s := text(arn)
	parts := strings.Split(s, ":")
	last := strings.Split(parts[len(parts)-1], "-")
	name := last[len(last)-1]
	if arn.IsUnknown() {
		name = nonAlnum.ReplaceAllString(name, "")
	}
	return name
}

func (c *compiler) httpAuthorizer(a, http *value.Node) (*httpAuthorizer, error) {
	au := &httpAuthorizer{node: a, typNode: a}
	fnName := ""
	if !isObj(a) || a.IsUnknown() {
		s := text(a)
		switch {
		case strings.EqualFold(s, "AWS_IAM"):
			au.typ = "AWS_IAM"
		case !strings.Contains(s, ":") && !a.IsUnknown():
			fnName, au.name = s, s
		default:
			au.arn = a
			au.name = authorizerNameFromArn(a)
		}
	} else {
		typ := a.Field("type")
		au.typNode = posNode(typ, a)
		switch {
		case truthy(typ) && truthy(a.Field("authorizerId")):
			au.typ = text(typ)
			au.authorizerID = a.Field("authorizerId")
		case truthy(typ) && strings.EqualFold(text(typ), "AWS_IAM"):
			au.typ = "AWS_IAM"
		case truthy(a.Field("arn")):
			au.arn = a.Field("arn")
			switch {
			case isStr(a.Field("name")):
				au.name = a.Field("name").Str
			case strings.EqualFold(text(typ), "COGNITO_USER_POOLS") && isObj(au.arn):
				return nil, value.Errorf(a.Pos, "please provide an authorizer name for authorizers of type COGNITO_USER_POOLS")
			case isObj(au.arn):
				return nil, value.Errorf(au.arn.Pos, "an authorizer arn given as a CloudFormation function needs a name")
			default:
				au.name = authorizerNameFromArn(au.arn)
			}
		case truthy(a.Field("name")):
			fnName = text(a.Field("name"))
			au.name = fnName
		default:
			return nil, value.Errorf(a.Pos, "please provide either an authorizer name or ARN")
		}
		if au.typ == "" {
			au.typ = text(typ)
		}
		au.ttl = 300
		if t := a.Field("resultTtlInSeconds"); t.Has() {
			if i, err := strconv.Atoi(leadingInt(text(t))); err == nil {
				au.ttl = i
			}
		}
		au.claims = a.Field("claims")
		au.scopes = a.Field("scopes")
		au.identitySource = a.Field("identitySource")
		au.identityValidation = a.Field("identityValidationExpression")
		au.managedExternally = flag(a.Field("managedExternally"))
	}
	if fnName != "" {
		af := c.function(fnName)
		if af == nil {
			return nil, value.Errorf(a.Pos, "authorizer function %q doesn't exist in this service", fnName)
		}
		au.arn = c.lambdaTarget(af, a.Pos)
		au.logicalID = af.aliasID()
	}
	if !truthy(au.identitySource) && !(strings.EqualFold(au.typ, "REQUEST") && au.ttl == 0) {
		au.identitySource = value.NewString("method.request.header.Authorization", a.Pos)
	}
	if httpIntegration(http) == "AWS_PROXY" && isStr(au.arn) && cognitoArn.MatchString(au.arn.Str) && au.claims.Len() > 0 {
		return nil, value.Errorf(au.claims.Pos, "Cognito claims can only be filtered when using the lambda integration type")
	}
	return au, nil
}

// leadingInt is the digits parseInt reads.
func leadingInt(s string) string {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || (end == 0 && (s[end] == '-' || s[end] == '+'))) {
		end++
	}
	return s[:end]
}

func posNode(n, fallback *value.Node) *value.Node {
	if n != nil {
		return n
	}
	return fallback
}

// restAPIEvents compiles the REST API and everything hanging off it.
func (c *compiler) restAPIEvents() error {
	events, corsOrder, preflight, err := c.collectHTTPEvents()
	if err != nil || len(events) == 0 {
		return err
	}
	p0 := events[0].item.Pos
	c.compileRestAPI(p0)
	resources, err := c.compileAPIResources(events)
	if err != nil {
		return err
	}
	resID := func(path string, p value.Pos) *value.Node {
		if path == "" {
			return c.restAPIRootID(p)
		}
		r := resources[path]
		if r.resourceID != nil {
			return cp(r.resourceID)
		}
		return ref(p, r.logicalID)
	}
	resName := func(path string) string {
		if path == "" {
			return ""
		}
		return resources[path].name
	}
	// CORS preflight methods.
	for _, path := range corsOrder {
		cfg := preflight[path]
		p := cfg.pos
		origin := cfg.origin
		origins := cfg.origins
		if strings.Contains(origin, ",") {
			origins = nil
			for _, o := range strings.Split(origin, ",") {
				origins = append(origins, strings.TrimSpace(o))
			}
		}
		if len(origins) > 0 {
			origin = origins[0]
		}
		allowMethods := "'" + strings.Join(cfg.methods, ",") + "'"
		if contains(cfg.methods, "ANY") {
			allowMethods = strings.Replace(allowMethods, "ANY", "DELETE,GET,HEAD,PATCH,POST,PUT", 1)
		}
		headers := [][2]string{
			{"Access-Control-Allow-Origin", "'" + origin + "'"},
			{"Access-Control-Allow-Headers", "'" + strings.Join(cfg.headers, ",") + "'"},
			{"Access-Control-Allow-Methods", allowMethods},
		}
		if cfg.allowCredentials {
			headers = append(headers, [2]string{"Access-Control-Allow-Credentials", "'true'"})
		}
		if cfg.maxAge != "" {
			headers = append(headers, [2]string{"Access-Control-Max-Age", "'" + cfg.maxAge + "'"})
		}
		if cfg.cacheControl != "" {
			headers = append(headers, [2]string{"Cache-Control", "'" + cfg.cacheControl + "'"})
		}
		respParams, intParams := value.NewMap(p), value.NewMap(p)
		for _, h := range headers {
			respParams.Set("method.response.header."+h[0], value.NewBool(true, p))
			intParams.Set("method.response.header."+h[0], value.NewString(h[1], p))
		}
		c.t.put(methodLogicalID(resName(path), "options"), resource(p, "AWS::ApiGateway::Method", M(p,
			"AuthorizationType", "NONE",
			"HttpMethod", "OPTIONS",
			"MethodResponses", L(p, M(p, "StatusCode", "200", "ResponseParameters", respParams, "ResponseModels", value.NewMap(p))),
			"RequestParameters", value.NewMap(p),
			"Integration", M(p, "Type", "MOCK",
				"RequestTemplates", M(p, "application/json", "{statusCode:200}"),
				"ContentHandling", "CONVERT_TO_TEXT",
				"IntegrationResponses", L(p, M(p, "StatusCode", "200", "ResponseParameters", intParams, "ResponseTemplates", M(p, "application/json", corsResponseTemplate(origins))))),
			"ResourceId", resID(path, p),
			"RestApiId", c.restAPIID(p),
		)))
	}
	// Methods.
	for _, ev := range events {
		p := ev.item.Pos
		methodID := methodLogicalID(resName(ev.path), ev.method)
		pr := M(p,
			"HttpMethod", strings.ToUpper(ev.method),
			"RequestParameters", c.requestParameters(ev),
			"ResourceId", resID(ev.path, p),
			"RestApiId", c.restAPIID(p),
			"OperationName", cp(ev.opID),
		)
		private := flag(ev.private)
		pr.Set("ApiKeyRequired", value.NewBool(private, posOf(p, ev.private)))
		r := M(p, "Type", "AWS::ApiGateway::Method", "Properties", pr, "DependsOn", L(p, apiGatewayPermissionID(ev.f.key)))
		if ev.f.alias != nil {
			appendDependsOn(r, ev.f.alias.logicalID)
		}
		c.methodAuthorization(r, ev)
		pr.Set("Integration", c.methodIntegration(ev, p))
		pr.Set("MethodResponses", c.methodResponses(ev, p))
		c.t.put(methodID, r)
	}
	c.requestValidation(events, resName)
	// Authorizers. Events sharing an authorizer each compile it and the
	// last one wins; walking backwards and keeping the first is the same
	// and compiles it once.
	done := map[string]bool{}
	for i := len(events) - 1; i >= 0; i-- {
		a := events[i].auth
		if a == nil || a.arn == nil || done[authorizerLogicalID(a.name)] {
			continue
		}
		done[authorizerLogicalID(a.name)] = true
		p := a.node.Pos
		apr := M(p,
			"AuthorizerResultTtlInSeconds", a.ttl,
			"IdentitySource", cp(a.identitySource),
			"Name", a.name,
			"RestApiId", c.restAPIID(p),
		)
		if isStr(a.identityValidation) {
			apr.Set("IdentityValidationExpression", cp(a.identityValidation))
		}
		if a.cognito() {
			apr.Set("Type", value.NewString("COGNITO_USER_POOLS", a.typNode.Pos))
			apr.Set("ProviderARNs", L(p, cp(a.arn)))
		} else {
			apr.Set("AuthorizerUri", join(p, "", "arn:", partitionRef(p), ":apigateway:", regionRef(p), ":lambda:path/2015-03-31/functions/", cp(a.arn), "/invocations"))
			typ := "TOKEN"
			if a.typ != "" {
				typ = strings.ToUpper(a.typ)
			}
			apr.Set("Type", value.NewString(typ, a.typNode.Pos))
		}
		ar := M(p, "Type", "AWS::ApiGateway::Authorizer", "DependsOn", nilIfEmpty(a.logicalID, p), "Properties", apr)
		c.t.put(authorizerLogicalID(a.name), ar)
	}
	if err := c.compileAPIKeys(); err != nil {
		return err
	}
	// Permissions.
	for _, ev := range events {
		p := ev.item.Pos
		c.t.put(apiGatewayPermissionID(ev.f.key), M(p, "Type", "AWS::Lambda::Permission", "Properties", M(p,
			"FunctionName", c.lambdaTarget(ev.f, p),
			"Action", "lambda:InvokeFunction",
			"Principal", "apigateway.amazonaws.com",
			"SourceArn", c.executeAPIArn(p, c.restAPIID(p), "/*/*"),
		), "DependsOn", nilIfEmpty(ev.f.aliasID(), p)))
		a := ev.auth
		if a == nil || a.arn == nil || a.cognito() {
			continue
		}
		pid := apiGatewayPermissionID(a.name)
		if c.t.has(pid) || a.managedExternally {
			continue
		}
		ap := a.node.Pos
		fn := cp(a.arn)
		if a.logicalID != "" {
			fn = ref(ap, a.logicalID)
		}
		c.t.put(pid, resource(ap, "AWS::Lambda::Permission", M(ap,
			"FunctionName", fn,
			"Action", "lambda:InvokeFunction",
			"Principal", "apigateway.amazonaws.com",
			"SourceArn", c.executeAPIArn(ap, c.restAPIID(ap), "/*/*"),
		)))
	}
	return c.compileRestAPIStage()
}

// executeAPIArn is arn:${Partition}:execute-api:${Region}:${Account}:<api><suffix>.
func (c *compiler) executeAPIArn(p value.Pos, api *value.Node, suffix string) *value.Node {
	return join(p, "", "arn:", partitionRef(p), ":execute-api:", regionRef(p), ":", accountRef(p), ":", api, suffix)
}

func (c *compiler) requestParameters(ev *httpEvent) *value.Node {
	out := value.NewMap(ev.item.Pos)
	params := ev.request().Field("parameters")
	if !isObj(params) {
		return out
	}
	for _, loc := range []string{"querystrings", "paths", "headers"} {
		params.Field(loc).Each(func(k string, v *value.Node) {
			key := "method.request." + strings.TrimSuffix(loc, "s") + "." + k
			if isObj(v) {
				if r := v.Field("required"); r.Has() {
					out.Set(key, cp(r))
				} else {
					out.Set(key, value.NewBool(true, v.Pos))
				}
				return
			}
			out.Set(key, cp(v))
		})
	}
	return out
}

// methodAuthorization is getMethodAuthorization, merged into the method
// the way the Framework merges it (DependsOn lists merge by index).
func (c *compiler) methodAuthorization(r *value.Node, ev *httpEvent) {
	pr := props(r)
	a := ev.auth
	p := ev.item.Pos
	if a == nil {
		pr.Set("AuthorizationType", value.NewString("NONE", p))
		return
	}
	ap := a.node.Pos
	switch {
	case a.typ == "AWS_IAM":
		pr.Set("AuthorizationType", value.NewString("AWS_IAM", ap))
	case a.typ != "" && a.authorizerID != nil:
		t := a.typ
		if strings.EqualFold(t, "TOKEN") || strings.EqualFold(t, "REQUEST") {
			t = "CUSTOM"
		}
		pr.Set("AuthorizationType", value.NewString(t, ap))
		pr.Set("AuthorizerId", cp(a.authorizerID))
		if strings.EqualFold(a.typ, "COGNITO_USER_POOLS") && a.scopes.Len() > 0 {
			pr.Set("AuthorizationScopes", cp(a.scopes))
		}
	default:
		id := authorizerLogicalID(a.name)
		typ := "CUSTOM"
		if a.cognito() {
			typ = "COGNITO_USER_POOLS"
			if a.scopes.Len() > 0 {
				pr.Set("AuthorizationScopes", cp(a.scopes))
			}
		}
		pr.Set("AuthorizationType", value.NewString(typ, ap))
		pr.Set("AuthorizerId", ref(ap, id))
		// mergePlainObjects merges arrays by index: the authorizer replaces
		// the first DependsOn entry.
		if d := r.Field("DependsOn"); d != nil && d.Len() > 0 {
			d.Items[0] = value.NewString(id, ap)
		}
	}
}

func (c *compiler) methodIntegration(ev *httpEvent, p value.Pos) *value.Node {
	in := M(p, "IntegrationHttpMethod", "POST", "Type", ev.integ)
	if t := firstTruthy(ev.raw.Field("timeoutInMillis"), c.provider.Get("apiGateway", "timeoutInMillis")); t != nil {
		in.Set("TimeoutInMillis", cp(t))
	}
	switch ev.integ {
	case "AWS", "AWS_PROXY":
		parts := []any{"arn:", partitionRef(p), ":apigateway:", regionRef(p), ":lambda:path/2015-03-31/functions/", getAtt(p, ev.f.logicalID, "Arn")}
		if ev.f.alias != nil {
			parts = append(parts, ":", ev.f.alias.name)
		}
		parts = append(parts, "/invocations")
		in.Set("Uri", join(p, "", parts...))
	case "HTTP", "HTTP_PROXY":
		set(in, "Uri", cp(ev.raw.Get("request", "uri")))
		m := firstTruthy(ev.raw.Get("request", "method"))
		method := ev.method
		if m != nil {
			method = text(m)
		}
		in.Set("IntegrationHttpMethod", value.NewString(strings.ToUpper(method), p))
		if ct := ev.raw.Field("connectionType"); truthy(ct) {
			in.Set("ConnectionType", value.NewString(strings.Replace(strings.ToUpper(text(ct)), "-", "_", 1), ct.Pos))
			set(in, "ConnectionId", cp(ev.raw.Field("connectionId")))
		}
	}
	c.nonProxyIntegration(in, ev, p)
	return in
}

func (c *compiler) compileRestAPI(p value.Pos) {
	apiGateway := c.provider.Field("apiGateway")
	if truthy(apiGateway.Field("restApiId")) {
		return
	}
	endpointType := "EDGE"
	et := c.provider.Field("endpointType")
	if truthy(et) {
		endpointType = strings.ToUpper(text(et))
	}
	ec := M(posOf(p, et), "Types", L(posOf(p, et), endpointType))
	if ids := c.provider.Field("vpcEndpointIds"); truthy(et) && truthy(ids) {
		ec.Set("VpcEndpointIds", cp(ids))
	}
	pr := M(p, "Name", c.apiName(p))
	set(pr, "BinaryMediaTypes", cp(apiGateway.Field("binaryMediaTypes")))
	if d := apiGateway.Field("disableDefaultEndpoint"); d.Has() {
		pr.Set("DisableExecuteApiEndpoint", cp(d))
	}
	pr.Set("EndpointConfiguration", ec)
	endpoint := apiGateway.Field("endpoint")
	if sp := endpoint.Field("securityPolicy"); truthy(sp) {
		pr.Set("SecurityPolicy", cp(sp))
	}
	if am := endpoint.Field("accessMode"); am.Has() {
		pr.Set("EndpointAccessMode", value.NewString(strings.ToUpper(text(am)), am.Pos))
	}
	if tags := c.provider.Field("tags"); truthy(tags) {
		pr.Set("Tags", tagList(tags))
	}
	if rp := apiGateway.Field("resourcePolicy"); truthy(rp) && rp.Len() > 0 {
		pr.Set("Policy", M(rp.Pos, "Version", "2012-10-17", "Statement", value.NewList(rp.Pos, coerceStatements(rp)...)))
	} else {
		pr.Set("Policy", value.NewString("", p))
	}
	if v := apiGateway.Field("apiKeySourceType"); truthy(v) {
		pr.Set("ApiKeySourceType", value.NewString(strings.ToUpper(text(v)), v.Pos))
	}
	if v := apiGateway.Field("minimumCompressionSize"); v.Has() {
		pr.Set("MinimumCompressionSize", cp(v))
	}
	if v := apiGateway.Field("description"); truthy(v) {
		pr.Set("Description", cp(v))
	}
	c.t.put(idRestAPI, resource(posOf(p, apiGateway), "AWS::ApiGateway::RestApi", pr))
}

// apiResource is a node of the REST API's resource tree.
type apiResource struct {
	path, pathPart, name, logicalID string
	parent                          *apiResource
	resourceID                      *value.Node // predefined (restApiResources)
	pos                             value.Pos
}

// compileAPIResources builds AWS::ApiGateway::Resource for every path
// segment of every http event, except those given in
// provider.apiGateway.restApiResources.
func (c *compiler) compileAPIResources(events []*httpEvent) (map[string]*apiResource, error) {
	nodes := map[string]*apiResource{}
	var order []string
	predefined := map[string]*value.Node{}
	rar := c.provider.Get("apiGateway", "restApiResources")
	switch {
	case rar != nil && rar.Kind == value.List:
		for _, it := range rar.Items {
			path := strings.TrimSuffix(strings.TrimPrefix(text(it.Field("path")), "/"), "/")
			if id := it.Field("resourceId"); truthy(id) {
				predefined[path] = id
			}
		}
	case isObj(rar):
		rar.Each(func(k string, v *value.Node) {
			predefined[strings.TrimSuffix(strings.TrimPrefix(k, "/"), "/")] = v
		})
	}
	add := func(path string, p value.Pos) {
		if path == "" {
			return
		}
		cur := ""
		var parent *apiResource
		for _, part := range strings.Split(path, "/") {
			if cur == "" {
				cur = part
			} else {
				cur += "/" + part
			}
			n, ok := nodes[cur]
			if !ok {
				n = &apiResource{path: cur, pathPart: part, parent: parent, name: normalizePath(cur), pos: p}
				if id, ok := predefined[cur]; ok {
					n.resourceID = id
				}
				nodes[cur] = n
				order = append(order, cur)
			}
			parent = n
		}
	}
	for _, ev := range events {
		add(ev.path, ev.item.Pos)
	}
	for _, path := range order {
		n := nodes[path]
		if n.resourceID != nil {
			continue
		}
		n.logicalID = resourceLogicalID(path)
		var parentID *value.Node
		if n.parent != nil {
			if n.parent.resourceID != nil {
				parentID = cp(n.parent.resourceID)
			} else {
				parentID = ref(n.pos, n.parent.logicalID)
			}
		} else {
			if len(predefined) > 0 && strings.Contains(path, "/") {
				return nil, value.Errorf(n.pos, "resource ID for path %s is required", path)
			}
			parentID = c.restAPIRootID(n.pos)
		}
		c.t.put(n.logicalID, resource(n.pos, "AWS::ApiGateway::Resource", M(n.pos,
			"ParentId", parentID,
			"PathPart", n.pathPart,
			"RestApiId", c.restAPIID(n.pos),
		)))
	}
	return nodes, nil
}

// compileAPIKeys compiles provider.apiGateway.apiKeys and usagePlan.
func (c *compiler) compileAPIKeys() error {
	apiGateway := c.provider.Field("apiGateway")
	apiKeys := apiGateway.Field("apiKeys")
	usagePlan := apiGateway.Field("usagePlan")
	stage := c.stage
	keyResource := func(key *value.Node) *value.Node {
		p := key.Pos
		pr := value.NewMap(p)
		if isObj(key) {
			enabled := value.NewBool(true, p)
			if e := key.Field("enabled"); e.Has() {
				enabled = cp(e)
			}
			pr.Set("Enabled", enabled)
			set(pr, "Name", cp(key.Field("name")))
			if v := key.Field("value"); truthy(v) {
				pr.Set("Value", cp(v))
			}
			set(pr, "Description", cp(key.Field("description")))
			set(pr, "CustomerId", cp(key.Field("customerId")))
		} else {
			pr.Set("Enabled", value.NewBool(true, p))
			pr.Set("Name", cp(key))
		}
		pr.Set("StageKeys", L(p, M(p, "RestApiId", c.restAPIID(p), "StageName", stage)))
		return resource(p, "AWS::ApiGateway::ApiKey", pr)
	}
	planNames := func() []string {
		var names []string
		if usagePlan != nil && usagePlan.Kind == value.List {
			for _, it := range usagePlan.Items {
				if isObj(it) && it.Len() > 0 {
					names = append(names, it.Keys[0])
				}
			}
		}
		return names
	}()
	if truthy(apiKeys) {
		n := 0
		for _, def := range apiKeys.List() {
			if isObj(def) && def.Len() > 0 && contains(planNames, def.Keys[0]) {
				name := def.Keys[0]
				n = 0
				for _, k := range def.Vals[0].List() {
					n++
					c.t.put(apiKeyLogicalID(n, name), keyResource(k))
				}
				continue
			}
			n++
			c.t.put(apiKeyLogicalID(n, ""), keyResource(def))
		}
	}
	var created []string
	if truthy(usagePlan) || truthy(apiKeys) {
		plan := func(name string, cfg *value.Node, p value.Pos) *value.Node {
			pr := M(p,
				"ApiStages", L(p, M(p, "ApiId", c.restAPIID(p), "Stage", stage)),
				"Description", "Usage plan \""+name+"\" for "+c.service+" "+stage+" stage",
				"UsagePlanName", c.service+"-"+name+"-"+stage)
			if name == "default" {
				pr.Set("UsagePlanName", value.NewString(c.service+"-"+stage, p))
				pr.Set("Description", value.NewString("Usage plan for "+c.service+" "+stage+" stage", p))
			}
			if q := cfg.Field("quota"); truthy(q) {
				pr.Set("Quota", M(q.Pos, "Limit", cp(q.Field("limit")), "Offset", cp(q.Field("offset")), "Period", cp(q.Field("period"))))
			}
			if t := cfg.Field("throttle"); truthy(t) {
				pr.Set("Throttle", M(t.Pos, "BurstLimit", cp(t.Field("burstLimit")), "RateLimit", cp(t.Field("rateLimit"))))
			}
			return resource(p, "AWS::ApiGateway::UsagePlan", pr)
		}
		if usagePlan != nil && usagePlan.Kind == value.List {
			for _, it := range usagePlan.Items {
				if !isObj(it) || it.Len() == 0 {
					continue
				}
				name := it.Keys[0]
				// Later entries of the same name win, as the Framework's reduce does.
				var cfg *value.Node
				for _, o := range usagePlan.Items {
					if v := o.Field(name); truthy(v) {
						cfg = v
					}
				}
				c.t.put(usagePlanLogicalID(name), plan(name, cfg, it.Pos))
				created = append(created, name)
			}
		} else {
			p := posOf(c.top, usagePlan, apiKeys)
			c.t.put(usagePlanLogicalID(""), plan("default", usagePlan, p))
			created = append(created, "default")
		}
	}
	if truthy(apiKeys) {
		n := 0
		for _, def := range apiKeys.List() {
			var name string
			var val *value.Node
			if isObj(def) && def.Len() > 0 {
				name, val = def.Keys[0], def.Vals[0]
			}
			inPlans := name != "" && contains(created, name)
			if len(created) > 0 && !inPlans && isObj(val) {
				return value.Errorf(def.Pos, "API key %q has no usage plan defined", name)
			}
			keyRes := func(n int, keyName, planID string, p value.Pos) *value.Node {
				return resource(p, "AWS::ApiGateway::UsagePlanKey", M(p,
					"KeyId", ref(p, apiKeyLogicalID(n, keyName)),
					"KeyType", "API_KEY",
					"UsagePlanId", ref(p, planID)))
			}
			if isObj(def) && inPlans {
				n = 0
				for range val.List() {
					n++
					c.t.put(usagePlanKeyLogicalID(n, name), keyRes(n, name, usagePlanLogicalID(name), def.Pos))
				}
				continue
			}
			n++
			c.t.put(usagePlanKeyLogicalID(n, ""), keyRes(n, "", usagePlanLogicalID(""), def.Pos))
		}
	}
	return nil
}

// compileRestAPIStage is api-gateway/lib/stage.js: the access-log group
// (and the Framework's CloudWatch-role custom resource) when
// provider.logs.restApi turns access logging on. The stage settings
// themselves are applied by API call after deploy (see apiStage).
func (c *compiler) compileRestAPIStage() error {
	logs := c.provider.Get("logs", "restApi")
	tracing := flag(c.provider.Get("tracing", "apiGateway"))
	tags := tagMap(c.provider.Field("stackTags"), c.provider.Field("tags"))
	if !(truthy(logs) || tracing || tags.Len() > 0) {
		return nil
	}
	if !truthy(logs) || !restAPIAccessLogging(logs) {
		return nil
	}
	p := logs.Pos
	c.t.put(idAPILogGroup, c.logGroup(p, value.NewString("/aws/api-gateway/"+c.service+"-"+c.stage, p)))
	return c.apiGatewayCloudWatchRole(p)
}

// restAPIAccessLogging reads logs.restApi.accessLogging (default on).
func restAPIAccessLogging(logs *value.Node) bool {
	if isObj(logs) {
		if al := logs.Field("accessLogging"); al.Has() {
			return flag(al)
		}
	}
	return true
}

// apiGatewayCloudWatchRole is ensure-api-gateway-cloud-watch-role.js; it
// reads provider.logs.restApi whichever API asked for it.
func (c *compiler) apiGatewayCloudWatchRole(p value.Pos) error {
	restAPI := c.provider.Get("logs", "restApi")
	if flag(restAPI.Field("roleManagedExternally")) {
		return nil
	}
	if c.t.has(idAPIGatewayCWRole) {
		return nil
	}
	fnID := c.customResourceFunctionID(crAPIGWRole)
	c.t.put(idAPIGatewayCWRole, M(p, "Type", "Custom::ApiGatewayAccountRole", "Version", value.NewNumber("1", p), "Properties", M(p,
		"ServiceToken", getAtt(p, fnID, "Arn"),
		"RoleArn", cp(restAPI.Field("role")))))
	c.addCustomResource(crAPIGWRole, p, []*value.Node{
		M(p, "Effect", "Allow", "Resource", join(p, ":", "arn", partitionRef(p), "iam:", accountRef(p), "role/*"),
			"Action", L(p, "iam:AttachRolePolicy", "iam:CreateRole", "iam:ListAttachedRolePolicies", "iam:PassRole")),
		M(p, "Effect", "Allow", "Resource", join(p, ":", "arn", partitionRef(p), "apigateway:*::/account"),
			"Action", L(p, "apigateway:GET", "apigateway:PATCH")),
	})
	return nil
}

// corsResponseTemplate is generateCorsResponseTemplate: with several
// allowed origins, a mapping template echoes the matching one.
func corsResponseTemplate(origins []string) string {
	if len(origins) == 0 {
		return ""
	}
	var conds []string
	for _, o := range origins {
		o = strings.Replace(strings.ReplaceAll(o, ".", "[.]"), "*", ".+", 1)
		conds = append(conds, "$origin.matches(\""+o+"\")")
	}
	return "#set($origin = $input.params(\"Origin\"))\n" +
		"#if($origin == \"\") #set($origin = $input.params(\"origin\")) #end\n" +
		"#if(" + strings.Join(conds, " || ") + ") #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin) #end"
}
