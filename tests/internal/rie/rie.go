//go:build unix

// Package rie runs a Lambda function's `bootstrap` binary under the AWS
// Lambda runtime interface emulator for end-to-end tests: build the
// bootstrap as Lambda would (provided.al2023, -tags lambda.norpc, but for
// the host architecture), start the emulator as a subprocess, POST events.
//
//	boot := rie.BuildBootstrap(t, "prodready/functions/dlq-archiver")
//	fn := rie.Start(t, boot, map[string]string{"AWS_LAMBDA_FUNCTION_TIMEOUT": "60"})
//	resp, err := fn.Invoke(ctx, event)
//
// The emulator itself is built from source with `go install` into the user
// cache directory (once per machine and version), because CI starts from a
// clean machine.
package rie

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The emulator module and version the tests build.
const (
	EmulatorModule  = "github.com/aws/aws-lambda-runtime-interface-emulator"
	EmulatorVersion = "v0.0.0-20261030222936-bef5c4ba774d"
	emulatorPackage = EmulatorModule + "/cmd/aws-lambda-rie"
)

var (
	emulatorOnce sync.Once
	emulatorPath string
	emulatorErr  error
)

// Emulator returns the path of the aws-lambda-rie binary, building it on
// first use into $XDG_CACHE_HOME (or ~/.cache)/prodready/aws-lambda-rie/<version>/.
func Emulator(t testing.TB) string {
	t.Helper()
	emulatorOnce.Do(func() { emulatorPath, emulatorErr = buildEmulator() })
	if emulatorErr != nil {
		t.Fatalf("rie: %v", emulatorErr)
	}
	return emulatorPath
}

func buildEmulator() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "prodready", "aws-lambda-rie", EmulatorVersion)
	bin := filepath.Join(dir, "aws-lambda-rie")
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Install into a private directory and rename, so test binaries of
	// several packages building at once never see a half-written file.
	tmp, err := os.MkdirTemp(dir, "install-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(goTool(), "install", emulatorPackage+"@"+EmulatorVersion)
	cmd.Dir = tmp // outside any module: pkg@version ignores go.mod anyway
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %v\n%s", emulatorPackage, EmulatorVersion, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, "aws-lambda-rie"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// BuildBootstrap builds the main package pkg (an import path of the module
// the test runs in) as a Lambda `bootstrap` for the host: CGO off and
// -tags lambda.norpc, as for provided.al2023. It returns the binary's path.
func BuildBootstrap(t testing.TB, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command(goTool(), "build", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rie: build %s: %v\n%s", pkg, err, b)
	}
	return out
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// Function is a bootstrap running under the emulator.
type Function struct {
	// URL is the emulator's invocation endpoint.
	URL  string
	logs *syncBuffer
}

// Start runs bootstrap under the emulator, with the test process's
// environment plus env (the emulator hands its environment to the
// function; AWS_LAMBDA_FUNCTION_TIMEOUT sets the deadline, default 300s).
// The emulator and function are killed when the test ends.
func Start(t testing.TB, bootstrap string, env map[string]string) *Function {
	t.Helper()
	invokePort, apiPort := freePort(t), freePort(t)
	logs := &syncBuffer{}
	cmd := exec.Command(Emulator(t),
		"--runtime-interface-emulator-address", fmt.Sprintf("127.0.0.1:%d", invokePort),
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort),
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	// Its own process group, so cleanup also ends the bootstrap it spawned.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("rie: start emulator: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("emulator and function output:\n%s", logs.String())
		}
	})
	f := &Function{URL: fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", invokePort), logs: logs}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", invokePort), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("rie: emulator did not listen on port %d within 20s:\n%s", invokePort, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Response is an invocation's answer.
type Response struct {
	StatusCode int
	Body       []byte
	// ErrorType and ErrorMessage are set when the handler returned an
	// error (Lambda's {"errorType", "errorMessage"} payload).
	ErrorType, ErrorMessage string
}

// Invoke sends payload as one invocation, with a fresh X-Ray trace header
// as Lambda would, and waits for the answer.
func (f *Function) Invoke(ctx context.Context, payload []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.URL, bytes.NewReader(payload))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amzn-Trace-Id", traceHeader())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("rie: invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("rie: read answer: %w", err)
	}
	r := Response{StatusCode: resp.StatusCode, Body: body}
	var fe struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &fe) == nil && fe.ErrorMessage != "" {
		r.ErrorType, r.ErrorMessage = fe.ErrorType, fe.ErrorMessage
	}
	return r, nil
}

// Logs returns what the emulator and the function have written so far
// (the function's stdout and stderr: its log lines and EMF records).
func (f *Function) Logs() string { return f.logs.String() }

// traceHeader makes a root trace id in X-Ray's format.
func traceHeader() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	var parent [8]byte
	_, _ = rand.Read(parent[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=1", time.Now().Unix(), hex.EncodeToString(b[:]), hex.EncodeToString(parent[:]))
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("rie: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Clone(s.b.String())
}
