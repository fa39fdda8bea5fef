package cfn

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"prodready/shared/value"
)

// The condition styles of the council's services, after the Framework has
// resolved ${self:provider.stage}: processes-api.yml (Fn::Equals on the
// stage, Fn::Or of Condition references), patches-and-areas-api.yml
// (Fn::Equals) and api-auth-verify-token.yml (!Equals).
const processesConditions = `
Conditions:
  IsProdDeployment:
    Fn::Equals:
      - STAGE
      - production
  IsStagingDeployment:
    Fn::Equals:
      - STAGE
      - staging
  CreateCanary:
    Fn::Or:
      - Condition: IsStagingDeployment
      - Condition: IsProdDeployment
`

const authConditions = `
Conditions:
  CreateDRPolicies: !Equals
    - STAGE
    - "production"
`

func TestEvalConditions(t *testing.T) {
	withStage := func(tmpl, stage string) string { return strings.ReplaceAll(tmpl, "STAGE", stage) }
	tests := []struct {
		name string
		tmpl string
		o    Options
		// edit replaces parts of the parsed template, as the serverless.yml
		// loader does with variables it cannot resolve.
		edit func(*value.Node)
		want map[string]Truth
	}{
		{
			name: "processes-api in production",
			tmpl: withStage(processesConditions, "production"),
			want: map[string]Truth{"IsProdDeployment": True, "IsStagingDeployment": False, "CreateCanary": True},
		},
		{
			name: "processes-api in staging",
			tmpl: withStage(processesConditions, "staging"),
			want: map[string]Truth{"IsProdDeployment": False, "IsStagingDeployment": True, "CreateCanary": True},
		},
		{
			name: "processes-api in development",
			tmpl: withStage(processesConditions, "development"),
			want: map[string]Truth{"IsProdDeployment": False, "IsStagingDeployment": False, "CreateCanary": False},
		},
		{
			name: "processes-api with the stage unresolved",
			tmpl: withStage(processesConditions, "x"),
			edit: func(n *value.Node) {
				for _, c := range []string{"IsProdDeployment", "IsStagingDeployment"} {
					n.Get("Conditions", c, "Fn::Equals").Items[0] = value.NewUnknown("${opt:stage}", "no --stage given", value.Pos{})
				}
			},
			want: map[string]Truth{"IsProdDeployment": Unknown, "IsStagingDeployment": Unknown, "CreateCanary": Unknown},
		},
		{
			name: "api-auth-verify-token short form in production",
			tmpl: withStage(authConditions, "production"),
			want: map[string]Truth{"CreateDRPolicies": True},
		},
		{
			name: "api-auth-verify-token short form in staging",
			tmpl: withStage(authConditions, "staging"),
			want: map[string]Truth{"CreateDRPolicies": False},
		},
		{
			name: "parameter without a value is unknown, and so is what depends on it",
			tmpl: `
Parameters:
  Stage: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, production]
  NotProd: !Not [!Condition IsProd]
  ProdAndTrue: !And [!Condition IsProd, !Equals [a, a]]
  ProdOrTrue: !Or [!Condition IsProd, !Equals [a, a]]
  ProdAndFalse: !And [!Condition IsProd, !Equals [a, b]]
  ProdOrFalse: !Or [!Condition IsProd, !Equals [a, b]]
`,
			want: map[string]Truth{"IsProd": Unknown, "NotProd": Unknown, "ProdAndTrue": Unknown, "ProdOrTrue": True, "ProdAndFalse": False, "ProdOrFalse": Unknown},
		},
		{
			name: "parameter value given wins over the default",
			tmpl: `
Parameters:
  Stage: {Type: String, Default: development}
Conditions:
  IsProd: !Equals [!Ref Stage, production]
`,
			o:    Options{Parameters: map[string]string{"Stage": "production"}},
			want: map[string]Truth{"IsProd": True},
		},
		{
			name: "parameter default",
			tmpl: `
Parameters:
  Stage: {Type: String, Default: development}
  Count: {Type: Number, Default: 3}
Conditions:
  IsProd: !Equals [!Ref Stage, production]
  IsThree: !Equals [!Ref Count, 3]
`,
			want: map[string]Truth{"IsProd": False, "IsThree": True},
		},
		{
			name: "SSM parameter types are read at deploy time",
			tmpl: `
Parameters:
  Stage: {Type: "AWS::SSM::Parameter::Value<String>", Default: /service/stage}
Conditions:
  IsProd: !Equals [!Ref Stage, production]
`,
			want: map[string]Truth{"IsProd": Unknown},
		},
		{
			name: "pseudo parameters known and unknown",
			tmpl: `
Conditions:
  InLondon: !Equals [!Ref AWS::Region, eu-west-2]
  InAccount: !Equals [!Ref AWS::AccountId, "123456789012"]
  Commercial: !Equals [!Ref AWS::Partition, aws]
  Suffix: !Equals [!Ref AWS::URLSuffix, amazonaws.com]
  Stack: !Equals [!Ref AWS::StackName, svc-production]
`,
			o:    Options{Region: "eu-west-2", StackName: "svc-production"},
			want: map[string]Truth{"InLondon": True, "InAccount": Unknown, "Commercial": True, "Suffix": True, "Stack": True},
		},
		{
			name: "partition follows a China region",
			tmpl: `
Conditions:
  Commercial: !Equals [!Ref AWS::Partition, aws]
  Suffix: !Equals [!Ref AWS::URLSuffix, amazonaws.com.cn]
`,
			o:    Options{Region: "cn-north-1"},
			want: map[string]Truth{"Commercial": False, "Suffix": True},
		},
		{
			name: "operands folded through Fn::Join, Fn::Sub, Fn::Select and Fn::FindInMap",
			tmpl: `
Parameters:
  Stage: {Type: String, Default: production}
  Zones: {Type: CommaDelimitedList, Default: "a, b,c"}
Mappings:
  Stages:
    production: {Alerts: "yes"}
Conditions:
  Joined: !Equals [!Join ["-", [svc, !Ref Stage]], svc-production]
  Subbed: !Equals [!Sub "${Stage}-${AWS::Region}", production-eu-west-2]
  Selected: !Equals [!Select [1, !Ref Zones], b]
  Mapped: !Equals [!FindInMap [Stages, !Ref Stage, Alerts], "yes"]
  ListJoined: !Equals [!Join [",", !Ref Zones], "a,b,c"]
`,
			o:    Options{Region: "eu-west-2"},
			want: map[string]Truth{"Joined": True, "Subbed": True, "Selected": True, "Mapped": True, "ListJoined": True},
		},
		{
			name: "values compare as strings",
			tmpl: `
Conditions:
  BoolString: !Equals [true, "true"]
  NumberString: !Equals [180, "180"]
  Different: !Equals ["True", true]
`,
			want: map[string]Truth{"BoolString": True, "NumberString": True, "Different": False},
		},
		{
			name: "an intrinsic that cannot be folded is unknown",
			tmpl: `
Conditions:
  Imported: !Equals [!ImportValue shared-stage, production]
  SubOfUnknownRegion: !Equals [!Sub "${AWS::Region}", eu-west-2]
`,
			want: map[string]Truth{"Imported": Unknown, "SubOfUnknownRegion": Unknown},
		},
		{
			name: "condition referenced before it is defined",
			tmpl: `
Conditions:
  Outer: !And [!Condition Inner, !Not [!Equals [a, b]]]
  Inner: !Equals [a, a]
`,
			want: map[string]Truth{"Outer": True, "Inner": True},
		},
		{
			name: "no Conditions section",
			tmpl: `Resources: {}`,
			want: map[string]Truth{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := parse(t, tc.tmpl)
			if tc.edit != nil {
				tc.edit(tmpl)
			}
			got, err := EvalConditions(tmpl, tc.o)
			if err != nil {
				t.Fatalf("EvalConditions: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("got %d conditions %v, want %d", len(got), got, len(tc.want))
			}
			for name, want := range tc.want {
				if got[name] != want {
					t.Errorf("%s = %v, want %v", name, got[name], want)
				}
			}
		})
	}
}

func TestEvalConditionsErrors(t *testing.T) {
	tests := []struct {
		name     string
		tmpl     string
		line     int
		contains string
	}{
		{
			name: "undefined condition",
			tmpl: `Conditions:
  A: !Equals [a, a]
  B: !Or
    - !Condition A
    - !Condition Missing
`,
			line: 5, contains: "condition Missing is not defined in Conditions (defined: A, B)",
		},
		{
			name: "cycle",
			tmpl: `Conditions:
  A: !And [!Condition B, !Equals [a, a]]
  B: !Not [!Condition A]
`,
			line: 3, contains: "condition A refers to itself: A -> B -> A",
		},
		{
			name: "self reference",
			tmpl: `Conditions:
  A: !Condition A
`,
			line: 2, contains: "condition A refers to itself: A -> A",
		},
		{
			name: "Fn::Equals with one operand",
			tmpl: `Conditions:
  A:
    Fn::Equals: [a]
`,
			line: 3, contains: "Fn::Equals expects a list of two values, found 1 item",
		},
		{
			name: "Fn::Or with one operand",
			tmpl: `Conditions:
  A: !Equals [a, a]
  B: !Or [!Condition A]
`,
			line: 3, contains: "Fn::Or expects a list of 2 to 10 conditions",
		},
		{
			name: "not a condition function",
			tmpl: `Conditions:
  A: "true"
`,
			line: 2, contains: `condition A: expected a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition), found "true"`,
		},
		{
			name: "other intrinsic as a condition",
			tmpl: `Conditions:
  A: !Sub "x"
`,
			line: 2, contains: "Fn::Sub is not a condition function",
		},
		{
			name: "condition refers to a resource",
			tmpl: `Conditions:
  A: !Equals [!Ref Bucket, x]
Resources:
  Bucket: {Type: "AWS::S3::Bucket"}
`,
			line: 2, contains: "a condition can only refer to parameters and pseudo parameters, and Bucket is neither",
		},
		{
			name: "Fn::If inside a condition",
			tmpl: `Conditions:
  A: !Equals [a, a]
  B: !Equals [!If [A, x, y], x]
`,
			line: 3, contains: "Fn::If cannot be used inside a condition",
		},
		{
			name: "Conditions not a map",
			tmpl: `Conditions:
  - A
`,
			line: 1, contains: "Conditions must be a map",
		},
		{
			name: "template not a map",
			tmpl: `- Conditions`,
			line: 1, contains: "expected a CloudFormation template (a map with a Resources section), found a list",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := EvalConditions(parse(t, tc.tmpl), Options{})
			checkError(t, err, "t.yml", tc.line, tc.contains)
		})
	}
}

func TestConditionChainIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("Conditions:\n")
	const n = 3000
	for i := 0; i < n; i++ {
		b.WriteString("  C" + strconv.Itoa(i) + ": !Condition C" + strconv.Itoa(i+1) + "\n")
	}
	b.WriteString("  C" + strconv.Itoa(n) + ": !Equals [a, a]\n")
	_, err := EvalConditions(parse(t, b.String()), Options{})
	checkError(t, err, "t.yml", 0, "conditions nest deeper than 1000 references")
}

// checkError asserts err is a *value.Error at file:line (line 0: any line)
// whose message contains want.
func checkError(t *testing.T, err error, file string, line int, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	var ve *value.Error
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *value.Error", err, err)
	}
	if ve.Pos.File != file || (line != 0 && ve.Pos.Line != line) {
		t.Errorf("error at %v, want %s:%d (%v)", ve.Pos, file, line, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}
