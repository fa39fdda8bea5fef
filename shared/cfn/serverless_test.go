package cfn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// compiled returns an inventory as the serverless.yml loader leaves it
// before the resources: section: the REST API and a function it compiled.
func compiled() *inventory.Inventory {
	inv := inventory.New(inventory.FromServerless)
	p := value.Pos{File: "serverless.yml", Line: 12, Col: 3}
	api := value.NewMap(p)
	api.Set("Name", value.NewString("production-svc", p))
	api.Set("EndpointConfiguration", value.NewMap(p).Set("Types", value.NewList(p, value.NewString("EDGE", p))))
	inv.Add(&inventory.Resource{ID: "ApiGatewayRestApi", Type: "AWS::ApiGateway::RestApi", Name: "production-svc", Props: api, Pos: p,
		Origin: inventory.FromServerless, Tags: map[string]*value.Node{"Service": value.NewString("svc", p)}})
	fn := value.NewMap(p)
	fn.Set("FunctionName", value.NewString("svc-production-api", p))
	fn.Set("Tags", value.NewList(p, value.NewMap(p).Set("Key", value.NewString("Old", p)).Set("Value", value.NewString("1", p))))
	inv.Add(&inventory.Resource{ID: "ApiLambdaFunction", Type: "AWS::Lambda::Function", Name: "svc-production-api", Props: fn, Pos: p,
		Origin: inventory.FromServerless, Tags: map[string]*value.Node{"Old": value.NewString("1", p), "Service": value.NewString("svc", p)}})
	return inv
}

func TestServerlessResourcesMergeIntoCompiled(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want maps logical id to "type name props tags [condition]"; a
		// missing id must not be in the inventory.
		want map[string]string
		gone []string
	}{
		{
			name: "override without Type merges deeply",
			src: `
Resources:
  ApiGatewayRestApi:
    Properties:
      EndpointConfiguration:
        Types: [REGIONAL]
      Policy: {Version: "2012-10-17"}
`,
			want: map[string]string{
				"ApiGatewayRestApi": `AWS::ApiGateway::RestApi production-svc {Name: "production-svc", EndpointConfiguration: {Types: ["REGIONAL"]}, Policy: {Version: "2012-10-17"}} Service="svc"`,
			},
		},
		{
			name: "override renames and retags",
			src: `
Resources:
  ApiLambdaFunction:
    Properties:
      FunctionName: renamed
      Tags: [{Key: New, Value: "2"}]
`,
			want: map[string]string{
				"ApiLambdaFunction": `AWS::Lambda::Function renamed {FunctionName: "renamed", Tags: [{Key: "New", Value: "2"}]} New="2",Service="svc"`,
			},
		},
		{
			name: "override with a false condition removes the compiled resource",
			src: `
Conditions:
  Never: !Equals [a, b]
Resources:
  ApiLambdaFunction:
    Condition: Never
`,
			gone: []string{"ApiLambdaFunction"},
		},
		{
			name: "override with an unknown condition marks it",
			src: `
Parameters:
  P: {Type: String}
Conditions:
  Maybe: !Equals [!Ref P, b]
Resources:
  ApiLambdaFunction:
    Condition: Maybe
`,
			want: map[string]string{
				"ApiLambdaFunction": `AWS::Lambda::Function svc-production-api {FunctionName: "svc-production-api", Tags: [{Key: "Old", Value: "1"}]} Old="1",Service="svc" Maybe`,
			},
		},
		{
			name: "extensions assign properties shallowly",
			src: `
extensions:
  ApiGatewayRestApi:
    Properties:
      EndpointConfiguration:
        VpcEndpointIds: [vpce-1]
    DeletionPolicy: Retain
`,
			want: map[string]string{
				"ApiGatewayRestApi": `AWS::ApiGateway::RestApi production-svc {Name: "production-svc", EndpointConfiguration: {VpcEndpointIds: ["vpce-1"]}} Service="svc"`,
			},
		},
		{
			name: "extensions see resources added in the same section",
			src: `
Resources:
  Bucket:
    Type: AWS::S3::Bucket
extensions:
  Bucket:
    Properties:
      BucketName: extended
`,
			want: map[string]string{
				"Bucket": `AWS::S3::Bucket extended {BucketName: "extended"} `,
			},
		},
		{
			name: "extension of a resource whose condition is false is skipped",
			src: `
Conditions:
  Never: !Equals [a, b]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Condition: Never
extensions:
  Bucket:
    Properties:
      BucketName: extended
`,
			gone: []string{"Bucket"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := compiled()
			if err := Load(inv, parse(t, tc.src), Options{Origin: inventory.FromServerless}); err != nil {
				t.Fatalf("Load: %v", err)
			}
			for id, want := range tc.want {
				r := inv.ByID(id)
				if r == nil {
					t.Fatalf("%s missing", id)
				}
				got := strings.TrimSpace(r.Type + " " + r.Name + " " + dump(r.Props) + " " + dumpTags(r.Tags) + " " + r.Attrs["condition"])
				if got != strings.TrimSpace(want) {
					t.Errorf("%s\n got: %s\nwant: %s", id, got, want)
				}
				if id != "Bucket" && (r.Origin != inventory.FromServerless || r.Pos.File != "serverless.yml") {
					t.Errorf("%s: origin %s at %v, want the compiled resource's", id, r.Origin, r.Pos)
				}
			}
			for _, id := range tc.gone {
				if inv.ByID(id) != nil {
					t.Errorf("%s still in the inventory", id)
				}
			}
		})
	}
}

func TestServerlessResourcesErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		line     int
		contains string
	}{
		{"extension of a missing resource", "extensions:\n  Missing:\n    Properties: {A: 1}\n", 2, "cannot extend Missing: the service has no resource with that logical id"},
		{"extension of an unsupported attribute", "extensions:\n  ApiGatewayRestApi:\n    Type: AWS::S3::Bucket\n", 3, "cannot extend ApiGatewayRestApi with Type"},
		{"extension Properties not a map", "extensions:\n  ApiGatewayRestApi:\n    Properties: [a]\n", 3, "extensions.ApiGatewayRestApi.Properties must be a map"},
		{"new resource without Type", "Resources:\n  NotCompiled:\n    Properties: {A: 1}\n", 2, "resource NotCompiled has no Type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := compiled()
			before := inv.Len()
			err := Load(inv, parse(t, tc.src), Options{Origin: inventory.FromServerless})
			checkError(t, err, "t.yml", tc.line, tc.contains)
			if inv.Len() != before {
				t.Errorf("a failed load changed the inventory")
			}
		})
	}
}

// TestCorpusResources loads the resources: section of every real service,
// with the stage variables resolved as the serverless.yml loader would.
func TestCorpusResources(t *testing.T) {
	files, _ := filepath.Glob("../../tests/corpus/hackney/*.yml")
	if len(files) < 15 {
		t.Fatalf("found %d corpus files, want 15", len(files))
	}
	load := func(t *testing.T, file, stage string) *inventory.Inventory {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		resolved := strings.NewReplacer("${self:provider.stage}", stage, "${opt:stage}", stage).Replace(string(src))
		doc, err := value.ParseYAML(file, []byte(resolved), value.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		inv := inventory.New(inventory.FromServerless)
		o := Options{Origin: inventory.FromServerless, Region: "eu-west-2", StackTags: map[string]*value.Node{"BackupPolicy": str("Prod")}}
		if err := Load(inv, doc.Field("resources"), o); err != nil {
			t.Fatalf("%s: %v", filepath.Base(file), err)
		}
		return inv
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			inv := load(t, f, "production")
			if inv.Len() == 0 {
				t.Error("no resources loaded")
			}
			for _, r := range inv.All() {
				if r.Pos.File != f || r.Pos.Line == 0 {
					t.Errorf("%s at %v", r.ID, r.Pos)
				}
			}
		})
	}
	conditional := []struct {
		file, id string
		stages   map[string]bool // stage -> present
	}{
		{"processes-api.yml", "Canary", map[string]bool{"production": true, "staging": true, "development": false}},
		{"patches-and-areas-api.yml", "Canary", map[string]bool{"production": true, "staging": false}},
		{"api-auth-verify-token.yml", "AllowDRCrossAccountAuthorizer", map[string]bool{"production": true, "staging": false}},
		{"api-auth-verify-token.yml", "assumeRoleForDRPolicy", map[string]bool{"production": true, "development": false}},
	}
	for _, c := range conditional {
		for stage, present := range c.stages {
			t.Run(c.file+"/"+c.id+"/"+stage, func(t *testing.T) {
				var file string
				for _, f := range files {
					if filepath.Base(f) == c.file {
						file = f
					}
				}
				inv := load(t, file, stage)
				if got := inv.ByID(c.id) != nil; got != present {
					t.Errorf("%s present = %v in %s, want %v", c.id, got, stage, present)
				}
			})
		}
	}
}
