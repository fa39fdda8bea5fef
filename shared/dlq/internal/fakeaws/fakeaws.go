// Package fakeaws is an in-process stand-in for the SQS and S3 calls the
// archiver makes, for the benchmark only: an HTTP server speaking the SQS
// JSON protocol and S3's REST API, so the real SDK clients (serialization,
// signing, checksums, retries) stay in the loop while the service side
// costs next to nothing. moto is far too slow for 10,000 messages.
// Correctness tests use moto, not this.
package fakeaws

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server fakes one standard queue and one bucket.
type Server struct {
	*httptest.Server
	QueueURL, QueueARN string
	// Latency is added to every answer, to model a network round trip
	// (set before use).
	Latency time.Duration

	mu       sync.Mutex
	visible  []*message
	inFlight map[string]*message // by receipt handle
	seq      int
	objects  map[string]map[string]string // key -> metadata
}

type message struct {
	id, body, md5 string
	sent          int64
	receives      int
}

// New starts a server. Close it when done.
func New() *Server {
	s := &Server{inFlight: map[string]*message{}, objects: map[string]map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.QueueURL = s.URL + "/123456789012/bench-dlq"
	s.QueueARN = "arn:aws:sqs:eu-west-2:123456789012:bench-dlq"
	return s
}

// Seed enqueues n messages sent at sentMillis.
func (s *Server) Seed(n int, sentMillis int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.seq++
		body := fmt.Sprintf(`{"order":%d,"event":"OrderPlaced","payload":"%s"}`, s.seq, strings.Repeat("x", 200))
		sum := md5.Sum([]byte(body))
		s.visible = append(s.visible, &message{id: fmt.Sprintf("00000000-0000-4000-8000-%012d", s.seq), body: body, md5: hex.EncodeToString(sum[:]), sent: sentMillis})
	}
}

// Counts returns visible and in-flight messages and stored objects.
func (s *Server) Counts() (visible, inFlight, objects int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.visible), len(s.inFlight), len(s.objects)
}

// Reset drops every object (between benchmark iterations).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects = map[string]map[string]string{}
	s.visible, s.inFlight = nil, map[string]*message{}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
	if target := r.Header.Get("X-Amz-Target"); strings.HasPrefix(target, "AmazonSQS.") {
		s.sqs(w, r, strings.TrimPrefix(target, "AmazonSQS."))
		return
	}
	s.s3(w, r)
}

func (s *Server) sqs(w http.ResponseWriter, r *http.Request, op string) {
	var in map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		sqsError(w, "InvalidParameterValue", err.Error())
		return
	}
	var out any
	switch op {
	case "GetQueueAttributes":
		out = map[string]any{"Attributes": map[string]string{"QueueArn": s.QueueARN, "MessageRetentionPeriod": "345600"}}
	case "ReceiveMessage":
		var max int
		_ = json.Unmarshal(in["MaxNumberOfMessages"], &max)
		if max == 0 {
			max = 1
		}
		s.mu.Lock()
		n := min(max, len(s.visible))
		batch := s.visible[:n]
		s.visible = s.visible[n:]
		msgs := make([]map[string]any, 0, n)
		for _, m := range batch {
			s.seq++
			m.receives++
			handle := m.id + "#" + strconv.Itoa(s.seq)
			s.inFlight[handle] = m
			msgs = append(msgs, map[string]any{
				"MessageId": m.id, "ReceiptHandle": handle, "MD5OfBody": m.md5, "Body": m.body,
				"Attributes": map[string]string{"SentTimestamp": strconv.FormatInt(m.sent, 10), "ApproximateReceiveCount": strconv.Itoa(m.receives),
					"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.sent+1000, 10), "SenderId": "AIDAEXAMPLE"},
			})
		}
		s.mu.Unlock()
		out = map[string]any{"Messages": msgs}
	case "DeleteMessageBatch", "ChangeMessageVisibilityBatch":
		var entries []struct{ Id, ReceiptHandle string }
		_ = json.Unmarshal(in["Entries"], &entries)
		ok := make([]map[string]string, 0, len(entries))
		failed := []map[string]any{}
		s.mu.Lock()
		for _, e := range entries {
			m, found := s.inFlight[e.ReceiptHandle]
			if !found {
				failed = append(failed, map[string]any{"Id": e.Id, "Code": "ReceiptHandleIsInvalid", "SenderFault": true})
				continue
			}
			delete(s.inFlight, e.ReceiptHandle)
			if op == "ChangeMessageVisibilityBatch" {
				s.visible = append(s.visible, m)
			}
			ok = append(ok, map[string]string{"Id": e.Id})
		}
		s.mu.Unlock()
		out = map[string]any{"Successful": ok, "Failed": failed}
	default:
		sqsError(w, "UnsupportedOperation", op+" is not faked")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

func sqsError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Query-Error", code+";Sender")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + code, "message": msg})
}

// s3 serves path-style PUT and HEAD of /bucket/key.
func (s *Server) s3(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/")
	switch r.Method {
	case http.MethodPut:
		_, _ = io.Copy(io.Discard, r.Body)
		meta := map[string]string{}
		for name, v := range r.Header {
			if strings.HasPrefix(strings.ToLower(name), "x-amz-meta-") {
				meta[strings.ToLower(name)] = v[0]
			}
		}
		s.mu.Lock()
		_, exists := s.objects[key]
		if !exists || r.Header.Get("If-None-Match") != "*" {
			s.objects[key] = meta
		}
		s.mu.Unlock()
		if exists && r.Header.Get("If-None-Match") == "*" {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusPreconditionFailed)
			_, _ = io.WriteString(w, `<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>`)
			return
		}
		w.Header().Set("ETag", `"fake"`)
		w.Header().Set("x-amz-server-side-encryption", "aws:kms")
	case http.MethodHead:
		s.mu.Lock()
		meta, ok := s.objects[key]
		s.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		for k, v := range meta {
			w.Header().Set(k, v)
		}
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}
