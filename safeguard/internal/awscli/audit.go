package awscli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"prodready/safeguard/internal/command"
	"prodready/shared/audit"
	"prodready/shared/awsenv"
	"prodready/shared/collect"
	"prodready/shared/findings"
	"prodready/shared/report"
	"prodready/shared/rules"
)

// Audit runs `safeguard audit`: the nightly auditor's code path from a
// laptop or CI. It audits each region with the standard AWS environment,
// prints one report, and, given --bucket and --topic, stores it and
// notifies exactly as the Lambda function does. Exit 0: nothing fails;
// 1: failing findings; 2: something could not be audited.
func Audit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := command.NewFlagSet("audit", stderr)
	var regions command.MultiFlag
	fs.Var(&regions, "region", "region to audit (repeatable or comma-separated; default AWS_REGION)")
	format := fs.String("format", "text", "output format: "+strings.Join(report.Formats(), ", "))
	bucket := fs.String("bucket", "", "report bucket: store the report (audits/<account>/<region>/<date>.json) and read exemptions.yml from it")
	topic := fs.String("topic", "", "SNS topic ARN to notify of new and fixed failures (needs --bucket to compare)")
	stage := fs.String("stage", "production", "stage the account runs: picks the expected backup tag value")
	exemptions := fs.String("exemptions", "", "exemptions file (YAML with an exemptions list); default: exemptions.yml in --bucket")
	services := fs.String("services", "", "collect only these services, comma-separated: "+strings.Join(serviceNames(), ", "))
	concurrency := fs.Int("concurrency", 8, "detail calls in flight per service")
	timeout := fs.Duration("timeout", 0, "give up collecting after this long (the report is still written, marked incomplete); 0: no limit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: safeguard audit [--region R ...] [--format F] [--bucket B] [--topic ARN] [--stage S] [--exemptions FILE]")
		fs.PrintDefaults()
	}
	if pos, err := command.ParseArgs(fs, args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	} else if len(pos) > 0 {
		fmt.Fprintf(stderr, "safeguard audit: unexpected argument %q\n", pos[0])
		return 2
	}
	if !slices.Contains(report.Formats(), *format) {
		fmt.Fprintf(stderr, "safeguard audit: unknown format %q (expected one of: %s)\n", *format, strings.Join(report.Formats(), ", "))
		return 2
	}
	if *concurrency < 1 || *concurrency > 64 {
		fmt.Fprintln(stderr, "safeguard audit: --concurrency must be 1 to 64")
		return 2
	}
	if *topic != "" && *bucket == "" {
		fmt.Fprintln(stderr, "safeguard audit: --topic needs --bucket: the notification lists what changed since the report stored there")
		return 2
	}
	svcList := splitComma(*services)
	for _, s := range svcList {
		if !slices.Contains(serviceNames(), s) {
			fmt.Fprintf(stderr, "safeguard audit: unknown service %q (expected some of: %s)\n", s, strings.Join(serviceNames(), ", "))
			return 2
		}
	}
	cfg := audit.Config{Stage: *stage, Bucket: *bucket, Topic: *topic, Concurrency: *concurrency, Services: svcList, CollectTimeout: *timeout}
	if *exemptions != "" {
		data, err := os.ReadFile(*exemptions)
		if err != nil {
			fmt.Fprintf(stderr, "safeguard audit: %v\n", err)
			return 2
		}
		cfg.Exemptions, cfg.ExemptionsName = data, *exemptions
	}
	var list []string
	for _, r := range regions {
		list = append(list, splitComma(r)...)
	}
	if len(list) == 0 {
		list = []string{""} // the environment's region
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	book := rules.Default()
	var reps []findings.Report
	code := 0
	for _, region := range list {
		awsCfg, err := awsenv.Load(ctx, awsenv.Options{Region: region})
		if err != nil {
			fmt.Fprintf(stderr, "safeguard audit: %v\n", err)
			return 2
		}
		rcfg := cfg
		rcfg.Region = awsCfg.Region
		deps := audit.Deps{Clients: collect.NewClients(awsCfg), STS: sts.NewFromConfig(awsCfg), Book: book, Log: log}
		if *bucket != "" {
			deps.Store = s3.NewFromConfig(awsCfg, func(o *s3.Options) {
				o.UsePathStyle = awsCfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
			})
		}
		if *topic != "" {
			deps.Notifier = sns.NewFromConfig(awsCfg)
		}
		res, err := audit.Run(ctx, rcfg, deps)
		if err != nil {
			fmt.Fprintf(stderr, "safeguard audit: %v\n", err)
			return 2
		}
		reps = append(reps, res.Document.Report)
		code = max(code, res.Status().ExitCode())
		if res.ReportKey != "" {
			fmt.Fprintf(stderr, "safeguard audit: report written to s3://%s/%s\n", *bucket, res.ReportKey)
		}
	}
	if err := report.Render(stdout, *format, merge(reps), report.Options{}); err != nil {
		fmt.Fprintf(stderr, "safeguard audit: %v\n", err)
		return 2
	}
	return code
}

// serviceNames lists the collectors --services accepts.
func serviceNames() []string {
	var out []string
	for _, s := range collect.Services() {
		out = append(out, s.Name)
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// merge joins the reports of several regions into one: findings name their
// resources by ARN, which carries the region.
func merge(reps []findings.Report) findings.Report {
	if len(reps) == 1 {
		return reps[0]
	}
	out := reps[0]
	out.Findings = slices.Clone(out.Findings)
	out.Passed = slices.Clone(out.Passed)
	out.Notes = slices.Clone(out.Notes)
	regions := []string{out.Region}
	for _, r := range reps[1:] {
		regions = append(regions, r.Region)
		out.Findings = append(out.Findings, r.Findings...)
		out.Passed = append(out.Passed, r.Passed...)
		for _, n := range r.Notes {
			n.Subject = r.Region + " " + n.Subject
			out.Notes = append(out.Notes, n)
		}
		s := &out.Summary
		s.Failed += r.Summary.Failed
		s.Exempted += r.Summary.Exempted
		s.Passed += r.Summary.Passed
		s.Resources += r.Summary.Resources
		s.Rules = max(s.Rules, r.Summary.Rules)
		s.Blocking = s.Blocking || r.Summary.Blocking
	}
	out.Region = strings.Join(regions, ",")
	return out
}
