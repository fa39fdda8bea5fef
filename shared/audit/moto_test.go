package audit

import (
	"context"
	"os"
	"testing"

	"prodready/shared/audit/audittest"
	"prodready/shared/awsenv"
	"prodready/shared/collect"
	"prodready/shared/motoserver"
)

// startAccount seeds moto with the two services and serves CloudWatch and
// Synthetics from the fake; it returns clients for the whole account.
func startAccount(t *testing.T) (collect.Clients, audittest.Seeded, *audittest.Monitoring, *motoserver.Server) {
	t.Helper()
	srv := motoserver.Start(t)
	ctx := context.Background()
	cfg, err := awsenv.Load(ctx, awsenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seeded := audittest.Seed(t, audittest.Client{Cfg: cfg, URL: srv.URL})
	mon := seeded.Monitoring(cfg.Region)
	fake := mon.Start(t)
	t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH", fake.URL)
	t.Setenv("AWS_ENDPOINT_URL_SYNTHETICS", fake.URL)
	cfg, err = awsenv.Load(ctx, awsenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return collect.NewClients(cfg), seeded, mon, srv
}

func TestDumpMoto(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	clients, _, _, _ := startAccount(t)
	res, err := Run(context.Background(), Config{Region: "eu-west-2", Account: audittest.Account}, Deps{Clients: clients})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Collected.Inventory.All() {
		t.Logf("%s %s stack=%s name=%s props=%v attrs=%v", r.Type, r.ID, r.Stack, r.Name, r.Props.Plain(), r.Attrs)
	}
	for _, f := range res.Collected.Failures {
		t.Logf("FAILURE %+v", f)
	}
	for _, f := range res.Document.Findings {
		t.Logf("FINDING %s %s %s: %s", f.Rule, f.Status, f.Resource, f.Message)
	}
	for _, f := range res.Document.Passed {
		t.Logf("PASS %s %s: %s", f.Rule, f.Resource, f.Message)
	}
	for _, n := range res.Document.Notes {
		t.Logf("NOTE %+v", n)
	}
	t.Logf("calls %d resources %d", res.Document.Audit.Calls, res.Document.Audit.Resources)
}
