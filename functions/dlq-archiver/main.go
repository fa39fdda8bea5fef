// Command dlq-archiver is the Lambda function that copies dead-letter queue
// messages to S3 before SQS expires them (see package prodready/shared/dlq).
// Build: GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap.
// This file only wires: clients are built once per process and reused by
// every invocation.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"prodready/shared/awsenv"
	"prodready/shared/dlq"
	"prodready/shared/emf"
	"prodready/shared/tracing/xray"
)

// metricsNamespace is where the archiver's EMF metrics land in CloudWatch.
const metricsNamespace = "Safeguard/DLQArchiver"

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("dlq archiver cannot start", "error", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	settings, err := dlq.SettingsFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if err := xray.Enable(); err != nil {
		return err
	}
	cfg, err := awsenv.Load(context.Background(), awsenv.Options{})
	if err != nil {
		return err
	}
	cfg.HTTPClient = dlq.HTTPClient()
	h := &dlq.Handler{
		Archiver: &dlq.Archiver{
			SQS:     sqs.NewFromConfig(cfg),
			Store:   dlq.Store{S3: s3.NewFromConfig(cfg, quietChecksums), Bucket: settings.Bucket, KMSKeyID: settings.KMSKeyID},
			Config:  settings.Config,
			Log:     log,
			Metrics: emf.New(os.Stdout, metricsNamespace),
		},
		Queues: settings.Queues,
	}
	lambda.Start(h.Handle)
	return nil
}

// quietChecksums stops the S3 client logging, on every GetObject of an
// object written without a checksum, that it skipped validating one.
func quietChecksums(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }
