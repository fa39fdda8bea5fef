package plugin

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// recorder stands in for every AWS endpoint: osls builds its clients with
// the AWS SDK for JavaScript v3 (lib/aws/config.js sets no endpoint), which
// takes AWS_ENDPOINT_URL from the environment, so every request lands here.
// It records the service and action of each and refuses them all, so a
// test can say which API calls a command made before it stopped.
type recorder struct {
	URL string

	mu       sync.Mutex
	requests []awsRequest
}

// awsRequest is one recorded call.
type awsRequest struct {
	Service string // signing name from the SigV4 credential scope, e.g. cloudformation
	Action  string // Query-protocol Action or JSON-protocol X-Amz-Target
	Method  string
	Path    string
}

func (r awsRequest) String() string {
	return fmt.Sprintf("%s %s (%s %s)", r.Service, r.Action, r.Method, r.Path)
}

func newRecorder(tb testing.TB) *recorder {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(rec.serve))
	tb.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

func (rec *recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	r := awsRequest{Service: signingService(req.Header.Get("Authorization")), Method: req.Method, Path: req.URL.Path}
	if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
		r.Action = form.Get("Action")
	} else if t := req.Header.Get("X-Amz-Target"); t != "" {
		r.Action = t
	}
	rec.mu.Lock()
	rec.requests = append(rec.requests, r)
	rec.mu.Unlock()
	// A Query-protocol error (CloudFormation and STS speak it): the SDK
	// fails the call at once instead of retrying.
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>refused by the safeguard test recorder</Message></Error><RequestId>recorder</RequestId></ErrorResponse>`)
}

// signingService reads the service from a SigV4 Authorization header:
// Credential=KEY/DATE/REGION/SERVICE/aws4_request.
func signingService(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// Requests returns what was recorded so far.
func (rec *recorder) Requests() []awsRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]awsRequest(nil), rec.requests...)
}

// To returns the requests made to one service.
func (rec *recorder) To(service string) []awsRequest {
	var out []awsRequest
	for _, r := range rec.Requests() {
		if r.Service == service {
			out = append(out, r)
		}
	}
	return out
}

func TestSigningService(t *testing.T) {
	tests := []struct {
		name, auth, want string
	}{
		{"cloudformation", "AWS4-HMAC-SHA256 Credential=AKID/20261127/eu-west-2/cloudformation/aws4_request, SignedHeaders=host, Signature=abc", "cloudformation"},
		{"sts", "AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/sts/aws4_request, SignedHeaders=host", "sts"},
		{"no credential", "Bearer token", ""},
		{"short scope", "AWS4-HMAC-SHA256 Credential=AKID/20261127", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := signingService(tc.auth); got != tc.want {
				t.Errorf("signingService(%q) = %q, want %q", tc.auth, got, tc.want)
			}
		})
	}
}
