// Package dlq archives dead-letter queue messages to S3 before SQS expires
// them, and restores archived messages into a queue.
//
// The one rule everything here serves: a message is deleted from its queue
// only after its archive object is durably written (PutObject returned
// success), or after a conditional put answered 412 and the object already
// there carries the same MD5 of body. A different MD5 under the same message
// id is a conflict: counted, logged and alarmed on, never deleted.
//
// # Receiving from a DLQ
//
// SQS has no peek: to learn a message's SentTimestamp the archiver must
// receive it, and every receive increments ApproximateReceiveCount. A
// scheduled run receives every message in every DLQ once, so after a day of
// hourly runs a message that is not yet due has been received 24 more times.
// What follows:
//   - The count in an archived record includes the archiver's own receives;
//     it does not say how often the original consumer failed.
//   - A DLQ normally has no redrive policy. If it has one, SQS moves a
//     message to that queue's own DLQ once the archiver's receives reach
//     maxReceiveCount. Nothing is lost (that queue is a redrive target, so it
//     is discovered and archived in turn) but the message wanders, so the
//     archiver logs a warning for every DLQ that has a redrive policy.
//   - While a run holds messages in flight, ApproximateNumberOfMessagesVisible
//     dips; a DLQ alarm on that metric should use a period longer than a run
//     or the maximum statistic (the dips are seconds long).
//
// Messages not yet due are kept in flight until the end of the queue's pass
// (so the pass does not receive them again) and then returned at once with
// ChangeMessageVisibilityBatch(0). The visibility timeout asked for on
// receive is the time left until the invocation's deadline plus a margin, so
// it always exceeds the work in flight; if the process dies, the messages
// reappear shortly after the deadline.
//
// # Retention
//
// For a standard queue SQS keeps a message's original enqueue time when it
// moves it to a DLQ, so SentTimestamp plus MessageRetentionPeriod is exactly
// when it expires. For a FIFO queue the enqueue time resets on the move, so
// the same sum is earlier than the real expiry: the archiver errs on the
// early side, never late.
package dlq
