package serverless

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"prodready/shared/value"
)

// The oracle: every service under testdata/services was packaged by the
// real Framework (testdata/regen.sh) and the compiler must produce the same
// resources with the same properties.

// oracleSkippedTypes are resources osls makes whose logical ids are hashes
// of the packaged code or of the deploy time; no rule reads them.
var oracleSkippedTypes = map[string]bool{
	"AWS::Lambda::Version":          true, // <Fn>LambdaVersion<sha256 of the zip>
	"AWS::ApiGateway::Deployment":   true, // ApiGatewayDeployment<instance id>
	"AWS::ApiGatewayV2::Deployment": true, // WebsocketsDeployment<hash>
}

// oracleSkippedProps are properties that depend on packaging (artifact
// paths with a timestamp) rather than on serverless.yml.
var oracleSkippedProps = map[string]bool{
	"Code":    true, // S3Key holds the deploy timestamp
	"Content": true, // layer S3Key, likewise
	// References to the hash-named resources above.
	"AWS::Lambda::Alias.FunctionVersion":    true,
	"AWS::ApiGatewayV2::Stage.DeploymentId": true,
}

type oracleCase struct {
	name string
	dir  string
	opts Options
}

func oracleCases(t *testing.T) []oracleCase {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", "services", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []oracleCase
	for _, d := range dirs {
		o := Options{Stage: "production"}
		if b, err := os.ReadFile(filepath.Join(d, "args")); err == nil {
			o = parseArgs(strings.Fields(string(b)))
		}
		out = append(out, oracleCase{name: filepath.Base(d), dir: d, opts: o})
	}
	return out
}

// parseArgs reads the CLI options regen.sh passes to the Framework.
func parseArgs(args []string) Options {
	o := Options{Opts: map[string]string{}}
	for i := 0; i+1 < len(args); i += 2 {
		k, v := strings.TrimPrefix(args[i], "--"), args[i+1]
		switch k {
		case "stage":
			o.Stage = v
		case "region":
			o.Region = v
		default:
			o.Opts[k] = v
		}
	}
	return o
}

func loadTemplateJSON(t *testing.T, path string) *value.Node {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := value.ParseJSON(path, src, value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOracleTemplates(t *testing.T) {
	for _, tc := range oracleCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load(filepath.Join(tc.dir, "serverless.yml"), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			c, err := s.template()
			if err != nil {
				t.Fatal(err)
			}
			want := loadTemplateJSON(t, filepath.Join(tc.dir, "template.json"))
			compareTemplates(t, c.t.resources, want.Field("Resources"))
		})
	}
}

func compareTemplates(t *testing.T, got, want *value.Node) {
	t.Helper()
	ids := func(n *value.Node) map[string]string {
		out := map[string]string{}
		n.Each(func(id string, r *value.Node) {
			typ := r.Field("Type").String()
			if !oracleSkippedTypes[typ] {
				out[id] = typ
			}
		})
		return out
	}
	g, w := ids(got), ids(want)
	var missing, extra []string
	for id, typ := range w {
		if gt, ok := g[id]; !ok {
			missing = append(missing, id+" ("+typ+")")
		} else if gt != typ {
			t.Errorf("%s: type %s, the Framework makes %s", id, gt, typ)
		}
	}
	for id, typ := range g {
		if _, ok := w[id]; !ok {
			extra = append(extra, id+" ("+typ+")")
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, m := range missing {
		t.Errorf("missing %s", m)
	}
	for _, e := range extra {
		t.Errorf("not made by the Framework: %s", e)
	}
	for id := range w {
		gr, wr := got.Field(id), want.Field(id)
		if gr == nil {
			continue
		}
		if a, b := gr.Field("Condition").Plain(), wr.Field("Condition").Plain(); !reflect.DeepEqual(a, b) {
			t.Errorf("%s Condition = %v, want %v", id, a, b)
		}
		gp, wp := gr.Field("Properties"), wr.Field("Properties")
		keys := map[string]bool{}
		gp.Each(func(k string, _ *value.Node) { keys[k] = true })
		wp.Each(func(k string, _ *value.Node) { keys[k] = true })
		for k := range keys {
			if oracleSkippedProps[k] || oracleSkippedProps[wr.Field("Type").String()+"."+k] {
				continue
			}
			a, b := plainJSON(gp.Field(k)), plainJSON(wp.Field(k))
			if a != b {
				t.Errorf("%s.Properties.%s:\n got %s\nwant %s", id, k, a, b)
			}
		}
	}
}

// plainJSON renders a value for comparison; JSON object keys are sorted so
// key order does not matter.
func plainJSON(n *value.Node) string {
	if n == nil {
		return "<absent>"
	}
	b, _ := json.Marshal(n.Plain())
	return string(b)
}
