package dlq

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Object metadata the archiver writes beside each record, so a rerun can
// compare without reading the body.
const (
	metaMD5       = "md5-of-body"
	metaMessageID = "message-id"
)

// Outcome of storing one record.
type Outcome int

const (
	// Written: this call created the object.
	Written Outcome = iota + 1
	// AlreadyStored: the object existed with the same MD5 of body (a rerun
	// after a crash, or a put whose response was lost).
	AlreadyStored
	// Conflict: an object exists under this message id with a different
	// MD5 of body. The message must stay in its queue and someone must look.
	Conflict
)

// ErrConflict is returned with Conflict.
var ErrConflict = errors.New("an archived object with a different body MD5 exists under this message id")

// Store writes records to one bucket.
type Store struct {
	S3     S3Client
	Bucket string
	// KMSKeyID is the SSE-KMS key; empty means the bucket's aws/s3 key.
	KMSKeyID string
}

// Put writes rec under key with a conditional put (If-None-Match: *), so no
// object is ever overwritten. A 412 means the key exists; its MD5 of body
// then decides between AlreadyStored and Conflict. Any other error means
// nothing is known to be stored and the message must not be deleted.
func (s Store) Put(ctx context.Context, key string, rec Record) (Outcome, error) {
	body, err := rec.Encode()
	if err != nil {
		return 0, err
	}
	sum := md5.Sum(body)
	in := &s3.PutObjectInput{
		Bucket:               aws.String(s.Bucket),
		Key:                  aws.String(key),
		Body:                 bytes.NewReader(body),
		ContentLength:        aws.Int64(int64(len(body))),
		ContentMD5:           aws.String(base64.StdEncoding.EncodeToString(sum[:])),
		ContentType:          aws.String("application/json"),
		IfNoneMatch:          aws.String("*"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms,
		BucketKeyEnabled:     aws.Bool(true),
		Metadata:             map[string]string{metaMD5: rec.MD5OfBody, metaMessageID: rec.MessageID},
	}
	if s.KMSKeyID != "" {
		in.SSEKMSKeyId = aws.String(s.KMSKeyID)
	}
	_, err = s.S3.PutObject(ctx, in, md5Integrity)
	if err == nil {
		return Written, nil
	}
	if !isPreconditionFailed(err) {
		return 0, fmt.Errorf("put s3://%s/%s: %w", s.Bucket, key, err)
	}
	existing, err := s.storedMD5(ctx, key)
	if err != nil {
		return 0, err
	}
	if existing != rec.MD5OfBody {
		return Conflict, fmt.Errorf("s3://%s/%s: %w (stored %s, message %s)", s.Bucket, key, ErrConflict, existing, rec.MD5OfBody)
	}
	return AlreadyStored, nil
}

// md5Integrity makes S3 check the object against Content-MD5 instead of
// the SDK's default CRC32 trailer: the same end-to-end integrity check
// (S3 refuses a body that does not match), without aws-chunked encoding,
// which costs a third of a put's CPU for records of a few kilobytes.
func md5Integrity(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
}

// storedMD5 reads the MD5 of body of the object at key: from its metadata,
// or, for an object written some other way, from the record itself.
func (s Store) storedMD5(ctx context.Context, key string) (string, error) {
	head, err := s.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)})
	if err != nil {
		return "", fmt.Errorf("head s3://%s/%s after 412: %w", s.Bucket, key, err)
	}
	if v := head.Metadata[metaMD5]; v != "" {
		return v, nil
	}
	rec, err := s.Get(ctx, key)
	if err != nil {
		return "", err
	}
	return rec.MD5OfBody, nil
}

// Get reads and decodes the record at key.
func (s Store) Get(ctx context.Context, key string) (Record, error) {
	out, err := s.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)})
	if err != nil {
		return Record{}, fmt.Errorf("get s3://%s/%s: %w", s.Bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, maxRecordBytes))
	if err != nil {
		return Record{}, fmt.Errorf("read s3://%s/%s: %w", s.Bucket, key, err)
	}
	rec, err := DecodeRecord(b)
	if err != nil {
		return Record{}, fmt.Errorf("s3://%s/%s: %w", s.Bucket, key, err)
	}
	return rec, nil
}

// maxRecordBytes bounds what Get reads: an SQS message is at most 1 MiB
// (body plus attributes); its record adds JSON quoting and base64.
const maxRecordBytes = 8 << 20

func isPreconditionFailed(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed" {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusPreconditionFailed
}
