// Package project tests the project's own serverless.yml: what it grants
// each function must be exactly what the code calls.
package project

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"prodready/shared/collect"
	"prodready/shared/inventory"
	"prodready/shared/serverless"
	"prodready/shared/value"
)

func compile(t *testing.T) *inventory.Inventory {
	t.Helper()
	svc, err := serverless.Load("../../serverless.yml", serverless.Options{Stage: "production"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := svc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// actions lists the actions of a role's inline policy by policy name.
func actions(t *testing.T, role *inventory.Resource, policy string) []string {
	t.Helper()
	var out []string
	for _, p := range role.Prop("Policies").List() {
		if p.Get("PolicyName").String() != policy {
			continue
		}
		for _, st := range p.Get("PolicyDocument", "Statement").List() {
			out = append(out, st.Get("Action").Strings()...)
		}
		sort.Strings(out)
		return out
	}
	t.Fatalf("role %s has no policy %s", role.ID, policy)
	return nil
}

// The auditor's read-only policy is exactly its collectors' actions: a
// collector that calls something new fails here until the grant follows.
func TestAuditorReadsExactlyWhatItsCollectorsCall(t *testing.T) {
	inv := compile(t)
	got := actions(t, inv.ByID("AuditorRole"), "read-the-account")
	want := collect.Actions()
	if !slices.Equal(got, want) {
		t.Errorf("AuditorRole read-the-account grants\n  %v\nthe collectors call\n  %v", got, want)
	}
}

// No role grants a wildcard action, and only actions that cannot name a
// resource (listing, tracing) are granted on every resource.
func TestNoWildcardActions(t *testing.T) {
	inv := compile(t)
	unscoped := map[string]bool{"sqs:ListQueues": true, "xray:PutTraceSegments": true, "xray:PutTelemetryRecords": true}
	for _, a := range collect.Actions() {
		unscoped[a] = true // read-only describes and lists of the whole account
	}
	for _, role := range inv.OfType("AWS::IAM::Role") {
		for _, p := range role.Prop("Policies").List() {
			for _, st := range p.Get("PolicyDocument", "Statement").List() {
				for _, a := range st.Get("Action").Strings() {
					if strings.Contains(a, "*") {
						t.Errorf("%s/%s grants wildcard action %s", role.ID, p.Get("PolicyName").String(), a)
					}
					if res := st.Get("Resource"); res.String() == "*" && !unscoped[a] && st.Get("Condition") == nil {
						t.Errorf("%s/%s grants %s on every resource", role.ID, p.Get("PolicyName").String(), a)
					}
				}
			}
		}
	}
}

// Each function runs under its own role, and the archiver can do what its
// code does with dead-letter queues and the archive, no more.
func TestArchiverGrants(t *testing.T) {
	inv := compile(t)
	for fn, role := range map[string]string{"AuditorLambdaFunction": "AuditorRole", "DlqArchiverLambdaFunction": "DLQArchiverRole"} {
		r := inv.ByID(fn)
		if r == nil {
			t.Fatalf("no %s", fn)
		}
		if id, ok := r.Prop("Role").RefTarget(); !ok || id != role {
			t.Errorf("%s runs as %s, want its own role %s", fn, describe(r.Prop("Role")), role)
		}
	}
	got := actions(t, inv.ByID("DLQArchiverRole"), "archive-dead-letters")
	want := []string{"kms:Decrypt", "kms:Decrypt", "kms:GenerateDataKey", "s3:GetObject", "s3:PutObject",
		"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
		"sqs:ListQueueTags", "sqs:ListQueues", "sqs:ReceiveMessage", "sqs:SendMessage"}
	if !slices.Equal(got, want) {
		t.Errorf("DLQArchiverRole archive-dead-letters grants %v, want %v", got, want)
	}
}

func describe(n *value.Node) string { return n.Describe() }
