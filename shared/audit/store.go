package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// ObjectStore is the part of the S3 client the report bucket needs.
type ObjectStore interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// maxObject bounds what is read back from the bucket (a previous report,
// the exemptions file).
const maxObject = 64 << 20

// ReportPrefix is where the reports of one account and region live.
func ReportPrefix(account, region string) string {
	return fmt.Sprintf("audits/%s/%s/", account, region)
}

// ReportKey is the key of the JSON report of the run on day t (UTC); the
// Markdown summary sits next to it with the .md extension. A second run on
// the same day replaces the first.
func ReportKey(account, region string, t time.Time) string {
	return ReportPrefix(account, region) + t.UTC().Format(time.DateOnly) + ".json"
}

// readObject returns an object's bytes; found is false for a missing key.
func readObject(ctx context.Context, st ObjectStore, bucket, key string) (data []byte, found bool, err error) {
	out, err := st.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		var nk *types.NoSuchKey
		var ae smithy.APIError
		if errors.As(err, &nk) || (errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound")) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	data, err = io.ReadAll(io.LimitReader(out.Body, maxObject+1))
	if err != nil {
		return nil, false, fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	if len(data) > maxObject {
		return nil, false, fmt.Errorf("read s3://%s/%s: larger than %d MiB", bucket, key, maxObject>>20)
	}
	return data, true, nil
}

// previousReport finds the latest report at or before key (a re-run on the
// same day compares against that day's first run, so it does not notify
// twice) and reads it. It returns nil when there is none.
func previousReport(ctx context.Context, st ObjectStore, bucket, prefix, key string) (*Document, string, error) {
	latest := ""
	var token *string
	for {
		out, err := st.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix, ContinuationToken: token})
		if err != nil {
			return nil, "", fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range out.Contents {
			k := *o.Key
			if strings.HasSuffix(k, ".json") && k <= key && k > latest {
				latest = k
			}
		}
		if out.IsTruncated == nil || !*out.IsTruncated || out.NextContinuationToken == nil {
			break
		}
		token = out.NextContinuationToken
	}
	if latest == "" {
		return nil, "", nil
	}
	data, found, err := readObject(ctx, st, bucket, latest)
	if err != nil || !found {
		return nil, "", err
	}
	doc, err := DecodeDocument(data)
	if err != nil {
		return nil, "", fmt.Errorf("previous report s3://%s/%s: %w", bucket, latest, err)
	}
	return doc, latest, nil
}

func putObject(ctx context.Context, st ObjectStore, bucket, key, contentType string, data []byte) error {
	_, err := st.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data),
		ContentType: &contentType, ContentLength: new(int64(len(data)))})
	if err != nil {
		return fmt.Errorf("write s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}
