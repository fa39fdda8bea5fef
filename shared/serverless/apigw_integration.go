package serverless

import (
	"sort"
	"strconv"
	"strings"

	"prodready/shared/value"
)

// The REST API's method integrations and responses
// (api-gateway/lib/method/integration.js and responses.js), and request
// validators and models (request-validator.js).

// defaultStatusCodes are the Framework's responses of a lambda (non-proxy)
// integration, in the order JavaScript iterates their numeric keys.
var defaultStatusCodes = [][2]string{
	{"200", ""},
	{"400", `[\s\S]*\[400\][\s\S]*`},
	{"401", `[\s\S]*\[401\][\s\S]*`},
	{"403", `[\s\S]*\[403\][\s\S]*`},
	{"404", `[\s\S]*\[404\][\s\S]*`},
	{"422", `[\s\S]*\[422\][\s\S]*`},
	{"500", `[\s\S]*(Process\s?exited\s?before\s?completing\s?request|\[500\])[\s\S]*`},
	{"502", `[\s\S]*\[502\][\s\S]*`},
	{"504", `([\s\S]*\[504\][\s\S]*)|(.*Task timed out after \d+\.\d+ seconds$)`},
}

// statusCode is one entry of http.response.statusCodes.
type statusCode struct {
	code    string
	pattern string
	config  *value.Node
}

// httpRequest returns the request settings the Framework keeps for the
// event's integration (validate.js drops the rest).
func (ev *httpEvent) request() *value.Node {
	req := ev.raw.Field("request")
	if !isObj(req) {
		return nil
	}
	switch ev.integ {
	case "AWS_PROXY", "HTTP_PROXY":
		allowed := map[string]bool{"parameters": true, "schema": true, "schemas": true}
		if ev.integ == "HTTP_PROXY" {
			allowed["uri"] = true
		}
		kept := value.NewMap(req.Pos)
		req.Each(func(k string, v *value.Node) {
			if allowed[k] {
				kept.Set(k, v)
			}
		})
		if kept.Len() == 0 {
			return nil
		}
		return kept
	}
	return req
}

// statusCodes returns the responses of a lambda or HTTP integration.
func (ev *httpEvent) statusCodes() []statusCode {
	resp := ev.raw.Field("response")
	if !isObj(resp) {
		if ev.integ != "AWS" {
			return nil
		}
		resp = nil
	}
	codes := resp.Field("statusCodes")
	if !isObj(codes) {
		if resp == nil && ev.integ != "AWS" {
			return nil
		}
		out := make([]statusCode, 0, len(defaultStatusCodes))
		for _, d := range defaultStatusCodes {
			out = append(out, statusCode{code: d[0], pattern: d[1]})
		}
		return out
	}
	var out []statusCode
	hasDefault := false
	codes.Each(func(k string, v *value.Node) {
		p := text(v.Field("pattern"))
		if v.Field("pattern").Has() && p == "" {
			hasDefault = true
		}
		out = append(out, statusCode{code: k, pattern: p, config: v})
	})
	if !hasDefault {
		replaced := false
		for i := range out {
			if out[i].code == "200" {
				out[i] = statusCode{code: "200"}
				replaced = true
			}
		}
		if !replaced {
			out = append(out, statusCode{code: "200"})
		}
	}
	// JavaScript objects iterate integer keys in ascending order.
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i].code)
		b, _ := strconv.Atoi(out[j].code)
		return a < b
	})
	return out
}

// corsResponseHeaders are the CORS headers a lambda integration's
// responses carry.
func (ev *httpEvent) corsResponseHeaders() [][2]string {
	if ev.cors == nil {
		return nil
	}
	origin := ev.cors.origin
	if len(ev.cors.origins) > 0 {
		origin = strings.Join(ev.cors.origins, ",")
	}
	out := [][2]string{{"Access-Control-Allow-Origin", "'" + origin + "'"}}
	if ev.cors.allowCredentials {
		out = append(out, [2]string{"Access-Control-Allow-Credentials", "true"})
	}
	return out
}

// nonProxyIntegration adds what a lambda, HTTP or mock integration has
// beyond the URI.
func (c *compiler) nonProxyIntegration(in *value.Node, ev *httpEvent, p value.Pos) {
	req := ev.request()
	if ev.integ == "AWS" || ev.integ == "HTTP" || ev.integ == "MOCK" {
		var pass *value.Node
		switch {
		case truthy(req.Field("passThrough")):
			pass = cp(req.Field("passThrough"))
		case ev.integ == "AWS":
			pass = value.NewString("NEVER", p)
		}
		set(in, "PassthroughBehavior", pass)
		set(in, "ContentHandling", cp(req.Field("contentHandling")))
		templates := value.NewMap(p)
		if ev.integ == "AWS" {
			templates.Set("application/json", value.NewString(defaultJSONRequestTemplate, p))
			templates.Set("application/x-www-form-urlencoded", value.NewString(defaultFormRequestTemplate, p))
		}
		req.Field("template").Each(func(ct string, tpl *value.Node) {
			if tpl.Kind == value.Null {
				templates.Delete(ct)
				return
			}
			templates.Set(ct, cp(tpl))
		})
		claims := ""
		if ev.auth != nil {
			var parts []string
			for _, cl := range ev.auth.claims.List() {
				s := text(cl)
				if i := strings.Index(s, ":"); i >= 0 {
					parts = append(parts, `"`+s[i+1:]+`": "$context.authorizer.claims['`+s+`']"`)
				} else {
					parts = append(parts, `"`+s+`": "$context.authorizer.claims.`+s+`"`)
				}
			}
			if len(parts) > 0 {
				claims = strings.Join(parts, ",") + ","
			}
		}
		for i, v := range templates.Vals {
			if v.Kind == value.String {
				templates.Vals[i] = value.NewString(strings.Replace(v.Str, "extraCognitoPoolClaims", claims, 1), v.Pos)
			}
		}
		if templates.Len() > 0 {
			in.Set("RequestTemplates", templates)
		}
		responses := L(p)
		resp := ev.raw.Field("response")
		for _, sc := range ev.statusCodes() {
			params := value.NewMap(p)
			for _, h := range ev.corsResponseHeaders() {
				params.Set("method.response.header."+h[0], value.NewString(h[1], p))
			}
			resp.Field("headers").Each(func(k string, v *value.Node) { params.Set("method.response.header."+k, cp(v)) })
			sc.config.Field("headers").Each(func(k string, v *value.Node) { params.Set("method.response.header."+k, cp(v)) })
			tpls := value.NewMap(p)
			if t := resp.Field("template"); truthy(t) {
				tpls.Set("application/json", cp(t))
			}
			if t := sc.config.Field("template"); truthy(t) {
				if isObj(t) {
					t.Each(func(k string, v *value.Node) { tpls.Set(k, cp(v)) })
				} else {
					tpls.Set("application/json", cp(t))
				}
			}
			ir := M(p, "StatusCode", sc.code, "SelectionPattern", sc.pattern, "ResponseParameters", params, "ResponseTemplates", tpls)
			if strings.HasPrefix(sc.code, "2") {
				set(ir, "ContentHandling", cp(resp.Field("contentHandling")))
			}
			responses.Items = append(responses.Items, ir)
		}
		in.Set("IntegrationResponses", responses)
	}
	params := req.Field("parameters")
	if ((ev.integ == "AWS" || ev.integ == "HTTP" || ev.integ == "HTTP_PROXY") && params.Len() > 0) || flag(ev.raw.Field("async")) {
		rp := value.NewMap(p)
		for _, loc := range []string{"querystrings", "paths", "headers"} {
			params.Field(loc).Each(func(k string, v *value.Node) {
				key := "request." + strings.TrimSuffix(loc, "s") + "." + k
				if mv := v.Field("mappedValue"); isObj(v) && truthy(mv) {
					rp.Set("integration."+key, cp(mv))
				} else {
					rp.Set("integration."+key, value.NewString("method."+key, p))
				}
			})
		}
		if flag(ev.raw.Field("async")) {
			rp.Set("integration.request.header.X-Amz-Invocation-Type", value.NewString("'Event'", p))
		}
		in.Set("RequestParameters", rp)
	}
}

// methodResponses is getMethodResponses.
func (c *compiler) methodResponses(ev *httpEvent, p value.Pos) *value.Node {
	out := L(p)
	if ev.integ != "AWS" && ev.integ != "HTTP" && ev.integ != "MOCK" {
		return out
	}
	resp := ev.raw.Field("response")
	if !isObj(resp) && ev.integ != "AWS" {
		return out
	}
	for _, sc := range ev.statusCodes() {
		params := value.NewMap(p)
		for _, h := range ev.corsResponseHeaders() {
			params.Set("method.response.header."+h[0], value.NewBool(true, p))
		}
		resp.Field("headers").Each(func(k string, _ *value.Node) { params.Set("method.response.header."+k, value.NewBool(true, p)) })
		sc.config.Field("headers").Each(func(k string, _ *value.Node) { params.Set("method.response.header."+k, value.NewBool(true, p)) })
		out.Items = append(out.Items, M(p, "ResponseParameters", params, "ResponseModels", value.NewMap(p), "StatusCode", sc.code))
	}
	return out
}

// requestValidation is compileRequestValidators: a request validator for
// methods with required parameters or schemas, and a model per schema.
func (c *compiler) requestValidation(events []*httpEvent, resName func(string) string) {
	validatorID := "ApiGateway" + normalizeAlnum(c.service) + "RequestValidator"
	validator := func(p value.Pos) {
		c.t.put(validatorID, resource(p, "AWS::ApiGateway::RequestValidator", M(p,
			"RestApiId", c.restAPIID(p),
			"ValidateRequestBody", true,
			"ValidateRequestParameters", true,
			"Name", c.service+"-"+c.stage+" | Validate request body and querystring parameters")))
	}
	providerSchemas := c.provider.Get("apiGateway", "request", "schemas")
	for _, ev := range events {
		p := ev.item.Pos
		req := ev.request()
		method := c.t.get(methodLogicalID(resName(ev.path), ev.method))
		if method == nil {
			continue
		}
		pr := props(method)
		required := false
		for _, loc := range []string{"querystrings", "paths", "headers"} {
			req.Get("parameters", loc).Each(func(_ string, v *value.Node) {
				if isObj(v) {
					if r := v.Field("required"); r.Has() {
						required = required || flag(r)
					} else {
						required = true
					}
					return
				}
				required = required || flag(v)
			})
		}
		if required {
			validator(p)
			pr.Set("RequestValidatorId", ref(p, validatorID))
		}
		req.Field("schemas").Each(func(ct string, sc *value.Node) {
			validator(p)
			var modelID string
			if named := providerSchemas.Field(text(sc)); !isObj(sc) && isObj(named) {
				modelID = "ApiGateway" + upperFirst(camelCase(text(sc))) + "Model"
				def := named
				if s := named.Field("schema"); s != nil {
					def = s
				}
				mp := M(named.Pos, "RestApiId", ref(named.Pos, idRestAPI), "Schema", cp(def), "ContentType", "application/json")
				if n := named.Field("name"); truthy(n) {
					mp.Set("Name", cp(n))
				}
				if d := named.Field("description"); truthy(d) {
					mp.Set("Description", cp(d))
				}
				c.t.put(modelID, resource(named.Pos, "AWS::ApiGateway::Model", mp))
			} else {
				def := sc
				var name, desc *value.Node
				if isObj(sc) && sc.Field("schema") != nil {
					def, name, desc = sc.Field("schema"), sc.Field("name"), sc.Field("description")
				}
				modelID = methodLogicalID(resName(ev.path), ev.method) + startCaseNoSpace(ct) + "Model"
				c.t.put(modelID, resource(sc.Pos, "AWS::ApiGateway::Model", M(sc.Pos,
					"RestApiId", c.restAPIID(sc.Pos), "ContentType", ct, "Schema", cp(def), "Name", cp(name), "Description", cp(desc))))
			}
			pr.Set("RequestValidatorId", ref(p, validatorID))
			models := pr.Field("RequestModels")
			if models == nil {
				models = value.NewMap(p)
				pr.Set("RequestModels", models)
			}
			models.Set(ct, ref(p, modelID))
		})
	}
}

// camelCase is lodash's camelCase as naming.js implements it.
func camelCase(s string) string {
	ws := words(s)
	var b strings.Builder
	for i, w := range ws {
		w = strings.ToLower(w)
		if i > 0 {
			w = upperFirst(w)
		}
		b.WriteString(w)
	}
	return b.String()
}

// startCaseNoSpace is the Framework's startCase(x) with the spaces removed.
func startCaseNoSpace(s string) string { return toStartCase(s) }
