package plugin

import (
	"archive/zip"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// jsonReport is the public JSON contract of `safeguard check --format json`.
type jsonReport struct {
	Service  string `json:"service"`
	Stage    string `json:"stage"`
	Findings []struct {
		Rule     string `json:"rule"`
		Status   string `json:"status"`
		Severity string `json:"severity"`
		Resource string `json:"resource"`
	} `json:"findings"`
	Summary struct {
		Stage    string `json:"stage"`
		Enforced bool   `json:"enforced"`
		Failed   int    `json:"failed"`
		Exempted int    `json:"exempted"`
		Passed   int    `json:"passed"`
		Rules    int    `json:"rules"`
		Blocking bool   `json:"blocking"`
	} `json:"summary"`
}

func readJSONReport(tb testing.TB, path string) jsonReport {
	tb.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("JSON report: %v", err)
	}
	var rep jsonReport
	if err := json.Unmarshal(src, &rep); err != nil {
		tb.Fatalf("JSON report %s: %v\n%s", path, err, src)
	}
	return rep
}

// failingRules lists the ids of the rules with a failing finding, in
// report order.
func (r jsonReport) failingRules() []string {
	var ids []string
	for _, f := range r.Findings {
		if f.Status == "fail" && !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	return ids
}

// checkSARIF checks that path is a SARIF 2.1.0 log from safeguard with a
// result for every failing rule.
func checkSARIF(tb testing.TB, path string, failing []string) {
	tb.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("SARIF report: %v", err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string                `json:"ruleId"`
				Level     string                `json:"level"`
				Message   struct{ Text string } `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(src, &log); err != nil {
		tb.Fatalf("SARIF report %s is not JSON: %v", path, err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "safeguard" {
		tb.Fatalf("SARIF report %s: version %q, %d runs; want one 2.1.0 run by safeguard", path, log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	declared := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		declared[r.ID] = true
	}
	reported := map[string]bool{}
	for _, r := range run.Results {
		if !declared[r.RuleID] {
			tb.Errorf("SARIF result names rule %q, which the driver does not declare", r.RuleID)
		}
		if r.Message.Text == "" {
			tb.Errorf("SARIF result for %s has no message", r.RuleID)
		}
		reported[r.RuleID] = true
	}
	for _, id := range failing {
		if !reported[id] {
			tb.Errorf("SARIF report has no result for failing rule %s", id)
		}
	}
}

// checkJUnit checks that path is JUnit XML counting the failures the JSON
// report counts.
func checkJUnit(tb testing.TB, path string, failed int) {
	tb.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("JUnit report: %v", err)
	}
	var suites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(src, &suites); err != nil {
		tb.Fatalf("JUnit report %s is not XML: %v", path, err)
	}
	failures := 0
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				failures++
			}
		}
	}
	if suites.Failures != failed || failures != failed {
		tb.Errorf("JUnit report %s counts %d failures and holds %d failure elements; the JSON report has %d", path, suites.Failures, failures, failed)
	}
	if suites.Tests == 0 || len(suites.Suites) == 0 {
		tb.Errorf("JUnit report %s has no tests", path)
	}
}

// writeBootstrapZip writes the Lambda artifact a service's package.artifact
// names: a zip holding an (empty) bootstrap, which is all packaging needs.
func writeBootstrapZip(tb testing.TB, path string) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	zw := zip.NewWriter(f)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = w.Write([]byte("#!/bin/sh\n"))
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatalf("write %s: %v", filepath.Base(path), err)
	}
}
