package audit

import (
	"context"
	"slices"
	"strings"
	"testing"

	"prodready/shared/audit/audittest"
	"prodready/shared/findings"
	"prodready/shared/rules"
)

// TestAuditMotoRuleByRule seeds moto with a compliant service
// (orders-production) and a non-compliant one (legacy-production), runs the
// whole audit with the real SDK clients, and checks every rule's verdict on
// the seeded resources. CloudWatch and Synthetics come from
// audittest.Monitoring (moto cannot answer them for this SDK).
func TestAuditMotoRuleByRule(t *testing.T) {
	clients, s, _, _ := startAccount(t)
	res, err := Run(context.Background(), Config{Region: "eu-west-2", Account: audittest.Account}, Deps{Clients: clients})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Status(); got != Fail {
		t.Errorf("status = %s, want fail; not audited: %+v", got, res.Document.Audit.NotAudited)
	}
	rest := func(id string) string { return "/restapis/" + id }
	httpAPI := func(id string) string { return "/apis/" + id }
	type want struct{ fail, pass []string } // suffixes of the finding's ARN or resource
	expect := map[string]want{
		"encryption-at-rest": {
			fail: []string{"db:legacy-db", ":::legacy-site", ":legacy-changed", ":legacy-jobs", "domain/legacy-search", "cluster:legacy-warehouse"},
			pass: []string{"table/orders", "db:orders-db", ":::orders-documents", ":orders-changed", ":orders-events", ":orders-events-dlq"}},
		"api-authorizer": {
			fail: []string{rest(s.BadRestAPI) + "/resources/*/methods/GET", httpAPI(s.BadHTTPAPI) + "/routes/*"},
			pass: []string{rest(s.GoodRestAPI) + "/resources/*/methods/GET", httpAPI(s.GoodHTTPAPI) + "/routes/*"}},
		"s3-public-access":   {fail: []string{":::legacy-site"}, pass: []string{":::orders-documents"}},
		"s3-website-hosting": {fail: []string{":::legacy-site"}, pass: []string{":::orders-documents"}},
		"lambda-public-invoke": {
			fail: []string{"legacy-production-worker#policy/public", "legacy-production-worker#url"},
			pass: []string{"legacy-production-worker#policy/sns", "orders-production-api#policy/apigw"}},
		"rds-not-public":    {fail: []string{"db:legacy-db"}, pass: []string{"db:orders-db", "db:orders-db-replica"}},
		"opensearch-in-vpc": {fail: []string{"domain/legacy-search"}},
		"multi-az": {
			fail: []string{"db:legacy-db", "domain/legacy-search", "cluster:legacy-warehouse"},
			pass: []string{"function:orders-production-api", "db:orders-db"}},
		"rds-read-replica": {fail: []string{"db:legacy-db"}, pass: []string{"db:orders-db"}},
		"api-canary": {
			fail: []string{rest(s.BadRestAPI), httpAPI(s.BadHTTPAPI)},
			pass: []string{rest(s.GoodRestAPI), httpAPI(s.GoodHTTPAPI)}},
		"log-retention": {fail: []string{"log-group:/aws/lambda/legacy-production-worker"}, pass: []string{"log-group:/aws/lambda/orders-production-api"}},
		"api-5xx-alarm": {
			fail: []string{rest(s.BadRestAPI), httpAPI(s.BadHTTPAPI)},
			pass: []string{rest(s.GoodRestAPI), httpAPI(s.GoodHTTPAPI)}},
		"canary-alarm": {fail: []string{"canary:legacy-health"}, pass: []string{"canary:orders-rest", "canary:orders-http"}},
		"dashboard":    {fail: []string{audittest.BadStack}, pass: []string{audittest.GoodStack}},
		"xray-tracing": {
			fail: []string{rest(s.BadRestAPI) + "/stages/production", "function:legacy-production-worker"},
			pass: []string{rest(s.GoodRestAPI) + "/stages/production", "function:orders-production-api"}},
		// moto accepts SNS delivery-status attributes but does not return
		// them, so the good topic cannot pass here; the collector's
		// translation is tested at the HTTP level in shared/collect.
		"sns-delivery-logging": {fail: []string{":legacy-changed"}},
		"sns-delivery-alarm":   {fail: []string{":legacy-changed"}, pass: []string{":orders-changed"}},
		"sqs-dlq":              {fail: []string{":legacy-jobs", "function:legacy-production-worker"}, pass: []string{":orders-events"}},
		"dlq-alarm":            {pass: []string{":orders-events-dlq"}},
		"dlq-archive":          {pass: []string{":orders-events-dlq"}},
		"dynamodb-pitr":        {fail: []string{"table/legacy-records"}, pass: []string{"table/orders"}},
		"backup-tags": {
			fail: []string{"table/legacy-records", "db:legacy-db", ":::legacy-site", "domain/legacy-search", "cluster:legacy-warehouse"},
			pass: []string{"table/orders", "db:orders-db", "db:orders-db-replica", ":::orders-documents"}},
		"database-technology": {fail: []string{"db:legacy-db", "cluster:legacy-warehouse"}, pass: []string{"db:orders-db", "table/orders", ":::orders-documents"}},
		"dynamodb-gsi-limit":  {fail: []string{"table/legacy-records"}, pass: []string{"table/orders"}},
	}
	skipped := map[string]bool{}
	for _, n := range res.Document.Notes {
		if n.Kind == "skipped-rule" {
			skipped[n.Subject] = true
		}
	}
	for _, r := range rules.Default().Rules() {
		t.Run(r.ID, func(t *testing.T) {
			if r.LiveSkip != "" {
				if !skipped[r.ID] {
					t.Errorf("rule %s has LiveSkip but no skipped-rule note", r.ID)
				}
				return
			}
			w, ok := expect[r.ID]
			if !ok {
				t.Fatalf("no expectation for rule %s: add the resources it must fail and pass", r.ID)
			}
			failing := ids(res.Document.Findings, r.ID, findings.Fail)
			passing := ids(res.Document.Passed, r.ID, findings.Pass)
			for _, x := range w.fail {
				if !matchAny(failing, x) {
					t.Errorf("%s does not fail; failing: %v", x, failing)
				}
			}
			for _, x := range w.pass {
				if matchAny(failing, x) {
					t.Errorf("%s fails, want pass", x)
				}
				if !matchAny(passing, x) {
					t.Errorf("%s does not pass; passing: %v", x, passing)
				}
			}
			// Nothing of the good service fails except what moto cannot show.
			for _, f := range failing {
				if strings.Contains(f, "orders") && r.ID != "sns-delivery-logging" {
					t.Errorf("compliant resource %s fails", f)
				}
			}
		})
	}
}

func ids(fs []findings.Finding, rule string, st findings.Status) []string {
	var out []string
	for _, f := range fs {
		if f.Rule == rule && f.Status == st {
			id := f.ARN
			if id == "" {
				id = f.Resource
			}
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// matchAny reports whether some id ends with suffix, where * in suffix
// stands for one path segment (a generated resource or route id).
func matchAny(ids []string, suffix string) bool {
	head, tail, wild := strings.Cut(suffix, "*")
	for _, id := range ids {
		if !wild {
			if strings.HasSuffix(id, suffix) {
				return true
			}
			continue
		}
		i := strings.Index(id, head)
		if i < 0 {
			continue
		}
		rest := id[i+len(head):]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			j = len(rest)
		}
		if rest[j:] == tail || (tail == "" && j == len(rest)) {
			return true
		}
	}
	return false
}
