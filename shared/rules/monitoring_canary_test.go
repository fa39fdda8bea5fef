package rules

import (
	"testing"

	"prodready/shared/inventory"
)

func TestParseCanarySchedule(t *testing.T) {
	cases := []struct {
		expr     string
		once     bool
		maxGap   float64
		perDay   float64
		notDaily bool
		wantErr  bool
	}{
		{expr: "rate(5 minutes)", maxGap: 5, perDay: 288},
		{expr: "rate(1 minute)", maxGap: 1, perDay: 1440},
		{expr: " rate(10 minutes) ", maxGap: 10, perDay: 144},
		{expr: "rate(1 hour)", maxGap: 60, perDay: 24},
		{expr: "rate(2 hours)", maxGap: 120, perDay: 12},
		{expr: "rate(0 minute)", once: true},
		{expr: "rate(0 hour)", once: true},
		{expr: "cron(0/5 * * * ? *)", maxGap: 5, perDay: 288},
		{expr: "cron(*/5 * * * ? *)", maxGap: 5, perDay: 288},
		{expr: "cron(* * * * ? *)", maxGap: 1, perDay: 1440},
		{expr: "cron(0,30 * * * ? *)", maxGap: 30, perDay: 48},
		{expr: "cron(0/5 8-17 * * ? *)", maxGap: 14*60 + 5, perDay: 120},
		{expr: "cron(0/5 * ? * MON-FRI *)", maxGap: 1440, perDay: 288, notDaily: true},
		{expr: "cron(0 12 1 * ? *)", maxGap: 1440, perDay: 1, notDaily: true},
		{expr: "rate(5 days)", wantErr: true},
		{expr: "rate(five minutes)", wantErr: true},
		{expr: "rate(-1 minutes)", wantErr: true},
		{expr: "rate(5)", wantErr: true},
		{expr: "cron(0/5 * * *)", wantErr: true},
		{expr: "cron(61 * * * ? *)", wantErr: true},
		{expr: "cron(0/0 * * * ? *)", wantErr: true},
		{expr: "at(2026-01-01T00:00:00)", wantErr: true},
		{expr: "", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			s, err := parseCanarySchedule(c.expr)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if err != nil {
				return
			}
			if s.Once != c.once || s.MaxGap != c.maxGap || s.PerDay != c.perDay || s.NotDaily != c.notDaily {
				t.Errorf("schedule = %+v, want once %v, max gap %v, %v a day, not daily %v", s, c.once, c.maxGap, c.perDay, c.notDaily)
			}
		})
	}
}

// TestCanaryCoverage checks which APIs a canary is taken to watch.
func TestCanaryCoverage(t *testing.T) {
	cases := []struct {
		name, src string
		covered   []string
	}{
		{"reference in the host name", `
Resources:
  A: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  B: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: b, ProtocolType: HTTP}}
  C: {Type: AWS::Synthetics::Canary, Properties: {Schedule: {Expression: rate(5 minutes)}, RunConfig: {EnvironmentVariables: {host: !Sub "${B}.execute-api.eu-west-2.amazonaws.com"}}}}
`, []string{"B"}},
		{"only API, no reference", `
Resources:
  A: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  W: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: w, ProtocolType: WEBSOCKET}}
  C: {Type: AWS::Synthetics::Canary, Properties: {Schedule: {Expression: rate(5 minutes)}}}
`, []string{"A"}},
		{"only API, canary names an external API", `
Resources:
  A: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  X: {Type: AWS::ApiGateway::RestApi, External: true, Name: shared-api}
  C: {Type: AWS::Synthetics::Canary, Properties: {Schedule: {Expression: rate(5 minutes)}, RunConfig: {EnvironmentVariables: {api: shared-api}}}}
`, nil},
		{"two APIs, no reference", `
Resources:
  A: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  B: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: b, ProtocolType: HTTP}}
  C: {Type: AWS::Synthetics::Canary, Properties: {Schedule: {Expression: rate(5 minutes)}}}
`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := yamlInventory(t, c.src, inventory.FromTemplate)
			var covered []string
			for _, r := range runMonitoringRule(t, APICanary, inv) {
				if r.Pass {
					covered = append(covered, r.Resource)
				}
			}
			if len(covered) != len(c.covered) || (len(covered) > 0 && covered[0] != c.covered[0]) {
				t.Errorf("covered %v, want %v", covered, c.covered)
			}
		})
	}
}
