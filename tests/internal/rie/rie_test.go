//go:build unix

package rie_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"prodready/tests/internal/rie"
)

func TestEchoFunction(t *testing.T) {
	boot := rie.BuildBootstrap(t, "prodready/tests/internal/rie/testdata/echo")
	fn := rie.Start(t, boot, map[string]string{"AWS_LAMBDA_FUNCTION_TIMEOUT": "30", "ECHO_GREETING": "hello"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	resp, err := fn.Invoke(ctx, []byte(`{"n": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Event       map[string]int `json:"event"`
		SecondsLeft float64        `json:"secondsLeft"`
		Greeting    string         `json:"greeting"`
	}
	if err := json.Unmarshal(resp.Body, &got); err != nil || resp.StatusCode != 200 || resp.ErrorMessage != "" {
		t.Fatalf("status %d, body %s, err %v", resp.StatusCode, resp.Body, err)
	}
	if got.Event["n"] != 1 || got.Greeting != "hello" || got.SecondsLeft < 20 || got.SecondsLeft > 30 {
		t.Errorf("answer %+v: want the event back, the environment passed through and a 30s deadline", got)
	}

	resp, err = fn.Invoke(ctx, []byte(`{"fail": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if resp.ErrorMessage != "asked to fail" || resp.ErrorType == "" {
		t.Errorf("error answer %+v (%s)", resp, resp.Body)
	}
	if !strings.Contains(fn.Logs(), "END RequestId") {
		t.Errorf("logs lack the emulator's request lines:\n%s", fn.Logs())
	}
}
