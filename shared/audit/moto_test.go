package audit

import (
	"context"
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
