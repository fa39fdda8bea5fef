package collect

import (
	"encoding/json"
	"fmt"
	"strings"

	"prodready/shared/value"
)

// props builds a Properties map in the CloudFormation resource reference's
// vocabulary from API response fields, skipping the ones the API left out
// (a nil pointer is "not set", exactly as an absent template property).
type props map[string]any

// set adds v under key unless v is nil, a nil pointer, an empty string
// pointer's absence, or an empty slice or map.
func (p props) set(key string, v any) props {
	switch t := v.(type) {
	case nil:
		return p
	case *string:
		if t == nil {
			return p
		}
		p[key] = *t
	case *bool:
		if t == nil {
			return p
		}
		p[key] = *t
	case *int32:
		if t == nil {
			return p
		}
		p[key] = int64(*t)
	case *int64:
		if t == nil {
			return p
		}
		p[key] = *t
	case *float64:
		if t == nil {
			return p
		}
		p[key] = *t
	case int32:
		p[key] = int64(t)
	case string:
		if t == "" {
			return p
		}
		p[key] = t
	case []string:
		if len(t) == 0 {
			return p
		}
		l := make([]any, len(t))
		for i, s := range t {
			l[i] = s
		}
		p[key] = l
	case []any:
		if len(t) == 0 {
			return p
		}
		p[key] = t
	case props:
		if len(t) == 0 {
			return p
		}
		p[key] = map[string]any(t)
	case map[string]any:
		if len(t) == 0 {
			return p
		}
		p[key] = t
	default:
		p[key] = t
	}
	return p
}

// node converts the map to a value tree (live resources have no position).
func (p props) node() *value.Node { return value.FromPlain(map[string]any(p), value.Pos{}) }

// str dereferences an optional string.
func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// jsonDoc parses a JSON document the API returns as a string (a bucket or
// function policy, a redrive policy, a dashboard body is kept as text) into
// plain values, so rules read it like a template's inline document.
func jsonDoc(s string) (any, error) {
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return plainNumbers(v), nil
}

// plainNumbers turns json.Number into the float64/int64 FromPlain expects.
func plainNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case []any:
		for i := range t {
			t[i] = plainNumbers(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = plainNumbers(t[k])
		}
	}
	return v
}

// tagList renders tags in CloudFormation's [{Key, Value}] form.
func tagList(tags map[string]string) []any {
	if len(tags) == 0 {
		return nil
	}
	out := make([]any, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		out = append(out, map[string]any{"Key": k, "Value": tags[k]})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return ks
}

// arnf builds an ARN from its parts.
func arnf(service, region, account, resource string, args ...any) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, account, fmt.Sprintf(resource, args...))
}
