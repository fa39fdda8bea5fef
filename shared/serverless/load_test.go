package serverless

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prodready/shared/value"
)

// writeService writes serverless.yml (and any extra files) to a temporary
// directory and returns the config path.
func writeService(t *testing.T, src string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "serverless.yml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, body := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

const head = "service: shop\nprovider:\n  name: aws\n"

func TestLoadAndCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts Options
		line int    // the line the error must name (0: the file, no line)
		want string // part of the message
	}{
		{"malformed YAML", head + "  tracing: [apiGateway, lambda\nfunctions: {}\n", Options{}, 5, "invalid YAML"},
		{"tracing not a map", head + "  tracing: yes-please\n", Options{}, 4,
			`provider.tracing must be a map with apiGateway and lambda, found string "yes-please"`},
		{"tracing mode", head + "  tracing:\n    lambda: sometimes\n", Options{}, 5,
			`provider.tracing.lambda must be true, false, Active or PassThrough, found string "sometimes"`},
		{"memory size", head + "  memorySize: lots\n", Options{}, 4, `provider.memorySize must be a whole number, found string "lots"`},
		{"retention", head + "  logRetentionInDays: [180]\n", Options{}, 4, "provider.logRetentionInDays must be a whole number, found a list"},
		{"vpc subnets", head + "  vpc:\n    securityGroupIds: [sg-1]\n    subnetIds:\n      a: subnet-1\n", Options{}, 6,
			"provider.vpc.subnetIds must be a list of strings or CloudFormation functions, found a map"},
		{"restApi logs", head + "  logs:\n    restApi:\n      level: LOUD\n", Options{}, 6, `provider.logs.restApi.level must be INFO or ERROR, found string "LOUD"`},
		{"stack tags", head + "  stackTags: [a, b]\n", Options{}, 4, "provider.stackTags must be a map of tag keys to values, found a list"},
		{"deployment bucket", head + "  deploymentBucket:\n    blockPublicAccess: please\n", Options{}, 5,
			`provider.deploymentBucket.blockPublicAccess must be true or false, found string "please"`},
		{"function list item not a map", head + "functions:\n  - a\n", Options{}, 5, "non-map value in the functions list"},
		{"function not a map", head + "functions:\n  - handler: h\n", Options{}, 5, `functions.handler must be a map of function settings, found string "h"`},
		{"events not a list", head + "functions:\n  a:\n    handler: h\n    events:\n      http: GET /\n", Options{}, 7,
			"functions.a.events must be a list of events, found a map"},
		{"private not a boolean", head + "functions:\n  a:\n    handler: h\n    events:\n      - http:\n          path: /\n          method: get\n          private: maybe\n", Options{}, 11,
			`functions.a.events[0].http.private must be true or false, found string "maybe"`},
		{"function tracing", head + "functions:\n  a:\n    handler: h\n    tracing: on\n", Options{}, 7,
			`functions.a.tracing must be true, false, Active or PassThrough, found string "on"`},
		{"missing file", head + "custom: ${file(./missing.yml)}\n", Options{}, 4, "missing.yml"},
		{"opt:stage without --stage", head + "  stage: ${opt:stage}\n", Options{}, 4, "--stage"},
		{"invalid stage", head, Options{Stage: "my_stage"}, 0, "Invalid stage name"},
		{"invalid provider stage", head + "  stage: my_stage\n", Options{}, 4, "Invalid stage name"},
		{"no service", "provider:\n  name: aws\n", Options{}, 1, `"service" property is missing`},
		{"service as a map", "service:\n  name: shop\nprovider:\n  name: aws\n", Options{}, 1, "object notation"},
		{"no provider", "service: shop\n", Options{}, 1, `"provider" property is missing`},
		{"no handler", head + "functions:\n  a:\n    memorySize: 128\n", Options{}, 5, `either "handler" or "image"`},
		{"unknown authorizer function", head + "functions:\n  a:\n    handler: h\n    events:\n      - http:\n          path: /\n          method: get\n          authorizer: nope\n", Options{}, 11, `authorizer function "nope" doesn't exist`},
		{"http without path", head + "functions:\n  a:\n    handler: h\n    events:\n      - http: GET\n", Options{}, 8, `http event must be "METHOD /path"`},
		{"duplicate HTTP API route", head + "functions:\n  a:\n    handler: h\n    events:\n      - httpApi: GET /x\n      - httpApi: GET /x\n", Options{}, 9, "duplicate route 'GET /x'"},
		{"undefined HTTP API authorizer", head + "functions:\n  a:\n    handler: h\n    events:\n      - httpApi:\n          method: GET\n          path: /x\n          authorizer: nope\n", Options{}, 11, "not configured authorizer 'nope'"},
		{"extension of a missing resource", head + "resources:\n  extensions:\n    Nope:\n      Properties:\n        A: 1\n", Options{}, 6, `cannot extend "Nope"`},
		{"resource not a map", head + "resources:\n  Resources:\n    Q: queue\n", Options{}, 6, "resources.Resources.Q must be a resource"},
		{"resource without a type", head + "resources:\n  Resources:\n    Q:\n      Properties: {}\n", Options{}, 6, "no Type"},
		{"false condition name", head + "resources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n      Condition: Nope\n", Options{}, 8, "condition Nope is not defined"},
		{"s3 bucket name", head + "functions:\n  a:\n    handler: h\n    events:\n      - s3: Not_A_Bucket\n", Options{}, 8, "bucket name must be"},
		{"destination not a function", head + "functions:\n  a:\n    handler: h\n    destinations:\n      onFailure: nope\n", Options{}, 8, `destination "nope" is not an ARN`},
		{"sqs arn as Ref", head + "functions:\n  a:\n    handler: h\n    events:\n      - sqs:\n          arn: {Ref: Q}\n", Options{}, 9, "the sqs ARN must be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeService(t, tc.src, nil)
			s, err := Load(path, tc.opts)
			if err == nil {
				_, err = s.Compile()
			}
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tc.want)
			}
			p, ok := value.ErrorPos(err)
			if !ok || p.File != path || (tc.line > 0 && p.Line != tc.line) {
				t.Errorf("err = %v\nat %v, want %s:%d", err, p, path, tc.line)
			}
		})
	}
}

func TestLoadFindsTheConfiguration(t *testing.T) {
	t.Run("a directory with serverless.yaml", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "serverless.yaml"), []byte(head), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Path != filepath.Join(dir, "serverless.yaml") || s.Name != "shop" || s.Stage != "dev" || s.Region != "us-east-1" {
			t.Errorf("service %+v", s)
		}
	})
	t.Run("a directory with serverless.json", func(t *testing.T) {
		dir := t.TempDir()
		src := `{"service": "shop", "provider": {"name": "aws", "stage": "qa", "region": "eu-west-2"}}`
		if err := os.WriteFile(filepath.Join(dir, "serverless.json"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(dir, Options{Region: "eu-west-1"})
		if err != nil {
			t.Fatal(err)
		}
		if s.Stage != "qa" || s.Region != "eu-west-1" {
			t.Errorf("stage %q region %q; want provider.stage and --region", s.Stage, s.Region)
		}
	})
	t.Run("an empty directory", func(t *testing.T) {
		_, err := Load(t.TempDir(), Options{})
		if err == nil || !strings.Contains(err.Error(), "no serverless.yml") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a missing file", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "serverless.yml"), Options{})
		if err == nil || !strings.Contains(err.Error(), "no such file") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("stage and region from options win", func(t *testing.T) {
		path := writeService(t, head+"  stage: dev\n  region: eu-west-2\n", nil)
		s, err := Load(path, Options{Stage: "prod", Region: "us-west-2"})
		if err != nil {
			t.Fatal(err)
		}
		if s.Stage != "prod" || s.Region != "us-west-2" {
			t.Errorf("stage %q region %q", s.Stage, s.Region)
		}
	})
	t.Run("variables resolve with options, environment and files", func(t *testing.T) {
		src := head + "  stage: ${opt:stage}\n  environment:\n    OWNER: ${env:OWNER}\n    PLAN: ${opt:plan}\ncustom: ${file(./custom.yml)}\n"
		path := writeService(t, src, map[string]string{"custom.yml": "team: payments\n"})
		env := func(k string) (string, bool) {
			if k == "OWNER" {
				return "alice", true
			}
			return "", false
		}
		s, err := Load(path, Options{Stage: "production", Opts: map[string]string{"plan": "gold"}, Env: env})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Config.Get("provider", "environment", "OWNER").String(); got != "alice" {
			t.Errorf("OWNER = %q", got)
		}
		if got := s.Config.Get("provider", "environment", "PLAN").String(); got != "gold" {
			t.Errorf("PLAN = %q", got)
		}
		if got := s.Config.Get("custom", "team").String(); got != "payments" {
			t.Errorf("custom.team = %q", got)
		}
	})
}
