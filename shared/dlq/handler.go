package dlq

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Environment variables the Lambda reads (besides the standard AWS SDK ones).
const (
	EnvBucket     = "DLQ_ARCHIVE_BUCKET"
	EnvKMSKey     = "DLQ_ARCHIVE_KMS_KEY"
	EnvPrefix     = "DLQ_ARCHIVE_PREFIX"
	EnvMargin     = "DLQ_ARCHIVE_MARGIN"
	EnvInterval   = "DLQ_ARCHIVE_INTERVAL"
	EnvQueues     = "DLQ_ARCHIVE_QUEUES"
	EnvWorkers    = "DLQ_ARCHIVE_WORKERS"
	EnvStopBefore = "DLQ_ARCHIVE_STOP_BEFORE"
)

// Settings is the archiver's configuration from its environment.
type Settings struct {
	Bucket   string
	KMSKeyID string
	Config   Config
	// Queues are DLQs to archive besides the discovered ones.
	Queues []string
}

// SettingsFromEnv reads Settings; getenv is os.Getenv in production.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{Bucket: strings.TrimSpace(getenv(EnvBucket)), KMSKeyID: strings.TrimSpace(getenv(EnvKMSKey))}
	if s.Bucket == "" {
		return Settings{}, fmt.Errorf("%s is not set: the archiver needs a bucket", EnvBucket)
	}
	s.Config.Prefix = strings.Trim(getenv(EnvPrefix), "/")
	s.Config.Policy = DefaultPolicy()
	var err error
	if s.Config.Policy.Margin, err = durationEnv(getenv, EnvMargin, DefaultMargin); err != nil {
		return Settings{}, err
	}
	if s.Config.Policy.Interval, err = durationEnv(getenv, EnvInterval, DefaultInterval); err != nil {
		return Settings{}, err
	}
	if s.Config.StopBefore, err = durationEnv(getenv, EnvStopBefore, 30*time.Second); err != nil {
		return Settings{}, err
	}
	if v := strings.TrimSpace(getenv(EnvWorkers)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return Settings{}, fmt.Errorf("%s=%q: want a whole number from 1 to 64", EnvWorkers, v)
		}
		s.Config.Workers = n
	}
	for _, q := range strings.FieldsFunc(getenv(EnvQueues), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		s.Queues = append(s.Queues, q)
	}
	return s, nil
}

func durationEnv(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q: want a duration such as 48h or 30m", name, v)
	}
	return d, nil
}

// Handler is the Lambda function: main builds it once, with clients made
// outside the handler, and lambda.Start calls Handle per invocation.
type Handler struct {
	Archiver *Archiver
	// Queues are the configured DLQs added to discovery.
	Queues []string
}

// Request is an on-demand invocation: archive everything in Queue (a URL,
// ARN or name) now, because an engineer has reviewed it.
type Request struct {
	Queue string `json:"queue"`
}

// event is what the handler looks at to tell invocations apart.
type event struct {
	Queue      *string `json:"queue"`
	Source     string  `json:"source"`
	DetailType string  `json:"detail-type"`
}

// Handle runs one invocation. An EventBridge "Scheduled Event" runs the
// scheduled pass over every discovered DLQ; {"queue": "..."} archives that
// queue now. Anything else is refused without touching a queue. A run that
// leaves messages unarchived returns an error, so the function's Errors
// metric (and its alarm) fire; the result is logged either way.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (Result, error) {
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Result{}, fmt.Errorf("dlq archiver: event is not a JSON object: %w", err)
	}
	var res Result
	switch {
	case ev.Queue != nil:
		if strings.TrimSpace(*ev.Queue) == "" {
			return Result{}, fmt.Errorf(`dlq archiver: "queue" is empty; want {"queue": "<queue URL, ARN or name>"}`)
		}
		res = h.Archiver.OnDemand(ctx, *ev.Queue)
	case ev.Source == "aws.events" && ev.DetailType == "Scheduled Event":
		res = h.Archiver.Scheduled(ctx, h.Queues)
	default:
		return Result{}, fmt.Errorf(`dlq archiver: unrecognised event (source %q, detail-type %q): want an EventBridge Scheduled Event or {"queue": "<queue URL, ARN or name>"}`, ev.Source, ev.DetailType)
	}
	t := res.Totals()
	h.Archiver.log().Info("run done", "mode", res.Mode, "queues", len(res.Queues), "received", t.Received, "archived", t.Archived,
		"alreadyArchived", t.AlreadyArchived, "skipped", t.Skipped, "failed", t.Failed, "conflicts", t.Conflicts,
		"stoppedEarly", t.StoppedEarly, "runErrors", len(res.Errors))
	return res, res.Err()
}
