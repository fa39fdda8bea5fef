package cfn

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// fuzzSeeds are small templates exercising each feature and each error.
var fuzzSeeds = []string{
	processesConditions,
	authConditions,
	propsTemplate + "      A: !If [IsProd, !Ref AWS::NoValue, x]\n      B: !Join [\"-\", [a, !Ref Stage]]\n      C: !Sub \"${Stage}-${AWS::Region}\"\n      D: !FindInMap [Retention, !Ref Stage, Days]\n      E: !Select [0, !Split [\",\", \"a,b\"]]\n",
	"Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\nResources:\n  R:\n    Type: AWS::S3::Bucket\n    Condition: A\n",
	"Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Condition: Missing\n",
	"Resources:\n  R:\n    Properties: {}\n",
	"Resources: [a]\n",
	"Transform: AWS::Serverless-2016-10-31\nResources: {}\n",
	"Parameters:\n  P: {Type: CommaDelimitedList, Default: \"a,b\"}\nConditions:\n  C: !Equals [!Select [1, !Ref P], b]\nResources:\n  R:\n    Type: AWS::DynamoDB::GlobalTable\n    Condition: C\n    Properties:\n      Replicas: [{Region: eu-west-2, Tags: [{Key: K, Value: !If [C, a, b]}]}]\n",
	"Resources:\n  ApiGatewayRestApi:\n    Properties:\n      Name: x\nextensions:\n  ApiLambdaFunction:\n    Properties: {Timeout: 6}\n",
	`{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Join": ["-", ["a", {"Ref": "AWS::StackName"}]]}}}}}`,
}

func FuzzLoad(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	templates, _ := filepath.Glob(filepath.Join("testdata", "templates", "*.json"))
	for _, p := range templates {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, false)
	}
	f.Fuzz(func(t *testing.T, src []byte, serverless bool) {
		lim := value.Limits{MaxBytes: 1 << 20, MaxNodes: 50_000, MaxDepth: 64}
		tmpl, err := value.Parse("f.yml", src, lim)
		if err != nil {
			return
		}
		before := dump(tmpl)
		origin, inv := inventory.FromTemplate, inventory.New(inventory.FromTemplate)
		if serverless {
			origin, inv = inventory.FromServerless, compiled()
		}
		startLen := inv.Len()
		o := Options{Region: "eu-west-2", StackName: "svc-production", Origin: origin, Limits: lim,
			StackTags: map[string]*value.Node{"BackupPolicy": str("Prod")}}
		err = Load(inv, tmpl, o)
		if after := dump(tmpl); after != before {
			t.Fatalf("Load modified the template\nbefore: %s\n after: %s", before, after)
		}
		if err != nil {
			var ve *value.Error
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T) is not a *value.Error", err, err)
			}
			if inv.Len() != startLen {
				t.Fatalf("a failed load changed the inventory from %d to %d resources", startLen, inv.Len())
			}
			return
		}
		truths, err := EvalConditions(tmpl, o)
		if err != nil {
			t.Fatalf("Load succeeded but EvalConditions failed: %v", err)
		}
		for _, r := range inv.All() {
			switch {
			case r.ID == "" || r.Type == "":
				t.Fatalf("resource without id or type: %+v", r)
			case r.Props == nil || (r.Props.Kind != value.Map && r.Props.Kind != value.Unknown):
				t.Fatalf("%s: Props %s", r.ID, dump(r.Props))
			case r.Tags == nil:
				t.Fatalf("%s: nil Tags", r.ID)
			}
			if c := r.Attrs["condition"]; c != "" && truths[c] != Unknown {
				t.Fatalf("%s: marked with condition %s, which is %v", r.ID, c, truths[c])
			}
		}
		// Loading is deterministic.
		again := inventory.New(origin)
		if serverless {
			again = compiled()
		}
		if err := Load(again, tmpl, o); err != nil {
			t.Fatalf("second load failed: %v", err)
		}
		if a, b := listing(inv), listing(again); a != b {
			t.Fatalf("two loads differ\n%s\n%s", a, b)
		}
	})
}
