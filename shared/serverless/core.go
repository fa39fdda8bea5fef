package serverless

import (
	"strings"

	"prodready/shared/value"
)

// coreTemplate is generate-core-template.js: the deployment bucket and its
// TLS-only policy, unless provider.deploymentBucket names an existing bucket.
func (c *compiler) coreTemplate() error {
	db := c.provider.Field("deploymentBucket")
	p := posOf(c.top, db, c.provider)
	var obj *value.Node
	existing := db
	if isObj(db) {
		obj = db
		existing = db.Field("name")
	}
	if truthy(existing) {
		c.t.outputs.Set("ServerlessDeploymentBucketName", M(existing.Pos, "Value", cp(existing)))
		return nil
	}
	bucketProps := M(p, "BucketEncryption", M(p, "ServerSideEncryptionConfiguration", L(p,
		M(p, "ServerSideEncryptionByDefault", M(p, "SSEAlgorithm", "AES256")))))
	bucket := resource(p, "AWS::S3::Bucket", bucketProps)
	bucketArn := func(suffix string) *value.Node {
		parts := []any{"arn:", partitionRef(p), ":s3:::", ref(p, idDeploymentBucket)}
		if suffix != "" {
			parts = append(parts, suffix)
		}
		return join(p, "", parts...)
	}
	policy := resource(p, "AWS::S3::BucketPolicy", M(p,
		"Bucket", ref(p, idDeploymentBucket),
		"PolicyDocument", M(p, "Statement", L(p, M(p,
			"Action", "s3:*",
			"Effect", "Deny",
			"Principal", "*",
			"Resource", L(p, bucketArn("/*"), bucketArn("")),
			"Condition", M(p, "Bool", M(p, "aws:SecureTransport", false)),
		))),
	))
	c.t.put(idDeploymentBucket, bucket)
	c.t.put(idDeploymentBucketPolicy, policy)
	c.t.outputs.Set("ServerlessDeploymentBucketName", M(p, "Value", ref(p, idDeploymentBucket)))
	if obj != nil && obj.Len() > 0 {
		if tags := obj.Field("tags"); isObj(tags) && tags.Len() > 0 {
			bucketProps.Set("Tags", tagList(tags))
		}
		if bpa := obj.Field("blockPublicAccess"); flag(bpa) {
			bp := bpa.Pos
			bucketProps.Set("PublicAccessBlockConfiguration", M(bp,
				"BlockPublicAcls", true, "BlockPublicPolicy", true,
				"IgnorePublicAcls", true, "RestrictPublicBuckets", true))
		}
		if v := obj.Field("versioning"); flag(v) {
			bucketProps.Set("VersioningConfiguration", M(v.Pos, "Status", "Enabled"))
		}
		if flag(obj.Field("skipPolicySetup")) {
			c.t.del(idDeploymentBucketPolicy)
		}
	}
	return nil
}

// tagList turns a tags map into CloudFormation's [{Key, Value}] list.
func tagList(tags *value.Node) *value.Node {
	l := value.NewList(tags.Pos)
	tags.Each(func(k string, v *value.Node) {
		l.Items = append(l.Items, M(v.Pos, "Key", k, "Value", cp(v)))
	})
	return l
}

// tagMap copies a tags map (the shape API Gateway V2 takes).
func tagMap(tags ...*value.Node) *value.Node {
	var p value.Pos
	for _, t := range tags {
		if t != nil {
			p = t.Pos
			break
		}
	}
	m := value.NewMap(p)
	for _, t := range tags {
		if isObj(t) {
			t.Each(func(k string, v *value.Node) { m.Set(k, cp(v)) })
		}
	}
	return m
}

// iamAndLogGroups is merge-iam-templates.js: a log group per function and
// the shared execution role when some function has no role of its own.
func (c *compiler) iamAndLogGroups() error {
	if len(c.fns) == 0 {
		return nil
	}
	for _, f := range c.fns {
		if flag(f.node.Field("disableLogs")) {
			continue
		}
		lg := M(f.pos, "Type", "AWS::Logs::LogGroup")
		pr := M(f.pos, "LogGroupName", cat(f.name.Pos, "/aws/lambda/", f.name))
		lg.Set("Properties", pr)
		applyCondition(lg, f)
		ret := f.node.Field("logRetentionInDays")
		if !truthy(ret) {
			ret = c.logRetention()
		}
		set(pr, "RetentionInDays", cp(ret))
		dpp := f.node.Field("logDataProtectionPolicy")
		if !truthy(dpp) {
			dpp = c.logDataProtection()
		}
		set(pr, "DataProtectionPolicy", cp(dpp))
		c.t.put(logGroupLogicalID(f.key), lg)
	}

	iam := c.provider.Field("iam")
	role := iam.Field("role")
	if existingRole(role) {
		return nil
	}
	if c.provider.Field("role") != nil {
		return nil
	}
	allCustom := true
	for _, f := range c.fns {
		if f.node.Field("role") == nil {
			allCustom = false
			break
		}
	}
	if allCustom {
		return nil
	}
	p := posOf(c.top, role, iam, c.provider)
	roleName := role.Field("name")
	var rn *value.Node
	if truthy(roleName) {
		rn = cp(roleName)
	} else {
		rn = join(p, "-", c.service, c.stage, regionRef(p), "lambdaRole")
	}
	rolePath := value.NewString("/", p)
	if rp := role.Field("path"); truthy(rp) {
		rolePath = cp(rp)
	}
	statements := L(p,
		M(p, "Effect", "Allow", "Action", L(p, "logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"), "Resource", L(p)),
		M(p, "Effect", "Allow", "Action", L(p, "logs:PutLogEvents"), "Resource", L(p)),
	)
	rp := M(p,
		"AssumeRolePolicyDocument", M(p, "Version", "2012-10-17", "Statement", L(p, M(p,
			"Effect", "Allow",
			"Principal", M(p, "Service", L(p, "lambda.amazonaws.com")),
			"Action", L(p, "sts:AssumeRole")))),
		"Policies", L(p, M(p,
			"PolicyName", join(p, "-", c.service, c.stage, "lambda"),
			"PolicyDocument", M(p, "Version", "2012-10-17", "Statement", statements))),
		"Path", rolePath,
		"RoleName", rn,
	)
	if tags := role.Field("tags"); isObj(tags) {
		rp.Set("Tags", tagList(tags))
	}
	switch {
	case truthy(role.Field("permissionsBoundary")):
		rp.Set("PermissionsBoundary", cp(role.Field("permissionsBoundary")))
	case truthy(role.Field("permissionBoundary")):
		rp.Set("PermissionsBoundary", cp(role.Field("permissionBoundary")))
	case truthy(c.provider.Field("rolePermissionsBoundary")):
		rp.Set("PermissionsBoundary", cp(c.provider.Field("rolePermissionsBoundary")))
	}
	c.t.put(idRole, resource(p, "AWS::IAM::Role", rp))

	prefix := c.service + "-" + c.stage
	logPrefix := "/aws/lambda/" + prefix
	canonical := false
	var disabledCanonical []*value.Node
	s0, s1 := statements.Items[0].Field("Resource"), statements.Items[1].Field("Resource")
	for _, f := range c.fns {
		name := text(f.name)
		disabled := flag(f.node.Field("disableLogs"))
		if name == "" || strings.HasPrefix(name, prefix) {
			if disabled {
				disabledCanonical = append(disabledCanonical, f.name)
			} else {
				canonical = true
			}
			continue
		}
		if !disabled {
			s0.Items = append(s0.Items, sub(p, "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/"+name+":*"))
			s1.Items = append(s1.Items, sub(p, "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/"+name+":*:*"))
		}
	}
	if canonical {
		s0.Items = append(s0.Items, sub(p, "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"+logPrefix+"*:*"))
		s1.Items = append(s1.Items, sub(p, "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"+logPrefix+"*:*:*"))
		if len(disabledCanonical) > 0 {
			res := L(p)
			for _, n := range disabledCanonical {
				res.Items = append(res.Items, sub(p, "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/"+text(n)+":*"))
			}
			statements.Items = append(statements.Items, M(p, "Effect", "Deny", "Action", "logs:PutLogEvents", "Resource", res))
		}
	}
	if st := role.Field("statements"); truthy(st) {
		statements.Items = append(statements.Items, coerceStatements(st)...)
	} else if st := c.provider.Field("iamRoleStatements"); truthy(st) {
		statements.Items = append(statements.Items, coerceStatements(st)...)
	}
	if mp := role.Field("managedPolicies"); truthy(mp) {
		c.addManagedPolicies(rp, cp(mp).List()...)
	} else if mp := c.provider.Field("iamManagedPolicies"); truthy(mp) {
		c.addManagedPolicies(rp, cp(mp).List()...)
	}
	vpc := truthy(c.provider.Field("vpc"))
	for _, f := range c.fns {
		if f.node.Field("vpc") != nil {
			vpc = true
		}
	}
	if vpc {
		c.addManagedPolicies(rp, join(p, "", "arn:", partitionRef(p), ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"))
	}
	return nil
}

func (c *compiler) addManagedPolicies(roleProps *value.Node, arns ...*value.Node) {
	if len(arns) == 0 {
		return
	}
	l := roleProps.Field("ManagedPolicyArns")
	if l == nil || l.Kind != value.List {
		l = value.NewList(roleProps.Pos)
		roleProps.Set("ManagedPolicyArns", l)
	}
	l.Items = append(l.Items, arns...)
}

// existingRole is provider.isExistingRoleProvided: a role given as a
// string or as a CloudFormation function.
func existingRole(role *value.Node) bool {
	if role == nil {
		return false
	}
	if role.Kind == value.String || role.Kind == value.Unknown {
		return true
	}
	if role.Kind == value.Map {
		for _, k := range role.Keys {
			if strings.Contains(k, "::") {
				return true
			}
		}
	}
	return false
}

// customExecutionRole is provider.getCustomExecutionRole.
func (c *compiler) customExecutionRole(f *function) *value.Node {
	if r := f.node.Field("role"); truthy(r) {
		return r
	}
	if iam := c.provider.Field("iam"); isObj(iam) {
		if r := iam.Field("role"); r != nil && existingRole(r) {
			return r
		}
	}
	return c.provider.Field("role")
}

// functionRoleResource is resolveFunctionIamRoleResourceName: the logical
// id of the role a function uses when it is in this stack.
func (c *compiler) functionRoleResource(f *function) string {
	r := c.customExecutionRole(f)
	if r == nil {
		return idRole
	}
	if r.Kind == value.String {
		if strings.Contains(r.Str, ":") {
			return ""
		}
		return r.Str
	}
	if name, arg, ok := r.Intrinsic(); ok && name == "Fn::GetAtt" && arg.Kind == value.List && len(arg.Items) == 2 && isStr(arg.Items[0]) && text(arg.Items[1]) == "Arn" {
		return arg.Items[0].Str
	}
	return ""
}

// layers is compile/layers.js: one AWS::Lambda::LayerVersion per layer.
func (c *compiler) layers() error {
	layers := c.cfg.Field("layers")
	layers.Each(func(key string, l *value.Node) {
		if !isObj(l) {
			return
		}
		p := posOf(c.top, l)
		name := l.Field("name")
		if !truthy(name) {
			name = value.NewString(key, p)
		}
		pr := M(p, "Content", M(p, "S3Key", "serverless/"+c.service+"/"+c.stage+"/"+key+".zip"), "LayerName", cp(name))
		for _, kv := range [][2]string{{"description", "Description"}, {"licenseInfo", "LicenseInfo"}, {"compatibleRuntimes", "CompatibleRuntimes"}, {"compatibleArchitectures", "CompatibleArchitectures"}} {
			if v := l.Field(kv[0]); truthy(v) {
				pr.Set(kv[1], cp(v))
			}
		}
		if db := c.deploymentBucketName(); db != nil {
			pr.Get("Content").Set("S3Bucket", cp(db))
		} else {
			pr.Get("Content").Set("S3Bucket", ref(p, idDeploymentBucket))
		}
		r := resource(p, "AWS::Lambda::LayerVersion", pr)
		id := layerLogicalID(key)
		if flag(l.Field("retain")) {
			// The Framework appends a hash of the layer's artifact, which
			// only exists after packaging; the id is marked so a
			// comparison can tell.
			id += "Retained"
			r.Set("DeletionPolicy", value.NewString("Retain", p))
		}
		c.t.put(id, r)
		for _, acct := range l.Field("allowedAccounts").List() {
			a := text(acct)
			c.t.put(normalizedResourceName(key)+strings.Replace(a, "*", "Wild", 1)+"LambdaLayerPermission",
				resource(acct.Pos, "AWS::Lambda::LayerVersionPermission", M(acct.Pos,
					"Action", "lambda:GetLayerVersion", "LayerVersionArn", ref(acct.Pos, id), "Principal", cp(acct))))
		}
	})
	return nil
}

// deploymentBucketName is the existing deployment bucket, or nil when the
// Framework creates one.
func (c *compiler) deploymentBucketName() *value.Node {
	db := c.provider.Field("deploymentBucket")
	if isObj(db) {
		db = db.Field("name")
	}
	if truthy(db) {
		return db
	}
	return nil
}

// coerceStatements copies IAM statements as the Framework's schema
// validation (AJV, coerceTypes "array") leaves them in the configuration
// itself: a single Action or NotAction becomes a one-item list, and a
// one-item list of a Resource or NotResource string becomes the string.
func coerceStatements(st *value.Node) []*value.Node {
	out := cp(st).List()
	for _, s := range out {
		for _, k := range []string{"Action", "NotAction"} {
			if a := s.Field(k); a != nil && a.Kind != value.List && a.Kind != value.Map && a.Kind != value.Null {
				s.Set(k, value.NewList(a.Pos, a))
			}
		}
		for _, k := range []string{"Resource", "NotResource"} {
			if r := s.Field(k); r != nil && r.Kind == value.List && len(r.Items) == 1 && r.Items[0].Kind == value.String {
				s.Set(k, r.Items[0])
			}
		}
	}
	return out
}
