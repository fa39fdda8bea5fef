package plugin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ordersAPI is the sample service that breaks the standard on purpose.
func ordersAPI(tb testing.TB) string {
	return filepath.Join(repoRoot(tb), "tests", "services", "orders-api")
}

// brokenOnPurpose are rules orders-api breaks by design (a private: true
// route, three GSIs, 30-day logs); the report must name at least these.
var brokenOnPurpose = []string{"api-authorizer", "dynamodb-gsi-limit", "log-retention"}

// TestPackageProductionBlocked: packaging a service that breaks the standard
// for an enforced stage fails, says what to fix and how to exempt, writes
// the configured reports, and withdraws the package it had written.
func TestPackageProductionBlocked(t *testing.T) {
	t.Parallel()
	svc := newService(t, ordersAPI(t), true)
	svc.setSafeguard("    reports:\n" +
		"      sarif: reports/safeguard.sarif\n" +
		"      junit: reports/junit.xml\n" +
		"      json: reports/safeguard.json\n" +
		"      markdown: reports/safeguard.md\n")

	res := svc.sls(run{}, "package", "--stage", "production")
	if res.Code == 0 {
		t.Fatalf("package in production passed a service that breaks the standard:\n%s", res)
	}
	rep := readJSONReport(t, filepath.Join(svc.Dir, "reports", "safeguard.json"))
	failing := rep.failingRules()
	if !rep.Summary.Blocking || rep.Summary.Stage != "production" {
		t.Errorf("JSON report summary = %+v; want blocking in production", rep.Summary)
	}
	for _, id := range brokenOnPurpose {
		if !strings.Contains(strings.Join(failing, " "), id) {
			t.Errorf("rule %s does not fail; failing rules: %v", id, failing)
		}
	}
	assertContains(t, res,
		"Safeguard: orders-api cannot be deployed to production",
		"stage production is enforced",
		"fix: ",
		"(serverless.yml:", // where to change it
		"custom.safeguard.exemptions",
		"Full report:",
		"Nothing was deployed; the package in .serverless was withdrawn",
	)
	// The summary names every failing rule (one line per rule, indented).
	for _, id := range failing {
		assertContains(t, res, "\n  "+id+": ")
	}
	if n := strings.Count(res.Output, "cannot be deployed to production"); n != 1 {
		t.Errorf("the check ran %d times; want once", n)
	}
	assertWithdrawn(t, filepath.Join(svc.Dir, ".serverless"), failing[0])

	checkSARIF(t, filepath.Join(svc.Dir, "reports", "safeguard.sarif"), failing)
	checkJUnit(t, filepath.Join(svc.Dir, "reports", "junit.xml"), rep.Summary.Failed)
	if md, err := os.ReadFile(filepath.Join(svc.Dir, "reports", "safeguard.md")); err != nil || !strings.Contains(string(md), failing[0]) {
		t.Errorf("Markdown report missing or does not name %s: %v", failing[0], err)
	}

	// What is left cannot be deployed, not even to a stage that is not
	// enforced: the Framework itself refuses a package without its state.
	dep := svc.sls(run{}, "deploy", "--stage", "development", "--package", ".serverless")
	if dep.Code == 0 {
		t.Fatalf("the withdrawn package deployed:\n%s", dep)
	}
	assertContains(t, dep, "serverless-state.json")
	if cf := svc.Recorder.To("cloudformation"); len(cf) > 0 {
		t.Errorf("deploying the withdrawn package reached CloudFormation: %v", cf)
	}
}

// TestPackageDevelopmentWarns: in a stage that is not enforced the same
// service packages, and the findings are printed as warnings.
func TestPackageDevelopmentWarns(t *testing.T) {
	t.Parallel()
	svc := newService(t, ordersAPI(t), true)
	res := svc.sls(run{}, "package", "--stage", "development")
	if res.Code != 0 {
		t.Fatalf("package in development failed:\n%s", res)
	}
	assertContains(t, res,
		"Warning: Safeguard:",
		"stage development is not enforced, so these are warnings",
		"Service packaged",
	)
	for _, id := range brokenOnPurpose {
		assertContains(t, res, "\n  "+id+": ")
	}
	assertDeployable(t, filepath.Join(svc.Dir, ".serverless"))
}

// TestPackageCompliant: a service that meets the standard packages for
// production with no warnings. The plugin is installed as an npm package
// here, the other way a service adds it.
func TestPackageCompliant(t *testing.T) {
	t.Parallel()
	svc := newService(t, filepath.Join("testdata", "compliant"), false)
	writeBootstrapZip(t, filepath.Join(svc.Dir, "bootstrap.zip"))
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("npm is not on PATH: %v", err)
	}
	install := exec.Command(npm, "install", "--no-audit", "--no-fund", "--offline", "--loglevel=error",
		filepath.Join(repoRoot(t), "safeguard", "plugin"))
	install.Dir = svc.Dir
	install.Env = append(baseEnv(t, svc.home, svc.Recorder.URL), "npm_config_cache="+filepath.Join(svc.home, "npm-cache"))
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install of the plugin folder: %v\n%s", err, out)
	}
	svc.appendYAML("\nplugins:\n  - serverless-prodready-safeguard\n")

	res := svc.sls(run{}, "package", "--stage", "production")
	if res.Code != 0 {
		t.Fatalf("the compliant service was blocked:\n%s", res)
	}
	assertContains(t, res, "Safeguard: stage production passes the Production Deployment standard", "Service packaged")
	if strings.Contains(res.Output, "Warning: Safeguard") {
		t.Errorf("the compliant service has warnings:\n%s", res)
	}
	rep := readJSONReport(t, filepath.Join(svc.Dir, "reports", "safeguard.json"))
	if rep.Summary.Failed != 0 || rep.Summary.Rules == 0 || rep.Summary.Passed == 0 {
		t.Errorf("JSON report summary = %+v; want passes and no failures", rep.Summary)
	}
	assertDeployable(t, filepath.Join(svc.Dir, ".serverless"))
}
