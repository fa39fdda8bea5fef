package rules

import (
	"testing"

	"prodready/shared/value"
)

func TestJudgeStatement(t *testing.T) {
	tests := []struct {
		name       string
		stmt       string
		wantPublic bool
		wantUnseen bool
		wantSkip   bool // a Deny statement
	}{
		{"anyone, no condition", `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}`, true, false, false},
		{"AWS wildcard", `{"Effect": "Allow", "Principal": {"AWS": "*"}}`, true, false, false},
		{"wildcard among accounts", `{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}}`, true, false, false},
		{"fixed account", `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}`, false, false, false},
		{"service principal", `{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}}`, false, false, false},
		{"deny is never a grant", `{"Effect": "Deny", "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": false}}}`, false, false, true},
		{"NotPrincipal with Allow", `{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}`, true, false, false},
		{"source ARN fixes it", `{"Effect": "Allow", "Principal": "*", "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/E1"}}}`, false, false, false},
		{"condition keys are case-insensitive", `{"Effect": "Allow", "Principal": "*", "Condition": {"ArnEquals": {"AWS:SOURCEARN": "arn:aws:sns:eu-west-2:1:t"}}}`, false, false, false},
		{"org id fixes it", `{"Effect": "Allow", "Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}`, false, false, false},
		{"ForAnyValue still fixes it", `{"Effect": "Allow", "Principal": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}}}`, false, false, false},
		{"wildcard ARN under a Like operator", `{"Effect": "Allow", "Principal": "*", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::*"}}}`, true, false, false},
		{"negated operator", `{"Effect": "Allow", "Principal": "*", "Condition": {"StringNotEquals": {"aws:SourceAccount": "111122223333"}}}`, true, false, false},
		{"IfExists passes callers without the key", `{"Effect": "Allow", "Principal": "*", "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}}`, true, false, false},
		{"ForAllValues passes callers without the key", `{"Effect": "Allow", "Principal": "*", "Condition": {"ForAllValues:StringEquals": {"aws:SourceVpce": ["vpce-1"]}}}`, true, false, false},
		{"TLS only is not a restriction", `{"Effect": "Allow", "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": true}}}`, true, false, false},
		{"private network", `{"Effect": "Allow", "Principal": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}`, false, false, false},
		{"the whole internet", `{"Effect": "Allow", "Principal": "*", "Condition": {"IpAddress": {"aws:SourceIp": ["0.0.0.0/0", "::/0"]}}}`, true, false, false},
		{"reference is a fixed value", `{"Effect": "Allow", "Principal": "*", "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}`, false, false, false},
		{"Sub with a wildcard", `{"Effect": "Allow", "Principal": "*", "Condition": {"ArnLike": {"aws:SourceArn": {"Fn::Sub": "arn:aws:sns:*:${AWS::AccountId}:*"}}}}`, true, false, false},
		{"Sub without a wildcard", `{"Effect": "Allow", "Principal": "*", "Condition": {"ArnLike": {"aws:SourceArn": {"Fn::Sub": "arn:aws:sns:eu-west-2:${AWS::AccountId}:orders"}}}}`, false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := value.ParseJSON("stmt", []byte(tc.stmt), value.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := judgeStatement(st)
			if !ok != tc.wantSkip {
				t.Fatalf("judged = %v, want skipped = %v", ok, tc.wantSkip)
			}
			if v.Public != tc.wantPublic || (v.Unseen != "") != tc.wantUnseen {
				t.Errorf("public %v unseen %q, want public %v unseen %v", v.Public, v.Unseen, tc.wantPublic, tc.wantUnseen)
			}
			if v.Public && v.Why == "" {
				t.Errorf("public grant without a reason")
			}
		})
	}
}

func TestJudgeStatementUnseen(t *testing.T) {
	unknown := func() *value.Node {
		return value.NewUnknown("${ssm:/x}", "SSM parameter read at deploy time", value.Pos{})
	}
	p := value.Pos{}
	tests := []struct {
		name string
		stmt *value.Node
	}{
		{"principal", value.NewMap(p).Set("Effect", value.NewString("Allow", p)).Set("Principal", unknown())},
		{"AWS principal", value.NewMap(p).Set("Effect", value.NewString("Allow", p)).Set("Principal", value.NewMap(p).Set("AWS", value.NewList(p, unknown())))},
		{"effect", value.NewMap(p).Set("Effect", unknown()).Set("Principal", value.NewString("*", p))},
		{"condition value", value.NewMap(p).Set("Effect", value.NewString("Allow", p)).Set("Principal", value.NewString("*", p)).
			Set("Condition", value.NewMap(p).Set("StringEquals", value.NewMap(p).Set("aws:SourceAccount", unknown())))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := judgeStatement(tc.stmt)
			if !ok || v.Public || v.Unseen == "" {
				t.Errorf("judged %v public %v unseen %q; want an unseen verdict", ok, v.Public, v.Unseen)
			}
		})
	}
}
