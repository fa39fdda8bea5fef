package rules

import (
	"strings"
)

// APIAuthorizer enforces Security 2: every API Gateway endpoint but the
// Swagger documentation sits behind an authorizer.
var APIAuthorizer = &Rule{
	ID:     "api-authorizer",
	Pillar: Security,
	Point:  "Security 2",
	Title:  "API Gateway endpoints are secured by an authorizer",
	Checklist: "All API Gateway endpoints, with the exception of Swagger documentation, are secured via an authorizer. " +
		"All APIs must include a serverless safeguard, which checks and stops deployment if an authorizer is not " +
		"added to a given API Gateway endpoint.",
	Rationale: "An endpoint without an authorizer answers anyone who finds its URL. The council's Lambda authorizer " +
		"checks the caller's Google group (or a service token) before the function runs. An API key (private: true) " +
		"is not an authorizer: keys are shared, long-lived and say nothing about who is calling.",
	Remediation: "Add an authorizer to the http event (authorizer: {arn: <the council's authorizer ARN>}, or a Cognito " +
		"or IAM authorizer), to the httpApi event (authorizer: {name: …} or type: aws_iam) and to the websocket " +
		"$connect route. Swagger/OpenAPI documentation paths may stay public; other public paths need a " +
		"custom.safeguard.publicPaths entry or an exemption recording why.",
	Example: `functions:
  api:
    handler: Api::Api.LambdaEntryPoint::FunctionHandlerAsync
    events:
      - http:
          path: /{proxy+}
          method: ANY
          authorizer:
            arn: ${self:custom.authorizerArns.${sls:stage}}
            type: request
            resultTtlInSeconds: 0
            identitySource: method.request.header.Authorization
      - http:
          path: /swagger/{proxy+}
          method: GET`,
	Check: checkAPIAuthorizers,
}

// authorizerTypes are the AuthorizationType values that put an authorizer
// in front of a route (REST: CUSTOM, COGNITO_USER_POOLS, AWS_IAM; HTTP
// API: JWT, CUSTOM, AWS_IAM). NONE, or no value, is none.
var authorizerTypes = []string{"CUSTOM", "COGNITO_USER_POOLS", "JWT", "AWS_IAM"}

func checkAPIAuthorizers(c *Context) {
	for _, rt := range APIRoutes(c.Inv) {
		if rt.IsCORSPreflight() {
			continue // the Framework's CORS preflight: a MOCK answer, not an endpoint
		}
		if rt.Kind == WebsocketAPI && rt.Path != "$connect" {
			continue // API Gateway authorizes a websocket once, on $connect
		}
		checkRouteAuthorizer(c, rt)
	}
	for _, api := range c.Inv.OfType("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api") {
		// Routes defined inside an OpenAPI body never appear as resources.
		for _, p := range []string{"Body", "BodyS3Location"} {
			if api.Prop(p).Has() && !c.Live() {
				c.Fail(api, api.PosOf(p), "API %s defines its routes in an OpenAPI %s, which this check cannot read; "+
					"define the routes as Serverless events, or record an exemption once each operation has an authorizer", api.DisplayName(), p)
			}
		}
	}
}

func checkRouteAuthorizer(c *Context, rt APIRoute) {
	r := rt.Resource
	where := rt.String()
	if rt.Kind == WebsocketAPI {
		where = "websocket route $connect"
	}
	at := r.PosOf("AuthorizationType")
	auth := r.Prop("AuthorizationType")
	if auth.Has() && isDeployTime(auth) {
		c.Fail(r, at, "cannot see the authorization type of %s: it is %s", where, describeUnseen(auth))
		return
	}
	kind := strings.ToUpper(strings.TrimSpace(auth.String()))
	if kind != "" && kind != "NONE" {
		if equalFoldAny(authorizerTypes, kind) {
			c.Pass(r, "%s is protected by an authorizer (%s)", where, kind)
			return
		}
		c.Fail(r, at, "%s has authorization type %s, which is not an authorizer (expected one of %s)", where, auth.Describe(), strings.Join(authorizerTypes, ", "))
		return
	}
	if rt.PathKnown && c.Settings.IsPublicPath(rt.Path) {
		c.Pass(r, "%s is documentation (Swagger/OpenAPI), the one kind of endpoint the standard lets go without an authorizer", where)
		return
	}
	msg := where + " has no authorizer"
	if rt.Resource.Prop("ApiKeyRequired").IsTrue() {
		msg += " (private: true is an API key, not an authorizer)"
	}
	switch {
	case !rt.PathKnown && rt.Kind == RESTAPI:
		msg += "; its path could not be built (" + rt.PathWhy + "), so it cannot be matched against the documentation paths that may be public"
	case !rt.PathKnown && rt.Kind == HTTPAPI:
		msg += " (" + rt.PathWhy + ")"
	}
	c.Fail(r, at, "%s", msg)
}

// equalFoldAny reports whether list holds s, ignoring case.
func equalFoldAny(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
