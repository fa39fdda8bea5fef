package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"prodready/shared/collect"
	"prodready/shared/emf"
	"prodready/shared/findings"
	"prodready/shared/rules"
)

func fail(rule, arn, typ string) findings.Finding {
	return findings.Finding{Rule: rule, Status: findings.Fail, Resource: arn, ARN: arn, Type: typ, Pillar: "Back ups", Message: rule + " on " + arn}
}

func TestCompare(t *testing.T) {
	const table, queue, alarmed = "arn:aws:dynamodb:r:1:table/t", "arn:aws:sqs:r:1:q", "arn:aws:apigateway:r::/restapis/a"
	prev := &Document{Report: findings.Report{Findings: []findings.Finding{
		fail("dynamodb-pitr", table, "AWS::DynamoDB::Table"),        // fixed
		fail("backup-tags", table, "AWS::DynamoDB::Table"),          // unchanged
		fail("sqs-dlq", queue, "AWS::SQS::Queue"),                   // unknown: sqs not audited now
		{Rule: "dashboard", Status: findings.Exempt, Resource: "x"}, // exempt: not a failure
	}}, Audit: RunInfo{NotAudited: []collect.Failure{}}}
	cur := findings.Report{Findings: []findings.Finding{
		fail("backup-tags", table, "AWS::DynamoDB::Table"),
		fail("api-5xx-alarm", alarmed, "AWS::ApiGateway::RestApi"), // new
		{Rule: "dashboard", Status: findings.Exempt, Resource: "x"},
	}}
	tests := []struct {
		name                       string
		prev                       *Document
		unread, notAudited         []string
		wantNew, wantFixed         []string
		wantUnchanged, wantUnknown int
		wantFirst, wantChanged     bool
		wantNotAudited             []string
	}{
		{name: "first run: every failure is new", prev: nil, wantNew: []string{"backup-tags", "api-5xx-alarm"}, wantFirst: true, wantChanged: true},
		{name: "new, fixed, unchanged and unknown", prev: prev, unread: []string{"AWS::SQS::Queue"}, notAudited: []string{"sqs"},
			wantNew: []string{"api-5xx-alarm"}, wantFixed: []string{"dynamodb-pitr"}, wantUnchanged: 1, wantUnknown: 1, wantChanged: true, wantNotAudited: []string{"sqs"}},
		{name: "a service read again fixes its failures", prev: prev,
			wantNew: []string{"api-5xx-alarm"}, wantFixed: []string{"dynamodb-pitr", "sqs-dlq"}, wantUnchanged: 1, wantChanged: true},
		{name: "nothing changed", prev: &Document{Report: cur}, wantUnchanged: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Compare(tc.prev, cur, tc.unread, tc.notAudited)
			if got := rulesOf(d.New); !sameSet(got, tc.wantNew) {
				t.Errorf("new = %v, want %v", got, tc.wantNew)
			}
			if got := rulesOf(d.Fixed); !sameSet(got, tc.wantFixed) {
				t.Errorf("fixed = %v, want %v", got, tc.wantFixed)
			}
			if d.Unchanged != tc.wantUnchanged || d.Unknown != tc.wantUnknown || d.First != tc.wantFirst || d.Changed() != tc.wantChanged {
				t.Errorf("unchanged %d unknown %d first %v changed %v", d.Unchanged, d.Unknown, d.First, d.Changed())
			}
			if !sameSet(d.NotAudited, tc.wantNotAudited) {
				t.Errorf("not audited = %v, want %v", d.NotAudited, tc.wantNotAudited)
			}
		})
	}
}

func TestCompareKeysByARN(t *testing.T) {
	// Two resources with one display name in different services are
	// different findings.
	prev := &Document{Report: findings.Report{Findings: []findings.Finding{fail("backup-tags", "arn:aws:sqs:r:1:orders", "AWS::SQS::Queue")}}}
	cur := findings.Report{Findings: []findings.Finding{fail("backup-tags", "arn:aws:dynamodb:r:1:table/orders", "AWS::DynamoDB::Table")}}
	d := Compare(prev, cur, nil, nil)
	if len(d.New) != 1 || len(d.Fixed) != 1 {
		t.Fatalf("new %v fixed %v, want one each", d.New, d.Fixed)
	}
}

func TestMessage(t *testing.T) {
	d := Diff{New: []findings.Finding{fail("dynamodb-pitr", "arn:t", "T")}, Fixed: []findings.Finding{fail("backup-tags", "arn:q", "Q")}, NotAudited: []string{"cloudwatch"}}
	subject, body := message("123456789012", "eu-west-2", d, Incomplete, "s3://b/audits/x.md")
	if subject != "Safeguard audit 123456789012 eu-west-2: 1 new, 1 fixed, incomplete" {
		t.Errorf("subject = %q", subject)
	}
	for _, want := range []string{"New failures (1):\n- [dynamodb-pitr] arn:t:", "Fixed (1):\n- [backup-tags] arn:q:", "Not audited", "cloudwatch", "s3://b/audits/x.md"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	many := Diff{}
	for range 5000 {
		many.New = append(many.New, findings.Finding{Rule: "r", Resource: strings.Repeat("x", 100), Message: strings.Repeat("m", 100)})
	}
	_, body = message("1", "r", many, Fail, "")
	if len(body) > maxMessage+200 || !strings.Contains(body, "more (see the full report)") {
		t.Errorf("a long message is %d bytes, want it cut under %d with a pointer to the report", len(body), maxMessage)
	}
}

func TestEmitMetrics(t *testing.T) {
	var out bytes.Buffer
	w := emf.New(&out, "Safeguard/Audit")
	book := rules.Default()
	rep := findings.Report{
		Findings: []findings.Finding{
			fail("dynamodb-pitr", "arn:a", "T"), fail("dynamodb-pitr", "arn:b", "T"), fail("backup-tags", "arn:a", "T"),
			{Rule: "backup-tags", Status: findings.Exempt, ARN: "arn:c", Pillar: "Back ups"},
		},
		Notes: []findings.Note{{Kind: "skipped-rule", Subject: "lambda-vpc-for-private-db"}},
	}
	if err := emitMetrics(w, book, rep, RunInfo{Status: Fail, Resources: 10, Calls: 20}, "1", "r"); err != nil {
		t.Fatal(err)
	}
	perRule, perPillar := map[string]float64{}, map[string]float64{}
	var totals map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		switch {
		case rec["Rule"] != nil:
			perRule[rec["Rule"].(string)] = rec["FailingResources"].(float64)
		case rec["Pillar"] != nil:
			perPillar[rec["Pillar"].(string)] = rec["FailingResources"].(float64)
		default:
			totals = rec
		}
	}
	if perRule["dynamodb-pitr"] != 2 || perRule["backup-tags"] != 1 || perRule["dashboard"] != 0 {
		t.Errorf("per rule = %v", perRule)
	}
	if _, ok := perRule["lambda-vpc-for-private-db"]; ok {
		t.Errorf("a rule skipped on live accounts has no metric")
	}
	if perPillar["Back ups"] != 2 { // resources arn:a and arn:b
		t.Errorf("per pillar = %v", perPillar)
	}
	if totals["ResourcesAudited"] != 10.0 || totals["APICalls"] != 20.0 || totals["AuditIncomplete"] != 0.0 {
		t.Errorf("totals = %v", totals)
	}
}

func rulesOf(fs []findings.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}
