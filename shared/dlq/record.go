package dlq

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SchemaVersion is the version of Record written by this package. Readers
// accept records of this version and below.
const SchemaVersion = 1

// Reasons a message was archived.
const (
	ReasonExpiring = "expiring"  // the scheduled run: it would expire before the next run plus the margin
	ReasonOnDemand = "on-demand" // an engineer reviewed the queue and asked for all of it
)

// Record is one archived message: one S3 object holding one line of JSON, so
// Athena's JSON SerDe reads the archive as a table (one row per message) and
// anyone reading a single object knows where it came from without the key.
type Record struct {
	SchemaVersion  int    `json:"schemaVersion"`
	MessageID      string `json:"messageId"`
	SourceQueueARN string `json:"sourceQueueArn"`
	SourceQueueURL string `json:"sourceQueueUrl"`
	Body           string `json:"body"`
	MD5OfBody      string `json:"md5OfBody"`
	// Attributes are the message's system attributes as SQS returned them
	// (SentTimestamp, ApproximateReceiveCount, MessageGroupId, …).
	Attributes             map[string]string           `json:"attributes"`
	MessageAttributes      map[string]MessageAttribute `json:"messageAttributes,omitempty"`
	MD5OfMessageAttributes string                      `json:"md5OfMessageAttributes,omitempty"`
	SentAt                 time.Time                   `json:"sentAt"`
	FirstReceivedAt        *time.Time                  `json:"firstReceivedAt,omitempty"`
	ArchivedAt             time.Time                   `json:"archivedAt"`
	Reason                 string                      `json:"reason"`
}

// MessageAttribute is one SQS message attribute. BinaryValue is base64 in
// JSON (encoding/json's rule for []byte).
type MessageAttribute struct {
	DataType    string  `json:"dataType"`
	StringValue *string `json:"stringValue,omitempty"`
	BinaryValue []byte  `json:"binaryValue,omitempty"`
}

// MD5Hex is SQS's MD5OfBody for body.
func MD5Hex(body string) string {
	sum := md5.Sum([]byte(body))
	return hex.EncodeToString(sum[:])
}

// NewRecord turns a received message into its archive record. It fails when
// SQS left out what the record needs or when the body does not match the
// MD5 SQS sent with it (a message never gets archived corrupted).
func NewRecord(q Queue, m sqstypes.Message, archivedAt time.Time, reason string) (Record, error) {
	id := aws.ToString(m.MessageId)
	if id == "" {
		return Record{}, fmt.Errorf("message without MessageId")
	}
	if m.Body == nil {
		return Record{}, fmt.Errorf("message %s: no body", id)
	}
	sum := MD5Hex(*m.Body)
	if want := aws.ToString(m.MD5OfBody); want != "" && !strings.EqualFold(want, sum) {
		return Record{}, fmt.Errorf("message %s: body MD5 %s does not match SQS's %s", id, sum, want)
	}
	sent, err := attrMillis(m.Attributes, string(sqstypes.MessageSystemAttributeNameSentTimestamp))
	if err != nil {
		return Record{}, fmt.Errorf("message %s: %w", id, err)
	}
	rec := Record{
		SchemaVersion:          SchemaVersion,
		MessageID:              id,
		SourceQueueARN:         q.ARN,
		SourceQueueURL:         q.URL,
		Body:                   *m.Body,
		MD5OfBody:              sum,
		Attributes:             m.Attributes,
		MD5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
		SentAt:                 sent,
		ArchivedAt:             archivedAt.UTC(),
		Reason:                 reason,
	}
	if rec.Attributes == nil {
		rec.Attributes = map[string]string{}
	}
	if first, err := attrMillis(m.Attributes, string(sqstypes.MessageSystemAttributeNameApproximateFirstReceiveTimestamp)); err == nil {
		rec.FirstReceivedAt = &first
	}
	if len(m.MessageAttributes) > 0 {
		rec.MessageAttributes = make(map[string]MessageAttribute, len(m.MessageAttributes))
		for name, v := range m.MessageAttributes {
			rec.MessageAttributes[name] = MessageAttribute{DataType: aws.ToString(v.DataType), StringValue: v.StringValue, BinaryValue: v.BinaryValue}
		}
	}
	return rec, nil
}

// SentAtOf reads a message's SentTimestamp.
func SentAtOf(m sqstypes.Message) (time.Time, error) {
	return attrMillis(m.Attributes, string(sqstypes.MessageSystemAttributeNameSentTimestamp))
}

func attrMillis(attrs map[string]string, name string) (time.Time, error) {
	s, ok := attrs[name]
	if !ok {
		return time.Time{}, fmt.Errorf("no %s attribute", name)
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not epoch milliseconds", name, s)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// Encode renders the record as one line of JSON ending in a newline.
func (r Record) Encode() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", r.MessageID, err)
	}
	return append(b, '\n'), nil
}

// DecodeRecord parses an archived object.
func DecodeRecord(b []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("decode record: %w", err)
	}
	switch {
	case r.SchemaVersion < 1 || r.SchemaVersion > SchemaVersion:
		return Record{}, fmt.Errorf("decode record: schemaVersion %d; this build reads 1 to %d", r.SchemaVersion, SchemaVersion)
	case r.MessageID == "":
		return Record{}, fmt.Errorf("decode record: no messageId")
	case r.MD5OfBody != MD5Hex(r.Body):
		return Record{}, fmt.Errorf("decode record %s: body does not match md5OfBody", r.MessageID)
	}
	return r, nil
}

// Key is where a message's record lives:
// <prefix>/<account>/<region>/<queue>/<yyyy>/<mm>/<dd>/<message-id>.json,
// dated by the day the message was sent (UTC). The key depends only on the
// queue and the message, so a rerun targets the same key and the
// conditional put makes the write happen once.
func Key(prefix string, q Queue, messageID string, sent time.Time) string {
	sent = sent.UTC()
	return path.Join(strings.Trim(prefix, "/"), q.Account, q.Region, q.Name,
		fmt.Sprintf("%04d", sent.Year()), fmt.Sprintf("%02d", int(sent.Month())), fmt.Sprintf("%02d", sent.Day()),
		messageID+".json")
}
