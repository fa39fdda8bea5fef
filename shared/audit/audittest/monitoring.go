package audittest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Alarm is a metric alarm the fake CloudWatch serves.
type Alarm struct {
	Name, Namespace, Metric, Comparison, Statistic string
	Dimensions                                     map[string]string
	Threshold                                      float64
	Actions                                        []string
}

// Canary is a canary the fake Synthetics serves.
type Canary struct {
	Name, Expression, Handler, State string
	Tags                             map[string]string
}

// Dashboard is a dashboard the fake CloudWatch serves.
type Dashboard struct{ Name, Body string }

// Monitoring is a fake CloudWatch (rpc-v2-cbor, encoded with smithy-go's
// own CBOR encoder) and Synthetics (REST-JSON) endpoint: moto answers the
// current SDK's CloudWatch protocol with 404 and returns canary timestamps
// the SDK rejects, so these two services are served here, at the HTTP
// protocol level the real services speak. Point the SDK at it with
// AWS_ENDPOINT_URL_CLOUDWATCH and AWS_ENDPOINT_URL_SYNTHETICS.
type Monitoring struct {
	Region     string
	Alarms     []Alarm
	Dashboards []Dashboard
	Canaries   []Canary
	// Fail maps an operation (DescribeAlarms, DescribeCanaries…) to an AWS
	// error code to answer with, for fault injection.
	Fail map[string]string

	mu    sync.Mutex
	calls map[string]int
}

// Calls returns how often an operation was called.
func (m *Monitoring) Calls(op string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[op]
}

// Start serves m until the test ends.
func (m *Monitoring) Start(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(srv.Close)
	return srv
}

const cwPrefix = "/service/GraniteServiceVersion20100801/operation/"

func (m *Monitoring) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var op string
	switch {
	case strings.HasPrefix(r.URL.Path, cwPrefix):
		op = strings.TrimPrefix(r.URL.Path, cwPrefix)
	case r.URL.Path == "/canaries":
		op = "DescribeCanaries"
	default:
		http.NotFound(w, r)
		return
	}
	m.mu.Lock()
	if m.calls == nil {
		m.calls = map[string]int{}
	}
	m.calls[op]++
	m.mu.Unlock()
	if code := m.Fail[op]; code != "" {
		m.fail(w, op, code)
		return
	}
	switch op {
	case "DescribeAlarms":
		var alarms cbor.List
		for _, a := range m.Alarms {
			dims := cbor.List{}
			for _, k := range sortedKeys(a.Dimensions) {
				dims = append(dims, cbor.Map{"Name": cbor.String(k), "Value": cbor.String(a.Dimensions[k])})
			}
			actions := cbor.List{}
			for _, x := range a.Actions {
				actions = append(actions, cbor.String(x))
			}
			stat := a.Statistic
			if stat == "" {
				stat = "Sum"
			}
			alarms = append(alarms, cbor.Map{
				"AlarmName": cbor.String(a.Name), "AlarmArn": cbor.String(fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", m.Region, Account, a.Name)),
				"Namespace": cbor.String(a.Namespace), "MetricName": cbor.String(a.Metric), "Dimensions": dims,
				"Statistic": cbor.String(stat), "Period": cbor.Uint(60), "EvaluationPeriods": cbor.Uint(1),
				"Threshold": cbor.Float64(a.Threshold), "ComparisonOperator": cbor.String(a.Comparison),
				"ActionsEnabled": cbor.Bool(true), "AlarmActions": actions, "StateValue": cbor.String("OK"),
				"TreatMissingData": cbor.String("notBreaching"),
			})
		}
		writeCBOR(w, cbor.Map{"MetricAlarms": alarms, "CompositeAlarms": cbor.List{}})
	case "ListDashboards":
		entries := cbor.List{}
		for _, d := range m.Dashboards {
			entries = append(entries, cbor.Map{"DashboardName": cbor.String(d.Name), "DashboardArn": cbor.String(m.dashboardArn(d.Name))})
		}
		writeCBOR(w, cbor.Map{"DashboardEntries": entries})
	case "GetDashboard":
		var name string
		if v, err := cbor.Decode(body); err == nil {
			if in, ok := v.(cbor.Map); ok {
				if n, ok := in["DashboardName"].(cbor.String); ok {
					name = string(n)
				}
			}
		}
		for _, d := range m.Dashboards {
			if d.Name == name {
				writeCBOR(w, cbor.Map{"DashboardName": cbor.String(d.Name), "DashboardArn": cbor.String(m.dashboardArn(d.Name)), "DashboardBody": cbor.String(d.Body)})
				return
			}
		}
		m.fail(w, op, "ResourceNotFound")
	case "DescribeCanaries":
		var out []map[string]any
		for _, c := range m.Canaries {
			state := c.State
			if state == "" {
				state = "RUNNING"
			}
			out = append(out, map[string]any{"Name": c.Name, "Id": c.Name + "-id", "RuntimeVersion": "syn-nodejs-puppeteer-9.1",
				"Schedule":  map[string]any{"Expression": c.Expression, "DurationInSeconds": 0},
				"RunConfig": map[string]any{"TimeoutInSeconds": 60, "ActiveTracing": true},
				"Code":      map[string]any{"Handler": c.Handler}, "Status": map[string]any{"State": state}, "Tags": c.Tags})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"Canaries": out})
	default:
		m.fail(w, op, "UnknownOperationException")
	}
}

func (m *Monitoring) dashboardArn(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s", Account, name)
}

func (m *Monitoring) fail(w http.ResponseWriter, op, code string) {
	status := http.StatusBadRequest
	if strings.Contains(code, "AccessDenied") {
		status = http.StatusForbidden
	}
	if op == "DescribeCanaries" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "injected " + code})
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(status)
	_, _ = w.Write(cbor.Encode(cbor.Map{"__type": cbor.String(code), "Message": cbor.String("injected " + code)}))
}

func writeCBOR(w http.ResponseWriter, v cbor.Map) {
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	_, _ = w.Write(cbor.Encode(v))
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
