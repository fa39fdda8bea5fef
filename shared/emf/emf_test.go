package emf

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestEmitWritesEMF(t *testing.T) {
	var buf bytes.Buffer
	w := New(&buf, "Safeguard/DLQArchiver")
	w.now = func() time.Time { return time.UnixMilli(1700000000000) }
	err := w.Emit(map[string]string{"Queue": "orders-dlq"}, map[string]any{"run": "r1"},
		Metric{Name: "Archived", Value: 3, Unit: Count}, Metric{Name: "OldestAge", Value: 7200, Unit: Seconds})
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("record is not JSON: %v\n%s", err, buf.String())
	}
	if rec["Queue"] != "orders-dlq" || rec["Archived"] != 3.0 || rec["run"] != "r1" {
		t.Errorf("record = %v", rec)
	}
	aws := rec["_aws"].(map[string]any)
	if aws["Timestamp"] != 1700000000000.0 {
		t.Errorf("timestamp = %v", aws["Timestamp"])
	}
	cw := aws["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if cw["Namespace"] != "Safeguard/DLQArchiver" {
		t.Errorf("namespace = %v", cw["Namespace"])
	}
	if dims := cw["Dimensions"].([]any)[0].([]any); len(dims) != 1 || dims[0] != "Queue" {
		t.Errorf("dimensions = %v", dims)
	}
	if ms := cw["Metrics"].([]any); len(ms) != 2 || ms[1].(map[string]any)["Unit"] != "Seconds" {
		t.Errorf("metrics = %v", ms)
	}
}

func TestEmitLimits(t *testing.T) {
	w := New(&bytes.Buffer{}, "ns")
	many := make([]Metric, 101)
	for i := range many {
		many[i] = Metric{Name: "m", Value: 1}
	}
	if err := w.Emit(nil, nil, many...); err == nil {
		t.Error("101 metrics accepted")
	}
	var buf bytes.Buffer
	if err := New(&buf, "ns").Emit(nil, nil); err != nil || buf.Len() != 0 {
		t.Errorf("empty emit wrote %q, %v", buf.String(), err)
	}
}
