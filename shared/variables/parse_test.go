package variables

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"testing"
)

// TestParseMatchesOsls runs the port over the inputs of
// testdata/parse_cases.json and compares with what osls's own parse.js
// returned for them (testdata/parse.golden.json, written by regen.sh).
func TestParseMatchesOsls(t *testing.T) {
	data, err := os.ReadFile("testdata/parse.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Input  string          `json:"input"`
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
			Code    string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Input, func(t *testing.T) {
			vars, err := parse(tc.Input)
			if tc.Error != nil {
				se, ok := err.(*syntaxError)
				if !ok {
					t.Fatalf("parse = %s, osls throws %s: %s", jsonOf(t, jsVariables(tc.Input, vars)), tc.Error.Code, tc.Error.Message)
				}
				if se.code != tc.Error.Code {
					t.Errorf("code %s, osls %s", se.code, tc.Error.Code)
				}
				if se.code != "INVALID_VARIABLE_STRING_LITERAL" && se.msg != tc.Error.Message {
					// JSON.parse words its own errors; only the prefix is ours.
					t.Errorf("message\n  %s\nosls\n  %s", se.msg, tc.Error.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse error %v, osls parses it", err)
			}
			var want, got any
			if err := json.Unmarshal(tc.Result, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(jsonOf(t, jsVariables(tc.Input, vars)), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("parse\n  %s\nosls\n  %s", jsonOf(t, got), tc.Result)
			}
		})
	}
}

func jsonOf(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsVariables writes parse's result in parse.js's shape, offsets in UTF-16
// code units relative to text.
func jsVariables(text string, vars []*variable) any {
	if vars == nil {
		return nil
	}
	out := make([]any, len(vars))
	for i, v := range vars {
		m := map[string]any{}
		if !v.whole {
			m["start"] = jsIndex(text, v.start)
			m["end"] = jsIndex(text, v.end)
		}
		if v.escape {
			m["value"] = v.repl
		} else {
			srcs := make([]any, len(v.sources))
			for j, s := range v.sources {
				srcs[j] = jsSource(s)
			}
			m["sources"] = srcs
		}
		out[i] = m
	}
	return out
}

func jsSource(s *source) any {
	if s.typ == "" {
		return map[string]any{"value": jsLiteral(s.literal)}
	}
	m := map[string]any{"type": s.typ}
	if s.hasParams {
		ps := make([]any, len(s.params))
		for i, p := range s.params {
			ps[i] = jsMeta(p)
		}
		m["params"] = ps
	}
	if s.address != nil {
		m["address"] = jsMeta(s.address)
	}
	return m
}

func jsMeta(m *meta) any {
	out := map[string]any{"value": jsLiteral(m.lit)}
	if m.vars != nil {
		out["variables"] = jsVariables(m.lit.str, m.vars)
	}
	return out
}

func jsLiteral(l literal) any {
	switch l.kind {
	case litString:
		return l.str
	case litNumber:
		if math.IsInf(l.num, 0) || math.IsNaN(l.num) {
			return nil // JSON.stringify writes null
		}
		return l.num
	case litBool:
		return l.b
	}
	return nil
}
