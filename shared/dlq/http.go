package dlq

import (
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// HTTPClient is the HTTP client the archiver's SDK clients should use:
// the SDK's default keeps 10 idle connections per host, fewer than the
// puts a run has in flight (Workers x 10), so without this most puts would
// open a new TLS connection.
func HTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = 256
		t.MaxIdleConnsPerHost = 128
	})
}
