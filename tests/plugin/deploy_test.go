package plugin

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDeployProductionStopsBeforeCloudFormation: `sls deploy` of a failing
// service in production stops before its first CloudFormation request. The
// control run (development, where the check passes with warnings) shows
// that the recorder does see CloudFormation requests when the CLI makes
// them, and that deploy checks once although it runs package first.
func TestDeployProductionStopsBeforeCloudFormation(t *testing.T) {
	t.Parallel()
	svc := newService(t, ordersAPI(t), true)

	blocked := svc.sls(run{}, "deploy", "--stage", "production")
	if blocked.Code == 0 {
		t.Fatalf("deploy to production passed:\n%s", blocked)
	}
	assertContains(t, blocked, "Safeguard: orders-api cannot be deployed to production", "Nothing was deployed")
	if n := strings.Count(blocked.Output, "cannot be deployed to production"); n != 1 {
		t.Errorf("the check ran %d times; want once", n)
	}
	if cf := svc.Recorder.To("cloudformation"); len(cf) > 0 {
		t.Fatalf("deploy reached CloudFormation before the safeguard stopped it: %v", cf)
	}
	assertWithdrawn(t, filepath.Join(svc.Dir, ".serverless"))

	control := svc.sls(run{}, "deploy", "--stage", "development")
	if control.Code == 0 {
		t.Fatalf("the recorder refuses every request, yet deploy succeeded:\n%s", control)
	}
	if n := strings.Count(control.Output, "Warning: Safeguard:"); n != 1 {
		t.Errorf("deploy printed the safeguard's warnings %d times; want once (package runs inside deploy)\n%s", n, control)
	}
	if len(svc.Recorder.To("cloudformation")) == 0 {
		t.Fatalf("control: deploy in development made no CloudFormation request the recorder saw (requests: %v), so the production assertion proves nothing\n%s",
			svc.Recorder.Requests(), control)
	}
}

// TestDeployPackageStopsBeforeCloudFormation: `sls deploy --package DIR` of
// a package made for development is checked for the stage it is deployed
// to, and production stops it before any CloudFormation request. The
// development package itself is left alone: it is valid for development.
func TestDeployPackageStopsBeforeCloudFormation(t *testing.T) {
	t.Parallel()
	svc := newService(t, ordersAPI(t), true)
	pkg := filepath.Join(t.TempDir(), "development-package")

	made := svc.sls(run{}, "package", "--stage", "development", "--package", pkg)
	if made.Code != 0 {
		t.Fatalf("package in development failed:\n%s", made)
	}
	assertDeployable(t, pkg)

	blocked := svc.sls(run{}, "deploy", "--stage", "production", "--package", pkg)
	if blocked.Code == 0 {
		t.Fatalf("deploy --package to production passed:\n%s", blocked)
	}
	assertContains(t, blocked, "Safeguard: orders-api cannot be deployed to production", "Nothing was deployed.", "api-authorizer")
	if cf := svc.Recorder.To("cloudformation"); len(cf) > 0 {
		t.Fatalf("deploy --package reached CloudFormation before the safeguard stopped it: %v", cf)
	}
	assertDeployable(t, pkg)

	control := svc.sls(run{}, "deploy", "--stage", "development", "--package", pkg)
	if control.Code == 0 {
		t.Fatalf("the recorder refuses every request, yet deploy succeeded:\n%s", control)
	}
	assertContains(t, control, "Warning: Safeguard:")
	if len(svc.Recorder.To("cloudformation")) == 0 {
		t.Fatalf("control: deploy --package in development made no CloudFormation request the recorder saw (requests: %v)\n%s",
			svc.Recorder.Requests(), control)
	}
}
