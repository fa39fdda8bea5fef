package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"prodready/shared/inventory"
)

// Lambda: Function, its resource-policy statements as AWS::Lambda::Permission,
// its URLs, its event invoke configs and the account's event source
// mappings. FunctionName of the sub-resources is the unqualified function
// ARN; a qualifier (alias, version) is in Props.Qualifier. Environment
// variables are never read: they may hold secrets.
var lambdaService = Service{
	Name: "lambda",
	Types: []string{"AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::Lambda::Url",
		"AWS::Lambda::EventInvokeConfig", "AWS::Lambda::EventSourceMapping"},
	Actions: []string{"lambda:ListFunctions", "lambda:GetPolicy", "lambda:GetFunctionUrlConfig",
		"lambda:ListFunctionEventInvokeConfigs", "lambda:ListEventSourceMappings"},
	has: func(c Clients) bool { return c.Lambda != nil },
	collect: func(ctx context.Context, s *svc) error {
		c := s.clients.Lambda
		var fns []types.FunctionConfiguration
		p := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{MaxItems: new(int32(50))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("lambda:ListFunctions", "", err)
			}
			fns = append(fns, out.Functions...)
		}
		byArn := map[string]*inventory.Resource{}
		var mu sync.Mutex
		err := detail(ctx, s, fns, func(f types.FunctionConfiguration) string { return str(f.FunctionName) },
			func(ctx context.Context, f types.FunctionConfiguration) error {
				fn, err := collectFunction(ctx, s, f)
				if err == nil {
					mu.Lock()
					byArn[fn.ARN] = fn
					mu.Unlock()
				}
				return err
			})
		if err != nil {
			return err
		}
		ep := lambda.NewListEventSourceMappingsPaginator(c, &lambda.ListEventSourceMappingsInput{MaxItems: new(int32(100))})
		for ep.HasMorePages() {
			out, err := ep.NextPage(ctx)
			if err != nil {
				return wrap("lambda:ListEventSourceMappings", "", err)
			}
			for _, m := range out.EventSourceMappings {
				fnArn, qual := splitQualifier(str(m.FunctionArn))
				arn := str(m.EventSourceMappingArn)
				if arn == "" {
					arn = arnf("lambda", s.o.Region, s.o.Account, "event-source-mapping:%s", str(m.UUID))
				}
				mp := props{}.set("EventSourceArn", m.EventSourceArn).set("FunctionName", fnArn).set("Qualifier", qual).
					set("Enabled", m.State != nil && (*m.State == "Enabled" || *m.State == "Enabling" || *m.State == "Updating")).
					set("BatchSize", m.BatchSize).set("MaximumRetryAttempts", m.MaximumRetryAttempts)
				if m.DestinationConfig != nil && m.DestinationConfig.OnFailure != nil {
					mp.set("DestinationConfig", props{}.set("OnFailure", props{}.set("Destination", m.DestinationConfig.OnFailure.Destination)))
				}
				r := &inventory.Resource{ID: arn, ARN: arn, Name: str(m.UUID), Type: "AWS::Lambda::EventSourceMapping", Props: mp.node(),
					Attrs: map[string]string{"State": str(m.State)}}
				if fn := byArn[fnArn]; fn != nil {
					s.child(fn, r)
				} else {
					s.add(r, map[string]string{})
				}
			}
		}
		return nil
	},
}

func collectFunction(ctx context.Context, s *svc, f types.FunctionConfiguration) (*inventory.Resource, error) {
	c := s.clients.Lambda
	name, arn := str(f.FunctionName), str(f.FunctionArn)

	var statements []policyStatement
	pol, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: f.FunctionArn})
	switch {
	case isCode(err, "ResourceNotFoundException"): // no resource policy
	case err != nil:
		return nil, wrap("lambda:GetPolicy", name, err)
	default:
		if statements, err = parseStatements(str(pol.Policy)); err != nil {
			return nil, fmt.Errorf("lambda:GetPolicy %s: unreadable policy: %w", name, err)
		}
	}
	// The unqualified function's URL (the one the Framework's url: creates);
	// URLs on aliases are not read.
	url, err := c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: f.FunctionArn})
	if isCode(err, "ResourceNotFoundException") {
		url, err = nil, nil
	}
	if err != nil {
		return nil, wrap("lambda:GetFunctionUrlConfig", name, err)
	}
	var eics []types.FunctionEventInvokeConfig
	ip := lambda.NewListFunctionEventInvokeConfigsPaginator(c, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: f.FunctionArn})
	for ip.HasMorePages() {
		out, err := ip.NextPage(ctx)
		if err != nil {
			return nil, wrap("lambda:ListFunctionEventInvokeConfigs", name, err)
		}
		eics = append(eics, out.FunctionEventInvokeConfigs...)
	}

	fp := props{}.set("FunctionName", name).set("Runtime", string(f.Runtime)).set("Handler", f.Handler).set("Role", f.Role).
		set("Timeout", f.Timeout).set("MemorySize", f.MemorySize).set("PackageType", string(f.PackageType)).set("KmsKeyArn", f.KMSKeyArn)
	if f.TracingConfig != nil {
		fp.set("TracingConfig", props{}.set("Mode", string(f.TracingConfig.Mode)))
	}
	if v := f.VpcConfig; v != nil && len(v.SubnetIds) > 0 {
		fp.set("VpcConfig", props{}.set("SubnetIds", v.SubnetIds).set("SecurityGroupIds", v.SecurityGroupIds))
	}
	if d := f.DeadLetterConfig; d != nil && str(d.TargetArn) != "" {
		fp.set("DeadLetterConfig", props{}.set("TargetArn", d.TargetArn))
	}
	if l := f.LoggingConfig; l != nil {
		fp.set("LoggingConfig", props{}.set("LogGroup", l.LogGroup).set("LogFormat", string(l.LogFormat)).
			set("ApplicationLogLevel", string(l.ApplicationLogLevel)).set("SystemLogLevel", string(l.SystemLogLevel)))
	}
	fn := s.add(&inventory.Resource{ID: arn, ARN: arn, Name: name, Type: "AWS::Lambda::Function", Props: fp.node()}, nil)

	for i, st := range statements {
		for _, principal := range st.principals {
			id := fmt.Sprintf("%s#policy/%s", arn, st.sid)
			if st.sid == "" {
				id = fmt.Sprintf("%s#policy/%d", arn, i)
			}
			if len(st.principals) > 1 {
				id += "/" + principal
			}
			s.child(fn, &inventory.Resource{ID: id, Name: st.sid, Type: "AWS::Lambda::Permission",
				Props: props{}.set("FunctionName", arn).set("Action", st.action).set("Principal", principal).
					set("SourceArn", st.cond["aws:sourcearn"]).set("SourceAccount", st.cond["aws:sourceaccount"]).
					set("PrincipalOrgID", st.cond["aws:principalorgid"]).set("FunctionUrlAuthType", st.cond["lambda:functionurlauthtype"]).
					set("EventSourceToken", st.cond["lambda:eventsourcetoken"]).node()})
		}
	}
	if url != nil {
		s.child(fn, &inventory.Resource{ID: arn + "#url", Name: str(url.FunctionUrl), Type: "AWS::Lambda::Url",
			Props: props{}.set("AuthType", string(url.AuthType)).set("TargetFunctionArn", arn).set("InvokeMode", string(url.InvokeMode)).node()})
	}
	for _, e := range eics {
		_, qual := splitQualifier(str(e.FunctionArn))
		ep := props{}.set("FunctionName", arn).set("Qualifier", qual).set("MaximumRetryAttempts", e.MaximumRetryAttempts).
			set("MaximumEventAgeInSeconds", e.MaximumEventAgeInSeconds)
		if d := e.DestinationConfig; d != nil {
			dc := props{}
			if d.OnFailure != nil {
				dc.set("OnFailure", props{}.set("Destination", d.OnFailure.Destination))
			}
			if d.OnSuccess != nil {
				dc.set("OnSuccess", props{}.set("Destination", d.OnSuccess.Destination))
			}
			ep.set("DestinationConfig", dc)
		}
		s.child(fn, &inventory.Resource{ID: arn + "#event-invoke-config/" + qual, Type: "AWS::Lambda::EventInvokeConfig", Props: ep.node()})
	}
	return fn, nil
}

// splitQualifier splits arn:aws:lambda:r:a:function:name[:qualifier].
func splitQualifier(arn string) (fn, qualifier string) {
	parts := strings.Split(arn, ":")
	if len(parts) == 8 {
		return strings.Join(parts[:7], ":"), parts[7]
	}
	return arn, ""
}

// policyStatement is one Allow statement of a function's resource policy,
// reduced to what AWS::Lambda::Permission says.
type policyStatement struct {
	sid        string
	action     string
	principals []string
	// cond maps a lower-cased condition key to its value, whatever the
	// operator (ArnLike, StringEquals…): condition keys are case-insensitive.
	cond map[string]string
}

// parseStatements reads a resource policy. Deny statements grant nothing
// and are left out.
func parseStatements(doc string) ([]policyStatement, error) {
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, err
	}
	var raw []map[string]any
	if len(p.Statement) > 0 && p.Statement[0] == '{' {
		var one map[string]any
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return nil, err
		}
		raw = append(raw, one)
	} else if len(p.Statement) > 0 {
		if err := json.Unmarshal(p.Statement, &raw); err != nil {
			return nil, err
		}
	}
	var out []policyStatement
	for _, st := range raw {
		if eff, _ := st["Effect"].(string); !strings.EqualFold(eff, "Allow") {
			continue
		}
		ps := policyStatement{cond: map[string]string{}}
		ps.sid, _ = st["Sid"].(string)
		ps.action = strings.Join(anyStrings(st["Action"]), ",")
		switch pr := st["Principal"].(type) {
		case string:
			ps.principals = []string{pr}
		case map[string]any:
			for _, k := range sortedKeys(pr) {
				ps.principals = append(ps.principals, anyStrings(pr[k])...)
			}
		}
		if cond, ok := st["Condition"].(map[string]any); ok {
			for _, op := range sortedKeys(cond) {
				kv, _ := cond[op].(map[string]any)
				for k, v := range kv {
					ps.cond[strings.ToLower(k)] = strings.Join(anyStrings(v), ",")
				}
			}
		}
		sort.Strings(ps.principals)
		out = append(out, ps)
	}
	return out, nil
}

func anyStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
