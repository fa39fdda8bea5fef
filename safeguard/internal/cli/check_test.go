package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"prodready/safeguard/internal/command"
)

var update = flag.Bool("update", false, "rewrite golden files")

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// Bad input never passes: it exits 2 with one message naming the file, the
// line and what was expected.
func TestCheckRefusesBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{"malformed YAML", []string{"testdata/bad/malformed.yml"}, []string{"testdata/bad/malformed.yml:", "invalid YAML"}},
		{"wrong type", []string{"testdata/bad/wrongtype.yml"}, []string{"testdata/bad/wrongtype.yml:5", "provider.tracing", "yes-please"}},
		{"missing file()", []string{"testdata/bad/missingfile.yml"}, []string{"testdata/bad/missingfile.yml:5", "does-not-exist.yml"}},
		{"variable cycle", []string{"testdata/bad/cycle.yml"}, []string{"testdata/bad/cycle.yml:", "custom.a", "custom.b"}},
		{"opt:stage without --stage", []string{"testdata/bad/nostage.yml"}, []string{"testdata/bad/nostage.yml:5", "--stage"}},
		{"exemption without approver", []string{"testdata/bad/exemption.yml", "--stage", "production"}, []string{"testdata/bad/exemption.yml:8", "approvedBy"}},
		{"exemption naming no rule", []string{"testdata/bad/unknownrule.yml"}, []string{"testdata/bad/unknownrule.yml:8", `"dashboards" is not a rule id`}},
		{"typo in custom.safeguard", []string{"testdata/bad/typo.yml"}, []string{"testdata/bad/typo.yml:7", "custom.safeguard.exemption is not a setting"}},
		{"no such file", []string{"testdata/bad/nope.yml"}, []string{"testdata/bad/nope.yml", "no such file"}},
		{"unknown format", []string{"--format", "xml", "testdata/services/unseen.yml"}, []string{`unknown format "xml"`}},
		{"unknown rule filter", []string{"--rule", "nope", "testdata/services/unseen.yml"}, []string{`--rule "nope" is not a rule id`}},
		{"template without config", []string{"--template", "t.json", "testdata/services/unseen.yml"}, []string{"--template and --config go together"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"check"}, tc.args...)...)
			if code != command.ExitCannot {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// Hostile inputs are refused within bounded time: a file far over the size
// limit and a YAML alias bomb.
func TestCheckRefusesHostileInputQuickly(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("# " + strings.Repeat("x", 1021) + "\n")
	for i := 0; i < 50*1024; i++ { // 50 MiB
		f.Write(line)
	}
	f.Close()
	var bomb strings.Builder
	bomb.WriteString("service: bomb\nprovider: {name: aws}\ncustom:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&bomb, "  a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	bombPath := filepath.Join(dir, "bomb.yml")
	os.WriteFile(bombPath, []byte(bomb.String()), 0o644)
	for _, tc := range []struct{ path, want string }{{big, "limit"}, {bombPath, "refusing"}} {
		start := time.Now()
		code, _, stderr := run(t, "check", tc.path)
		if code != command.ExitCannot || !strings.Contains(stderr, tc.path) || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q", tc.path, code, stderr)
		}
		// Generous: the point is "seconds, not forever", on a loaded CI machine.
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s: took %v", tc.path, d)
		}
	}
}

// A value the rules need but cannot see fails closed: the finding says what
// could not be seen, and production blocks.
func TestCheckFailsClosedOnUnseenValues(t *testing.T) {
	code, out, _ := run(t, "check", "--stage", "production", "--format", "json", "testdata/services/unseen.yml")
	if code != command.ExitFailed {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	var rep struct {
		Findings []struct{ Rule, Status, Message, File string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Rule == "xray-tracing" && f.Status == "fail" && strings.Contains(f.Message, "${ssm:/platform/production/tracing-mode}") {
			found = true
		}
	}
	if !found {
		t.Errorf("no fail-closed xray-tracing finding naming the SSM parameter:\n%s", out)
	}
}

// Findings point into the file a value came from, also through ${file()}.
func TestCheckPositionsThroughFileInclude(t *testing.T) {
	code, out, stderr := run(t, "check", "--stage", "production", "--rule", "dynamodb-pitr", "--format", "json", "testdata/services/included/serverless.yml")
	if code != command.ExitFailed {
		t.Fatalf("exit %d:\n%s%s", code, out, stderr)
	}
	var rep struct {
		Findings []struct {
			Rule, File string
			Line       int
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || !strings.HasSuffix(rep.Findings[0].File, "included/resources.yml") || rep.Findings[0].Line != 2 {
		t.Errorf("findings = %+v, want dynamodb-pitr at included/resources.yml:2", rep.Findings)
	}
}

// Stages: the same findings block in production and warn in development.
func TestCheckStages(t *testing.T) {
	svc := "../../../tests/services/orders-api/serverless.yml"
	if code, _, stderr := run(t, "check", "--stage", "production", "--format", "json", svc); code != command.ExitFailed {
		t.Errorf("production: exit %d, want 1 (%s)", code, stderr)
	}
	code, out, stderr := run(t, "check", "--stage", "development", "--format", "json", svc)
	if code != command.ExitOK {
		t.Fatalf("development: exit %d, want 0 (%s)", code, stderr)
	}
	var rep struct {
		Findings []struct{ Severity string }
		Summary  struct {
			Failed   int
			Blocking bool
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Failed == 0 || rep.Summary.Blocking {
		t.Errorf("development summary = %+v, want failures that do not block", rep.Summary)
	}
	for _, f := range rep.Findings {
		if f.Severity != "warning" {
			t.Errorf("development finding severity %q, want warning", f.Severity)
		}
	}
}

// Exemptions: a current one exempts, an expired one fails again.
func TestCheckExemptions(t *testing.T) {
	dir := t.TempDir()
	write := func(expires string) string {
		src := fmt.Sprintf(`service: exempted
provider:
  name: aws
  runtime: provided.al2023
  region: eu-west-2
resources:
  Resources:
    NotesTable:
      Type: AWS::DynamoDB::Table
      Properties:
        KeySchema: [{AttributeName: id, KeyType: HASH}]
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
custom:
  safeguard:
    exemptions:
      - rule: dynamodb-pitr
        resource: Notes*
        reason: rebuilt nightly from the source system
        approvedBy: lead@example.org
        expires: %s
`, expires)
		p := filepath.Join(dir, expires+".yml")
		os.WriteFile(p, []byte(src), 0o644)
		return p
	}
	future := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	past := time.Now().AddDate(0, 0, -2).Format(time.DateOnly)
	if code, out, _ := run(t, "check", "--stage", "production", "--rule", "dynamodb-pitr", write(future)); code != command.ExitOK || !strings.Contains(out, "exempt") {
		t.Errorf("current exemption: exit %d\n%s", code, out)
	}
	code, out, _ := run(t, "check", "--stage", "production", "--rule", "dynamodb-pitr", "--format", "json", write(past))
	if code != command.ExitFailed || !strings.Contains(out, "expired on "+past) {
		t.Errorf("expired exemption: exit %d\n%s", code, out)
	}
}

// Every format renders; --output and --report write files.
func TestCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	svc := "../../../tests/services/orders-api/serverless.yml"
	for _, f := range []string{"text", "json", "sarif", "junit", "markdown"} {
		code, out, stderr := run(t, "check", "--stage", "production", "--format", f, svc)
		if code != command.ExitFailed || len(out) == 0 {
			t.Errorf("%s: exit %d, %d bytes, stderr %s", f, code, len(out), stderr)
		}
	}
	sarif, junit, md := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.xml"), filepath.Join(dir, "out", "r.md")
	code, out, stderr := run(t, "check", "--stage", "production", "--output", md, "--format", "markdown", "--report", "sarif="+sarif, "--report", "junit="+junit, svc)
	if code != command.ExitFailed || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %s", code, out, stderr)
	}
	for _, p := range []string{sarif, junit, md} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", p, err)
		}
	}
}

// The text report of the bundled demo service, as `make demo` shows it.
func TestCheckDemoGolden(t *testing.T) {
	_, out, _ := run(t, "check", "--stage", "production", "../../../tests/services/orders-api/serverless.yml")
	golden := filepath.Join("testdata", "orders-api.production.txt")
	if *update {
		os.WriteFile(golden, []byte(out), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("report differs from %s (run with -update after review):\n%s", golden, out)
	}
}

func TestRulesAndExplain(t *testing.T) {
	code, out, _ := run(t, "rules", "--format", "json")
	var list []struct{ ID string }
	if code != command.ExitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 25 {
		t.Fatalf("rules: exit %d, %d rules", code, len(list))
	}
	ids := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	for _, r := range list {
		if !ids.MatchString(r.ID) {
			t.Errorf("rule id %q is not kebab-case", r.ID)
		}
		code, out, _ := run(t, "explain", r.ID)
		if code != command.ExitOK || !strings.Contains(out, "How to fix") || !strings.Contains(out, "rule: "+r.ID) {
			t.Errorf("explain %s: exit %d\n%s", r.ID, code, out)
		}
	}
	if code, _, stderr := run(t, "explain", "nope"); code != command.ExitCannot || !strings.Contains(stderr, "not a rule id") {
		t.Errorf("explain nope: exit %d %s", code, stderr)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, stderr := run(t, "chek"); code != command.ExitCannot || !strings.Contains(stderr, `unknown command "chek"`) {
		t.Errorf("exit %d, %s", code, stderr)
	}
}
