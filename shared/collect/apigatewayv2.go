package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"prodready/shared/inventory"
)

// HTTP and WebSocket APIs: Api {Name, ProtocolType}, Route {ApiId,
// RouteKey, AuthorizationType, AuthorizerId} and Stage. ApiId is written as
// the API's ARN; the raw id is in Attrs["ApiId"] (CloudWatch's ApiId
// dimension names it).
var apiGatewayV2Service = Service{
	Name:    "apigatewayv2",
	Types:   []string{"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Stage"},
	Actions: []string{"apigateway:GET"},
	has:     func(c Clients) bool { return c.APIGatewayV2 != nil },
	collect: func(ctx context.Context, s *svc) error {
		var apis []types.Api
		var token *string
		for {
			out, err := s.clients.APIGatewayV2.GetApis(ctx, &apigatewayv2.GetApisInput{NextToken: token, MaxResults: new("500")})
			if err != nil {
				return wrap("apigateway:GetApis", "", err)
			}
			apis = append(apis, out.Items...)
			if token = out.NextToken; token == nil || *token == "" {
				break
			}
		}
		return detail(ctx, s, apis, func(a types.Api) string { return str(a.Name) }, func(ctx context.Context, a types.Api) error {
			return collectV2API(ctx, s, a)
		})
	},
}

func collectV2API(ctx context.Context, s *svc, a types.Api) error {
	c := s.clients.APIGatewayV2
	apiArn := "arn:aws:apigateway:" + s.o.Region + "::/apis/" + str(a.ApiId)
	var routes []types.Route
	var token *string
	for {
		out, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: a.ApiId, NextToken: token, MaxResults: new("500")})
		if err != nil {
			return wrap("apigateway:GetRoutes", str(a.Name), err)
		}
		routes = append(routes, out.Items...)
		if token = out.NextToken; token == nil || *token == "" {
			break
		}
	}
	var stages []types.Stage
	token = nil
	for {
		out, err := c.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: a.ApiId, NextToken: token, MaxResults: new("500")})
		if err != nil {
			return wrap("apigateway:GetStages", str(a.Name), err)
		}
		stages = append(stages, out.Items...)
		if token = out.NextToken; token == nil || *token == "" {
			break
		}
	}

	api := s.add(&inventory.Resource{ID: apiArn, ARN: apiArn, Name: str(a.Name), Type: "AWS::ApiGatewayV2::Api",
		Props: props{}.set("Name", a.Name).set("ProtocolType", string(a.ProtocolType)).set("Description", a.Description).
			set("DisableExecuteApiEndpoint", a.DisableExecuteApiEndpoint).set("RouteSelectionExpression", a.RouteSelectionExpression).
			set("Tags", stringMap(a.Tags)).node(),
		Attrs: map[string]string{"ApiId": str(a.ApiId), "ApiEndpoint": str(a.ApiEndpoint)}}, a.Tags)

	for _, r := range routes {
		rarn := apiArn + "/routes/" + str(r.RouteId)
		s.child(api, &inventory.Resource{ID: rarn, ARN: rarn, Name: str(a.Name) + " " + str(r.RouteKey), Type: "AWS::ApiGatewayV2::Route",
			Props: props{}.set("ApiId", apiArn).set("RouteKey", r.RouteKey).set("AuthorizationType", string(r.AuthorizationType)).
				set("AuthorizerId", r.AuthorizerId).set("ApiKeyRequired", r.ApiKeyRequired).set("AuthorizationScopes", r.AuthorizationScopes).
				set("Target", r.Target).node()})
	}
	for _, st := range stages {
		sarn := apiArn + "/stages/" + str(st.StageName)
		sp := props{}.set("ApiId", apiArn).set("StageName", st.StageName).set("AutoDeploy", st.AutoDeploy).
			set("DeploymentId", st.DeploymentId).set("StageVariables", stringMap(st.StageVariables)).set("Tags", stringMap(st.Tags))
		if al := st.AccessLogSettings; al != nil && str(al.DestinationArn) != "" {
			sp.set("AccessLogSettings", props{}.set("DestinationArn", al.DestinationArn).set("Format", al.Format))
		}
		if rs := st.DefaultRouteSettings; rs != nil {
			sp.set("DefaultRouteSettings", routeSettings(*rs))
		}
		tags := st.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		res := &inventory.Resource{ID: sarn, ARN: sarn, Name: str(a.Name) + "/" + str(st.StageName), Type: "AWS::ApiGatewayV2::Stage", Props: sp.node()}
		if tags[StackTag] == "" {
			res.Stack = api.Stack
		}
		s.add(res, tags)
	}
	return nil
}

func routeSettings(rs types.RouteSettings) props {
	return props{}.set("DataTraceEnabled", rs.DataTraceEnabled).set("DetailedMetricsEnabled", rs.DetailedMetricsEnabled).
		set("LoggingLevel", string(rs.LoggingLevel)).set("ThrottlingBurstLimit", rs.ThrottlingBurstLimit).set("ThrottlingRateLimit", rs.ThrottlingRateLimit)
}
