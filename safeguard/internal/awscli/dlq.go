package awscli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"prodready/safeguard/internal/command"
	"prodready/shared/awsenv"
	"prodready/shared/dlq"
)

const dlqUsage = `usage:
  safeguard dlq archive --queue URL|--all --bucket B [--kms-key K] [--margin 48h] [--now]
  safeguard dlq restore --from s3://bucket/prefix --to QUEUE_URL [--dry-run]

archive --queue archives every message of that queue now (it has been reviewed).
archive --all works on every discovered DLQ (redrive targets, queues tagged
safeguard:dlq-archive=true, and those in DLQ_ARCHIVE_QUEUES): it archives the
messages that would expire before the next hourly run plus --margin, or every
message with --now. A message leaves its queue only once its S3 object exists.
restore re-sends archived messages with their attributes; to a FIFO queue with
their group id, and their original message id as deduplication id.

Exit status: 0 all done, 1 some messages failed (they stay in their queue),
2 bad usage or configuration.`

// DLQ runs `safeguard dlq archive|restore`: the DLQ archiver's code path
// from a laptop or CI, with the standard AWS environment.
func DLQ(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, dlqUsage)
		return command.ExitCannot
	}
	switch args[0] {
	case "archive":
		return dlqArchive(ctx, args[1:], stdout, stderr)
	case "restore":
		return dlqRestore(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, dlqUsage)
		return command.ExitOK
	}
	fmt.Fprintf(stderr, "safeguard dlq: unknown subcommand %q\n%s\n", args[0], dlqUsage)
	return command.ExitCannot
}

func dlqArchive(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := command.NewFlagSet("dlq archive", stderr)
	queue := fs.String("queue", "", "archive every message of this queue (URL, ARN or name) now")
	all := fs.Bool("all", false, "archive from every discovered dead-letter queue")
	bucket := fs.String("bucket", "", "archive bucket (required)")
	kmsKey := fs.String("kms-key", "", "SSE-KMS key id or ARN for the objects (default: the bucket's aws/s3 key)")
	margin := fs.Duration("margin", dlq.DefaultMargin, "with --all: archive messages that expire within the next run plus this")
	interval := fs.Duration("interval", dlq.DefaultInterval, "with --all: time until the next scheduled run")
	now := fs.Bool("now", false, "with --all: archive every message, not only those about to expire")
	prefix := fs.String("prefix", "dlq", "key prefix in the bucket")
	timeout := fs.Duration("timeout", 15*time.Minute, "stop taking messages after this long (the rest stays queued)")
	format := fs.String("format", "text", "summary format: text or json")
	fs.Usage = func() { fmt.Fprintln(stderr, dlqUsage); fs.PrintDefaults() }
	if code, ok := dlqParse(fs, args, stderr); !ok {
		return code
	}
	var problems []string
	switch {
	case *queue == "" && !*all:
		problems = append(problems, "give --queue URL or --all")
	case *queue != "" && *all:
		problems = append(problems, "give --queue or --all, not both")
	}
	if *bucket == "" {
		problems = append(problems, "--bucket is required")
	}
	if *margin < 0 || *interval < 0 || *timeout <= 0 {
		problems = append(problems, "--margin and --interval must not be negative, --timeout must be positive")
	}
	if *format != "text" && *format != "json" {
		problems = append(problems, fmt.Sprintf("unknown --format %q (text or json)", *format))
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "safeguard dlq archive: %s\n", strings.Join(problems, "; "))
		return command.ExitCannot
	}
	sqsc, s3c, err := dlqClients(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "safeguard dlq archive: %v\n", err)
		return command.ExitCannot
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	a := &dlq.Archiver{
		SQS:   sqsc,
		Store: dlq.Store{S3: s3c, Bucket: *bucket, KMSKeyID: *kmsKey},
		Config: dlq.Config{Prefix: strings.Trim(*prefix, "/"), Policy: dlq.Policy{Interval: *interval, Margin: *margin},
			StopBefore: min(30*time.Second, *timeout/10)},
		Log: slog.New(slog.NewTextHandler(stderr, nil)),
	}

	var res dlq.Result
	switch {
	case *queue != "":
		u, err := dlq.ResolveQueueURL(ctx, sqsc, *queue)
		if err == nil {
			var q dlq.Queue
			if q, err = dlq.LoadQueue(ctx, sqsc, u); err == nil {
				q.Why = []string{dlq.WhyRequested}
				res = a.ArchiveAll(ctx, []dlq.Queue{q}, dlq.Everything)
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "safeguard dlq archive: %v\n", err)
			return command.ExitCannot
		}
	case *now:
		configured := strings.FieldsFunc(os.Getenv(dlq.EnvQueues), func(r rune) bool { return r == ',' || r == ' ' })
		queues, err := dlq.Discover(ctx, sqsc, configured, a.Log)
		res = a.ArchiveAll(ctx, queues, dlq.Everything)
		if err != nil {
			res.Errors = append(res.Errors, err.Error())
		}
	default:
		configured := strings.FieldsFunc(os.Getenv(dlq.EnvQueues), func(r rune) bool { return r == ',' || r == ' ' })
		res = a.Scheduled(ctx, configured)
	}
	dlqPrintArchive(stdout, *format, res)
	if !res.OK() || res.Totals().StoppedEarly {
		return command.ExitFailed
	}
	return command.ExitOK
}

func dlqRestore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := command.NewFlagSet("dlq restore", stderr)
	from := fs.String("from", "", "s3://bucket/prefix holding archived records (required)")
	to := fs.String("to", "", "queue to send them to (URL, ARN or name; required)")
	dryRun := fs.Bool("dry-run", false, "read and check every record, send nothing")
	format := fs.String("format", "text", "summary format: text or json")
	fs.Usage = func() { fmt.Fprintln(stderr, dlqUsage); fs.PrintDefaults() }
	if code, ok := dlqParse(fs, args, stderr); !ok {
		return code
	}
	var problems []string
	bucket, prefix, err := dlq.ParseS3URL(*from)
	if err != nil {
		problems = append(problems, "--from: "+err.Error())
	}
	if *to == "" {
		problems = append(problems, "--to is required")
	}
	if *format != "text" && *format != "json" {
		problems = append(problems, fmt.Sprintf("unknown --format %q (text or json)", *format))
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "safeguard dlq restore: %s\n", strings.Join(problems, "; "))
		return command.ExitCannot
	}
	sqsc, s3c, err := dlqClients(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "safeguard dlq restore: %v\n", err)
		return command.ExitCannot
	}
	target, err := dlq.ResolveQueueURL(ctx, sqsc, *to)
	if err != nil {
		fmt.Fprintf(stderr, "safeguard dlq restore: %v\n", err)
		return command.ExitCannot
	}
	r := &dlq.Restorer{S3: s3c, SQS: sqsc, Log: slog.New(slog.NewTextHandler(stderr, nil))}
	res, err := r.Restore(ctx, bucket, prefix, target, *dryRun)
	if err != nil {
		fmt.Fprintf(stderr, "safeguard dlq restore: %v\n", err)
		return command.ExitCannot
	}
	if *format == "json" {
		_ = json.NewEncoder(stdout).Encode(res)
	} else {
		verb := "sent"
		if *dryRun {
			verb = "would send (dry run)"
		}
		fmt.Fprintf(stdout, "%d records read, %d %s, %d failed\n", res.Records, dlqCount(res.Sent, res.Records, *dryRun), verb, res.Failed)
		for _, src := range slices.Sorted(maps.Keys(res.BySource)) {
			fmt.Fprintf(stdout, "  from %s: %d\n", src, res.BySource[src])
		}
		for _, e := range res.Errors {
			fmt.Fprintf(stdout, "  error: %s\n", e)
		}
	}
	if !res.OK() {
		return command.ExitFailed
	}
	return command.ExitOK
}

// dlqCount is what a restore sent, or in a dry run would send.
func dlqCount(sent, records int, dry bool) int {
	if dry {
		return records
	}
	return sent
}

// dlqParse parses flags; ok false means return code now.
func dlqParse(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, ok bool) {
	pos, err := command.ParseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return command.ExitOK, false
		}
		return command.ExitCannot, false
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), pos[0])
		return command.ExitCannot, false
	}
	return 0, true
}

func dlqClients(ctx context.Context) (*sqs.Client, *s3.Client, error) {
	cfg, err := awsenv.Load(ctx, awsenv.Options{})
	if err != nil {
		return nil, nil, err
	}
	cfg.HTTPClient = dlq.HTTPClient()
	return sqs.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }), nil
}

func dlqPrintArchive(w io.Writer, format string, res dlq.Result) {
	if format == "json" {
		_ = json.NewEncoder(w).Encode(res)
		return
	}
	for _, q := range res.Queues {
		line := fmt.Sprintf("%-40s archived %d, already archived %d, not due %d, failed %d, conflicts %d, oldest %s",
			q.Queue, q.Archived, q.AlreadyArchived, q.Skipped, q.Failed, q.Conflicts, time.Duration(q.OldestAgeSeconds)*time.Second)
		if q.StoppedEarly {
			line += " (stopped before the queue was done: run again)"
		}
		fmt.Fprintln(w, line)
		for _, e := range q.Errors {
			fmt.Fprintf(w, "  error: %s\n", e)
		}
	}
	for _, e := range res.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	t := res.Totals()
	fmt.Fprintf(w, "%d queues: %d archived, %d already archived, %d not due, %d failed, %d conflicts\n",
		len(res.Queues), t.Archived, t.AlreadyArchived, t.Skipped, t.Failed, t.Conflicts)
}
