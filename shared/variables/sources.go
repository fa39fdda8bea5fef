package variables

import (
	"sort"
	"strings"

	"prodready/shared/value"
)

// callSource resolves one source once its parameters and address are known.
// The messages are those of osls's lib/configuration/variables/sources.
func (r *resolver) callSource(ctx *evalCtx, at *site, src *source, params []*value.Node, addr *value.Node) (srcResult, error) {
	switch src.typ {
	case "self":
		return r.selfSource(ctx, at, addr)
	case "opt":
		return r.optSource(ctx, addr)
	case "env":
		return r.envSource(ctx, addr)
	case "file":
		return r.fileSource(ctx, at, params, addr)
	case "strToBool":
		return r.strToBoolSource(ctx, at, params)
	case "sls":
		return r.slsSource(ctx, at, addr)
	case "param":
		return r.paramSource(ctx, at, addr)
	case "aws":
		return r.awsSource(ctx, at, addr)
	case "ssm":
		a, err := r.requireAddress(ctx, "ssm", addr)
		if err != nil {
			return srcResult{}, err
		}
		why := "SSM parameter " + a + " is read at deploy time"
		if region := ssmRegion(params); region != "" {
			why = "SSM parameter " + a + " (region " + region + ") is read at deploy time"
		}
		return srcResult{node: r.unknown(ctx, at, why)}, nil
	case "s3":
		a, err := r.requireAddress(ctx, "s3", addr)
		if err != nil {
			return srcResult{}, err
		}
		bucket, key, ok := strings.Cut(a, "/")
		if !ok {
			return srcResult{}, r.fail(ctx, `Unsupported "%s" address argument in variable "s3" source. Expected "<bucket-name>/<key>" format`, a)
		}
		return srcResult{node: r.unknown(ctx, at, "S3 object "+key+" in bucket "+bucket+" is read at deploy time")}, nil
	case "cf":
		a, err := r.requireAddress(ctx, "cf", addr)
		if err != nil {
			return srcResult{}, err
		}
		stack, output, ok := strings.Cut(a, ".")
		if !ok {
			return srcResult{}, r.fail(ctx, `Unsupported "%s" address argument in variable "cf" source. Expected "<stack-name>.<output-id>" format`, a)
		}
		return srcResult{node: r.unknown(ctx, at, "output "+output+" of CloudFormation stack "+stack+" is read at deploy time")}, nil
	case "secretsmanager":
		return srcResult{node: r.unknown(ctx, at, "Secrets Manager secret "+addrText(addr)+" is read at deploy time (osls has no such source; a plugin must provide it)")}, nil
	}
	return srcResult{node: r.unknown(ctx, at, `variable source "`+src.typ+`" is not built into the Framework; a plugin resolves it at deploy time`)}, nil
}

func addrText(addr *value.Node) string {
	if s, ok := argString(addr); ok {
		return s
	}
	return "(none)"
}

// ssmRegion is the region parameter of ${ssm(region, raw, noDecrypt):…}.
func ssmRegion(params []*value.Node) string {
	for _, p := range params {
		s, ok := argString(p)
		if !ok || p.Kind == value.Null || s == "raw" || s == "noDecrypt" {
			continue
		}
		return s
	}
	return ""
}

// argString is type/string/ensure's coercion of a source argument: scalars
// and lists become text, maps and null do not.
func argString(n *value.Node) (string, bool) {
	if n == nil || n.Kind == value.Null {
		return "", false
	}
	text, _, _, ok := coerce(n)
	return text, ok
}

// truthy is JavaScript truthiness of a resolved argument.
func truthy(n *value.Node) bool {
	if n == nil {
		return false
	}
	switch n.Kind {
	case value.Null:
		return false
	case value.String:
		return n.Str != ""
	case value.Number:
		t := numberText(n.Str)
		return t != "0" && t != "NaN"
	case value.Bool:
		return n.Str == "true"
	}
	return true
}

// requireAddress is the "Missing address argument" and "Non-string address"
// checks most sources start with.
func (r *resolver) requireAddress(ctx *evalCtx, typ string, addr *value.Node) (string, error) {
	if !truthy(addr) {
		return "", r.fail(ctx, `Missing address argument in variable "%s" source`, typ)
	}
	s, ok := argString(addr)
	if !ok {
		return "", r.fail(ctx, `Non-string address argument in variable "%s" source: %s`, typ, addr.Describe())
	}
	return s, nil
}

func (r *resolver) selfSource(ctx *evalCtx, at *site, addr *value.Node) (srcResult, error) {
	var keys []string
	if truthy(addr) {
		if addr.Kind != value.String {
			// osls calls address.split('.') and fails with a TypeError.
			return srcResult{}, r.fail(ctx, `the address of the "self" source resolved to %s; it must be a string`, addr.Describe())
		}
		keys = r.split(addr.Str)
	}
	n, through, err := r.lookup(ctx, keys)
	if err != nil {
		return srcResult{}, err
	}
	if n == nil || n.Kind == value.Null {
		where := "the configuration root"
		if len(keys) > 0 {
			where = strings.Join(keys, ".")
		}
		return srcResult{detail: "nothing is set at " + where}, nil
	}
	if through {
		return srcResult{node: r.unknown(ctx, at, "it reads inside "+n.Str+": "+n.Why)}, nil
	}
	c, err := r.cloneFor(ctx, n)
	if err != nil {
		return srcResult{}, err
	}
	return srcResult{node: c}, nil
}

// options are the CLI options as the opt source sees them.
func (r *resolver) options() map[string]string {
	m := make(map[string]string, len(r.o.Opts)+2)
	for k, v := range r.o.Opts {
		m[k] = v
	}
	if r.o.Stage != "" {
		m["stage"] = r.o.Stage
	} else {
		delete(m, "stage")
	}
	if r.o.Region != "" {
		m["region"] = r.o.Region
	} else {
		delete(m, "region")
	}
	return m
}

func (r *resolver) optSource(ctx *evalCtx, addr *value.Node) (srcResult, error) {
	opts := r.options()
	if addr == nil || addr.Kind == value.Null {
		keys := make([]string, 0, len(opts))
		for k := range opts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := value.NewMap(ctx.pos)
		for _, k := range keys {
			m.Set(k, value.NewString(opts[k], ctx.pos))
		}
		return srcResult{node: m}, nil
	}
	name, ok := argString(addr)
	if !ok {
		return srcResult{}, r.fail(ctx, `Non-string address argument in variable "opt" source: %s`, addr.Describe())
	}
	if v, ok := opts[name]; ok {
		return srcResult{node: value.NewString(v, ctx.pos)}, nil
	}
	detail := "no --" + name + " option was given"
	if name == "stage" {
		detail = "no --stage option was given; pass --stage"
	}
	return srcResult{detail: detail}, nil
}

func (r *resolver) envSource(ctx *evalCtx, addr *value.Node) (srcResult, error) {
	name, err := r.requireAddress(ctx, "env", addr)
	if err != nil {
		return srcResult{}, err
	}
	if v, ok := r.o.Env(name); ok {
		return srcResult{node: value.NewString(v, ctx.pos)}, nil
	}
	return srcResult{detail: "environment variable " + name + " is not set"}, nil
}

func (r *resolver) strToBoolSource(ctx *evalCtx, at *site, params []*value.Node) (srcResult, error) {
	if len(params) == 0 || params[0] == nil || params[0].Kind == value.Null {
		return srcResult{}, r.fail(ctx, `Missing "strToBool" input`)
	}
	s, ok := argString(params[0])
	if !ok {
		return srcResult{}, r.fail(ctx, `Non-string "strToBool" input:. Received: %s`, params[0].Describe())
	}
	switch strings.ToLower(jsTrim(s)) {
	case "true", "1":
		return srcResult{node: value.NewBool(true, ctx.pos)}, nil
	case "false", "0":
		return srcResult{node: value.NewBool(false, ctx.pos)}, nil
	}
	return srcResult{}, r.fail(ctx, `Invalid "strToBool" input: Expected either "true", "false", "0", or "1". Received: %s`, s)
}

// stage is the stage the sls and param sources use: --stage, else
// provider.stage, else "dev", and it must be a valid stage name.
func (r *resolver) stage(ctx *evalCtx) (*value.Node, error) {
	if r.o.Stage != "" {
		return value.NewString(r.o.Stage, ctx.pos), nil
	}
	n, _, err := r.lookup(ctx, []string{"provider", "stage"})
	if err != nil {
		return nil, err
	}
	if n == nil || n.Kind == value.Null {
		return value.NewString("dev", ctx.pos), nil
	}
	if n.Kind == value.Unknown {
		return n, nil
	}
	if n.Kind != value.String || !stagePattern.MatchString(n.Str) {
		return nil, r.fail(ctx, "%s", invalidStage)
	}
	return n, nil
}

func (r *resolver) slsSource(ctx *evalCtx, at *site, addr *value.Node) (srcResult, error) {
	a, err := r.requireAddress(ctx, "sls", addr)
	if err != nil {
		return srcResult{}, err
	}
	switch a {
	case "instanceId":
		if r.phase < phaseInstance {
			return srcResult{}, errPending
		}
		return srcResult{node: r.unknown(ctx, at, "the Framework makes up a new instance id on every run")}, nil
	case "stage":
		s, err := r.stage(ctx)
		if err != nil {
			return srcResult{}, err
		}
		if s.Kind == value.Unknown {
			return srcResult{node: r.unknown(ctx, at, "the stage is known only at deploy time: "+s.Why)}, nil
		}
		return srcResult{node: value.NewString(s.Str, ctx.pos)}, nil
	}
	return srcResult{}, r.fail(ctx, `Unsupported "%s" address argument in variable "sls" source`, a)
}

func (r *resolver) awsSource(ctx *evalCtx, at *site, addr *value.Node) (srcResult, error) {
	a, err := r.requireAddress(ctx, "aws", addr)
	if err != nil {
		return srcResult{}, err
	}
	switch a {
	case "accountId":
		return srcResult{node: r.unknown(ctx, at, "the AWS account id comes from the deploy credentials")}, nil
	case "region":
		if r.o.Region != "" {
			return srcResult{node: value.NewString(r.o.Region, ctx.pos)}, nil
		}
		n, _, err := r.lookup(ctx, []string{"provider", "region"})
		if err != nil {
			return srcResult{}, err
		}
		if !truthy(n) {
			return srcResult{node: value.NewString("us-east-1", ctx.pos)}, nil
		}
		c, err := r.cloneFor(ctx, n)
		if err != nil {
			return srcResult{}, err
		}
		return srcResult{node: c}, nil
	}
	return srcResult{}, r.fail(ctx, `Unsupported "%s" address argument in variable "aws" source`, a)
}

// paramSource reads params.<stage>.<name>, then params.default.<name> (osls);
// stages.<stage>.params and stages.default.params are read too, as
// Serverless Framework v4 does. Anything else may be set in the Serverless
// Dashboard or with --param, which a static check cannot see.
func (r *resolver) paramSource(ctx *evalCtx, at *site, addr *value.Node) (srcResult, error) {
	name, err := r.requireAddress(ctx, "param", addr)
	if err != nil {
		return srcResult{}, err
	}
	s, err := r.stage(ctx)
	if err != nil {
		return srcResult{}, err
	}
	if s.Kind == value.Unknown {
		return srcResult{node: r.unknown(ctx, at, "the stage is known only at deploy time: "+s.Why)}, nil
	}
	stage := s.Str
	for _, path := range [][]string{
		{"params", stage, name},
		{"stages", stage, "params", name},
		{"params", "default", name},
		{"stages", "default", "params", name},
	} {
		n, _, err := r.lookup(ctx, path)
		if err != nil {
			return srcResult{}, err
		}
		if n == nil || n.Kind == value.Null {
			continue
		}
		c, err := r.cloneFor(ctx, n)
		if err != nil {
			return srcResult{}, err
		}
		return srcResult{node: c}, nil
	}
	return srcResult{node: r.unknown(ctx, at, `parameter "`+name+`" is not set for stage "`+stage+`" in params of the configuration; it may come from the Serverless Dashboard or --param`)}, nil
}
