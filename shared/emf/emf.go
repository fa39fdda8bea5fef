// Package emf writes CloudWatch Embedded Metric Format records: one JSON
// line per record on the function's log stream, which CloudWatch turns into
// metrics without a PutMetricData call (and without its latency or cost).
package emf

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// Units CloudWatch accepts that these functions use.
const (
	Count   = "Count"
	Seconds = "Seconds"
	None    = "None"
)

// Metric is one value to publish.
type Metric struct {
	Name  string
	Value float64
	Unit  string
}

// Writer emits EMF records for one namespace.
type Writer struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	now       func() time.Time
}

// New returns a Writer that writes records to w (os.Stdout in Lambda).
func New(w io.Writer, namespace string) *Writer {
	return &Writer{w: w, namespace: namespace, now: time.Now}
}

// Emit writes one record: metrics sharing one set of dimensions. Extra
// properties are written beside them (searchable in Logs Insights, not metrics).
func (e *Writer) Emit(dims map[string]string, props map[string]any, metrics ...Metric) error {
	if len(metrics) == 0 {
		return nil
	}
	if len(metrics) > 100 {
		return fmt.Errorf("emf: %d metrics in one record; CloudWatch takes at most 100", len(metrics))
	}
	if len(dims) > 30 {
		return fmt.Errorf("emf: %d dimensions; CloudWatch takes at most 30", len(dims))
	}
	rec := make(map[string]any, len(dims)+len(props)+len(metrics)+1)
	for k, v := range props {
		rec[k] = v
	}
	keys := make([]string, 0, len(dims))
	for k, v := range dims {
		keys = append(keys, k)
		rec[k] = v
	}
	sort.Strings(keys)
	defs := make([]map[string]string, 0, len(metrics))
	for _, m := range metrics {
		unit := m.Unit
		if unit == "" {
			unit = None
		}
		defs = append(defs, map[string]string{"Name": m.Name, "Unit": unit})
		rec[m.Name] = m.Value
	}
	rec["_aws"] = map[string]any{
		"Timestamp": e.now().UnixMilli(),
		"CloudWatchMetrics": []map[string]any{{
			"Namespace":  e.namespace,
			"Dimensions": [][]string{keys},
			"Metrics":    defs,
		}},
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("emf: encode record: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("emf: write record: %w", err)
	}
	return nil
}
