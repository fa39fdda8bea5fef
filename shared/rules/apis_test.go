package rules

import (
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// inventoryFromYAML builds an inventory the way the fixture harness does.
func inventoryFromYAML(t *testing.T, origin inventory.Origin, src string) *inventory.Inventory {
	t.Helper()
	doc, err := value.ParseYAML("test.yaml", []byte(src), value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return fixtureInventory(t, doc, origin)
}

const restTree = `
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
  Orders:
    Type: AWS::ApiGateway::Resource
    Properties: {ParentId: !GetAtt Api.RootResourceId, PathPart: orders}
  OrderId:
    Type: AWS::ApiGateway::Resource
    Properties: {ParentId: !Ref Orders, PathPart: "{id}"}
  Items:
    Type: AWS::ApiGateway::Resource
    Properties:
      PathPart: items
      ParentId:
        Fn::GetAtt: [Api, RootResourceId]
  Shared:
    Type: AWS::ApiGateway::Resource
    Properties: {ParentId: abc123, PathPart: shared}
  LoopA:
    Type: AWS::ApiGateway::Resource
    Properties: {ParentId: !Ref LoopB, PathPart: a}
  LoopB:
    Type: AWS::ApiGateway::Resource
    Properties: {ParentId: !Ref LoopA, PathPart: b}
  NotAResource:
    Type: AWS::Lambda::Function
  Root:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: a1b2}
  UnderRoot:
    Type: AWS::ApiGateway::Resource
    Properties: {ParentId: Root, PathPart: health}
  LiveApi:
    Type: AWS::ApiGateway::RestApi
    Attrs: {RootResourceId: r00t}
  UnderAttrRoot:
    Type: AWS::ApiGateway::Resource
    Properties: {ParentId: r00t, PathPart: swagger}
`

func TestRESTResourcePath(t *testing.T) {
	inv := inventoryFromYAML(t, inventory.FromTemplate, restTree)
	ref := func(id string) *value.Node {
		return value.NewMap(value.Pos{}).Set("Ref", value.NewString(id, value.Pos{}))
	}
	str := func(s string) *value.Node { return value.NewString(s, value.Pos{}) }
	root := value.NewMap(value.Pos{}).Set("Fn::GetAtt", value.NewString("Api.RootResourceId", value.Pos{}))
	tests := []struct {
		name      string
		id        *value.Node
		wantPath  string
		wantKnown bool
	}{
		{"root method", root, "/", true},
		{"one level", ref("Orders"), "/orders", true},
		{"nested path parameter", ref("OrderId"), "/orders/{id}", true},
		{"GetAtt list form for the root", ref("Items"), "/items", true},
		{"live root resource without parent", str("UnderRoot"), "/health", true},
		{"live root recorded on the API", str("UnderAttrRoot"), "/swagger", true},
		{"parent outside the inventory", ref("Shared"), "…/shared", false},
		{"reference to nothing", ref("Missing"), "…", false},
		{"cycle", ref("LoopA"), "…/b/a", false},
		{"not an API resource", ref("NotAResource"), "…", false},
		{"deploy-time id", value.NewUnknown("${ssm:/api/root}", "SSM parameter read at deploy time", value.Pos{}), "…", false},
		{"no resource id", nil, "…", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, known, why := RESTResourcePath(inv, tc.id)
			if path != tc.wantPath || known != tc.wantKnown {
				t.Errorf("RESTResourcePath = %q, %v (%s), want %q, %v", path, known, why, tc.wantPath, tc.wantKnown)
			}
			if !known && why == "" {
				t.Errorf("unknown path without a reason")
			}
		})
	}
}

func TestParseRouteKey(t *testing.T) {
	tests := []struct {
		key, method, path string
		isPath            bool
	}{
		{"GET /swagger/{proxy+}", "GET", "/swagger/{proxy+}", true},
		{"any /orders", "ANY", "/orders", true},
		{"$default", "", "$default", false},
		{"$connect", "", "$connect", false},
		{"sendMessage", "", "sendMessage", false},
		{"GET orders", "", "GET orders", false},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			m, p, ok := ParseRouteKey(tc.key)
			if m != tc.method || p != tc.path || ok != tc.isPath {
				t.Errorf("ParseRouteKey(%q) = %q, %q, %v; want %q, %q, %v", tc.key, m, p, ok, tc.method, tc.path, tc.isPath)
			}
		})
	}
}

func TestAPIRoutesKinds(t *testing.T) {
	inv := inventoryFromYAML(t, inventory.FromTemplate, `
Resources:
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: HTTP}
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET}
  HttpDefault:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Http, RouteKey: $default}
  WsDefault:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $default}
  ExternalConnect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: abcdef, RouteKey: $connect}
  ExternalDefault:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: abcdef, RouteKey: $default}
  Preflight:
    Type: AWS::ApiGateway::Method
    Properties: {HttpMethod: OPTIONS, Integration: {Type: MOCK}}
  RealOptions:
    Type: AWS::ApiGateway::Method
    Properties: {HttpMethod: options, Integration: {Type: AWS_PROXY}}
`)
	want := map[string]struct {
		kind      string
		preflight bool
	}{
		"HttpDefault":     {HTTPAPI, false},
		"WsDefault":       {WebsocketAPI, false},
		"ExternalConnect": {WebsocketAPI, false},
		"ExternalDefault": {HTTPAPI, false}, // ambiguous: the stricter reading
		"Preflight":       {RESTAPI, true},
		"RealOptions":     {RESTAPI, false},
	}
	routes := APIRoutes(inv)
	if len(routes) != len(want) {
		t.Fatalf("APIRoutes returned %d routes, want %d", len(routes), len(want))
	}
	for _, rt := range routes {
		w := want[rt.Resource.ID]
		if rt.Kind != w.kind || rt.IsCORSPreflight() != w.preflight {
			t.Errorf("%s: kind %s preflight %v, want %s %v", rt.Resource.ID, rt.Kind, rt.IsCORSPreflight(), w.kind, w.preflight)
		}
	}
}
