package rules

import (
	"regexp"
	"strconv"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// The monitoring rules match resources by what CloudWatch sees: an alarm's
// dimension holds a queue's name, a log group is named after an API's id.
// In a template those values are references ({Ref: Queue}, a Fn::Sub); in a
// live account they are plain strings. The helpers here compare both.

// refText renders a value the way CloudFormation builds it, with references
// left as placeholders: a scalar is its text, {Ref: X} is "${X}",
// {Fn::GetAtt: [X, A]} is "${X.A}", a Fn::Sub is its template (with the
// variables of its two-argument form substituted) and a Fn::Join is its
// parts joined. ok is false for anything else (a value only known at deploy
// time, another intrinsic): such a value cannot be compared.
func refText(n *value.Node) (string, bool) {
	return refTextDepth(n, 0)
}

func refTextDepth(n *value.Node, depth int) (string, bool) {
	if n == nil || depth > 8 {
		return "", false
	}
	if s, ok := n.Text(); ok {
		return s, true
	}
	name, arg, ok := n.Intrinsic()
	if !ok {
		return "", false
	}
	switch name {
	case "Ref":
		s, ok := arg.Text()
		return "${" + s + "}", ok
	case "Fn::GetAtt":
		if arg.Kind == value.List && len(arg.Items) == 2 {
			id, ok1 := arg.Items[0].Text()
			attr, ok2 := arg.Items[1].Text()
			return "${" + id + "." + attr + "}", ok1 && ok2
		}
		if s, ok := arg.Text(); ok {
			return "${" + s + "}", true
		}
	case "Fn::Sub":
		if s, ok := arg.Text(); ok {
			return s, true
		}
		if arg.Kind == value.List && len(arg.Items) == 2 {
			tmpl, ok := arg.Items[0].Text()
			if !ok {
				return "", false
			}
			failed := false
			arg.Items[1].Each(func(k string, v *value.Node) {
				t, ok := refTextDepth(v, depth+1)
				if !ok {
					failed = true
					return
				}
				tmpl = strings.ReplaceAll(tmpl, "${"+k+"}", t)
			})
			return tmpl, !failed
		}
	case "Fn::Join":
		if arg.Kind != value.List || len(arg.Items) != 2 {
			return "", false
		}
		sep, ok := arg.Items[0].Text()
		if !ok {
			return "", false
		}
		var parts []string
		for _, p := range arg.Items[1].List() {
			t, ok := refTextDepth(p, depth+1)
			if !ok {
				return "", false
			}
			parts = append(parts, t)
		}
		return strings.Join(parts, sep), true
	}
	return "", false
}

// placeholderRef matches a rendered value that is nothing but one reference.
var placeholderRef = regexp.MustCompile(`^\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}$`)

// refTo returns the logical id and attribute ("" for a Ref) a value points
// at when it is only a reference: {Ref: X}, {Fn::GetAtt: [X, A]}, or a
// Fn::Sub of "${X}" or "${X.A}".
func refTo(n *value.Node) (id, attr string, ok bool) {
	name, arg, isFn := n.Intrinsic()
	if !isFn {
		return "", "", false
	}
	switch name {
	case "Ref":
		id, ok = arg.Text()
		return id, "", ok
	case "Fn::GetAtt", "Fn::Sub":
		t, ok := refText(n)
		if !ok {
			return "", "", false
		}
		m := placeholderRef.FindStringSubmatch(t)
		if m == nil {
			return "", "", false
		}
		return m[1], m[2], true
	}
	return "", "", false
}

// What a reference to a resource yields, for matching alarm dimensions and
// names: CloudWatch wants a queue's name, but {Ref: Queue} is its URL.
const (
	yieldsName = "name"
	yieldsID   = "id"
	yieldsARN  = "ARN"
	yieldsURL  = "URL"
)

// refYields is what {Ref: X} returns for X's type (the CloudFormation
// resource reference, "Return values").
var refYields = map[string]string{
	"AWS::SQS::Queue":          yieldsURL,
	"AWS::SNS::Topic":          yieldsARN,
	"AWS::ApiGateway::RestApi": yieldsID,
	"AWS::ApiGatewayV2::Api":   yieldsID,
	"AWS::Synthetics::Canary":  yieldsName,
	"AWS::Lambda::Function":    yieldsName,
	"AWS::Logs::LogGroup":      yieldsName,
}

// attrYields is what Fn::GetAtt returns for each attribute of a type.
var attrYields = map[string]map[string]string{
	"AWS::SQS::Queue":          {"QueueName": yieldsName, "Arn": yieldsARN, "QueueUrl": yieldsURL},
	"AWS::SNS::Topic":          {"TopicName": yieldsName, "TopicArn": yieldsARN},
	"AWS::ApiGateway::RestApi": {"RestApiId": yieldsID, "RootResourceId": "root resource id"},
	"AWS::ApiGatewayV2::Api":   {"ApiId": yieldsID, "ApiEndpoint": "endpoint URL"},
	"AWS::Synthetics::Canary":  {"Id": "canary id", "State": "state"},
	"AWS::Lambda::Function":    {"Arn": yieldsARN},
	"AWS::Logs::LogGroup":      {"Arn": yieldsARN},
}

// nameProps is the property holding each type's physical name
// (inventory convention 4).
var nameProps = map[string]string{
	"AWS::SQS::Queue":            "QueueName",
	"AWS::SNS::Topic":            "TopicName",
	"AWS::ApiGateway::RestApi":   "Name",
	"AWS::ApiGatewayV2::Api":     "Name",
	"AWS::Synthetics::Canary":    "Name",
	"AWS::Lambda::Function":      "FunctionName",
	"AWS::Logs::LogGroup":        "LogGroupName",
	"AWS::CloudWatch::Dashboard": "DashboardName",
	"AWS::CloudWatch::Alarm":     "AlarmName",
}

// physicalName returns r's physical name as refText renders it: the name a
// loader or collector recorded, the name property (possibly a Fn::Sub), or
// for a resource known only by its ARN the ARN's last segment.
func physicalName(r *inventory.Resource) (string, bool) {
	if r.Name != "" {
		return r.Name, true
	}
	if p, ok := nameProps[r.Type]; ok {
		if s, ok := refText(r.Prop(p)); ok && s != "" {
			return s, true
		}
	}
	for _, a := range []string{r.ARN, r.ID} {
		if strings.HasPrefix(a, "arn:") {
			if last := arnResourceName(a); last != "" {
				return last, true
			}
		}
	}
	return "", false
}

// arnResourceName returns the name at the end of an ARN
// (arn:aws:sqs:eu-west-2:123:orders-dlq -> orders-dlq).
func arnResourceName(arn string) string {
	return arn[strings.LastIndexAny(arn, ":/")+1:]
}

// liveAPIID returns the API Gateway id of an API read from an account: the
// collector's Attrs["ApiId"], or the id in its ARN
// (arn:aws:apigateway:eu-west-2::/restapis/a1b2c3), or its identifier. A template's API has no id until deploy.
func liveAPIID(r *inventory.Resource) string {
	if id := r.Attrs["ApiId"]; id != "" {
		return id
	}
	for _, s := range []string{r.ARN, r.ID} {
		for _, seg := range []string{"/restapis/", "/apis/"} {
			if i := strings.Index(s, seg); i >= 0 {
				id, _, _ := strings.Cut(s[i+len(seg):], "/")
				return id
			}
		}
	}
	if r.Origin == inventory.FromLive {
		return r.ID
	}
	return ""
}

// valueNames reports whether n names r in the way want says (yieldsName or
// yieldsID). wrong is set when n refers to r but yields something else (a
// queue's URL where its name is needed), so a message can say how to fix it.
func valueNames(n *value.Node, r *inventory.Resource, want string) (ok bool, wrong string) {
	if id, attr, isRef := refTo(n); isRef {
		if id != r.ID {
			return false, ""
		}
		got := refYields[r.Type]
		if attr != "" {
			got = attrYields[r.Type][attr]
			if got == "" {
				got = "its " + attr
			}
		}
		if got == want {
			return true, ""
		}
		if got == "" {
			got = "something other than its " + want
		}
		return false, got
	}
	text, ok := refText(n)
	if !ok || text == "" {
		return false, ""
	}
	switch want {
	case yieldsName:
		if name, ok := physicalName(r); ok && name == text {
			return true, ""
		}
	case yieldsID:
		if id := liveAPIID(r); id != "" && id == text {
			return true, ""
		}
	}
	return false, ""
}

// refHint tells how to name r for the want of a dimension or property.
func refHint(r *inventory.Resource, want string) string {
	for attr, got := range attrYields[r.Type] {
		if got == want {
			return "{Fn::GetAtt: [" + r.ID + ", " + attr + "]}"
		}
	}
	if refYields[r.Type] == want {
		return "{Ref: " + r.ID + "}"
	}
	if name, ok := physicalName(r); ok && want == yieldsName {
		return strconv.Quote(name)
	}
	return "its " + want
}

// monitoredAPIs returns the APIs the service owns that the monitoring
// standard covers: REST APIs and HTTP APIs. WebSocket APIs have no health
// check route nor 5xx metric; External APIs (provider.apiGateway.restApiId)
// are monitored by the service that owns them.
func monitoredAPIs(inv *inventory.Inventory) []*inventory.Resource {
	var out []*inventory.Resource
	for _, r := range inv.OfType("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api") {
		if r.External || r.Framework {
			continue
		}
		if r.Type == "AWS::ApiGatewayV2::Api" && !isHTTPAPI(r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// isHTTPAPI reports whether an API Gateway v2 API is an HTTP API (not a
// WebSocket API). A collector writes ProtocolType as AWS returns it.
func isHTTPAPI(r *inventory.Resource) bool {
	return r.Type == "AWS::ApiGatewayV2::Api" && strings.EqualFold(r.Prop("ProtocolType").String(), "HTTP")
}

// apiKind names an API's kind in messages.
func apiKind(r *inventory.Resource) string {
	if r.Type == "AWS::ApiGateway::RestApi" {
		return "REST API"
	}
	if isHTTPAPI(r) {
		return "HTTP API"
	}
	return "WebSocket API"
}

// mentionsAPI reports whether anything inside n points at api: a reference
// or a name (inventory.RefersTo), or, for an API read from an account, its
// execute-api host name.
func mentionsAPI(n *value.Node, api *inventory.Resource) bool {
	if inventory.RefersTo(n, api) {
		return true
	}
	id := liveAPIID(api)
	if id == "" {
		return false
	}
	host := id + ".execute-api."
	found := false
	inventory.Walk(n, func(x *value.Node) bool {
		if s, ok := x.Text(); ok && strings.Contains(s, host) {
			found = true
		}
		return !found
	})
	return found
}

// monitoredFunctions returns the service's Lambda functions, without the
// Framework's own (its custom-resource function).
func monitoredFunctions(inv *inventory.Inventory) []*inventory.Resource {
	var out []*inventory.Resource
	for _, fn := range inv.OfType("AWS::Lambda::Function") {
		if !fn.Framework && !fn.External {
			out = append(out, fn)
		}
	}
	return out
}

// unseen describes a value a check could not read, for "cannot see …"
// messages.
func unseen(n *value.Node) string {
	switch {
	case n == nil:
		return "not visible"
	case n.IsUnknown() && n.Why != "":
		return n.Str + " (" + n.Why + ")"
	case n.IsUnknown():
		return n.Str
	}
	if name, _, ok := n.Intrinsic(); ok {
		return "a " + name + " the check cannot evaluate"
	}
	return n.Describe()
}

// isVisible reports whether a value can be read before deploy: not a
// deploy-time value and not an intrinsic other than a reference.
func isVisible(n *value.Node) bool {
	if n.IsUnknown() {
		return false
	}
	if _, _, ok := refTo(n); ok {
		return true
	}
	_, _, isFn := n.Intrinsic()
	return !isFn
}

// resolveTyped returns the resource of type typ that n points at: a
// reference, a name or ARN (inventory.Resolve), a deploy-time value the
// loader recorded as an External resource, or an ARN built with
// Fn::Sub or Fn::Join from pseudo parameters and a literal name
// (arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders-dlq), matched by the
// name at its end.
func resolveTyped(inv *inventory.Inventory, n *value.Node, typ string) *inventory.Resource {
	if n.IsUnknown() {
		// A value read at deploy time (an SSM parameter) names a resource
		// the service does not own; the loader adds it as External with
		// the expression as its id (inventory convention 6).
		if r := inv.ByID(n.Str); r != nil && r.Type == typ {
			return r
		}
		return nil
	}
	if r := inv.Resolve(n); r != nil && r.Type == typ {
		return r
	}
	if _, _, isRef := refTo(n); isRef {
		return nil
	}
	// A string or an expression: names can repeat across types (a queue
	// and a topic both called orders), so match the name among typ only.
	text, ok := refText(n)
	if !ok || !strings.HasPrefix(text, "arn:") {
		return nil
	}
	name := arnResourceName(text)
	if name == "" || strings.Contains(name, "${") {
		return nil
	}
	for _, r := range inv.OfType(typ) {
		if pn, ok := physicalName(r); ok && pn == name {
			return r
		}
	}
	return nil
}

// arnService returns the service of an ARN as refText renders it
// ("sqs" for arn:${AWS::Partition}:sqs:…), or "".
func arnService(text string) string {
	text = strings.ReplaceAll(text, "${AWS::Partition}", "aws")
	if !strings.HasPrefix(text, "arn:") {
		return ""
	}
	parts := strings.SplitN(text, ":", 4)
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

// called is how messages name a resource: its logical id in a template, its
// name (rather than its ARN, which the finding already carries) in an
// account.
func called(r *inventory.Resource) string {
	if r.Origin == inventory.FromLive && r.Name != "" {
		return r.Name
	}
	return r.DisplayName()
}
