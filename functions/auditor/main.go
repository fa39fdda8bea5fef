// Command auditor is the nightly Lambda function: on each scheduled event it
// audits the account's configured regions against the production-readiness
// rulebook and writes the reports to S3. The work is in shared/audit; this
// file only wires clients (built once, reused across invocations).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"prodready/shared/audit"
	"prodready/shared/awsenv"
	"prodready/shared/collect"
	"prodready/shared/emf"
	"prodready/shared/tracing/xray"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	if err := xray.Enable(); err != nil {
		log.Error("tracing setup", "error", err)
		os.Exit(1)
	}
	ctx := context.Background()
	home, err := awsenv.Load(ctx, awsenv.Options{})
	if err != nil {
		log.Error("configuration", "error", err)
		os.Exit(1)
	}
	env, err := audit.EnvConfig(os.Getenv, home.Region)
	if err != nil {
		log.Error("configuration", "error", err)
		os.Exit(1)
	}
	store := s3.NewFromConfig(home, func(o *s3.Options) {
		o.UsePathStyle = home.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	})
	notifier := sns.NewFromConfig(home)
	identity := sts.NewFromConfig(home)
	metrics := emf.New(os.Stdout, env.Namespace)
	deps := map[string]audit.Deps{}
	for _, region := range env.Regions {
		cfg, err := awsenv.Load(ctx, awsenv.Options{Region: region})
		if err != nil {
			log.Error("configuration", "region", region, "error", err)
			os.Exit(1)
		}
		deps[region] = audit.Deps{Clients: collect.NewClients(cfg), STS: identity, Store: store, Notifier: notifier, Metrics: metrics, Log: log}
	}
	h := &audit.Handler{Config: env.Config, Regions: env.Regions, Deps: func(r string) audit.Deps { return deps[r] }}
	lambda.Start(h.Handle)
}
