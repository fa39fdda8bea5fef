package variables

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"prodready/shared/value"
)

const unitFile = "testdata/unit/serverless.yml"

// resolveSrc parses src as testdata/unit/serverless.yml and resolves it;
// ${file()} paths are relative to testdata/unit.
func resolveSrc(t testing.TB, src string, o Options) (*value.Node, error) {
	t.Helper()
	root, err := value.ParseYAML(unitFile, []byte(src), value.DefaultLimits)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if o.BaseDir == "" {
		o.BaseDir = "testdata/unit"
	}
	if o.Env == nil {
		env := map[string]string{"UNIT_VAR": "from-env", "UNIT_REF": "${self:custom.y}", "UNIT_LOOP": "${env:UNIT_LOOP}", "UNIT_EMPTY": ""}
		o.Env = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	return Resolve(root, o)
}

func plainJSON(t testing.TB, n *value.Node) string {
	t.Helper()
	b, err := json.Marshal(n.Plain())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestResolveValues(t *testing.T) {
	const head = "service: svc\nprovider:\n  name: aws\n"
	tests := []struct {
		name string
		src  string // appended to head
		o    Options
		path string // dotted path of the value checked
		want string // its Plain() as JSON
		kind value.Kind
	}{
		{"self scalar keeps number", "custom:\n  n: 5\n  x: ${self:custom.n}\n", Options{}, "custom.x", `5`, value.Number},
		{"self map keeps map", "custom:\n  m: {a: 1}\n  x: ${self:custom.m}\n", Options{}, "custom.x", `{"a":1}`, value.Map},
		{"self list keeps list", "custom:\n  l: [a, b]\n  x: ${self:custom.l}\n", Options{}, "custom.x", `["a","b"]`, value.List},
		{"self bool keeps bool", "custom:\n  b: true\n  x: ${self:custom.b}\n", Options{}, "custom.x", `true`, value.Bool},
		{"self whole config", "custom:\n  x: 1\nother: ${self:service}\n", Options{}, "other", `"svc"`, value.String},
		{"interpolation is a string", "custom:\n  n: 5\n  x: port-${self:custom.n}\n", Options{}, "custom.x", `"port-5"`, value.String},
		{"number written as JavaScript does", "custom:\n  n: 1.50\n  x: r-${self:custom.n}\n", Options{}, "custom.x", `"r-1.5"`, value.String},
		{"list joined with commas", "custom:\n  l: [a, [b, c], null]\n  x: l-${self:custom.l}\n", Options{}, "custom.x", `"l-a,b,c,"`, value.String},
		{"nested address", "custom:\n  vpc:\n    prod: {id: 1}\n  x: ${self:custom.vpc.${opt:stage}}\n", Options{Stage: "prod"}, "custom.x", `{"id":1}`, value.Map},
		{"doubly nested address", "custom:\n  k1: k2\n  k2: v\n  x: ${self:custom.${self:custom.${self:custom.k0}}}\n  k0: k1\n", Options{}, "custom.x", `"v"`, value.String},
		{"opt stage", "custom:\n  x: ${opt:stage}\n", Options{Stage: "prod"}, "custom.x", `"prod"`, value.String},
		{"opt region", "custom:\n  x: ${opt:region}\n", Options{Region: "eu-west-1"}, "custom.x", `"eu-west-1"`, value.String},
		{"opt other", "custom:\n  x: ${opt:account}\n", Options{Opts: map[string]string{"account": "42"}}, "custom.x", `"42"`, value.String},
		{"opt fallback string", "custom:\n  x: ${opt:stage, 'development'}\n", Options{}, "custom.x", `"development"`, value.String},
		{"opt fallback double quoted", "custom:\n  x: ${opt:stage, \"a b\"}\n", Options{}, "custom.x", `"a b"`, value.String},
		{"fallback number", "custom:\n  x: ${opt:n, 10}\n", Options{}, "custom.x", `10`, value.Number},
		{"fallback hex number", "custom:\n  x: ${opt:n, 0x10}\n", Options{}, "custom.x", `16`, value.Number},
		{"fallback bool", "custom:\n  x: ${opt:n, false}\n", Options{}, "custom.x", `false`, value.Bool},
		{"fallback chain of sources", "custom:\n  y: 3\n  x: ${opt:n, env:NOPE, self:custom.y}\n", Options{}, "custom.x", `3`, value.Number},
		{"null value falls back", "custom:\n  nul: null\n  x: ${self:custom.nul, 'fb'}\n", Options{}, "custom.x", `"fb"`, value.String},
		{"empty string is a value", "custom:\n  x: ${env:UNIT_EMPTY, 'fb'}\n", Options{}, "custom.x", `""`, value.String},
		{"env", "custom:\n  x: ${env:UNIT_VAR}\n", Options{}, "custom.x", `"from-env"`, value.String},
		{"env value holding a variable", "custom:\n  y: deep\n  x: ${env:UNIT_REF}\n", Options{}, "custom.x", `"deep"`, value.String},
		{"sls stage from option", "custom:\n  x: ${sls:stage}\n", Options{Stage: "qa"}, "custom.x", `"qa"`, value.String},
		{"sls stage from provider", "  stage: uat\ncustom:\n  x: ${sls:stage}\n", Options{}, "custom.x", `"uat"`, value.String},
		{"sls stage default", "custom:\n  x: ${sls:stage}\n", Options{}, "custom.x", `"dev"`, value.String},
		{"aws region from option", "custom:\n  x: ${aws:region}\n", Options{Region: "eu-west-3"}, "custom.x", `"eu-west-3"`, value.String},
		{"aws region from provider", "  region: eu-west-2\ncustom:\n  x: ${aws:region}\n", Options{}, "custom.x", `"eu-west-2"`, value.String},
		{"aws region default", "custom:\n  x: ${aws:region}\n", Options{}, "custom.x", `"us-east-1"`, value.String},
		{"strToBool true", "custom:\n  x: ${strToBool(1)}\n", Options{}, "custom.x", `true`, value.Bool},
		{"strToBool from variable", "custom:\n  z: \"0\"\n  x: ${strToBool(${self:custom.z})}\n", Options{}, "custom.x", `false`, value.Bool},
		{"file whole", "custom:\n  x: ${file(./inc.yml)}\n", Options{Stage: "dev"}, "custom.x.name", `"svc-included"`, value.String},
		{"file variables resolve against main config", "custom:\n  x: ${file(./inc.yml)}\n", Options{Stage: "dev"}, "custom.x.stage", `"dev"`, value.String},
		{"file short form kept", "custom:\n  x: ${file(./inc.yml):ref}\n", Options{}, "custom.x", `{"Ref":"Bucket"}`, value.Map},
		{"file address", "custom:\n  x: ${file(./inc.yml):nested.list}\n", Options{}, "custom.x", `[1,2]`, value.List},
		{"file path from variable", "custom:\n  f: inc\n  x: ${file(./${self:custom.f}.yml):name}\n", Options{}, "custom.x", `"svc-included"`, value.String},
		{"file text", "custom:\n  x: ${file(./text.txt)}\n", Options{}, "custom.x", `"hello svc"`, value.String},
		{"file missing falls back", "custom:\n  x: ${file(./nope.yml), 'none'}\n", Options{}, "custom.x", `"none"`, value.String},
		{"file missing key falls back", "custom:\n  x: ${file(./inc.yml):nope, 'none'}\n", Options{}, "custom.x", `"none"`, value.String},
		{"param for stage", "params:\n  prod:\n    p: prod-p\n  default:\n    p: def-p\ncustom:\n  x: ${param:p}\n", Options{Stage: "prod"}, "custom.x", `"prod-p"`, value.String},
		{"param default", "params:\n  prod:\n    q: 1\n  default:\n    p: def-p\ncustom:\n  x: ${param:p}\n", Options{Stage: "prod"}, "custom.x", `"def-p"`, value.String},
		{"param from stages", "stages:\n  prod:\n    params:\n      p: st-p\ncustom:\n  x: ${param:p}\n", Options{Stage: "prod"}, "custom.x", `"st-p"`, value.String},
		{"params of other stages keep their text", "params:\n  prod:\n    p: ${self:custom.nope}\n  dev:\n    p: ok\n", Options{Stage: "dev"}, "params.prod.p", `"${self:custom.nope}"`, value.String},
		{"escape", "custom:\n  x: \\${self:service}\n", Options{}, "custom.x", `"${self:service}"`, value.String},
		{"escaped backslash", "custom:\n  x: \\\\${self:service}\n", Options{}, "custom.x", `"\\svc"`, value.String},
		{"CloudFormation Sub untouched", "custom:\n  x: arn:${AWS::Region}:${Foo}:${Foo.Arn}:${self:service}\n", Options{}, "custom.x", `"arn:${AWS::Region}:${Foo}:${Foo.Arn}:svc"`, value.String},
		{"string length", "custom:\n  x: ${self:service.length}\n", Options{}, "custom.x", `3`, value.Number},
		{"list index", "custom:\n  l: [a, b]\n  x: ${self:custom.l.1}\n", Options{}, "custom.x", `"b"`, value.String},
		{"reference to a resolved map", "custom:\n  a:\n    k: ${self:service}\n  b: ${self:custom.a}\n", Options{}, "custom.b", `{"k":"svc"}`, value.Map},
		{"chain of references", "custom:\n  a: ${self:custom.b}\n  b: ${self:custom.c}\n  c: end\n", Options{}, "custom.a", `"end"`, value.String},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveSrc(t, head+tc.src, tc.o)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			n := got.Get(strings.Split(tc.path, ".")...)
			if n == nil {
				t.Fatalf("%s missing in %s", tc.path, plainJSON(t, got))
			}
			if s := plainJSON(t, n); s != tc.want || n.Kind != tc.kind {
				t.Errorf("%s = %s (%v), want %s (%v)", tc.path, s, n.Kind, tc.want, tc.kind)
			}
		})
	}
}

func TestResolvePositions(t *testing.T) {
	src := `service: svc
provider:
  name: aws
  vpc: ${self:custom.vpc.${opt:stage}}
  label: x-${self:custom.name}
  stage: ${opt:stage}
  inc: ${file(./inc.yml):nested}
custom:
  name: n
  vpc:
    prod:
      subnetIds:
        - subnet-a
`
	got, err := resolveSrc(t, src, Options{Stage: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string
	}{
		{"provider.vpc", unitFile + ":11:5"},               // the map keeps custom.vpc.prod's position
		{"provider.vpc.subnetIds.0", unitFile + ":13:11"},  // and so do its values
		{"provider.label", unitFile + ":5:10"},             // an interpolated string: the string's own
		{"provider.stage", unitFile + ":6:10"},             // a value with no position of its own: the string's
		{"provider.inc.list", "testdata/unit/inc.yml:5:9"}, // an included value points into its file
		{"provider.inc.secret", "testdata/unit/inc.yml:6:11"},
	}
	for _, tc := range tests {
		n := got.Get(strings.Split(tc.path, ".")...)
		if n == nil {
			t.Errorf("%s missing", tc.path)
			continue
		}
		if n.Pos.String() != tc.want {
			t.Errorf("%s at %s, want %s", tc.path, n.Pos, tc.want)
		}
	}
}

func TestResolveUnknowns(t *testing.T) {
	src := `service: svc
provider:
  name: aws
  stage: prod
custom:
  whole: ${ssm:/app/${self:provider.stage}/db}
  mixed: Host=${ssm:/app/host};Port=${self:custom.port};User=${ssm:/app/user}
  port: 5432
  fallback: ${ssm:/app/x, 'default'}
  fallbackAfterMissing: ${self:custom.nope, ssm:/app/y}
  inAddress: ${self:custom.${ssm:/app/key}}
  copy: ${self:custom.whole}
  copyInString: url-${self:custom.whole}
  intoList: [a, "${ssm:/app/list}"]
  listCopy: l-${self:custom.intoList}
  through: ${self:custom.whole.deeper}
  account: ${aws:accountId}
  instance: ${sls:instanceId}
  s3: ${s3:bucket/key.txt}
  cf: ${cf(eu-west-1):stack.Output}
  secret: ${secretsmanager:db/pass}
  plugin: ${myplugin:thing}
  param: ${param:fromDashboard}
  code: ${file(./code.js)}
  codeKey: ${file(./code.js):a}
  boolOfUnknown: ${strToBool(${ssm:/app/flag})}
`
	got, err := resolveSrc(t, src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, str, why string
	}{
		{"whole", "${ssm:/app/prod/db}", "SSM parameter /app/prod/db is read at deploy time"},
		{"mixed", "Host=${ssm:/app/host};Port=5432;User=${ssm:/app/user}", "SSM parameter /app/host is read at deploy time; SSM parameter /app/user is read at deploy time"},
		{"fallback", "${ssm:/app/x, 'default'}", "SSM parameter /app/x"},
		{"fallbackAfterMissing", "${self:custom.nope, ssm:/app/y}", "SSM parameter /app/y"},
		{"inAddress", "${self:custom.${ssm:/app/key}}", "depends on a value known only at deploy time: SSM parameter /app/key"},
		{"copy", "${ssm:/app/prod/db}", "SSM parameter /app/prod/db"},
		{"copyInString", "url-${ssm:/app/prod/db}", "SSM parameter /app/prod/db"},
		{"intoList.1", "${ssm:/app/list}", "SSM parameter /app/list"},
		{"listCopy", "l-a,${ssm:/app/list}", "SSM parameter /app/list"},
		{"through", "${self:custom.whole.deeper}", "reads inside ${ssm:/app/prod/db}"},
		{"account", "${aws:accountId}", "account id"},
		{"instance", "${sls:instanceId}", "instance id"},
		{"s3", "${s3:bucket/key.txt}", "S3 object key.txt in bucket bucket"},
		{"cf", "${cf(eu-west-1):stack.Output}", "output Output of CloudFormation stack stack"},
		{"secret", "${secretsmanager:db/pass}", "Secrets Manager secret db/pass"},
		{"plugin", "${myplugin:thing}", `variable source "myplugin" is not built into the Framework`},
		{"param", "${param:fromDashboard}", "Serverless Dashboard"},
		{"code", "${file(./code.js)}", "testdata/unit/code.js is code"},
		{"codeKey", "${file(./code.js):a}", "testdata/unit/code.js is code"},
		{"boolOfUnknown", "${strToBool(${ssm:/app/flag})}", "SSM parameter /app/flag"},
	}
	for _, tc := range tests {
		n := got.Get(append([]string{"custom"}, strings.Split(tc.path, ".")...)...)
		if n == nil || n.Kind != value.Unknown {
			t.Errorf("%s = %v, want an Unknown", tc.path, n.Describe())
			continue
		}
		if n.Str != tc.str || !strings.Contains(n.Why, tc.why) {
			t.Errorf("%s = Unknown %q (%s), want %q (…%s…)", tc.path, n.Str, n.Why, tc.str, tc.why)
		}
		if n.Pos.Line == 0 {
			t.Errorf("%s has no position", tc.path)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	const head = "service: svc\nprovider:\n  name: aws\n" // lines 1-3
	at := func(line, col int) string { return fmt.Sprintf("%s:%d:%d: ", unitFile, line, col) }
	tests := []struct {
		name string
		src  string
		o    Options
		want string // prefix of the error
	}{
		{"missing self", "custom:\n  x: ${self:custom.nope}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Value not found at "self" source (nothing is set at custom.nope)`},
		{"missing stage option", "  stage: ${opt:stage}\n", Options{},
			at(4, 10) + `Cannot resolve variable at "provider.stage": Value not found at "opt" source (no --stage option was given; pass --stage)`},
		{"missing env", "custom:\n  x: ${env:UNIT_NOPE}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Value not found at "env" source (environment variable UNIT_NOPE is not set)`},
		{"missing file", "custom:\n  x: ${file(./nope.yml)}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Value not found at "file" source (file testdata/unit/nope.yml does not exist)`},
		{"missing key in file", "custom:\n  x: ${file(./inc.yml):nested.nope}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Value not found at "file" source (nothing is set at "nested.nope" in testdata/unit/inc.yml)`},
		{"unparsable YAML keeps the included line", "custom:\n  x: ${file(./bad.yml)}\n", Options{},
			"testdata/unit/bad.yml:4:1: " + `Cannot resolve variable at "custom.x": Cannot parse "testdata/unit/bad.yml": invalid YAML:`},
		{"unparsable JSON keeps the included line", "custom:\n  x: ${file(./bad.json)}\n", Options{},
			"testdata/unit/bad.json:3:6: " + `Cannot resolve variable at "custom.x": Cannot parse "testdata/unit/bad.json": invalid JSON`},
		{"directory", "custom:\n  x: ${file(./)}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Cannot parse "testdata/unit": `},
		{"cycle", "custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n", Options{},
			at(6, 6) + `Cannot resolve variable at "custom.b": Circular reference among "custom.b" and "custom.a" properties (custom.b -> custom.a -> custom.b)`},
		{"cycle of three", "custom:\n  a: ${self:custom.b}\n  b: ${self:custom.c}\n  c: x-${self:custom.a}\n", Options{},
			at(7, 6) + `Cannot resolve variable at "custom.c": Circular reference among "custom.c" and "custom.b" properties (custom.c -> custom.a -> custom.b -> custom.c)`},
		{"refers to itself", "custom:\n  a: ${self:custom.a}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.a": Circular reference. "custom.a" refers to itself`},
		{"whole configuration from inside it", "custom:\n  a: ${self:}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.a": Circular reference. "custom.a" refers to itself`},
		{"map in a string", "custom:\n  x: a-${self:provider}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": String value consist of variable which resolve with non-string value`},
		{"syntax", "custom:\n  x: ${self:custom.y\n", Options{},
			at(5, 6) + `Variable syntax error at "custom.x": Missing variable closing bracket in ${self:custom.y`},
		{"fallback variable syntax", "custom:\n  x: ${opt:a, ${self:b}}\n", Options{},
			at(5, 6) + `Variable syntax error at "custom.x": Invalid variable source at index 9 in "${opt:a, ${self:b}}"`},
		{"syntax in a resolved value", "custom:\n  x: ${env:UNIT_BAD}\n", Options{Env: func(string) (string, bool) { return "${self:a", true }},
			at(5, 6) + `Cannot resolve variable at "custom.x": Approached variable syntax error in resolved value (UNTERMINATED_VARIABLE)`},
		{"a value referring back to its holder", "custom:\n  x: ${env:UNIT_SELF}\n", Options{Env: func(string) (string, bool) { return "${self:custom.x}", true }},
			at(5, 6) + `Cannot resolve variable at "custom.x": Circular reference. "custom.x" refers to itself`},
		{"values holding themselves", "custom:\n  x: ${env:UNIT_LOOP}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Excessive property variables nest depth`},
		{"strToBool", "custom:\n  x: ${strToBool(maybe)}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Invalid "strToBool" input: Expected either "true", "false", "0", or "1". Received: maybe`},
		{"strToBool false literal is missing input (osls quirk)", "custom:\n  x: ${strToBool(false)}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Missing "strToBool" input`},
		{"sls address", "custom:\n  x: ${sls:nope}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Unsupported "nope" address argument in variable "sls" source`},
		{"aws address", "custom:\n  x: ${aws:nope}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Unsupported "nope" address argument in variable "aws" source`},
		{"cf address", "custom:\n  x: ${cf:nodot}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Unsupported "nodot" address argument in variable "cf" source. Expected "<stack-name>.<output-id>" format`},
		{"ssm address", "custom:\n  x: ${ssm:}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Missing address argument in variable "ssm" source`},
		{"file path", "custom:\n  x: ${file()}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Missing path argument in variable "file" source`},
		{"invalid stage in provider", "  stage: a_b\ncustom:\n  x: ${sls:stage}\n", Options{},
			at(6, 6) + `Cannot resolve variable at "custom.x": Invalid stage name`},
		{"invalid stage option", "", Options{Stage: "a b"},
			unitFile + `: --stage "a b": Invalid stage name`},
		{"stage behind SSM", "  stage: ${ssm:/x}\n", Options{},
			at(4, 10) + `Cannot resolve serverless.yml: "provider.stage" property is not accessible (configured behind variables which cannot be resolved at this stage)`},
		{"region behind SSM", "  region: ${ssm:/r}\n", Options{},
			at(4, 11) + `Cannot resolve serverless.yml: "provider.region" property is not accessible`},
		{"disabledDeprecations behind a variable", "disabledDeprecations: ${opt:x, 'a'}\n", Options{},
			unitFile + `:4:23: Cannot resolve serverless.yml: "disabledDeprecations" property is not accessible`},
		{"self address resolving to a map", "custom:\n  m: {a: 1}\n  x: ${self:${self:custom.m}}\n", Options{},
			at(6, 6) + `Cannot resolve variable at "custom.x": the address of the "self" source resolved to a map`},
		{"several errors are all reported", "custom:\n  x: ${self:nope1}\n  y: ${self:nope2}\n", Options{},
			at(5, 6) + `Cannot resolve variable at "custom.x": Value not found at "self" source (nothing is set at nope1)` + "\n(and 1 more:\n  " + at(6, 6) + `Cannot resolve variable at "custom.y"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolveSrc(t, head+tc.src, tc.o)
			if err == nil {
				t.Fatalf("Resolve succeeded, want %s", tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant   %s…", err, tc.want)
			}
			if _, ok := value.ErrorPos(err); !ok {
				t.Errorf("%T is not a *value.Error", err)
			}
		})
	}
}

func TestResolveLimits(t *testing.T) {
	// Each level refers to the one below twice: 2^24 copies of a leaf.
	var bomb strings.Builder
	bomb.WriteString("service: svc\nprovider:\n  name: aws\ncustom:\n  l0: [a, b, c, d]\n")
	for i := 1; i <= 24; i++ {
		fmt.Fprintf(&bomb, "  l%d: [\"${self:custom.l%d}\", \"${self:custom.l%d}\"]\n", i, i-1, i-1)
	}
	// Each level doubles a string: 2^40 bytes.
	var text strings.Builder
	text.WriteString("service: svc\nprovider:\n  name: aws\ncustom:\n  s0: abcdefghijklmnopqrstuvwxyz\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&text, "  s%d: ${self:custom.s%d}${self:custom.s%d}\n", i, i-1, i-1)
	}
	// A reference chain deeper than the nesting bound.
	var chain strings.Builder
	chain.WriteString("service: svc\nprovider:\n  name: aws\ncustom:\n")
	for i := 0; i < 1200; i++ {
		fmt.Fprintf(&chain, "  c%d: ${self:custom.c%d}\n", i, i+1)
	}
	chain.WriteString("  c1200: end\n")
	// Variables nested in addresses of variables, 1100 deep.
	deep := "service: svc\nprovider:\n  name: aws\ncustom:\n  x: " + strings.Repeat("${self:custom.", 1100) + "y" + strings.Repeat("}", 1100) + "\n"

	tests := []struct {
		name, src, want string
	}{
		{"copies", bomb.String(), "variables expand the configuration to more than 200000 values"},
		{"text", text.String(), "bytes"},
		{"chain", chain.String(), "variables nest deeper than"},
		{"nesting", deep, "variables nest deeper than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim := value.Limits{MaxBytes: 1 << 20, MaxNodes: 200_000, MaxDepth: 200}
			_, err := resolveSrc(t, tc.src, Options{Limits: lim})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			if p, ok := value.ErrorPos(err); !ok || p.Line == 0 {
				t.Errorf("error has no line: %v", err)
			}
		})
	}
}

func TestResolveLeavesInputAlone(t *testing.T) {
	src := "service: svc\nprovider:\n  name: aws\ncustom:\n  a: {k: v}\n  b: ${self:custom.a}\n  c: x-${self:service}\n"
	root, err := value.ParseYAML(unitFile, []byte(src), value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	before := plainJSON(t, root)
	got, err := Resolve(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if after := plainJSON(t, root); after != before {
		t.Errorf("input changed:\n%s\n%s", before, after)
	}
	got.Get("custom", "b").Set("k", value.NewString("changed", value.Pos{}))
	if got.Get("custom", "a", "k").String() != "v" {
		t.Error("a copied map shares nodes with its source")
	}
}

func TestResolveNil(t *testing.T) {
	if n, err := Resolve(nil, Options{}); n != nil || err != nil {
		t.Errorf("Resolve(nil) = %v, %v", n, err)
	}
}

// TestNestLimits pins osls's two nest limits, measured with osls 4.3.1: a
// property may take 11 hops through values holding variables, an address
// 10 (env chains NEST_C1 -> NEST_C2 -> … and NEST_A1 -> …).
func TestNestLimits(t *testing.T) {
	src := "service: svc\nprovider:\n  name: aws\ncustom:\n  long: ${env:NEST_C1}\n  addr: ${self:custom.${env:NEST_A1}}\n  target: hit\n"
	tests := []struct {
		hops              int
		longOK, addressOK bool
	}{
		{10, true, true},
		{11, true, false},
		{12, false, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.hops), func(t *testing.T) {
			env := map[string]string{}
			for i := 1; i < tc.hops; i++ {
				env[fmt.Sprintf("NEST_C%d", i)] = fmt.Sprintf("${env:NEST_C%d}", i+1)
				env[fmt.Sprintf("NEST_A%d", i)] = fmt.Sprintf("${env:NEST_A%d}", i+1)
			}
			env[fmt.Sprintf("NEST_C%d", tc.hops)] = "end"
			env[fmt.Sprintf("NEST_A%d", tc.hops)] = "target"
			_, err := resolveSrc(t, src, Options{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if got := !strings.Contains(msg, `"custom.long": Excessive property variables nest depth`); got != tc.longOK {
				t.Errorf("long chain resolves = %v, osls %v (%v)", got, tc.longOK, err)
			}
			if got := !strings.Contains(msg, `"custom.addr": Excessive variables nest depth`); got != tc.addressOK {
				t.Errorf("address chain resolves = %v, osls %v (%v)", got, tc.addressOK, err)
			}
		})
	}
}

// TestDeferredParamsWithoutProvider is a crash the fuzzer found: params
// without a provider section.
func TestDeferredParamsWithoutProvider(t *testing.T) {
	got, err := resolveSrc(t, "service: s\nparams:\n  dev:\n    p: ${self:service}\n  prod:\n    p: ${self:nope}\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := plainJSON(t, got.Get("params")); s != `{"dev":{"p":"s"},"prod":{"p":"${self:nope}"}}` {
		t.Errorf("params = %s", s)
	}
}
