package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Environment variables the Lambda function reads (serverless.yml sets them).
const (
	EnvBucket        = "SAFEGUARD_REPORT_BUCKET"     // report bucket (required in Lambda)
	EnvTopic         = "SAFEGUARD_TOPIC_ARN"         // notification topic (optional)
	EnvStage         = "SAFEGUARD_STAGE"             // stage the account runs (default production)
	EnvRegions       = "SAFEGUARD_REGIONS"           // regions to audit, comma-separated (default AWS_REGION)
	EnvExemptionsKey = "SAFEGUARD_EXEMPTIONS_KEY"    // exemptions file in the bucket (default exemptions.yml)
	EnvConcurrency   = "SAFEGUARD_CONCURRENCY"       // detail calls in flight per service (default 8)
	EnvServices      = "SAFEGUARD_SERVICES"          // collect only these services (default all)
	EnvNamespace     = "SAFEGUARD_METRICS_NAMESPACE" // EMF namespace (default Safeguard/Audit)
)

// DefaultNamespace is the CloudWatch namespace of the audit's metrics.
const DefaultNamespace = "Safeguard/Audit"

// Env is the auditor's configuration read from the environment.
type Env struct {
	Config    Config
	Regions   []string
	Namespace string
}

// EnvConfig reads the configuration; region is the function's own region,
// the default for SAFEGUARD_REGIONS.
func EnvConfig(getenv func(string) string, region string) (Env, error) {
	e := Env{Namespace: DefaultNamespace}
	c := &e.Config
	c.Bucket = getenv(EnvBucket)
	if c.Bucket == "" {
		return e, fmt.Errorf("%s is not set: the auditor needs a bucket for its reports", EnvBucket)
	}
	c.Topic = getenv(EnvTopic)
	c.Stage = getenv(EnvStage)
	c.ExemptionsKey = getenv(EnvExemptionsKey)
	if v := getenv(EnvConcurrency); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return e, fmt.Errorf("%s must be a whole number from 1 to 64, found %q", EnvConcurrency, v)
		}
		c.Concurrency = n
	}
	c.Services = splitList(getenv(EnvServices))
	e.Regions = splitList(getenv(EnvRegions))
	if len(e.Regions) == 0 {
		if region == "" {
			return e, fmt.Errorf("no region: set AWS_REGION or %s", EnvRegions)
		}
		e.Regions = []string{region}
	}
	if v := getenv(EnvNamespace); v != "" {
		e.Namespace = v
	}
	return e, nil
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// Handler runs the audit for a scheduled event. Build it once (outside the
// Lambda handler function) so clients are reused across invocations.
type Handler struct {
	Config  Config
	Regions []string
	// Deps returns the clients for a region.
	Deps func(region string) Deps
}

// RegionSummary is one region's outcome, as the invocation returns it.
type RegionSummary struct {
	Region string `json:"region"`
	Status Status `json:"status"`
	Report string `json:"report,omitempty"`
	Failed int    `json:"failed"`
	New    int    `json:"new"`
	Fixed  int    `json:"fixed"`
	Error  string `json:"error,omitempty"`
}

// ErrIncomplete is returned (wrapped) when some region could not be fully
// audited, so the invocation counts as an error and its alarm fires.
var ErrIncomplete = errors.New("audit incomplete")

// Handle audits every region in turn, giving each an equal share of the
// time left. The reports are written either way; the error says whether
// every service of every region was read.
func (h *Handler) Handle(ctx context.Context, ev events.EventBridgeEvent) ([]RegionSummary, error) {
	var out []RegionSummary
	var bad []string
	for i, region := range h.Regions {
		cfg := h.Config
		cfg.Region = region
		if cfg.Account == "" {
			cfg.Account = ev.AccountID
		}
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if dl, ok := ctx.Deadline(); ok {
			share := time.Until(dl) / time.Duration(len(h.Regions)-i)
			rctx, cancel = context.WithDeadline(ctx, time.Now().Add(share))
		}
		res, err := Run(rctx, cfg, h.Deps(region))
		cancel()
		s := RegionSummary{Region: region}
		if err != nil {
			s.Status, s.Error = Incomplete, err.Error()
			bad = append(bad, region+": "+err.Error())
		} else {
			s.Status, s.Report = res.Status(), res.ReportKey
			s.Failed, s.New, s.Fixed = res.Document.Summary.Failed, len(res.Diff.New), len(res.Diff.Fixed)
			if s.Status == Incomplete {
				bad = append(bad, region+": "+notAuditedText(res.Document.Audit))
			}
		}
		out = append(out, s)
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("%w: %s", ErrIncomplete, strings.Join(bad, "; "))
	}
	return out, nil
}

func notAuditedText(info RunInfo) string {
	parts := append([]string(nil), info.ConfigErrors...)
	for _, f := range info.NotAudited {
		s := f.Service
		if f.Resource != "" {
			s += " " + f.Resource
		}
		parts = append(parts, s+" not audited ("+f.Reason+")")
	}
	return strings.Join(parts, ", ")
}
