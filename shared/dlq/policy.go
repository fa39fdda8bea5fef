package dlq

import "time"

// Default schedule and safety margin.
const (
	DefaultInterval = time.Hour
	DefaultMargin   = 48 * time.Hour
)

// Policy decides when a scheduled run archives a message: when it would
// otherwise expire before the next run plus a safety margin.
type Policy struct {
	// Interval is the time between scheduled runs.
	Interval time.Duration
	// Margin is how long before expiry a message must be in S3, so a run
	// that fails leaves time for later runs and for a person to notice.
	Margin time.Duration
}

// DefaultPolicy is an hourly schedule with a 48-hour margin.
func DefaultPolicy() Policy { return Policy{Interval: DefaultInterval, Margin: DefaultMargin} }

// ArchiveBy is the time after which a message sent at sent is due: its
// expiry (sent + retention, measured from SentTimestamp) less the next
// interval and the margin.
func (p Policy) ArchiveBy(sent time.Time, retention time.Duration) time.Time {
	return sent.Add(retention - p.Interval - p.Margin)
}

// Due reports whether a scheduled run at now must archive the message.
func (p Policy) Due(sent time.Time, retention time.Duration, now time.Time) bool {
	return !now.Before(p.ArchiveBy(sent, retention))
}

// LeavesTime reports whether a queue with this retention gives the archiver
// a scheduled run between a message's arrival and its archive-by time. When
// it does not, every message is archived by the first run that sees it,
// and one whose retention is shorter than the interval can expire between
// runs unseen (the rulebook's dlq-archive rule fails such a queue).
func (p Policy) LeavesTime(retention time.Duration) bool {
	return retention > p.Interval+p.Margin
}
