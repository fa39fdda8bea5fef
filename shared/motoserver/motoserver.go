// Package motoserver runs the moto AWS emulator (the python3 -m moto.server
// that ships on the build machine) for tests: one server per test binary,
// reset between tests, with the standard AWS environment pointed at it.
package motoserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running moto.
type Server struct {
	URL string
	cmd *exec.Cmd
}

var (
	mu     sync.Mutex
	shared *Server
	start  error
)

// Start returns the test binary's moto server, starting it on first use,
// resets its state, and points the AWS SDK environment of this process at
// it (t.Setenv, so tests using it cannot run in parallel). The test is
// skipped only if python3 or moto is missing and SAFEGUARD_REQUIRE_MOTO is
// unset; CI sets it, so a missing emulator fails there.
func Start(t testing.TB) *Server {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if shared == nil && start == nil {
		shared, start = launch()
	}
	if start != nil {
		if os.Getenv("SAFEGUARD_REQUIRE_MOTO") != "" {
			t.Fatalf("moto: %v", start)
		}
		t.Skipf("moto not available: %v", start)
	}
	if err := shared.Reset(); err != nil {
		t.Fatalf("moto reset: %v", err)
	}
	for k, v := range shared.Env() {
		t.Setenv(k, v)
	}
	return shared
}

// Env returns the environment that points the AWS SDK at this server.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":          s.URL,
		"AWS_ACCESS_KEY_ID":         "testing",
		"AWS_SECRET_ACCESS_KEY":     "testing",
		"AWS_SESSION_TOKEN":         "testing",
		"AWS_REGION":                "eu-west-2",
		"AWS_DEFAULT_REGION":        "eu-west-2",
		"AWS_EC2_METADATA_DISABLED": "true",
	}
}

// Reset drops every resource moto holds.
func (s *Server) Reset() error {
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", strings.NewReader("{}"))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Stop ends the server. A TestMain may call it after m.Run; otherwise the
// server dies with the test binary (Pdeathsig).
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if shared != nil && shared.cmd.Process != nil {
		_ = shared.cmd.Process.Kill()
		_, _ = shared.cmd.Process.Wait()
		shared = nil
	}
}

func launch() (*Server, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(py, "-m", "moto.server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = nil, nil
	// The server must not outlive the test binary that started it: tests
	// have no exit hook, so the kernel kills it when its parent goes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Env = append(os.Environ(), "MOTO_ALLOW_NONEXISTENT_REGION=true")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get(s.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return nil, fmt.Errorf("moto.server did not answer on %s within 60s", s.URL)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
