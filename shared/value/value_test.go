package value

import (
	"strings"
	"testing"
)

func TestParseYAMLPositionsAndShortForms(t *testing.T) {
	src := `service: x
provider:
  name: aws
resources:
  Resources:
    T:
      Type: AWS::SNS::Topic
      Properties:
        TopicName: !Sub "${AWS::StackName}-t"
        Arn: !GetAtt Q.Arn
        Ref: !Ref Q
base: &b
  a: 1
derived:
  <<: *b
  c: 2
`
	n, err := ParseYAML("s.yml", []byte(src), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	props := n.Get("resources", "Resources", "T", "Properties")
	if got := props.Get("TopicName", "Fn::Sub").String(); got != "${AWS::StackName}-t" {
		t.Errorf("Sub = %q", got)
	}
	if id, ok := props.Get("Arn").RefTarget(); !ok || id != "Q" {
		t.Errorf("GetAtt target = %q %v", id, ok)
	}
	if id, ok := props.Get("Ref").RefTarget(); !ok || id != "Q" {
		t.Errorf("Ref target = %q %v", id, ok)
	}
	if p := props.Get("TopicName").Pos; p.Line != 9 {
		t.Errorf("TopicName at %v, want line 9", p)
	}
	if p := n.Get("provider").Pos; p.Line != 2 {
		t.Errorf("provider map at %v, want its key's line 2", p)
	}
	if n.Get("derived", "a").String() != "1" || n.Get("derived", "c").String() != "2" {
		t.Errorf("merge key not applied: %v", n.Get("derived").Plain())
	}
}

func TestParseYAMLErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"syntax", "a: [1, 2\nb: 3\n", "s.yml:"},
		{"unknown tag", "a: !Nope x\n", "unknown YAML tag !Nope"},
		{"bad getatt", "a: !GetAtt Foo\n", "!GetAtt expects LogicalId.Attribute"},
		{"duplicate", "a: 1\na: 2\n", "s.yml:2"},
		{"bomb", bomb(), "more than 1000 values"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseYAML("s.yml", []byte(tc.src), Limits{MaxNodes: 1000, MaxDepth: 50})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func bomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestParseJSONPositions(t *testing.T) {
	src := "{\n  \"Resources\": {\n    \"B\": {\n      \"Type\": \"AWS::S3::Bucket\",\n      \"Properties\": {\"X\": [1, true, null]}\n    }\n  }\n}\n"
	n, err := ParseJSON("t.json", []byte(src), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Get("Resources", "B", "Type"); got.String() != "AWS::S3::Bucket" || got.Pos.Line != 4 {
		t.Errorf("Type = %q at %v", got.String(), got.Pos)
	}
	if got := n.Get("Resources", "B", "Properties", "X", "1"); got.Kind != Bool {
		t.Errorf("X[1] kind %v", got.Kind)
	}
	_, err = ParseJSON("t.json", []byte("{\n \"a\": 1,\n \"a\": 2}"), DefaultLimits)
	if err == nil || !strings.Contains(err.Error(), "t.json:3") {
		t.Errorf("duplicate key err = %v", err)
	}
	_, err = ParseJSON("t.json", []byte("{\n \"a\": }"), DefaultLimits)
	if err == nil || !strings.Contains(err.Error(), "t.json:2") {
		t.Errorf("syntax err = %v", err)
	}
}

func TestFlowMapKeyWithColon(t *testing.T) {
	tests := []struct{ src, key, want string }{
		{"a: {aws:SourceArn: x}\n", "aws:SourceArn", "x"},
		{"a: {aws:b:c: x, d: e}\n", "aws:b:c", "x"},
		{"a: {k: v, aws:S: 'q w'}\n", "aws:S", "q w"},
		{"a: {url: http://x.y/z}\n", "url", "http://x.y/z"},
		{"a: {x: y}\n", "x", "y"},
	}
	for _, tc := range tests {
		n, err := ParseYAML("f.yml", []byte(tc.src), DefaultLimits)
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		if got := n.Get("a", tc.key); got.String() != tc.want {
			t.Errorf("%q: a[%q] = %v (map %v)", tc.src, tc.key, got.Plain(), n.Get("a").Plain())
		}
	}
	n, err := ParseYAML("f.yml", []byte("a: {aws:SourceArn: !Ref X}\n"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := n.Get("a", "aws:SourceArn").RefTarget(); !ok || id != "X" {
		t.Errorf("tagged value lost: %v", n.Get("a").Plain())
	}
	if n, _ := ParseYAML("f.yml", []byte("a: {x:y}\n"), DefaultLimits); n.Get("a", "x:y") == nil {
		t.Errorf("{x:y} should be key \"x:y\": %v", n.Get("a").Plain())
	}
}
