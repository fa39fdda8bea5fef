package cfn

import (
	"strings"
	"testing"

	"prodready/shared/inventory"
)

// propsTemplate is the head every case of TestProperties shares: a known
// true and false condition, one unknown, parameters with and without values,
// and a mapping.
const propsTemplate = `
Parameters:
  Stage: {Type: String, Default: production}
  Email: {Type: String}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: "subnet-a,subnet-b"}
Mappings:
  Retention:
    production: {Days: 180}
Conditions:
  IsProd: !Equals [!Ref Stage, production]
  IsDev: !Equals [!Ref Stage, development]
  HasEmail: !Not [!Equals [!Ref Email, ""]]
Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
`

func TestProperties(t *testing.T) {
	tests := []struct {
		name  string
		props string // indented under Properties:
		o     Options
		want  string
	}{
		{
			name:  "Fn::If on a true and a false condition picks the branch",
			props: "A: !If [IsProd, yes, no]\nB: !If [IsDev, yes, no]\nC: !If [IsProd, {Nested: !If [IsDev, x, y]}, z]",
			want:  `{A: "yes", B: "no", C: {Nested: "y"}}`,
		},
		{
			name:  "Fn::If on an unknown condition is unknown",
			props: "A: !If [HasEmail, !Ref Email, none]",
			want:  `{A: ?(depends on condition HasEmail)}`,
		},
		{
			name:  "AWS::NoValue removes the key and the list item",
			props: "A: !Ref AWS::NoValue\nB: [1, !Ref AWS::NoValue, 3]\nC: !If [IsProd, !Ref AWS::NoValue, x]\nD: !If [IsDev, x, !Ref AWS::NoValue]\nE: [!If [IsDev, x, !Ref AWS::NoValue]]\nF: kept",
			want:  `{B: [1, 3], E: [], F: "kept"}`,
		},
		{
			name:  "Refs to parameters and pseudo parameters become values",
			props: "Stage: !Ref Stage\nRegion: !Ref AWS::Region\nPartition: !Ref AWS::Partition\nSubnets: !Ref Subnets\nEmail: !Ref Email\nAccount: !Ref AWS::AccountId\nStackId: !Ref AWS::StackId",
			o:     Options{Region: "eu-west-2"},
			want: `{Stage: "production", Region: "eu-west-2", Partition: "aws", Subnets: ["subnet-a", "subnet-b"], ` +
				`Email: ?(template parameter Email has no value here and no Default; it is set at deploy time), ` +
				`Account: ?(AWS::AccountId is the account the stack is deployed to, which is not known here), ` +
				`StackId: ?(AWS::StackId is assigned when the stack is created)}`,
		},
		{
			name:  "Refs and GetAtts to resources stay",
			props: "Queue: !Ref Queue\nArn: !GetAtt Queue.Arn\nLong:\n  Fn::GetAtt: [Queue, Arn]",
			want:  `{Queue: {Ref: "Queue"}, Arn: {Fn::GetAtt: ["Queue", "Arn"]}, Long: {Fn::GetAtt: ["Queue", "Arn"]}}`,
		},
		{
			name: "Fn::Sub of known values folds",
			props: "A: !Sub ${Stage}-${AWS::Region}-${!Literal}\nB: !Sub [\"${Name}-${AWS::StackName}\", {Name: !Ref Stage}]\nC: !Sub plain\n" +
				"D: !Sub ${AWS::Partition}:${AWS::URLSuffix}",
			o:    Options{Region: "eu-west-2", StackName: "svc-production"},
			want: `{A: "production-eu-west-2-${Literal}", B: "production-svc-production", C: "plain", D: "aws:amazonaws.com"}`,
		},
		{
			name:  "Fn::Sub over a resource or an unknown value stays",
			props: "A: !Sub arn:aws:sqs:${AWS::Region}:${Queue}\nB: !Sub [\"${X}\", {X: !GetAtt Queue.Arn}]\nC: !Sub ${Email}",
			o:     Options{Region: "eu-west-2"},
			want:  `{A: {Fn::Sub: "arn:aws:sqs:${AWS::Region}:${Queue}"}, B: {Fn::Sub: ["${X}", {X: {Fn::GetAtt: ["Queue", "Arn"]}}]}, C: {Fn::Sub: "${Email}"}}`,
		},
		{
			name:  "Fn::Join of known values folds; with a resource it stays, its known parts resolved",
			props: "A: !Join [\"-\", [svc, !Ref Stage, 5]]\nB: !Join [\":\", [arn, !Ref AWS::Partition, !Ref Queue]]\nC: !Join [\",\", !Ref Subnets]\nD: !Join [\"\", [a, !If [IsDev, b, !Ref AWS::NoValue], c]]",
			want:  `{A: "svc-production-5", B: {Fn::Join: [":", ["arn", "aws", {Ref: "Queue"}]]}, C: "subnet-a,subnet-b", D: "ac"}`,
		},
		{
			name:  "Fn::Select, Fn::Split and Fn::FindInMap over known values fold",
			props: "A: !Select [1, !Ref Subnets]\nB: !Split [\",\", \"x,y\"]\nC: !FindInMap [Retention, !Ref Stage, Days]\nD: !Select [0, !GetAZs \"\"]\nE: !Select [\"1\", [p, q]]",
			want:  `{A: "subnet-b", B: ["x", "y"], C: 180, D: {Fn::Select: [0, {Fn::GetAZs: ""}]}, E: "q"}`,
		},
		{
			name:  "other functions stay, their arguments resolved",
			props: "A:\n  Fn::Base64:\n    Fn::Sub: ${Stage}\nB: !ImportValue shared-key\nC:\n  Fn::GetAZs: !Ref AWS::Region",
			o:     Options{Region: "eu-west-2"},
			want:  `{A: {Fn::Base64: "production"}, B: {Fn::ImportValue: "shared-key"}, C: {Fn::GetAZs: "eu-west-2"}}`,
		},
		{
			name:  "null values are dropped as the Framework drops them",
			props: "A: null\nB: {C: ~, D: 1}\nE: [null]",
			want:  `{B: {D: 1}, E: [null]}`,
		},
		{
			name:  "IAM policy Condition keys are not condition references",
			props: "Statement:\n  - Effect: Allow\n    Condition:\n      Bool:\n          aws:SecureTransport: false",
			want:  `{Statement: [{Effect: "Allow", Condition: {Bool: {aws:SecureTransport: false}}}]}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := propsTemplate + indent(tc.props, "      ")
			inv, err := load(t, src, tc.o)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			r := inv.ByID("R")
			if r == nil {
				t.Fatalf("resource R not loaded: %v", ids(inv))
			}
			if got := dump(r.Props); got != tc.want {
				t.Errorf("Props\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

func TestPropertiesKeepPositions(t *testing.T) {
	src := propsTemplate + `      Name: !Join ["-", [svc, !Ref Stage]]
      Mode: !If
        - IsProd
        - Active
        - PassThrough
      Region: !Ref AWS::Region
      Unknown: !If [HasEmail, a, b]
`
	inv, err := load(t, src, Options{Region: "eu-west-2"})
	if err != nil {
		t.Fatal(err)
	}
	r := inv.ByID("R")
	for _, tc := range []struct {
		prop string
		line int
	}{
		// A folded function is where it was written; a chosen Fn::If
		// branch where the branch is.
		{"Name", 17}, {"Mode", 20}, {"Region", 22}, {"Unknown", 23},
	} {
		if got := r.Prop(tc.prop).Pos; got.Line != tc.line || got.File != "t.yml" {
			t.Errorf("%s at %v, want t.yml:%d", tc.prop, got, tc.line)
		}
	}
	if r.Pos.Line != 14 {
		t.Errorf("resource at %v, want line 14, its logical id", r.Pos)
	}
}

func TestLoadDoesNotModifyTemplate(t *testing.T) {
	src := propsTemplate + "      A: !If [IsProd, !Ref AWS::NoValue, x]\n      B: !Join [\"-\", [a, !Ref Stage]]\n      C: null\n"
	tmpl := parse(t, src)
	before := dump(tmpl)
	if err := Load(inventory.New(inventory.FromTemplate), tmpl, Options{}); err != nil {
		t.Fatal(err)
	}
	if after := dump(tmpl); after != before {
		t.Errorf("Load changed the template\nbefore: %s\n after: %s", before, after)
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestPropertiesOnAnUnknownCondition(t *testing.T) {
	inv, err := load(t, `
Parameters:
  P: {Type: String}
Conditions:
  Maybe: !Equals [!Ref P, x]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: !If [Maybe, {BucketName: a}, {BucketName: b}]
  Empty:
    Type: AWS::S3::Bucket
    Properties: !If [Maybe, !Ref AWS::NoValue, !Ref AWS::NoValue]
`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := inv.ByID("Bucket")
	if !b.Props.IsUnknown() || b.Props.Why != "depends on condition Maybe" || b.Prop("BucketName") != nil || b.Name != "" {
		t.Errorf("Bucket props %s name %q, want an Unknown that reads as nothing", dump(b.Props), b.Name)
	}
	if e := inv.ByID("Empty"); !e.Props.IsUnknown() {
		t.Errorf("Empty props %s, want Unknown", dump(e.Props))
	}
}
