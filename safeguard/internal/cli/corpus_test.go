package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prodready/safeguard/internal/command"
	"prodready/shared/value"
)

// corpusDir holds fifteen real serverless.yml files from the council's public
// repositories. Every one must load and check, in every stage it names under
// custom.vpc, with the findings the standard implies. The goldens list them
// (status, rule, resource, line); each was reviewed against the standard
// when written, and a change to one is a change in what the safeguard tells
// a team, to be reviewed the same way (-update rewrites them).
const corpusDir = "../../../tests/corpus/hackney"

// Stages where the Framework itself refuses the file, because a variable
// names a stage the file does not define: the safeguard must refuse too,
// with the file and line.
var corpusRefusals = map[string]string{
	"social-care-case-viewer-api.yml development": "custom.mongoDBImportBucket.development",
	"api-auth-verify-token.yml pre-production":    "custom.desAccountIds.pre-production",
}

func TestCorpusFindings(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.yml"))
	if len(files) != 15 {
		t.Fatalf("found %d corpus files in %s, want 15", len(files), corpusDir)
	}
	for _, file := range files {
		name := filepath.Base(file)
		for _, stage := range corpusStages(t, file) {
			t.Run(name+"/"+stage, func(t *testing.T) {
				code, out, stderr := run(t, "check", "--stage", stage, "--format", "json", file)
				if want, refused := corpusRefusals[name+" "+stage]; refused {
					if code != command.ExitCannot || !strings.Contains(stderr, want) || !strings.Contains(stderr, name+":") {
						t.Fatalf("exit %d, want 2 naming %s with a line:\n%s", code, want, stderr)
					}
					return
				}
				if code == command.ExitCannot {
					t.Fatalf("cannot check:\n%s", stderr)
				}
				got := corpusListing(t, out)
				golden := filepath.Join("testdata", "corpus", strings.TrimSuffix(name, ".yml")+"."+stage+".golden")
				if *update {
					os.MkdirAll(filepath.Dir(golden), 0o755)
					os.WriteFile(golden, []byte(got), 0o644)
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if got != string(want) {
					t.Errorf("findings differ from %s:\n--- got\n%s--- want\n%s", golden, got, want)
				}
				if (stage == "production") != (code == command.ExitFailed) && strings.Contains(got, "fail ") {
					t.Errorf("exit %d in stage %s with failures", code, stage)
				}
			})
		}
	}
}

// corpusStages are the stages a file names under custom.vpc.
func corpusStages(t *testing.T, file string) []string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := value.ParseYAML(file, src, value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	stages := doc.Get("custom", "vpc").SortedKeys()
	if len(stages) == 0 {
		t.Fatalf("%s names no stage under custom.vpc", file)
	}
	return stages
}

func corpusListing(t *testing.T, out string) string {
	t.Helper()
	var rep struct {
		Findings []struct {
			Rule, Status, Severity, Resource, Message string
			Line                                      int
		}
		Summary struct{ Failed, Exempted, Passed, Rules int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	var b strings.Builder
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "%s %s %s line %d: %s\n", f.Status, f.Rule, f.Resource, f.Line, f.Message)
	}
	fmt.Fprintf(&b, "summary: %d failed, %d exempted, %d passed across %d rules\n", rep.Summary.Failed, rep.Summary.Exempted, rep.Summary.Passed, rep.Summary.Rules)
	return b.String()
}
