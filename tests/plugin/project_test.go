package plugin

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestProjectServicePackagesInProduction: the project's own serverless.yml
// (the auditor and the DLQ archiver, deployed with this plugin) passes its
// own safeguard in production. It packages into a temporary directory so
// nothing is left in the checkout.
func TestProjectServicePackagesInProduction(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	yml := filepath.Join(root, "serverless.yml")
	src, err := os.ReadFile(yml)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("the project's serverless.yml does not exist yet; this test runs once it does")
	}
	if err != nil {
		t.Fatal(err)
	}
	sls := slsPath(t)
	if !strings.Contains(string(src), "safeguard/plugin") {
		t.Errorf("serverless.yml does not list the plugin (./safeguard/plugin) under plugins:")
	}
	if strings.Contains(string(src), ".build/lambdas") {
		build := exec.Command("make", "lambdas")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("make lambdas: %v\n%s", err, out)
		}
	}
	pkg := filepath.Join(t.TempDir(), "package")
	rec := newRecorder(t)
	cmd := exec.Command(sls, "package", "--stage", "production", "--package", pkg)
	cmd.Dir = root
	cmd.Env = append(baseEnv(t, filepath.Join(t.TempDir(), "home"), rec.URL), "SAFEGUARD_BIN="+safeguardBin(t))
	out, err := cmd.CombinedOutput()
	res := result{Args: cmd.Args[1:], Output: string(out)}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		res.Code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if res.Code != 0 {
		t.Fatalf("the project's own service does not pass its safeguard in production:\n%s", res)
	}
	assertContains(t, res, "Safeguard: stage production passes the Production Deployment standard")
	assertDeployable(t, pkg)
}
