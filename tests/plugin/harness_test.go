package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireSLSEnv makes a missing Serverless CLI a failure instead of a skip.
const requireSLSEnv = "SAFEGUARD_REQUIRE_SLS"

var (
	// workDir holds what every test shares: the built binary.
	workDir string

	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "safeguard-plugin-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests/plugin:", err)
		os.Exit(2)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// repoRoot is the module root, two levels up from this package.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		tb.Fatalf("repository root %s has no go.mod: %v", root, err)
	}
	return root
}

// slsPath returns the pinned CLI, skipping the test when it is not
// installed, unless SAFEGUARD_REQUIRE_SLS is set (CI), which fails it.
// Under -short the tests skip too (they take a minute or more), again
// unless SAFEGUARD_REQUIRE_SLS is set.
func slsPath(tb testing.TB) string {
	tb.Helper()
	p, err := filepath.Abs(filepath.Join("node_modules", ".bin", "sls"))
	if err != nil {
		tb.Fatal(err)
	}
	required := os.Getenv(requireSLSEnv) != ""
	if _, err := os.Stat(p); err != nil {
		if required {
			tb.Fatalf("%s is set but the Serverless CLI is missing (%v); run `npm ci` in tests/plugin", requireSLSEnv, err)
		}
		tb.Skipf("the Serverless CLI is not installed (%v); run `npm ci` in tests/plugin, or set %s to make this a failure", err, requireSLSEnv)
	}
	if testing.Short() && !required {
		tb.Skip("end-to-end plugin tests run the real CLI; skipped with -short")
	}
	if _, err := exec.LookPath("node"); err != nil {
		tb.Fatalf("node is not on PATH, but node_modules is installed: %v", err)
	}
	return p
}

// safeguardBin builds the safeguard command once for the whole run.
func safeguardBin(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		out := filepath.Join(workDir, "bin", "safeguard")
		cmd := exec.Command(goTool(), "build", "-o", out, "./safeguard")
		cmd.Dir = repoRoot(tb)
		msg, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./safeguard: %v\n%s", err, msg)
			return
		}
		builtBin = out
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return builtBin
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// service is a temporary copy of a service directory with the plugin in it.
type service struct {
	tb   testing.TB
	Dir  string
	home string
	// Recorder receives every AWS request the CLI makes.
	Recorder *recorder
}

// pluginLine is how the tests' services add the plugin: a copy of
// safeguard/plugin inside the service (osls only loads local plugins from
// inside the service directory).
const pluginLine = "./.safeguard/plugin"

// newService copies src (a directory) into a temporary directory, copies
// the plugin into it and lists it under plugins:. With withPlugin false the
// service is left as it is (for the benchmark's baseline).
func newService(tb testing.TB, src string, withPlugin bool) *service {
	tb.Helper()
	tmp := tb.TempDir()
	dir := filepath.Join(tmp, filepath.Base(src))
	copyDir(tb, src, dir)
	s := &service{tb: tb, Dir: dir, home: filepath.Join(tmp, "home"), Recorder: newRecorder(tb)}
	if withPlugin {
		copyDir(tb, filepath.Join(repoRoot(tb), "safeguard", "plugin"), filepath.Join(dir, ".safeguard", "plugin"))
		s.appendYAML("\nplugins:\n  - " + pluginLine + "\n")
	}
	return s
}

func (s *service) yamlPath() string { return filepath.Join(s.Dir, "serverless.yml") }

func (s *service) appendYAML(text string) {
	s.tb.Helper()
	f, err := os.OpenFile(s.yamlPath(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		s.tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		s.tb.Fatal(err)
	}
}

// edit replaces the one occurrence of old in serverless.yml.
func (s *service) edit(old, new string) {
	s.tb.Helper()
	src, err := os.ReadFile(s.yamlPath())
	if err != nil {
		s.tb.Fatal(err)
	}
	if n := strings.Count(string(src), old); n != 1 {
		s.tb.Fatalf("serverless.yml: want one %q to replace, found %d", old, n)
	}
	if err := os.WriteFile(s.yamlPath(), []byte(strings.Replace(string(src), old, new, 1)), 0o644); err != nil {
		s.tb.Fatal(err)
	}
}

// setSafeguard puts settings (YAML lines indented for custom.safeguard)
// under the service's custom: section.
func (s *service) setSafeguard(lines string) {
	s.tb.Helper()
	s.edit("\ncustom:\n", "\ncustom:\n  safeguard:\n"+lines)
}

// run is how one CLI invocation is set up.
type run struct {
	// Bin is the safeguard binary handed over in SAFEGUARD_BIN; "" means
	// the one built for this run, noBinary means none at all.
	Bin string
	// Env adds variables.
	Env []string
}

const noBinary = "\x00none"

// result is what a command did.
type result struct {
	Args   []string
	Code   int
	Output string // stdout and stderr together
	// CPU is the user and system time of the CLI and the processes it
	// waited for (the safeguard binary among them).
	CPU time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("sls %s: exit %d\n%s", strings.Join(r.Args, " "), r.Code, r.Output)
}

// sls runs the CLI in the service directory, offline: fake credentials,
// every AWS endpoint pointed at the service's recorder, telemetry off, and
// a PATH that holds node and nothing of ours (so the only safeguard the
// plugin finds is the one the run names).
func (s *service) sls(r run, args ...string) result {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, slsPath(s.tb), args...)
	cmd.Dir = s.Dir
	cmd.Env = append(baseEnv(s.tb, s.home, s.Recorder.URL), r.Env...)
	switch r.Bin {
	case "":
		cmd.Env = append(cmd.Env, "SAFEGUARD_BIN="+safeguardBin(s.tb))
	case noBinary:
	default:
		cmd.Env = append(cmd.Env, "SAFEGUARD_BIN="+r.Bin)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	res := result{Args: args, Output: out.String()}
	if ps := cmd.ProcessState; ps != nil {
		res.CPU = ps.UserTime() + ps.SystemTime()
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.Code = exit.ExitCode()
	default:
		s.tb.Fatalf("sls %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	if ctx.Err() != nil {
		s.tb.Fatalf("sls %s did not finish in time\n%s", strings.Join(args, " "), out.String())
	}
	return res
}

func baseEnv(tb testing.TB, home, endpoint string) []string {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Fatal(err)
	}
	// A HOME of its own: the CLI may write its settings there.
	if err := os.MkdirAll(home, 0o755); err != nil {
		tb.Fatal(err)
	}
	env := []string{
		"PATH=" + filepath.Dir(node) + string(os.PathListSeparator) + "/usr/bin" + string(os.PathListSeparator) + "/bin",
		"HOME=" + home,
		"AWS_ACCESS_KEY_ID=AKIDSAFEGUARDTEST",
		"AWS_SECRET_ACCESS_KEY=safeguard-test-secret",
		"AWS_ENDPOINT_URL=" + endpoint,
		"SLS_TELEMETRY_DISABLED=1",
		"SLS_AWS_REQUEST_MAX_RETRIES=0",
		"NO_COLOR=1",
	}
	if t := os.Getenv("TMPDIR"); t != "" {
		env = append(env, "TMPDIR="+t)
	}
	return env
}

// copyDir copies a directory tree of regular files.
func copyDir(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == ".serverless" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, info.Mode().Perm())
	})
	if err != nil {
		tb.Fatalf("copy %s: %v", src, err)
	}
}

// listDir names the files in dir ("" for a missing directory).
func listDir(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// deployableFiles are what makes a package directory deployable.
var deployableFiles = []string{
	"serverless-state.json",
	"cloudformation-template-update-stack.json",
	"cloudformation-template-create-stack.json",
}

// assertDeployable checks that dir holds a complete package.
func assertDeployable(tb testing.TB, dir string) {
	tb.Helper()
	for _, f := range deployableFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			tb.Errorf("package %s lacks %s: %v (has %v)", dir, f, err, listDir(tb, dir))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "safeguard-blocked.txt")); err == nil {
		tb.Errorf("package %s is marked blocked", dir)
	}
}

// assertWithdrawn checks that dir holds nothing deployable and says why.
func assertWithdrawn(tb testing.TB, dir string, mentions ...string) {
	tb.Helper()
	for _, f := range deployableFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			tb.Errorf("blocked package %s still holds %s (has %v)", dir, f, listDir(tb, dir))
		}
	}
	note, err := os.ReadFile(filepath.Join(dir, "safeguard-blocked.txt"))
	if err != nil {
		tb.Errorf("blocked package %s has no safeguard-blocked.txt: %v (has %v)", dir, err, listDir(tb, dir))
		return
	}
	for _, m := range mentions {
		if !strings.Contains(string(note), m) {
			tb.Errorf("safeguard-blocked.txt does not mention %q:\n%s", m, note)
		}
	}
}

func assertContains(tb testing.TB, r result, wants ...string) {
	tb.Helper()
	for _, w := range wants {
		if !strings.Contains(r.Output, w) {
			tb.Errorf("output lacks %q\n%s", w, r)
		}
	}
}
