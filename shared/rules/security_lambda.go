package rules

import (
	"fmt"
	"slices"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// LambdaPublicInvoke enforces Security 3 for Lambda resource policies.
var LambdaPublicInvoke = &Rule{
	ID:     "lambda-public-invoke",
	Pillar: Security,
	Point:  "Security 3",
	Title:  "Lambda functions cannot be invoked by the public",
	Checklist: "No publicly accessible resources. Lambda functions must not have resource policies that allow for public " +
		"invocation of the function.",
	Rationale: "A permission for principal \"*\" without a source condition lets any AWS account (or, for a function URL " +
		"with auth type NONE, anyone on the internet) run the function with its role's access to council data.",
	Remediation: "Name the service that may invoke the function (apigateway.amazonaws.com, sns.amazonaws.com …) or the " +
		"account, and set SourceArn (or SourceAccount / PrincipalOrgID) on the AWS::Lambda::Permission. Give a function " +
		"URL authorizer: aws_iam, or put the function behind API Gateway with an authorizer.",
	Example: `functions:
  api:
    handler: index.handler
    url:
      authorizer: aws_iam
resources:
  Resources:
    InvokeFromPartnerTopic:
      Type: AWS::Lambda::Permission
      Properties:
        Action: lambda:InvokeFunction
        FunctionName: !GetAtt ApiLambdaFunction.Arn
        Principal: sns.amazonaws.com
        SourceArn: arn:aws:sns:eu-west-2:153306643385:partner-events`,
	Check: checkLambdaPublicInvoke,
}

// permissionConditions are the AWS::Lambda::Permission properties that tie a
// grant to a source.
var permissionConditions = []string{"SourceArn", "SourceAccount", "PrincipalOrgID"}

func checkLambdaPublicInvoke(c *Context) {
	for _, p := range c.Inv.OfType("AWS::Lambda::Permission") {
		if p.External {
			continue
		}
		checkPermission(c, p)
	}
	for _, u := range c.Inv.OfType("AWS::Lambda::Url") {
		if u.External {
			continue
		}
		fn := describeRef(u.Prop("TargetFunctionArn"))
		auth := u.Prop("AuthType")
		switch {
		case isDeployTime(auth):
			c.Fail(u, u.PosOf("AuthType"), "cannot see the auth type of the URL of function %s: it is %s", fn, describeUnseen(auth))
		case strings.EqualFold(auth.String(), "AWS_IAM"):
			c.Pass(u, "the URL of function %s requires IAM authentication", fn)
		case strings.EqualFold(auth.String(), "NONE"):
			c.Fail(u, u.PosOf("AuthType"), "the URL of function %s has auth type NONE: anyone on the internet can invoke it; set url.authorizer: aws_iam", fn)
		default:
			c.Fail(u, u.PosOf("AuthType"), "the URL of function %s has auth type %s; it must be AWS_IAM", fn, auth.Describe())
		}
	}
}

func checkPermission(c *Context, p *inventory.Resource) {
	fn := describeRef(p.Prop("FunctionName"))
	principal := p.Prop("Principal")
	if isDeployTime(principal) {
		c.Fail(p, p.PosOf("Principal"), "cannot see who permission %s lets invoke function %s: Principal is %s", p.DisplayName(), fn, describeUnseen(principal))
		return
	}
	if strings.TrimSpace(principal.String()) != "*" {
		c.Pass(p, "permission %s lets only %s invoke function %s", p.DisplayName(), principal.Describe(), fn)
		return
	}
	for _, cond := range permissionConditions {
		if p.Prop(cond).Has() {
			c.Pass(p, "permission %s lets \"*\" invoke function %s only from %s %s", p.DisplayName(), fn, cond, describeRef(p.Prop(cond)))
			return
		}
	}
	if p.Prop("InvokedViaFunctionUrl").IsTrue() {
		c.Fail(p, p.PosOf("Principal"), "permission %s lets anyone invoke function %s through its function URL (Principal \"*\", InvokedViaFunctionUrl); the Framework adds it for a URL without auth: use url.authorizer: aws_iam", p.DisplayName(), fn)
		return
	}
	if strings.EqualFold(p.Prop("FunctionUrlAuthType").String(), "NONE") {
		c.Fail(p, p.PosOf("Principal"), "permission %s lets anyone on the internet invoke function %s through its URL (FunctionUrlAuthType NONE); use url.authorizer: aws_iam", p.DisplayName(), fn)
		return
	}
	c.Fail(p, p.PosOf("Principal"), "permission %s lets any AWS account invoke function %s: Principal is \"*\" with no SourceArn, SourceAccount or PrincipalOrgID", p.DisplayName(), fn)
}

// LambdaVPCForPrivateDB enforces Security 3 for functions that use a
// database: they run in the database's VPC and private subnets.
var LambdaVPCForPrivateDB = &Rule{
	ID:     "lambda-vpc-for-private-db",
	Pillar: Security,
	Point:  "Security 3",
	Title:  "Functions that use a private database run in its VPC and private subnets",
	Checklist: "If a Lambda function interacts with a database hosted in a private subnet, then the Lambda function must be " +
		"placed in the same VPC and private subnet to ensure end-to-end security protection.",
	Rationale: "A database in a private subnet is reachable only from inside its VPC. A function outside it can reach the " +
		"database only if the database is opened to the internet, which defeats the private subnet.",
	Remediation: "Give the function (or provider) vpc.subnetIds of the database's private subnets (the ones in its DB " +
		"subnet group or VPCOptions) and a security group the database's security group admits.",
	Example: `provider:
  vpc:
    securityGroupIds:
      - !Ref LambdaSecurityGroup
    subnetIds:
      - !Ref PrivateSubnetA
      - !Ref PrivateSubnetB
      - !Ref PrivateSubnetC`,
	LiveSkip: "which function talks to which database is read from the service's configuration (environment, role " +
		"policies), which the account's APIs do not link; the check runs before deploy",
	Check: checkLambdaVPCForPrivateDB,
}

func checkLambdaVPCForPrivateDB(c *Context) {
	dbs := privateDatabases(c.Inv)
	if len(dbs) == 0 {
		return
	}
	for _, fn := range c.Inv.OfType("AWS::Lambda::Function") {
		if fn.Framework || fn.External {
			continue
		}
		used, how := databasesUsedBy(c.Inv, fn, dbs)
		if len(used) == 0 {
			continue
		}
		var names []string
		for i, db := range used {
			names = append(names, db.DisplayName()+" ("+how[i]+")")
		}
		var ps []shortfall
		fp := placementOf(c.Inv, fn)
		switch {
		case fp.Subnets == nil:
			ps = append(ps, shortfall{fn.PosOf("VpcConfig"), "it runs outside any VPC, so it cannot reach a private database; set vpc.subnetIds to the database's private subnets"})
		case isDeployTime(fp.Subnets):
			ps = append(ps, shortfall{fp.Pos, fmt.Sprintf("cannot see its subnets: %s is %s", fp.From, describeUnseen(fp.Subnets))})
		default:
			for _, db := range used {
				if s := subnetShortfall(c, fp, db); s != nil {
					ps = append(ps, *s)
				}
			}
		}
		if len(ps) == 0 {
			c.Pass(fn, "function %s uses %s from inside its VPC", fn.DisplayName(), strings.Join(names, ", "))
			continue
		}
		failShortfalls(c, fn, fmt.Sprintf("function %s uses %s but is not placed in the database's VPC and private subnets", fn.DisplayName(), strings.Join(names, ", ")), ps)
	}
}

// privateDatabases are the databases of the service that live in a VPC: RDS
// and DocumentDB always do; a search domain only with VPCOptions (a public
// domain is the opensearch-in-vpc rule's failure).
func privateDatabases(inv *inventory.Inventory) []*inventory.Resource {
	var out []*inventory.Resource
	for _, db := range inv.OfType(privateDBTypes...) {
		if slices.Contains(searchTypes, db.Type) && !db.Prop("VPCOptions").Has() {
			continue
		}
		out = append(out, db)
	}
	return out
}

// databasesUsedBy returns the databases a function refers to in its
// environment or its role's policies, and where each reference is.
func databasesUsedBy(inv *inventory.Inventory, fn *inventory.Resource, dbs []*inventory.Resource) (used []*inventory.Resource, how []string) {
	env := fn.Prop("Environment")
	policies := rolePolicies(inv, fn)
	for _, db := range dbs {
		switch {
		case mentionsDatabase(env, db):
			used, how = append(used, db), append(how, "named in its environment")
		case slices.ContainsFunc(policies, func(n *value.Node) bool { return mentionsDatabase(n, db) }):
			used, how = append(used, db), append(how, "named in its role's policy")
		}
	}
	return used, how
}

// mentionsDatabase reports whether n refers to db: inventory.RefersTo,
// except that a physical name must stand as a whole word (a host name
// "orders.abc.eu-west-2.rds.amazonaws.com" names database "orders"; a
// table name "orders-production" does not), so a short database name does
// not pull every function of the service into the VPC requirement.
func mentionsDatabase(n *value.Node, db *inventory.Resource) bool {
	if !inventory.RefersTo(n, db) {
		return false
	}
	if db.Name == "" {
		return true
	}
	loose := *db
	loose.Name = ""
	if inventory.RefersTo(n, &loose) {
		return true // a reference, id or ARN matched
	}
	found := false
	inventory.Walk(n, func(x *value.Node) bool {
		if s, ok := x.Text(); ok && x.Kind == value.String && containsWord(s, db.Name) {
			found = true
		}
		return !found
	})
	return found
}

// containsWord reports whether s holds word with no letter, digit, '-' or
// '_' on either side.
func containsWord(s, word string) bool {
	isWordByte := func(b byte) bool {
		return b == '-' || b == '_' || (b >= '0' && b <= '9') || (b|0x20 >= 'a' && b|0x20 <= 'z')
	}
	for i := 0; ; {
		j := strings.Index(s[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		if (start == 0 || !isWordByte(s[start-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		i = start + 1
	}
}

// rolePolicies returns the policy documents of a function's role: inline
// Policies and AWS::IAM::Policy / ManagedPolicy resources attached to it.
func rolePolicies(inv *inventory.Inventory, fn *inventory.Resource) []*value.Node {
	role := inv.Resolve(fn.Prop("Role"))
	if role == nil || role.Type != "AWS::IAM::Role" {
		return nil
	}
	out := []*value.Node{role.Prop("Policies")}
	for _, p := range inv.OfType("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") {
		attached := slices.ContainsFunc(p.Prop("Roles").List(), func(n *value.Node) bool { return inv.Resolve(n) == role })
		if !attached {
			attached = slices.ContainsFunc(role.Prop("ManagedPolicyArns").List(), func(n *value.Node) bool { return inv.Resolve(n) == p })
		}
		if attached {
			out = append(out, p.Prop("PolicyDocument"))
		}
	}
	return out
}

// subnetShortfall says how a function's subnets (fp) miss a database's, or
// nil when they match or the database's subnets are not visible.
func subnetShortfall(c *Context, fp placement, db *inventory.Resource) *shortfall {
	dp := placementOf(c.Inv, db)
	if dp.Subnets == nil || isDeployTime(dp.Subnets) {
		return nil // the database's subnets are not visible: its VPC cannot be compared
	}
	fnKeys, ok1 := subnetKeys(c.Inv, fp.Subnets)
	dbKeys, ok2 := subnetKeys(c.Inv, dp.Subnets)
	if !ok1 || !ok2 {
		return nil
	}
	if sameVPC(c.Inv, fp.Subnets, dp.Subnets) {
		return nil
	}
	var outside []string
	for i, k := range fnKeys {
		if !slices.Contains(dbKeys, k) {
			outside = append(outside, describeRef(fp.Subnets.List()[i]))
		}
	}
	if len(outside) == 0 {
		return nil
	}
	return &shortfall{fp.Pos, fmt.Sprintf("its subnet(s) %s are not among %s's (%s: %s) and are not known to be in the same VPC",
		strings.Join(outside, ", "), db.DisplayName(), dp.From, strings.Join(describeRefs(dp.Subnets), ", "))}
}

// subnetKeys identifies each entry of a subnet list; ok is false when an
// entry cannot be read.
func subnetKeys(inv *inventory.Inventory, list *value.Node) ([]string, bool) {
	var keys []string
	for _, it := range list.List() {
		k, _, ok := subnetKey(inv, it)
		if !ok {
			return nil, false
		}
		keys = append(keys, k)
	}
	return keys, true
}

// sameVPC reports whether every subnet of both lists is a subnet resource
// of one and the same VPC.
func sameVPC(inv *inventory.Inventory, a, b *value.Node) bool {
	vpc := ""
	for _, it := range append(slices.Clone(a.List()), b.List()...) {
		v, ok := subnetVPC(inv, it)
		if !ok || (vpc != "" && v != vpc) {
			return false
		}
		vpc = v
	}
	return vpc != ""
}

func describeRefs(list *value.Node) []string {
	var out []string
	for _, it := range list.List() {
		out = append(out, describeRef(it))
	}
	return out
}
