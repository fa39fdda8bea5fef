package report

import (
	"encoding/json"
	"testing"
)

func TestJSONContract(t *testing.T) {
	for name, rep := range cases() {
		t.Run(name, func(t *testing.T) {
			var doc struct {
				Findings []map[string]any `json:"findings"`
				Summary  map[string]any   `json:"summary"`
			}
			raw := render(t, "json", rep, Options{})
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatalf("output is not JSON: %v", err)
			}
			var generic map[string]json.RawMessage
			_ = json.Unmarshal(raw, &generic)
			if string(generic["findings"]) == "null" || generic["findings"] == nil {
				t.Fatalf("findings is %s, want an array", generic["findings"])
			}
			counts := map[string]float64{}
			for i, f := range doc.Findings {
				for _, k := range []string{"rule", "status", "severity", "resource", "message"} {
					if s, _ := f[k].(string); s == "" {
						t.Errorf("finding %d lacks %q: %v", i, k, f)
					}
				}
				if st := f["status"]; st != "fail" && st != "exempt" {
					t.Errorf("finding %d has status %v", i, st)
				}
				if sev := f["severity"]; sev != "error" && sev != "warning" {
					t.Errorf("finding %d has severity %v", i, sev)
				}
				if f["file"] != nil && (f["line"] == nil || f["column"] == nil) {
					t.Errorf("finding %d has a file but no line/column: %v", i, f)
				}
				counts[f["status"].(string)]++
			}
			if counts["fail"] != doc.Summary["failed"] || counts["exempt"] != doc.Summary["exempted"] {
				t.Errorf("summary %v does not match findings (fail %v, exempt %v)", doc.Summary, counts["fail"], counts["exempt"])
			}
		})
	}
}
