package rules

import (
	"fmt"
	"slices"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// API kinds, as messages name them.
const (
	RESTAPI      = "REST API"
	HTTPAPI      = "HTTP API"
	WebsocketAPI = "websocket API"
)

// APIRoute is one route a client can call: a REST method
// (AWS::ApiGateway::Method) or an HTTP/websocket API route
// (AWS::ApiGatewayV2::Route).
type APIRoute struct {
	// Resource is the Method or Route resource.
	Resource *inventory.Resource
	// Kind is RESTAPI, HTTPAPI or WebsocketAPI.
	Kind string
	// Method is the HTTP method (GET, ANY), or "" for a route key without
	// one ($default, $connect).
	Method string
	// Path is the request path ("/orders/{id}") or the special route key
	// ("$default", "$connect"). When PathKnown is false it holds what could
	// be read, with "…" for the part that could not.
	Path      string
	PathKnown bool
	// PathWhy says why the path is not known.
	PathWhy string
}

// String renders the route as messages show it: "GET /orders/{id}",
// "$connect".
func (r APIRoute) String() string {
	if r.Method == "" {
		return r.Path
	}
	return r.Method + " " + r.Path
}

// IsCORSPreflight reports whether the route is an OPTIONS method answered
// by a MOCK integration: the preflight response the Framework generates for
// `cors: true`, which runs no code and returns no data.
func (r APIRoute) IsCORSPreflight() bool {
	if r.Kind != RESTAPI || r.Method != "OPTIONS" {
		return false
	}
	return strings.EqualFold(r.Resource.Prop("Integration", "Type").String(), "MOCK")
}

// APIRoutes returns every REST method and HTTP/websocket route in the
// inventory, in inventory order.
func APIRoutes(inv *inventory.Inventory) []APIRoute {
	var out []APIRoute
	for _, r := range inv.OfType("AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Route") {
		if r.Type == "AWS::ApiGateway::Method" {
			out = append(out, restRoute(inv, r))
		} else {
			out = append(out, v2Route(inv, r))
		}
	}
	return out
}

func restRoute(inv *inventory.Inventory, m *inventory.Resource) APIRoute {
	rt := APIRoute{Resource: m, Kind: RESTAPI}
	hm := m.Prop("HttpMethod")
	if s, ok := hm.Text(); ok {
		rt.Method = strings.ToUpper(s)
	} else {
		rt.Method = "(method " + describeUnseen(hm) + ")"
	}
	rt.Path, rt.PathKnown, rt.PathWhy = RESTResourcePath(inv, m.Prop("ResourceId"))
	return rt
}

// maxPathDepth bounds the walk up a REST API's resource tree, so a cycle
// (a template error) ends instead of looping.
const maxPathDepth = 128

// RESTResourcePath builds the path of a REST API resource by walking
// ResourceId -> AWS::ApiGateway::Resource (PathPart, ParentId) up to the
// API's root. The root is {Fn::GetAtt: [Api, RootResourceId]} in a
// template. In a live inventory references are plain ids: collectors write
// each resource as an AWS::ApiGateway::Resource whose ID is the resource
// id, and the root either as such a resource with no ParentId and no
// PathPart or as the RestApi's Attrs["RootResourceId"]. When some step
// cannot be followed, known is false, path holds the part that was read
// ("…/{id}") and why says what could not be seen.
func RESTResourcePath(inv *inventory.Inventory, resourceID *value.Node) (path string, known bool, why string) {
	var parts []string // leaf first
	cur := resourceID
	seen := map[*inventory.Resource]bool{}
	build := func() string {
		p := slices.Clone(parts)
		slices.Reverse(p)
		return "/" + strings.Join(p, "/")
	}
	partial := func(reason string) (string, bool, string) {
		p := slices.Clone(parts)
		slices.Reverse(p)
		if len(p) == 0 {
			return "…", false, reason
		}
		return "…/" + strings.Join(p, "/"), false, reason
	}
	for depth := 0; depth < maxPathDepth; depth++ {
		switch {
		case !cur.Has():
			return partial("the method names no resource")
		case isRootResourceRef(cur):
			return build(), true, ""
		case cur.IsUnknown():
			return partial("resource id " + describeUnseen(cur))
		}
		r := inv.Resolve(cur)
		if r == nil {
			if s, ok := cur.Text(); ok && isLiveRootID(inv, s) {
				return build(), true, ""
			}
			return partial(fmt.Sprintf("resource %s is not in the inventory", describeRef(cur)))
		}
		if r.Type != "AWS::ApiGateway::Resource" {
			return partial(fmt.Sprintf("%s is a %s, not an API resource", r.DisplayName(), r.Type))
		}
		if seen[r] {
			return partial(fmt.Sprintf("resource %s is its own ancestor", r.DisplayName()))
		}
		seen[r] = true
		part := r.Prop("PathPart")
		parent := r.Prop("ParentId")
		if !parent.Has() && !part.Has() {
			return build(), true, "" // a live root resource
		}
		s, ok := part.Text()
		if !ok {
			return partial(fmt.Sprintf("path part of %s is %s", r.DisplayName(), describeUnseen(part)))
		}
		parts = append(parts, s)
		cur = parent
	}
	return partial("the resource tree is deeper than any API allows")
}

// isRootResourceRef reports whether n is {Fn::GetAtt: [Api, RootResourceId]}.
func isRootResourceRef(n *value.Node) bool {
	name, arg, ok := n.Intrinsic()
	if !ok || name != "Fn::GetAtt" {
		return false
	}
	if arg.Kind == value.List {
		return len(arg.Items) == 2 && arg.Items[1].String() == "RootResourceId"
	}
	_, attr, _ := strings.Cut(arg.String(), ".")
	return attr == "RootResourceId"
}

// isLiveRootID reports whether id is the root resource id a collector
// recorded on a RestApi (Attrs["RootResourceId"]).
func isLiveRootID(inv *inventory.Inventory, id string) bool {
	for _, api := range inv.OfType("AWS::ApiGateway::RestApi") {
		if api.Attrs["RootResourceId"] == id {
			return true
		}
	}
	return false
}

// describeRef renders a reference for messages: the logical id of a Ref,
// the text of a string.
func describeRef(n *value.Node) string {
	if id, ok := n.RefTarget(); ok {
		return id
	}
	if s, ok := n.Text(); ok {
		return s
	}
	return describeUnseen(n)
}

func v2Route(inv *inventory.Inventory, r *inventory.Resource) APIRoute {
	rt := APIRoute{Resource: r}
	key := r.Prop("RouteKey")
	rt.Kind = v2Protocol(inv, r, key.String())
	s, ok := key.Text()
	if !ok {
		rt.Path, rt.PathWhy = "(route "+describeUnseen(key)+")", "route key "+describeUnseen(key)
		return rt
	}
	rt.Method, rt.Path, rt.PathKnown = ParseRouteKey(s)
	if !rt.PathKnown {
		rt.PathWhy = "route " + s + " matches any path"
	}
	return rt
}

// ParseRouteKey splits an HTTP API route key: "GET /swagger/{proxy+}" is
// method GET and path /swagger/{proxy+}; "$default" and websocket keys
// ("$connect", "sendMessage") have no method and no path (isPath false).
func ParseRouteKey(key string) (method, path string, isPath bool) {
	key = strings.TrimSpace(key)
	if m, p, ok := strings.Cut(key, " "); ok && strings.HasPrefix(strings.TrimSpace(p), "/") {
		return strings.ToUpper(m), strings.TrimSpace(p), true
	}
	return "", key, false
}

// v2Protocol tells an HTTP API route from a websocket one: by the API's
// ProtocolType when the API is in the inventory, otherwise by the route key
// (only websocket keys start with "$" other than "$default"; "$default" is
// taken as HTTP, the stricter reading).
func v2Protocol(inv *inventory.Inventory, r *inventory.Resource, key string) string {
	if api := inv.Resolve(r.Prop("ApiId")); api != nil && api.Type == "AWS::ApiGatewayV2::Api" {
		if strings.EqualFold(api.Prop("ProtocolType").String(), "WEBSOCKET") {
			return WebsocketAPI
		}
		if api.Prop("ProtocolType").Has() {
			return HTTPAPI
		}
	}
	if key == "" || key == "$default" {
		return HTTPAPI // unreadable or ambiguous: the stricter reading
	}
	if strings.HasPrefix(key, "$") {
		return WebsocketAPI
	}
	if _, _, isPath := ParseRouteKey(key); !isPath {
		return WebsocketAPI
	}
	return HTTPAPI
}
