package serverless

import (
	"encoding/json"
	"path"
	"strings"

	"prodready/shared/value"
)

// functions is compile/functions.js: an AWS::Lambda::Function per
// function, with its URL and asynchronous-invocation configuration.
func (c *compiler) functions() error {
	for _, f := range c.fns {
		if err := c.function1(f); err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) function1(f *function) error {
	n := f.node
	p := f.pos
	handler, image := n.Field("handler"), n.Field("image")
	if !truthy(handler) && !truthy(image) {
		return value.Errorf(p, "function %s: either \"handler\" or \"image\" needs to be set", f.key)
	}
	if truthy(handler) && truthy(image) {
		return value.Errorf(p, "function %s: either \"handler\" or \"image\" (not both) needs to be set", f.key)
	}
	pr := value.NewMap(p)
	r := M(p, "Type", "AWS::Lambda::Function", "Properties", pr)
	code := value.NewMap(p)
	pr.Set("Code", code)
	if truthy(handler) {
		pr.Set("Handler", cp(handler))
		if db := c.deploymentBucketName(); db != nil {
			code.Set("S3Bucket", cp(db))
		} else {
			code.Set("S3Bucket", ref(p, idDeploymentBucket))
		}
		code.Set("S3Key", value.NewString(c.artifactKey(f), p))
		rt := n.Field("runtime")
		if !truthy(rt) {
			rt = c.provider.Field("runtime")
		}
		if truthy(rt) {
			pr.Set("Runtime", cp(rt))
		} else {
			pr.Set("Runtime", value.NewString("nodejs24.x", p))
		}
	} else {
		uri := image
		if isObj(image) {
			uri = image.Field("uri")
			if !truthy(uri) {
				uri = image.Field("name")
			}
			ic := value.NewMap(image.Pos)
			for _, kv := range [][2]string{{"command", "Command"}, {"entryPoint", "EntryPoint"}, {"workingDirectory", "WorkingDirectory"}} {
				if v := image.Field(kv[0]); truthy(v) {
					ic.Set(kv[1], cp(v))
				}
			}
			if ic.Len() > 0 {
				pr.Set("ImageConfig", ic)
			}
		}
		set(code, "ImageUri", cp(uri))
		pr.Set("PackageType", value.NewString("Image", p))
	}
	pr.Set("FunctionName", cp(f.name))
	pr.Set("MemorySize", c.firstOf(p, 1024, n.Field("memorySize"), c.provider.Field("memorySize")))
	pr.Set("Timeout", c.firstOf(p, 6, n.Field("timeout"), c.provider.Field("timeout")))
	arch := n.Field("architecture")
	if !truthy(arch) {
		arch = c.provider.Field("architecture")
	}
	if truthy(arch) {
		pr.Set("Architectures", L(arch.Pos, cp(arch)))
	}
	if d := n.Field("description"); truthy(d) {
		pr.Set("Description", cp(d))
	}
	if s := n.Field("snapStart"); flag(s) {
		pr.Set("SnapStart", M(s.Pos, "ApplyOn", "PublishedVersions"))
	}
	applyCondition(r, f)
	if d := n.Field("dependsOn"); truthy(d) {
		appendDependsOn(r)
		r.Field("DependsOn").Items = append(r.Field("DependsOn").Items, cp(d).List()...)
	}
	ptags, ftags := c.provider.Field("tags"), n.Field("tags")
	if truthy(ftags) || truthy(ptags) {
		pr.Set("Tags", tagList(tagMap(ptags, ftags)))
	}
	if v := n.Field("ephemeralStorageSize"); truthy(v) {
		pr.Set("EphemeralStorage", M(v.Pos, "Size", cp(v)))
	}
	if v := n.Field("recursiveLoop"); truthy(v) {
		pr.Set("RecursiveLoop", cp(v))
	}
	if onError := n.Field("onError"); truthy(onError) {
		pr.Set("DeadLetterConfig", M(onError.Pos, "TargetArn", cp(onError)))
		if onError.Kind == value.String || onError.Kind == value.Unknown {
			c.addStatement(M(onError.Pos, "Effect", "Allow", "Action", L(onError.Pos, "sns:Publish"), "Resource", L(onError.Pos, cp(onError))))
		}
	}
	kms := c.provider.Field("kmsKeyArn")
	if v := n.Field("kmsKeyArn"); truthy(v) {
		kms = v
	}
	if truthy(kms) {
		pr.Set("KmsKeyArn", cp(kms))
		if kms.Kind == value.String || kms.Kind == value.Unknown {
			c.appendStatementOnce(M(kms.Pos, "Effect", "Allow", "Action", L(kms.Pos, "kms:Decrypt"), "Resource", L(kms.Pos, cp(kms))))
		}
	}
	tracing := n.Field("tracing")
	if !truthy(tracing) || tracing.Str == "false" {
		tracing = getU(c.provider, "tracing", "lambda")
	}
	if truthy(tracing) && tracing.Str != "false" {
		mode := cp(tracing)
		if tracing.Kind == value.Bool || tracing.Str == "true" {
			mode = value.NewString("Active", tracing.Pos)
		}
		pr.Set("TracingConfig", M(tracing.Pos, "Mode", mode))
		c.appendStatementOnce(M(tracing.Pos, "Effect", "Allow", "Action", L(tracing.Pos, "xray:PutTraceSegments", "xray:PutTelemetryRecords"), "Resource", L(tracing.Pos, "*")))
	}
	penv, fenv := c.provider.Field("environment"), n.Field("environment")
	if truthy(fenv) || truthy(penv) {
		pr.Set("Environment", M(posOf(p, fenv, penv), "Variables", tagMap(penv, fenv)))
	}
	role := c.customExecutionRole(f)
	if role == nil {
		role = value.NewString(idRole, p)
	}
	c.compileRole(r, role)

	if fv := n.Field("vpc"); fv.IsUnknown() || (fv == nil && c.provider.Field("vpc").IsUnknown()) {
		// The VPC is only known at deploy time.
		u := fv
		if u == nil {
			u = c.provider.Field("vpc")
		}
		pr.Set("VpcConfig", cp(u))
	} else if fv == nil || (fv.Kind != value.Null && !(fv.Kind == value.Bool && fv.Str == "false")) {
		pv := c.provider.Field("vpc")
		sg := firstTruthy(fv.Field("securityGroupIds"), pv.Field("securityGroupIds"))
		sn := firstTruthy(fv.Field("subnetIds"), pv.Field("subnetIds"))
		if truthy(sg) && truthy(sn) {
			vc := M(posOf(p, fv, pv), "SecurityGroupIds", asList(sg), "SubnetIds", asList(sn))
			if v6 := firstTruthy(fv.Field("ipv6AllowedForDualStack"), pv.Field("ipv6AllowedForDualStack")); v6 != nil {
				vc.Set("Ipv6AllowedForDualStack", cp(v6))
			}
			pr.Set("VpcConfig", vc)
		}
	}
	if fsc := n.Field("fileSystemConfig"); truthy(fsc) {
		if pr.Field("VpcConfig") == nil {
			return value.Errorf(fsc.Pos, "function %s: when using fileSystemConfig, ensure that function has vpc configured on function or provider level", f.key)
		}
		c.addStatement(M(fsc.Pos, "Effect", "Allow", "Action", L(fsc.Pos, "elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"), "Resource", L(fsc.Pos, cp(fsc.Field("arn")))))
		pr.Set("FileSystemConfigs", L(fsc.Pos, M(fsc.Pos, "Arn", cp(fsc.Field("arn")), "LocalMountPath", cp(fsc.Field("localMountPath")))))
	}
	if rc := n.Field("reservedConcurrency"); truthy(rc) || text(rc) == "0" {
		pr.Set("ReservedConcurrentExecutions", cp(rc))
	}
	if !flag(n.Field("disableLogs")) {
		deps := L(p, logGroupLogicalID(f.key))
		if d := r.Field("DependsOn"); d != nil {
			deps.Items = append(deps.Items, d.List()...)
		}
		r.Set("DependsOn", deps)
	}
	if l := n.Field("layers"); truthy(l) {
		pr.Set("Layers", cp(l))
	} else if l := c.provider.Field("layers"); truthy(l) {
		pr.Set("Layers", cp(l))
	}
	c.t.put(f.logicalID, r)
	if dc := n.Field("durableConfig"); truthy(dc) {
		d := M(dc.Pos, "ExecutionTimeout", cp(dc.Field("executionTimeout")))
		set(d, "RetentionPeriodInDays", cp(dc.Field("retentionPeriodInDays")))
		pr.Set("DurableConfig", d)
	}
	if f.alias != nil {
		// The alias points at the function's version, whose logical id the
		// Framework derives from a hash of the packaged code.
		ap := posOf(p, n.Field("provisionedConcurrency"), n.Field("snapStart"), n.Field("durableConfig"))
		apr := M(ap, "FunctionName", ref(ap, f.logicalID), "FunctionVersion", getAtt(ap, normalizedResourceName(f.key)+"LambdaVersion", "Version"), "Name", f.alias.name)
		if pc := n.Field("provisionedConcurrency"); truthy(pc) {
			apr.Set("ProvisionedConcurrencyConfig", M(pc.Pos, "ProvisionedConcurrentExecutions", cp(pc)))
		}
		ar := M(ap, "Type", "AWS::Lambda::Alias", "Properties", apr, "DependsOn", f.logicalID)
		c.t.put(f.alias.logicalID, applyCondition(ar, f))
	}
	logs := n.Field("logs")
	if !truthy(logs) {
		logs = c.provider.Get("logs", "lambda")
	}
	if isObj(logs) {
		lc := value.NewMap(logs.Pos)
		for _, kv := range [][2]string{{"applicationLogLevel", "ApplicationLogLevel"}, {"logFormat", "LogFormat"}, {"logGroup", "LogGroup"}, {"systemLogLevel", "SystemLogLevel"}} {
			if v := logs.Field(kv[0]); truthy(v) {
				lc.Set(kv[1], cp(v))
			}
		}
		if lc.Len() > 0 {
			pr.Set("LoggingConfig", lc)
		}
	}
	if err := c.functionURL(f); err != nil {
		return err
	}
	return c.eventInvokeConfig(f)
}

// artifactKey is the S3 key of the function's code. The Framework puts a
// deploy timestamp in it; the check never reads it.
func (c *compiler) artifactKey(f *function) string {
	art := text(f.node.Get("package", "artifact"))
	if art == "" {
		art = text(c.cfg.Get("package", "artifact"))
	}
	if art == "" {
		art = c.service + ".zip"
		if flag(c.cfg.Get("package", "individually")) || flag(f.node.Get("package", "individually")) {
			art = f.key + ".zip"
		}
	}
	return "serverless/" + c.service + "/" + c.stage + "/" + path.Base(strings.ReplaceAll(art, "\\", "/"))
}

// firstOf is `a || b || def` for numeric settings.
func (c *compiler) firstOf(p value.Pos, def int, nodes ...*value.Node) *value.Node {
	for _, n := range nodes {
		if truthy(n) {
			return cp(n)
		}
	}
	return value.NewInt(int64(def), p)
}

func firstTruthy(nodes ...*value.Node) *value.Node {
	for _, n := range nodes {
		if truthy(n) {
			return n
		}
	}
	return nil
}

// asList copies a list setting; the Framework's schema coerces a single
// value into a one-item list.
func asList(n *value.Node) *value.Node {
	c := cp(n)
	if c.Kind == value.List {
		return c
	}
	if _, _, ok := c.Intrinsic(); ok || c.Kind == value.Unknown {
		return c
	}
	return value.NewList(c.Pos, c)
}

// appendStatementOnce adds a statement to the default role unless an
// equal one is there (appendIfMissing).
func (c *compiler) appendStatementOnce(stmt *value.Node) {
	st := c.roleStatements()
	if st == nil {
		return
	}
	if c.stmtKeys == nil {
		c.stmtKeys = make(map[string]bool, len(st.Items))
		for _, s := range st.Items {
			c.stmtKeys[statementKey(s)] = true
		}
	}
	k := statementKey(stmt)
	if c.stmtKeys[k] {
		return
	}
	c.stmtKeys[k] = true
	st.Items = append(st.Items, stmt)
}

// statementKey renders a statement by value with map keys sorted, as
// isDeepStrictEqual compares them.
func statementKey(n *value.Node) string {
	b, _ := json.Marshal(n.Plain())
	return string(b)
}

// compileRole sets the function's Role as compileRole does.
func (c *compiler) compileRole(r, role *value.Node) {
	pr := props(r)
	switch {
	case role.Kind == value.String:
		switch {
		case strings.HasPrefix(role.Str, "arn:"):
			pr.Set("Role", cp(role))
		case role.Str == idRole:
			pr.Set("Role", getAtt(role.Pos, idRole, "Arn"))
		default:
			pr.Set("Role", getAtt(role.Pos, role.Str, "Arn"))
			appendDependsOn(r, role.Str)
		}
	case role.Kind == value.Map && role.Field("Fn::GetAtt") != nil:
		pr.Set("Role", cp(role))
		if id := text(role.Get("Fn::GetAtt", "0")); id != "" {
			appendDependsOn(r, id)
		}
	default:
		pr.Set("Role", cp(role))
	}
}

// functionURL is compileFunctionUrl.
func (c *compiler) functionURL(f *function) error {
	url := f.node.Field("url")
	if !truthy(url) {
		return nil
	}
	p := url.Pos
	auth := "NONE"
	if text(url.Field("authorizer")) == "aws_iam" {
		auth = "AWS_IAM"
	}
	pr := M(p, "AuthType", value.NewString(auth, posOf(p, url.Field("authorizer"))), "TargetFunctionArn", c.lambdaTarget(f, p))
	r := M(p, "Type", "AWS::Lambda::Url", "Properties", pr, "DependsOn", nilIfEmpty(f.aliasID(), p))
	if cors := url.Field("cors"); truthy(cors) {
		cpos := cors.Pos
		origins := L(cpos, "*")
		headers := L(cpos, "Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token", "X-Amzn-Trace-Id")
		methods := L(cpos, "*")
		var creds, expose, maxAge *value.Node
		if isObj(cors) {
			origins = corsOverride(cors, "allowedOrigins", origins)
			headers = corsOverride(cors, "allowedHeaders", headers)
			methods = corsOverride(cors, "allowedMethods", methods)
			if flag(cors.Field("allowCredentials")) {
				creds = value.NewBool(true, cpos)
			}
			if v := cors.Field("exposedResponseHeaders"); truthy(v) {
				expose = uniqList(v)
			}
			maxAge = cors.Field("maxAge").Clone()
		}
		pr.Set("Cors", M(cpos, "AllowCredentials", creds, "AllowHeaders", headers, "AllowMethods", methods, "AllowOrigins", origins, "ExposeHeaders", expose, "MaxAge", maxAge))
	}
	if im := url.Field("invokeMode"); text(im) == "RESPONSE_STREAM" {
		pr.Set("InvokeMode", im.Clone())
	}
	c.t.put(functionURLLogicalID(f.key), applyCondition(r, f))
	c.t.outputs.Set(functionURLLogicalID(f.key), applyCondition(M(p, "Description", "Lambda Function URL", "Value", getAtt(p, functionURLLogicalID(f.key), "FunctionUrl")), f))
	if auth == "NONE" {
		c.t.put(fnURLPermissionID(f.key), applyCondition(M(p, "Type", "AWS::Lambda::Permission", "Properties", M(p,
			"FunctionName", c.lambdaTarget(f, p), "Action", "lambda:InvokeFunctionUrl", "Principal", "*", "FunctionUrlAuthType", auth),
			"DependsOn", nilIfEmpty(f.aliasID(), p)), f))
		c.t.put(fnPermissionID(f.key), applyCondition(M(p, "Type", "AWS::Lambda::Permission", "Properties", M(p,
			"FunctionName", c.lambdaTarget(f, p), "Action", "lambda:InvokeFunction", "Principal", "*", "InvokedViaFunctionUrl", true),
			"DependsOn", nilIfEmpty(f.aliasID(), p)), f))
	}
	return nil
}

func corsOverride(cors *value.Node, key string, def *value.Node) *value.Node {
	v := cors.Field(key)
	switch {
	case truthy(v):
		return uniqList(v)
	case v != nil && v.Kind == value.Null:
		return nil
	}
	return def
}

// uniqList copies a list keeping the first of equal scalars.
func uniqList(n *value.Node) *value.Node {
	out := value.NewList(n.Pos)
	seen := map[string]bool{}
	for _, it := range n.List() {
		if s, ok := it.Text(); ok {
			if seen[s] {
				continue
			}
			seen[s] = true
		}
		out.Items = append(out.Items, cp(it))
	}
	return out
}

func nilIfEmpty(s string, p value.Pos) *value.Node {
	if s == "" {
		return nil
	}
	return value.NewString(s, p)
}

// eventInvokeConfig is compileFunctionEventInvokeConfig.
func (c *compiler) eventInvokeConfig(f *function) error {
	n := f.node
	dest, age, retries := n.Field("destinations"), n.Field("maximumEventAge"), n.Field("maximumRetryAttempts")
	if !truthy(dest) && !truthy(age) && !retries.Has() {
		return nil
	}
	p := posOf(f.pos, dest, retries, age)
	dc := value.NewMap(posOf(p, dest))
	deps := []string{f.aliasID()}
	if truthy(dest) {
		handled := c.customExecutionRole(f) != nil
		for _, kv := range [][2]string{{"onSuccess", "OnSuccess"}, {"onFailure", "OnFailure"}} {
			d := dest.Field(kv[0])
			if !truthy(d) {
				continue
			}
			arn, err := c.destinationArn(d)
			if err != nil {
				return err
			}
			dc.Set(kv[1], M(d.Pos, "Destination", arn))
			if !handled {
				if err := c.ensureTargetExecutionPermission(d); err != nil {
					return err
				}
			}
			if isStr(d) && !strings.HasPrefix(d.Str, "arn:") {
				if tf := c.function(d.Str); tf != nil {
					deps = append(deps, tf.aliasID())
				}
			}
		}
	}
	qual := "$LATEST"
	if f.alias != nil {
		qual = f.alias.name
	}
	pr := M(p, "FunctionName", ref(p, f.logicalID), "DestinationConfig", dc, "Qualifier", qual)
	r := M(p, "Type", "AWS::Lambda::EventInvokeConfig", "Properties", pr)
	var uniq []string
	for _, d := range deps {
		if d != "" && !contains(uniq, d) {
			uniq = append(uniq, d)
		}
	}
	switch len(uniq) {
	case 0:
	case 1:
		r.Set("DependsOn", value.NewString(uniq[0], p))
	default:
		r.Set("DependsOn", V(p, uniq))
	}
	if truthy(age) {
		pr.Set("MaximumEventAgeInSeconds", cp(age))
	}
	if retries.Has() {
		pr.Set("MaximumRetryAttempts", cp(retries))
	}
	c.t.put(eventConfigLogicalID(f.key), applyCondition(r, f))
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// destinationArn is getDestinationsArn: an ARN as given, or the ARN of a
// function of the service named by its key.
func (c *compiler) destinationArn(d *value.Node) (*value.Node, error) {
	if isObj(d) {
		if _, _, ok := d.Intrinsic(); !ok {
			return cp(d.Field("arn")), nil
		}
		return cp(d), nil
	}
	if !isStr(d) || strings.HasPrefix(d.Str, "arn:") {
		return cp(d), nil
	}
	tf := c.function(d.Str)
	if tf == nil {
		return nil, value.Errorf(d.Pos, "destination %q is not an ARN and not a function of this service", d.Str)
	}
	return c.lambdaTarget(tf, d.Pos), nil
}

// ensureTargetExecutionPermission lets the default role reach a
// destination.
func (c *compiler) ensureTargetExecutionPermission(d *value.Node) error {
	key := text(d)
	if isObj(d) {
		key = d.Pos.String() + "|" + text(d.Field("arn"))
	}
	if c.seenDestinations[key] {
		return nil
	}
	c.seenDestinations[key] = true
	action := ""
	switch {
	case isObj(d):
		switch text(d.Field("type")) {
		case "function":
			action = "lambda:InvokeFunction"
		case "sqs":
			action = "sqs:SendMessage"
		case "sns":
			action = "sns:Publish"
		case "eventBus":
			action = "events:PutEvents"
		}
	case d.Kind == value.Unknown:
		action = "lambda:InvokeFunction"
		for svc, a := range map[string]string{":sqs:": "sqs:SendMessage", ":sns:": "sns:Publish", ":event-bus/": "events:PutEvents"} {
			if strings.Contains(d.Str, svc) {
				action = a
			}
		}
	default:
		s := text(d)
		switch {
		case !strings.HasPrefix(s, "arn:") || strings.Contains(s, ":function:"):
			action = "lambda:InvokeFunction"
		case strings.Contains(s, ":sqs:"):
			action = "sqs:SendMessage"
		case strings.Contains(s, ":sns:"):
			action = "sns:Publish"
		case strings.Contains(s, ":event-bus/"):
			action = "events:PutEvents"
		}
	}
	if action == "" {
		return value.Errorf(d.Pos, "unsupported destination target %s: expected a function, or an SQS queue, SNS topic or EventBridge bus ARN", describe(d))
	}
	var res *value.Node
	switch {
	case isObj(d):
		res = cp(d.Field("arn"))
	case !isStr(d) || strings.HasPrefix(d.Str, "arn:"):
		res = cp(d)
	default:
		tf := c.function(d.Str)
		if tf == nil {
			return value.Errorf(d.Pos, "destination %q is not an ARN and not a function of this service", d.Str)
		}
		suffix := ""
		if tf.alias != nil {
			suffix = ":" + tf.alias.name
		}
		res = sub(d.Pos, "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"+text(tf.name)+suffix)
	}
	c.addStatement(M(d.Pos, "Effect", "Allow", "Action", action, "Resource", res))
	return nil
}
