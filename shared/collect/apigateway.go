package collect

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"prodready/shared/inventory"
)

// REST APIs: RestApi, Resource (not the root), Method and Stage, as the
// Framework compiles them. The sub-resources' Names are qualified by the
// API's name ("orders-api/production", "orders-api GET /orders"): a bare
// stage name or path is shared by every API and would match any of them. A method on the root has ResourceId equal to the
// API's RootResourceId. Resource ids (RootResourceId, ParentId, ResourceId)
// are written as the resource's ARN, the same string whether or not the
// resource is emitted, so a rule can follow the chain up to the root.
var apiGatewayService = Service{
	Name:    "apigateway",
	Types:   []string{"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method", "AWS::ApiGateway::Stage"},
	Actions: []string{"apigateway:GET"},
	has:     func(c Clients) bool { return c.APIGateway != nil },
	collect: func(ctx context.Context, s *svc) error {
		var apis []types.RestApi
		p := apigateway.NewGetRestApisPaginator(s.clients.APIGateway, &apigateway.GetRestApisInput{Limit: new(int32(500))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("apigateway:GetRestApis", "", err)
			}
			apis = append(apis, out.Items...)
		}
		return detail(ctx, s, apis, func(a types.RestApi) string { return str(a.Name) }, func(ctx context.Context, a types.RestApi) error {
			return collectRestAPI(ctx, s, a)
		})
	},
}

func restAPIArn(region, id string) string {
	return "arn:aws:apigateway:" + region + "::/restapis/" + id
}

func collectRestAPI(ctx context.Context, s *svc, a types.RestApi) error {
	c := s.clients.APIGateway
	id := str(a.Id)
	apiArn := restAPIArn(s.o.Region, id)
	resArn := func(rid string) string { return apiArn + "/resources/" + rid }

	var resources []types.Resource
	p := apigateway.NewGetResourcesPaginator(c, &apigateway.GetResourcesInput{RestApiId: a.Id, Embed: []string{"methods"}, Limit: new(int32(500))})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return wrap("apigateway:GetResources", str(a.Name), err)
		}
		resources = append(resources, out.Items...)
	}
	stages, err := c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: a.Id})
	if err != nil {
		return wrap("apigateway:GetStages", str(a.Name), err)
	}

	ap := props{}.set("Name", a.Name).set("Description", a.Description).set("RootResourceId", resArn(str(a.RootResourceId))).
		set("DisableExecuteApiEndpoint", a.DisableExecuteApiEndpoint).set("ApiKeySourceType", string(a.ApiKeySource)).
		set("Tags", tagList(a.Tags))
	if a.EndpointConfiguration != nil {
		var ts []string
		for _, t := range a.EndpointConfiguration.Types {
			ts = append(ts, string(t))
		}
		ap.set("EndpointConfiguration", props{}.set("Types", ts).set("VpcEndpointIds", a.EndpointConfiguration.VpcEndpointIds))
	}
	if pol := str(a.Policy); pol != "" {
		ap.set("Policy", policyDoc(pol))
	}
	api := s.add(&inventory.Resource{ID: apiArn, ARN: apiArn, Name: str(a.Name), Type: "AWS::ApiGateway::RestApi",
		Props: ap.node(), Attrs: map[string]string{"ApiId": id, "RootResourceId": resArn(str(a.RootResourceId))}}, a.Tags)

	for _, r := range resources {
		rid := str(r.Id)
		isRoot := r.ParentId == nil
		if !isRoot {
			s.child(api, &inventory.Resource{ID: resArn(rid), ARN: resArn(rid), Name: str(a.Name) + str(r.Path), Type: "AWS::ApiGateway::Resource",
				Props: props{}.set("PathPart", r.PathPart).set("ParentId", resArn(str(r.ParentId))).set("RestApiId", apiArn).node(),
				Attrs: map[string]string{"Path": str(r.Path)}})
		}
		for verb, m := range r.ResourceMethods {
			if m.HttpMethod == nil {
				// Without embedded details (an older endpoint), ask per method.
				out, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: a.Id, ResourceId: r.Id, HttpMethod: &verb})
				if err != nil {
					return wrap("apigateway:GetMethod", str(a.Name)+" "+verb+" "+str(r.Path), err)
				}
				m = types.Method{HttpMethod: out.HttpMethod, AuthorizationType: out.AuthorizationType, AuthorizerId: out.AuthorizerId,
					ApiKeyRequired: out.ApiKeyRequired, AuthorizationScopes: out.AuthorizationScopes, MethodIntegration: out.MethodIntegration}
			}
			mp := props{}.set("HttpMethod", verb).set("AuthorizationType", m.AuthorizationType).set("AuthorizerId", m.AuthorizerId).
				set("ApiKeyRequired", m.ApiKeyRequired).set("AuthorizationScopes", m.AuthorizationScopes).
				set("ResourceId", resArn(rid)).set("RestApiId", apiArn)
			if in := m.MethodIntegration; in != nil {
				mp.set("Integration", props{}.set("Type", string(in.Type)).set("Uri", in.Uri).set("IntegrationHttpMethod", in.HttpMethod))
			}
			marn := resArn(rid) + "/methods/" + verb
			s.child(api, &inventory.Resource{ID: marn, ARN: marn, Name: str(a.Name) + " " + verb + " " + str(r.Path), Type: "AWS::ApiGateway::Method",
				Props: mp.node(), Attrs: map[string]string{"Path": str(r.Path)}})
		}
	}

	for _, st := range stages.Item {
		sarn := apiArn + "/stages/" + str(st.StageName)
		sp := props{}.set("StageName", st.StageName).set("RestApiId", apiArn).set("DeploymentId", st.DeploymentId).
			set("TracingEnabled", st.TracingEnabled).set("Variables", stringMap(st.Variables)).set("Tags", tagList(st.Tags))
		if al := st.AccessLogSettings; al != nil && str(al.DestinationArn) != "" {
			sp.set("AccessLogSetting", props{}.set("DestinationArn", al.DestinationArn).set("Format", al.Format))
		}
		var settings []any
		for _, key := range sortedKeys(st.MethodSettings) {
			ms := st.MethodSettings[key]
			path, verb := methodSettingKey(key)
			settings = append(settings, map[string]any(props{}.set("ResourcePath", path).set("HttpMethod", verb).
				set("LoggingLevel", ms.LoggingLevel).set("DataTraceEnabled", ms.DataTraceEnabled).set("MetricsEnabled", ms.MetricsEnabled).
				set("ThrottlingBurstLimit", ms.ThrottlingBurstLimit).set("ThrottlingRateLimit", ms.ThrottlingRateLimit)))
		}
		sp.set("MethodSettings", settings)
		tags := st.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		res := &inventory.Resource{ID: sarn, ARN: sarn, Name: str(a.Name) + "/" + str(st.StageName), Type: "AWS::ApiGateway::Stage", Props: sp.node()}
		if tags[StackTag] == "" {
			res.Stack = api.Stack
		}
		s.add(res, tags)
	}
	return nil
}

// methodSettingKey splits a stage's method-settings key ("*/*",
// "~1users~1{id}/GET") into CloudFormation's ResourcePath ("/*",
// "/users/{id}") and HttpMethod.
func methodSettingKey(key string) (path, verb string) {
	i := strings.LastIndex(key, "/")
	if i < 0 {
		return "/" + key, "*"
	}
	path, verb = key[:i], key[i+1:]
	path = strings.ReplaceAll(path, "~1", "/")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return path, verb
}

// policyDoc parses a resource policy; API Gateway returns it with its
// quotes backslash-escaped. A policy that still does not parse is kept as
// text, so a rule sees that there is one.
func policyDoc(s string) any {
	if v, err := jsonDoc(s); err == nil {
		return v
	}
	if v, err := jsonDoc(strings.ReplaceAll(s, `\"`, `"`)); err == nil {
		return v
	}
	return s
}

func stringMap(m map[string]string) map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
