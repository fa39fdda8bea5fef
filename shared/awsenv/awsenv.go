// Package awsenv builds the AWS SDK configuration both Lambda functions and
// the command use: the standard environment (profiles, AWS_REGION,
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>), adaptive retry for
// throttling, and X-Ray around every call when tracing is on.
package awsenv

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"

	"prodready/shared/tracing"
)

// Options adjust the configuration.
type Options struct {
	// Region overrides AWS_REGION and the profile's region.
	Region string
	// MaxAttempts bounds retries per call (0: 8, enough to ride out throttling).
	MaxAttempts int
}

// Load returns the SDK configuration for the standard environment.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	attempts := o.MaxAttempts
	if attempts == 0 {
		attempts = 8
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
				ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) { so.MaxAttempts = attempts })
			})
		}),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("load AWS configuration: no region: set AWS_REGION or pass --region")
	}
	tracing.InstrumentAWS(&cfg)
	return cfg, nil
}
