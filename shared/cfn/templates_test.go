package cfn

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

var update = flag.Bool("update", false, "rewrite the golden listings in testdata/templates")

// loadCompiled loads testdata/templates/NAME.json, the template osls
// compiled from testdata/services/NAME (see testdata/regen.sh), as the
// plugin would hand it over: stage production in eu-west-2, with the
// service's provider.stackTags.
func loadCompiled(t testing.TB, name string) *inventory.Inventory {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join("testdata", "services", name, "serverless.yml"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := value.ParseYAML("serverless.yml", cfg, value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	stackTags := map[string]*value.Node{}
	svc.Get("provider", "stackTags").Each(func(k string, v *value.Node) { stackTags[k] = v })
	stack := svc.Field("service").String() + "-production"
	inv := inventory.New(inventory.FromTemplate)
	o := Options{Origin: inventory.FromTemplate, Region: "eu-west-2", StackName: stack, Stack: stack, StackTags: stackTags}
	if err := LoadFile(inv, filepath.Join("testdata", "templates", name+".json"), o); err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	return inv
}

// listing renders one line per resource: id, type, name, flags, tags.
func listing(inv *inventory.Inventory) string {
	var b strings.Builder
	for _, r := range inv.All() {
		name, flags, tags := r.Name, []string{}, dumpTags(r.Tags)
		if name == "" {
			name = "-"
		}
		if r.Framework {
			flags = append(flags, "framework")
		}
		if c := r.Attrs["condition"]; c != "" {
			flags = append(flags, "condition="+c)
		}
		if len(flags) == 0 {
			flags = append(flags, "-")
		}
		if tags == "" {
			tags = "-"
		}
		b.WriteString(strings.Join([]string{r.ID, r.Type, name, strings.Join(flags, ","), tags}, "\t") + "\n")
	}
	return b.String()
}

func TestCompiledTemplates(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "templates", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates in testdata/templates (run testdata/regen.sh): %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			got := listing(loadCompiled(t, name))
			golden := filepath.Join("testdata", "templates", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestCompiledTemplates -update)", err)
			}
			if got != string(want) {
				t.Errorf("listing differs from %s (rerun with -update if the change is right)\n got:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestCompiledTemplateSemantics checks what the listings cannot show: the
// properties rules read, after conditions and folding.
func TestCompiledTemplateSemantics(t *testing.T) {
	tests := []struct {
		template, id string
		path         []string
		want         string
	}{
		// data: conditions in resources: decide in production.
		{"data", "PeopleTable", []string{"PointInTimeRecoverySpecification"}, `{PointInTimeRecoveryEnabled: true}`},
		{"data", "ArchiveBucket", []string{"BucketName"}, `"data-production-archive-eu-west-2"`},
		{"data", "ArchiveBucket", []string{"ObjectLockEnabled"}, `<nil>`},
		{"data", "AppLogs", []string{"RetentionInDays"}, `"180"`},
		{"data", "Canary", []string{"ExecutionRoleArn"}, `{Fn::Sub: "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/CanaryRole"}`},
		{"data", "Canary", []string{"ArtifactS3Location"}, `{Fn::Join: ["-", ["s3://cw-syn-results", ?(AWS::AccountId is the account the stack is deployed to, which is not known here), "eu-west-2"]]}`},
		{"data", "CanaryAlarm", []string{"AlarmName"}, `"data-production-canary-failed"`},
		{"data", "CanaryAlarm", []string{"Dimensions"}, `[{Name: "CanaryName", Value: "data-health"}]`},
		{"data", "AlertSubscription", []string{"Endpoint"}, `?(template parameter AlertEmail has no value here and no Default; it is set at deploy time)`},
		{"data", "ReaderLambdaFunction", []string{"TracingConfig"}, `{Mode: "Active"}`},
		// events: the wiring rules follow.
		{"events", "ListenerEventSourceMappingSQSWorkQueue", []string{"EventSourceArn"}, `{Fn::GetAtt: ["WorkQueue", "Arn"]}`},
		{"events", "FailureQueue", []string{"QueueName"}, `"events-production-failures-eu-west-2"`},
		{"events", "NotifiedLambdaEvConf", []string{"DestinationConfig"}, `{OnFailure: {Destination: {Fn::GetAtt: ["FailureQueue", "Arn"]}}}`},
		{"events", "NightlyLogGroup", []string{"RetentionInDays"}, `180`},
		// rest-api: the authorizer and the API key route.
		{"rest-api", "ApiGatewayMethodItemsIdVarGet", []string{"AuthorizationType"}, `"CUSTOM"`},
		{"rest-api", "ApiGatewayMethodItemsPost", []string{"ApiKeyRequired"}, `true`},
		{"rest-api", "ApiGatewayMethodSwaggerProxyVarGet", []string{"AuthorizationType"}, `"NONE"`},
		// http-api: the JWT route and the open one.
		{"http-api", "HttpApiRouteGetPeopleIdVar", []string{"AuthorizationType"}, `"JWT"`},
		{"http-api", "HttpApiRouteGetHealth", []string{"AuthorizerId"}, `<nil>`},
	}
	invs := map[string]*inventory.Inventory{}
	for _, tc := range tests {
		t.Run(tc.template+"/"+tc.id+"/"+strings.Join(tc.path, "."), func(t *testing.T) {
			inv := invs[tc.template]
			if inv == nil {
				inv = loadCompiled(t, tc.template)
				invs[tc.template] = inv
			}
			r := inv.ByID(tc.id)
			if r == nil {
				t.Fatalf("%s not loaded", tc.id)
			}
			if got := dump(r.Prop(tc.path...)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
