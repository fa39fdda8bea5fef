package report

import (
	"encoding/json"
	"strings"
	"testing"

	"prodready/shared/findings"
)

type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name    string `json:"name"`
				Version string `json:"version"`
				Rules   []struct {
					ID               string    `json:"id"`
					Name             string    `json:"name"`
					ShortDescription sarifText `json:"shortDescription"`
					FullDescription  sarifText `json:"fullDescription"`
					Help             sarifHelp `json:"help"`
					Default          struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties struct {
						Tags []string `json:"tags"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results *[]struct {
			RuleID    string    `json:"ruleId"`
			RuleIndex *int      `json:"ruleIndex"`
			Level     string    `json:"level"`
			Message   sarifText `json:"message"`
			Locations []struct {
				Physical *struct {
					Artifact struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
				Logical []struct {
					Name string `json:"name"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Suppressions        []struct {
				Kind          string `json:"kind"`
				Justification string `json:"justification"`
			} `json:"suppressions"`
			Properties struct {
				Resource string `json:"resource"`
				Status   string `json:"status"`
			} `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func parseSARIF(t *testing.T, raw []byte) sarifDoc {
	t.Helper()
	var doc sarifDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	return doc
}

// TestSARIFGitHubRequirements checks what GitHub's SARIF documentation marks
// required, and the limits past which an upload is rejected or cut.
func TestSARIFGitHubRequirements(t *testing.T) {
	for name, rep := range cases() {
		t.Run(name, func(t *testing.T) {
			doc := parseSARIF(t, render(t, "sarif", rep, Options{BaseDir: baseDir, Version: "1.2.3"}))
			if doc.Schema == "" || doc.Version != "2.1.0" || len(doc.Runs) != 1 {
				t.Fatalf("$schema %q, version %q, %d runs; want a schema, 2.1.0 and one run", doc.Schema, doc.Version, len(doc.Runs))
			}
			run := doc.Runs[0]
			d := run.Tool.Driver
			if d.Name != "safeguard" || d.Version != "1.2.3" {
				t.Errorf("driver %q %q", d.Name, d.Version)
			}
			if len(d.Rules) != len(rep.Book.Rules()) {
				t.Errorf("%d rules, want every rule in the book (%d)", len(d.Rules), len(rep.Book.Rules()))
			}
			for i, r := range d.Rules {
				if r.ID == "" || r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.Help.Text == "" {
					t.Errorf("rule %d lacks a required field: %+v", i, r)
				}
				if len(r.Name) > 255 || len([]rune(r.ShortDescription.Text)) > 1024 || len([]rune(r.FullDescription.Text)) > 1024 {
					t.Errorf("rule %s exceeds GitHub's length limits", r.ID)
				}
				if len(r.Properties.Tags) != 1 || r.Default.Level != "error" {
					t.Errorf("rule %s tags %v level %q", r.ID, r.Properties.Tags, r.Default.Level)
				}
			}
			if run.Results == nil {
				t.Fatal("results is null; GitHub needs an array (empty closes fixed alerts)")
			}
			results := *run.Results
			if want := rep.Summary.Failed + rep.Summary.Exempted; len(results) != want {
				t.Errorf("%d results, want %d (failed + exempted)", len(results), want)
			}
			for i, r := range results {
				if r.RuleIndex == nil || *r.RuleIndex >= len(d.Rules) || d.Rules[*r.RuleIndex].ID != r.RuleID {
					t.Errorf("result %d: ruleIndex does not point at rule %s", i, r.RuleID)
				}
				if r.Message.Text == "" || (r.Level != "error" && r.Level != "warning") {
					t.Errorf("result %d: message %q level %q", i, r.Message.Text, r.Level)
				}
				if len(r.Locations) != 1 || r.Locations[0].Physical == nil || r.Locations[0].Physical.Artifact.URI == "" {
					t.Fatalf("result %d has no physical artifact location; GitHub rejects the whole upload", i)
				}
				a := r.Locations[0].Physical.Artifact
				if strings.HasPrefix(a.URI, "/") || strings.Contains(a.URI, `\`) || a.URIBaseID != "%SRCROOT%" {
					t.Errorf("result %d: uri %q (base %q), want a relative forward-slash path under %%SRCROOT%%", i, a.URI, a.URIBaseID)
				}
				if len(r.Locations[0].Logical) != 1 || r.Locations[0].Logical[0].Name != r.Properties.Resource {
					t.Errorf("result %d: logical location does not name resource %s", i, r.Properties.Resource)
				}
				if r.PartialFingerprints["primaryLocationLineHash"] == "" {
					t.Errorf("result %d has no primaryLocationLineHash", i)
				}
				exempt := r.Properties.Status == string(findings.Exempt)
				if exempt != (len(r.Suppressions) == 1) {
					t.Errorf("result %d: status %s with %d suppressions", i, r.Properties.Status, len(r.Suppressions))
				}
				if exempt && (r.Suppressions[0].Kind != "external" || r.Suppressions[0].Justification == "") {
					t.Errorf("result %d: suppression %+v", i, r.Suppressions[0])
				}
			}
		})
	}
}

func TestSARIFLocations(t *testing.T) {
	doc := parseSARIF(t, render(t, "sarif", testReport("production"), Options{BaseDir: baseDir}))
	byResource := map[string]string{}
	for _, r := range *doc.Runs[0].Results {
		p := r.Locations[0].Physical
		loc := p.Artifact.URI
		if p.Region != nil {
			loc += ":" + strings.Join([]string{itoa(p.Region.StartLine), itoa(p.Region.StartColumn)}, ":")
		}
		byResource[r.Properties.Resource] = loc
	}
	want := map[string]string{
		"ApiGatewayMethodThingsGet": "serverless.yml:31:11",
		"ArchiveTable":              "resources/db.yml:20:9",
		"payments-api":              "serverless.yml", // no file of its own: the service file, no region
	}
	for res, w := range want {
		if byResource[res] != w {
			t.Errorf("%s located at %q, want %q", res, byResource[res], w)
		}
	}
}

func TestSARIFLiveAuditHasLogicalLocations(t *testing.T) {
	rep := testReport("")
	for i := range rep.Findings {
		rep.Findings[i].File, rep.Findings[i].Line, rep.Findings[i].Column = "", 0, 0
	}
	rep.Passed, rep.Source = nil, "live"
	doc := parseSARIF(t, render(t, "sarif", rep, Options{}))
	for i, r := range *doc.Runs[0].Results {
		if r.Locations[0].Physical != nil || len(r.Locations[0].Logical) != 1 {
			t.Errorf("result %d of a fileless report: %+v, want a logical location only", i, r.Locations[0])
		}
	}
}

// An alert must keep its identity when its line moves or its wording
// changes, and two resources must not share one.
func TestSARIFFingerprintStable(t *testing.T) {
	fingerprints := func(rep findings.Report) map[string]string {
		doc := parseSARIF(t, render(t, "sarif", rep, Options{BaseDir: baseDir}))
		out := map[string]string{}
		for _, r := range *doc.Runs[0].Results {
			out[r.RuleID+" "+r.Properties.Resource] = r.PartialFingerprints["primaryLocationLineHash"]
		}
		return out
	}
	before := fingerprints(testReport("production"))
	moved := testReport("production")
	for i := range moved.Findings {
		moved.Findings[i].Line += 7
		moved.Findings[i].Message += " (reworded)"
	}
	after := fingerprints(moved)
	seen := map[string]string{}
	for k, fp := range before {
		if after[k] != fp {
			t.Errorf("%s: fingerprint %s became %s after a line move", k, fp, after[k])
		}
		if other, dup := seen[fp]; dup {
			t.Errorf("%s and %s share fingerprint %s", k, other, fp)
		}
		seen[fp] = k
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
