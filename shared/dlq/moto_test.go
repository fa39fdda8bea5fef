package dlq_test

import (
	"testing"

	"prodready/shared/dlq/dlqtest"
)

const (
	testBucket = dlqtest.Bucket
	testKMSKey = dlqtest.KMSKey
)

// newFixture is dlqtest.NewFixture for *testing.T.
func newFixture(t *testing.T) *dlqtest.Fixture { return dlqtest.NewFixture(t) }

func merge(ms ...map[string]dlqtest.Sent) map[string]dlqtest.Sent {
	out := map[string]dlqtest.Sent{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
