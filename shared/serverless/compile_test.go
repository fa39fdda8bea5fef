package serverless

import (
	"path/filepath"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

func compileFile(t *testing.T, path string, o Options) *inventory.Inventory {
	t.Helper()
	s, err := Load(path, o)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func compileSource(t *testing.T, src string, o Options) *inventory.Inventory {
	t.Helper()
	return compileFile(t, writeService(t, src, nil), o)
}

// TestPositions checks that generated resources and the settings rules
// read point at the serverless.yml line that caused them.
func TestPositions(t *testing.T) {
	inv := compileFile(t, filepath.Join("testdata", "services", "rest-api", "serverless.yml"), Options{Stage: "production"})
	tests := []struct {
		name string
		id   string
		path []string // property path; empty for the resource itself
		line int
	}{
		{"function at its key", "ListOrdersLambdaFunction", nil, 72},
		{"function tracing at provider.tracing.lambda", "ListOrdersLambdaFunction", []string{"TracingConfig", "Mode"}, 18},
		{"function DLQ at onError", "CreateOrderLambdaFunction", []string{"DeadLetterConfig"}, 92},
		{"log group at its function", "ListOrdersLogGroup", nil, 72},
		{"retention at provider.logRetentionInDays", "ListOrdersLogGroup", []string{"RetentionInDays"}, 19},
		{"retention overridden in resources:", "AuthorizeLogGroup", []string{"RetentionInDays"}, 176},
		{"method at its event", "ApiGatewayMethodOrdersPost", nil, 94},
		{"API key requirement at private", "ApiGatewayMethodOrdersPost", []string{"ApiKeyRequired"}, 97},
		{"function URL at url", "WebhookLambdaFunctionUrl", nil, 147},
		{"deployment bucket at provider.deploymentBucket", idDeploymentBucket, nil, 32},
		{"bucket public access block at blockPublicAccess", idDeploymentBucket, []string{"PublicAccessBlockConfiguration"}, 33},
		{"stage tracing at provider.tracing.apiGateway", idAPIStage, []string{"TracingEnabled"}, 17},
		{"stage access logs at provider.logs.restApi", idAPIStage, []string{"AccessLogSetting"}, 22},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := inv.ByID(tc.id)
			if r == nil {
				t.Fatalf("no %s", tc.id)
			}
			p := r.Pos
			if len(tc.path) > 0 {
				p = r.PosOf(tc.path...)
			}
			if p.Line != tc.line || !strings.HasSuffix(p.File, "serverless.yml") {
				t.Errorf("at %v, want line %d of serverless.yml", p, tc.line)
			}
		})
	}
}

// TestAPIStage checks the REST API stage the Framework configures after
// deploy, which never reaches the template.
func TestAPIStage(t *testing.T) {
	inv := compileFile(t, filepath.Join("testdata", "services", "rest-api", "serverless.yml"), Options{Stage: "production"})
	st := inv.ByID(idAPIStage)
	if st == nil || st.Type != "AWS::ApiGateway::Stage" {
		t.Fatalf("stage %+v", st)
	}
	want := map[string]string{
		"RestApiId":                         `{"Ref":"ApiGatewayRestApi"}`,
		"StageName":                         `"production"`,
		"TracingEnabled":                    `true`,
		"AccessLogSetting.DestinationArn":   `{"Fn::GetAtt":["ApiGatewayLogGroup","Arn"]}`,
		"AccessLogSetting.Format":           `"` + defaultAccessLogFormat + `"`,
		"MethodSettings.0.LoggingLevel":     `"ERROR"`,
		"MethodSettings.0.DataTraceEnabled": `false`,
		"MethodSettings.0.HttpMethod":       `"*"`,
		"MethodSettings.0.ResourcePath":     `"/*"`,
	}
	for path, w := range want {
		if got := plainJSON(st.Prop(strings.Split(path, ".")...)); got != w {
			t.Errorf("%s = %s, want %s", path, got, w)
		}
	}
	for k, v := range map[string]string{"BackupPolicy": "Prod", "Team": "payments", "Service": "orders"} {
		if got, ok := st.Tag(k); !ok || got.String() != v {
			t.Errorf("tag %s = %v, want %s", k, got, v)
		}
	}
	if inv.ByID(idAPILogGroup).Prop("RetentionInDays").String() != "180" {
		t.Error("API access log group without the provider's retention")
	}

	t.Run("defaults", func(t *testing.T) {
		inv := compileSource(t, head+"functions:\n  a:\n    handler: h\n    events:\n      - http: GET /\n", Options{})
		st := inv.ByID(idAPIStage)
		if st == nil || plainJSON(st.Prop("TracingEnabled")) != "false" || st.Prop("AccessLogSetting") != nil || st.Prop("MethodSettings") != nil {
			t.Fatalf("stage %v", st.Props.Plain())
		}
		if st.PosOf("TracingEnabled").Line != 2 {
			t.Errorf("missing tracing reported at %v, want the provider (line 2)", st.PosOf("TracingEnabled"))
		}
	})
	t.Run("execution logging off", func(t *testing.T) {
		inv := compileSource(t, head+"  apiGateway:\n    stage: v1\n  logs:\n    restApi:\n      executionLogging: false\n      format: '$context.requestId'\nfunctions:\n  a:\n    handler: h\n    events:\n      - http: GET /\n", Options{})
		st := inv.ByID(idAPIStage)
		if st.Prop("MethodSettings") != nil || st.Prop("AccessLogSetting", "Format").String() != "$context.requestId" || st.Prop("StageName").String() != "v1" {
			t.Errorf("stage %v", st.Props.Plain())
		}
	})
	t.Run("no stage for an external API", func(t *testing.T) {
		inv := compileSource(t, head+"  apiGateway:\n    restApiId: abc\n    restApiRootResourceId: root\nfunctions:\n  a:\n    handler: h\n    events:\n      - http: GET /x\n", Options{})
		if inv.ByID(idAPIStage) != nil || inv.ByID(idRestAPI) != nil {
			t.Error("a stage or REST API for an external API")
		}
		api := inv.ByID("abc")
		if api == nil || !api.External || api.Type != "AWS::ApiGateway::RestApi" {
			t.Errorf("external API %+v", api)
		}
	})
}

// TestDeployTimeValues checks that SSM-backed settings stay Unknown where
// rules read them, so the rules fail closed.
func TestDeployTimeValues(t *testing.T) {
	src := head + "  tracing:\n    lambda: ${ssm:/tracing/mode}\n  vpc: ${ssm:/network/vpc}\n" +
		"functions:\n  a:\n    handler: h\n    onError: ${ssm:/dlq/arn}\n    events:\n      - sqs: ${ssm:/queue/arn}\n      - sns: ${ssm:/topic/arn}\n      - stream: ${ssm:/stream/arn}\n"
	inv := compileSource(t, src, Options{})
	fn := inv.ByID("ALambdaFunction")
	if !fn.Prop("TracingConfig", "Mode").IsUnknown() || !fn.Prop("DeadLetterConfig", "TargetArn").IsUnknown() || !fn.Prop("VpcConfig").IsUnknown() {
		t.Errorf("function %v", fn.Props.Plain())
	}
	t.Run("a whole section from SSM", func(t *testing.T) {
		inv := compileSource(t, head+"  tracing: ${ssm:/tracing}\nfunctions:\n  a:\n    handler: h\n    events:\n      - http: GET /\n", Options{})
		if !inv.ByID("ALambdaFunction").Prop("TracingConfig", "Mode").IsUnknown() || !inv.ByID(idAPIStage).Prop("TracingEnabled").IsUnknown() {
			t.Errorf("function %v, stage %v", inv.ByID("ALambdaFunction").Props.Plain(), inv.ByID(idAPIStage).Props.Plain())
		}
	})
	types := map[string]bool{}
	for _, r := range inv.All() {
		if r.External {
			types[r.Type] = true
			if !strings.HasPrefix(r.ID, "${ssm:") {
				t.Errorf("external %s named %q", r.Type, r.ID)
			}
		}
	}
	for _, typ := range []string{"AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Kinesis::Stream"} {
		if !types[typ] {
			t.Errorf("no external %s", typ)
		}
	}
}

// TestTags checks Resource.Tags: own tags, provider.tags where the
// Framework applies them, and stack tags everywhere, own tags winning.
func TestTags(t *testing.T) {
	src := head + "  stackTags:\n    BackupPolicy: Prod\n    Owner: stack\n  tags:\n    Owner: service\n" +
		"functions:\n  a:\n    handler: h\n    tags:\n      Owner: function\n    events:\n      - sqs:\n          arn:\n            Fn::GetAtt: [Q, Arn]\n" +
		"resources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n      Properties:\n        Tags:\n          - Key: BackupPolicy\n            Value: Dev\n"
	inv := compileSource(t, src, Options{})
	tag := func(id, key string) string {
		v, _ := inv.ByID(id).Tag(key)
		return v.String()
	}
	if got := tag("ALambdaFunction", "Owner"); got != "function" {
		t.Errorf("function Owner = %q", got)
	}
	if got := tag("ALambdaFunction", "BackupPolicy"); got != "Prod" {
		t.Errorf("function BackupPolicy = %q", got)
	}
	if got := tag("Q", "BackupPolicy"); got != "Dev" {
		t.Errorf("queue BackupPolicy = %q, want its own tag", got)
	}
	if got := tag("Q", "Owner"); got != "stack" {
		t.Errorf("queue Owner = %q, want the stack tag (provider.tags are not stack tags)", got)
	}
	for _, r := range inv.All() {
		if r.External {
			t.Errorf("queue of the stack reported external: %s", r.ID)
		}
	}
}

func TestLayers(t *testing.T) {
	src := head + "layers:\n  common:\n    path: layer\n    name: shop-common\n    compatibleRuntimes: [nodejs20.x]\n    allowedAccounts: ['*']\n" +
		"functions:\n  a:\n    handler: h\n    layers:\n      - Ref: CommonLambdaLayer\n"
	inv := compileSource(t, src, Options{})
	l := inv.ByID("CommonLambdaLayer")
	if l == nil || l.Type != "AWS::Lambda::LayerVersion" || l.Prop("LayerName").String() != "shop-common" {
		t.Fatalf("layer %+v", l)
	}
	if p := inv.ByID("CommonWildLambdaLayerPermission"); p == nil || p.Prop("Principal").String() != "*" {
		t.Errorf("layer permission %+v", p)
	}
	if id, _ := inv.ByID("ALambdaFunction").Prop("Layers", "0").RefTarget(); id != "CommonLambdaLayer" {
		t.Errorf("function layers %v", inv.ByID("ALambdaFunction").Prop("Layers").Plain())
	}
}

// TestValidation checks accepted spellings the Framework's schema coerces.
func TestValidation(t *testing.T) {
	tests := []struct{ name, src string }{
		{"numbers as strings", head + "  memorySize: '512'\n  logRetentionInDays: '180'\n"},
		{"booleans as strings", head + "  tracing:\n    apiGateway: 'true'\n    lambda: 'false'\n"},
		{"a single subnet", head + "  vpc:\n    securityGroupIds: sg-1\n    subnetIds: subnet-1\n"},
		{"intrinsic subnets", head + "  vpc:\n    securityGroupIds:\n      Fn::Split: [',', 'a,b']\n    subnetIds: [{Ref: A}]\n"},
		{"unknown keys", head + "  somethingNew: 1\nfunctions:\n  a:\n    handler: h\n    lambdaInsights: true\n    events:\n      - pluginEvent: {x: 1}\n"},
		{"null function", head + "functions:\n  a:\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Load(writeService(t, tc.src, nil), Options{}); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("coerced values compile as the Framework reads them", func(t *testing.T) {
		inv := compileSource(t, head+"  tracing:\n    lambda: 'true'\n  vpc:\n    securityGroupIds: sg-1\n    subnetIds: subnet-1\nfunctions:\n  a:\n    handler: h\n", Options{})
		fn := inv.ByID("ALambdaFunction")
		if fn.Prop("TracingConfig", "Mode").String() != "Active" || plainJSON(fn.Prop("VpcConfig", "SubnetIds")) != `["subnet-1"]` {
			t.Errorf("function %v", fn.Props.Plain())
		}
	})
	t.Run("describe", func(t *testing.T) {
		for n, want := range map[*value.Node]string{
			value.NewString("x", value.Pos{}):              `string "x"`,
			value.NewInt(5, value.Pos{}):                   "number 5",
			value.NewBool(true, value.Pos{}):               "boolean true",
			value.NewList(value.Pos{}):                     "a list",
			value.NewUnknown("${ssm:/a}", "", value.Pos{}): "deploy-time value ${ssm:/a}",
		} {
			if got := describe(n); got != want {
				t.Errorf("describe = %q, want %q", got, want)
			}
		}
	})
}

func TestNaming(t *testing.T) {
	tests := []struct{ got, want string }{
		{normalizePath("orders/{id}/items-list"), "OrdersIdVarItemsDashlist"},
		{normalizePath("{proxy+}"), "ProxyVar"},
		{lambdaLogicalID("my-fn_name"), "MyDashfnUnderscorenameLambdaFunction"},
		{methodLogicalID("", "GET"), "ApiGatewayMethodGet"},
		{topicLogicalID("my.topic-1"), "SNSTopicMytopic1"},
		{websocketsRouteLogicalID("$connect"), "SconnectWebsocketsRoute"},
		{httpAPIRouteLogicalID("GET /a/{b}"), "HttpApiRouteGetABVar"},
		{toStartCase("prefix"), "Prefix"},
		{toStartCase("XMLHttpRequest"), "XMLHttpRequest"},
		{toStartCase("some_key-name2"), "SomeKeyName2"},
		{hashRuleName("svc-production-fn-rule-1", "rule-1"), "svc-production-fn-rule-1"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	long := hashRuleName(strings.Repeat("x", 70)+"-rule-1", "rule-1")
	if len(long) > 64 || !strings.HasSuffix(long, "-rule-1") {
		t.Errorf("hashed rule name %q", long)
	}
}
