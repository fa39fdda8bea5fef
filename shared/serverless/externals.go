package serverless

import (
	"strings"

	"prodready/shared/value"
)

// external is something an event names that the service may not own. It
// becomes an External resource unless it resolves to one of the stack's.
type external struct {
	typ  string
	node *value.Node
	pos  value.Pos
	// key identifies the event (function key and event index, or the
	// provider setting) so the same source found in two configurations can
	// be matched.
	key string
}

// eventExternals lists the event sources and APIs a configuration names:
// queues, streams, topics, existing buckets and clusters, and APIs given by
// id. Both Compile and FromTemplate use it, so both report the same.
func eventExternals(cfg *value.Node) []external {
	var out []external
	add := func(typ string, n *value.Node, p value.Pos, key string) {
		if truthy(n) {
			out = append(out, external{typ: typ, node: n, pos: p, key: key})
		}
	}
	used := map[string]bool{}
	cfg.Field("functions").Each(func(fn string, f *value.Node) {
		for i, item := range f.Field("events").List() {
			key := fn + "#" + itoa(i)
			p := item.Pos
			for _, t := range []string{"http", "httpApi", "websocket"} {
				if truthy(item.Field(t)) {
					used[t] = true
				}
			}
			if ev := item.Field("sqs"); truthy(ev) {
				arn := ev
				if isObj(ev) && ev.Field("arn") != nil {
					arn = ev.Field("arn")
				}
				add("AWS::SQS::Queue", arn, p, key)
			}
			if ev := item.Field("stream"); truthy(ev) {
				arn := ev
				typ := ""
				if isObj(ev) && ev.Field("arn") != nil {
					arn, typ = ev.Field("arn"), text(ev.Field("type"))
				}
				if typ == "" {
					if parts := strings.Split(text(arn), ":"); len(parts) > 2 {
						typ = parts[2]
					}
				}
				if typ == "dynamodb" {
					add("AWS::DynamoDB::Table", arn, p, key)
				} else {
					add("AWS::Kinesis::Stream", arn, p, key)
				}
			}
			if ev := item.Field("sns"); truthy(ev) {
				switch {
				case isObj(ev):
					add("AWS::SNS::Topic", ev.Field("arn"), p, key)
				case strings.HasPrefix(text(ev), "arn:") || ev.IsUnknown():
					add("AWS::SNS::Topic", ev, p, key)
				}
			}
			if ev := item.Field("s3"); isObj(ev) && flag(ev.Field("existing")) {
				add("AWS::S3::Bucket", ev.Field("bucket"), p, key)
			}
			if ev := item.Field("msk"); isObj(ev) {
				add("AWS::MSK::Cluster", ev.Field("arn"), p, key)
			}
		}
	})
	provider := cfg.Field("provider")
	if id := provider.Get("apiGateway", "restApiId"); used["http"] {
		add("AWS::ApiGateway::RestApi", id, posOf(provider.Pos, id), "provider.apiGateway.restApiId")
	}
	if id := provider.Get("apiGateway", "websocketApiId"); used["websocket"] {
		add("AWS::ApiGatewayV2::Api", id, posOf(provider.Pos, id), "provider.apiGateway.websocketApiId")
	}
	if id := provider.Get("httpApi", "id"); used["httpApi"] {
		add("AWS::ApiGatewayV2::Api", id, posOf(provider.Pos, id), "provider.httpApi.id")
	}
	return out
}
