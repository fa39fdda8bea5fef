// Package audit is the nightly run: collect the live account, judge it with
// the rulebook every deploy passes, store the report in S3 next to the
// previous ones, notify what changed, and publish metrics. The Lambda
// function and `safeguard audit` both call Run; only their wiring differs.
//
// Reports: s3://<bucket>/audits/<account>/<region>/<YYYY-MM-DD>.json (the
// `safeguard check --format json` shape, findings carrying ARNs, plus an
// "audit" object: status, API calls, services not audited, new/fixed
// counts) and the Markdown summary beside it (.md). A run compares itself
// with the latest earlier report of its account and region (or that day's
// first run) and notifies the topic only when something is new or fixed,
// or a service stopped being audited.
//
// Exemptions: a resource tag (see ExemptTagPrefix for its form), or
// exemptions.yml at the root of the report bucket with the same fields as
// custom.safeguard.exemptions. Expired ones fail again.
//
// Status: pass, fail, or incomplete when any service (or a resource of it)
// could not be read or the exemptions file is invalid: a "not-audited" note
// names each, and the Lambda invocation ends in an error so its alarm
// fires. Metrics (EMF, namespace Safeguard/Audit): FailingResources per
// Rule and per Pillar, and ResourcesAudited, FailingFindings, NewFailures,
// FixedFailures, ServicesNotAudited, AuditIncomplete, APICalls and
// DurationSeconds without dimensions.
package audit

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"prodready/shared/collect"
	"prodready/shared/emf"
	"prodready/shared/findings"
	"prodready/shared/policy"
	"prodready/shared/report"
	"prodready/shared/rules"
	"prodready/shared/tracing"
)

// Config is what to audit and where the results go.
type Config struct {
	// Region is the region audited. Account is found with STS when empty.
	Region  string
	Account string
	// Stage is the stage the account runs (default production): it picks
	// the expected backup tag value and whether findings are errors.
	Stage string
	// Settings are the rule settings (zero: policy.Defaults()).
	Settings *policy.Settings
	// Bucket receives the reports and holds exemptions.yml; empty: no
	// report is stored (and nothing is compared).
	Bucket string
	// ExemptionsKey is the exemptions file's key in Bucket (default exemptions.yml).
	ExemptionsKey string
	// Exemptions is an exemptions file's content given directly (the
	// command's --exemptions); ExemptionsName names it in messages.
	Exemptions     []byte
	ExemptionsName string
	// Topic receives a notification when something changed; empty: none.
	Topic string
	// Reserve is the time kept back from the context's deadline for judging
	// and writing the report (default 60s).
	Reserve time.Duration
	// CollectTimeout, when set, bounds collection on its own (the command's
	// --timeout); the report is still judged and written afterwards.
	CollectTimeout time.Duration
	// Concurrency and Services are passed to the collectors.
	Concurrency int
	Services    []string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// CallerIdentity is the part of the STS client used to learn the account.
type CallerIdentity interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Deps are the clients a run uses; tests replace any of them.
type Deps struct {
	Clients  collect.Clients
	STS      CallerIdentity
	Store    ObjectStore // nil: no bucket
	Notifier Publisher   // nil: no notification
	Metrics  *emf.Writer // nil: no metrics
	Book     *rules.Book // nil: rules.Default()
	Log      *slog.Logger
}

// Result is a finished run.
type Result struct {
	Document  Document
	Diff      Diff
	ReportKey string // "" when no bucket
	Notified  bool
	Collected collect.Result
}

// Status is the run's verdict.
func (r *Result) Status() Status { return r.Document.Audit.Status }

// Run audits one region. It returns an error only when it could not
// produce a report at all (no account, a rule crashed, the bucket refused
// the write); services that could not be read make the status Incomplete.
func Run(ctx context.Context, cfg Config, d Deps) (*Result, error) {
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	started := now()
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	book := d.Book
	if book == nil {
		book = rules.Default()
	}
	if cfg.Stage == "" {
		cfg.Stage = "production"
	}
	if cfg.ExemptionsKey == "" {
		cfg.ExemptionsKey = "exemptions.yml"
	}
	if cfg.Reserve == 0 {
		cfg.Reserve = 60 * time.Second
	}
	calls := collect.NewCalls()
	ctx = collect.WithCalls(ctx, calls)

	if cfg.Account == "" {
		if d.STS == nil {
			return nil, fmt.Errorf("audit %s: no account id and no STS client to ask", cfg.Region)
		}
		out, err := d.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("audit %s: find the account: %w", cfg.Region, err)
		}
		cfg.Account = *out.Account
	}

	// Collection gets the time up to the deadline less the reserve, so a
	// slow account still leaves a report (marked incomplete) behind.
	cctx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		cctx, cancel = context.WithDeadline(ctx, dl.Add(-cfg.Reserve))
		defer cancel()
	}
	if cfg.CollectTimeout > 0 {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(cctx, cfg.CollectTimeout)
		defer cancel()
	}
	col := collect.Collect(cctx, d.Clients, collect.Options{Account: cfg.Account, Region: cfg.Region,
		Concurrency: cfg.Concurrency, Services: cfg.Services})
	inv := col.Inventory
	log.Info("collected", "region", cfg.Region, "resources", inv.Len(), "calls", calls.Total(),
		"failures", len(col.Failures), "seconds", col.Duration.Seconds())

	settings := policy.Defaults()
	if cfg.Settings != nil {
		settings = *cfg.Settings
	}
	settings.Stage, settings.BackupStage, settings.Now = cfg.Stage, cfg.Stage, now()

	var configErrors []string
	var notes []findings.Note
	fileExemptions, err := loadExemptionsFile(ctx, cfg, d, book)
	if err != nil {
		configErrors = append(configErrors, err.Error())
		notes = append(notes, findings.Note{Kind: "config-error", Subject: "exemptions", Message: err.Error() + "; no file exemption was applied"})
	}
	tagEx, tagNotes := tagExemptions(inv, book.Has)
	notes = append(notes, tagNotes...)
	settings.Exemptions = append(append(slices.Clone(settings.Exemptions), fileExemptions...), tagEx...)
	sortExemptions(settings.Exemptions)

	var results []rules.Result
	var skipped []rules.Skipped
	if err := tracing.Span(ctx, "rules", func(context.Context) error {
		var err error
		results, skipped, err = book.Run(inv, settings)
		return err
	}); err != nil {
		return nil, fmt.Errorf("audit %s: %w", cfg.Region, err)
	}
	rep := findings.Judge(book, results, skipped, settings)
	rep.Source, rep.Region, rep.Account = "live", cfg.Region, cfg.Account
	for _, f := range col.Failures {
		subject := f.Service
		if f.Resource != "" {
			subject += " " + f.Resource
		}
		notes = append(notes, findings.Note{Kind: "not-audited", Subject: subject,
			Message: fmt.Sprintf("%s (%s); %s", f.Message, f.Reason, f.Effect)})
	}
	rep.Notes = append(notes, rep.Notes...)

	info := RunInfo{Started: started.UTC(), Resources: inv.Len(), Calls: calls.Total(), Attempts: calls.Attempts(),
		Operations: calls.ByOperation(), Services: col.Services, NotAudited: col.Failures, ConfigErrors: configErrors}
	if info.NotAudited == nil {
		info.NotAudited = []collect.Failure{}
	}
	if inv.Len() > 0 {
		info.CallsPerResource = float64(info.Calls) / float64(inv.Len())
	}
	switch {
	case len(col.Failures) > 0 || len(configErrors) > 0:
		info.Status = Incomplete
	case rep.Summary.Failed > 0:
		info.Status = Fail
	default:
		info.Status = Pass
	}
	res := &Result{Collected: col}

	var unread []string
	for _, f := range col.Failures {
		unread = append(unread, f.Types...)
	}
	var prev *Document
	if d.Store != nil && cfg.Bucket != "" {
		res.ReportKey = ReportKey(cfg.Account, cfg.Region, started)
		p, key, err := previousReport(ctx, d.Store, cfg.Bucket, ReportPrefix(cfg.Account, cfg.Region), res.ReportKey)
		if err != nil {
			// Without the previous report every failure would look new;
			// say so rather than notify a flood.
			return nil, fmt.Errorf("audit %s: %w", cfg.Region, err)
		}
		prev, info.Previous = p, key
	}
	res.Diff = Compare(prev, rep, unread, info.notAuditedServices())
	res.Diff.Previous = info.Previous
	info.New, info.Fixed = len(res.Diff.New), len(res.Diff.Fixed)
	info.Duration = time.Since(started).Seconds()
	res.Document = Document{Report: rep, Audit: info}

	if res.ReportKey != "" {
		if err := writeReport(ctx, d.Store, cfg.Bucket, res.ReportKey, &res.Document); err != nil {
			return nil, fmt.Errorf("audit %s: %w", cfg.Region, err)
		}
	}
	if d.Notifier != nil && cfg.Topic != "" && res.Diff.Changed() {
		url := ""
		if res.ReportKey != "" {
			url = "s3://" + cfg.Bucket + "/" + strings.TrimSuffix(res.ReportKey, ".json") + ".md"
		}
		subject, body := message(cfg.Account, cfg.Region, res.Diff, info.Status, url)
		if err := notify(ctx, d.Notifier, cfg.Topic, subject, body); err != nil {
			return nil, fmt.Errorf("audit %s: %w", cfg.Region, err)
		}
		res.Notified = true
	}
	if d.Metrics != nil {
		if err := emitMetrics(d.Metrics, book, rep, info, cfg.Account, cfg.Region); err != nil {
			log.Warn("metrics not written", "error", err)
		}
	}
	log.Info("audited", "region", cfg.Region, "status", info.Status, "failed", rep.Summary.Failed,
		"new", info.New, "fixed", info.Fixed, "report", res.ReportKey, "notified", res.Notified)
	return res, nil
}

// loadExemptionsFile reads the exemptions given to the command, or else
// exemptions.yml from the report bucket (a missing file exempts nothing).
func loadExemptionsFile(ctx context.Context, cfg Config, d Deps, book *rules.Book) ([]policy.Exemption, error) {
	if cfg.Exemptions != nil {
		name := cfg.ExemptionsName
		if name == "" {
			name = "exemptions"
		}
		return parseExemptionsFile(name, cfg.Exemptions, book.Has)
	}
	if d.Store == nil || cfg.Bucket == "" {
		return nil, nil
	}
	data, found, err := readObject(ctx, d.Store, cfg.Bucket, cfg.ExemptionsKey)
	if err != nil || !found {
		return nil, err
	}
	return parseExemptionsFile("s3://"+cfg.Bucket+"/"+cfg.ExemptionsKey, data, book.Has)
}

// writeReport stores the JSON report and its Markdown summary.
func writeReport(ctx context.Context, st ObjectStore, bucket, key string, doc *Document) error {
	data, err := doc.encode()
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	var md bytes.Buffer
	if err := report.Render(&md, "markdown", doc.Report, report.Options{}); err != nil {
		return err
	}
	if err := putObject(ctx, st, bucket, key, "application/json", data); err != nil {
		return err
	}
	return putObject(ctx, st, bucket, strings.TrimSuffix(key, ".json")+".md", "text/markdown; charset=utf-8", md.Bytes())
}
