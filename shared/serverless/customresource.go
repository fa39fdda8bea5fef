package serverless

import (
	"crypto/md5"
	"encoding/hex"
	"strings"

	"prodready/shared/value"
)

// customResourceFunctionID is the logical id of a Framework custom-resource
// handler function.
func (c *compiler) customResourceFunctionID(name string) string {
	return lambdaLogicalID(normalizedResourceName(name))
}

// addCustomResource is custom-resources/index.js addCustomResourceToService:
// the Framework's own handler function, its role and (with
// provider.logs.frameworkLambda) its log group.
func (c *compiler) addCustomResource(name string, p value.Pos, statements []*value.Node) {
	prefix := c.service + "-" + c.stage
	handler := map[string]string{
		crS3:          "s3/handler.handler",
		crCognito:     "cognito-user-pool/handler.handler",
		crEventBridge: "event-bridge/handler.handler",
		crAPIGWRole:   "api-gateway-cloud-watch-role/handler.handler",
	}[name]
	fnName := prefix + "-" + name
	if len(fnName) > 64 {
		sum := md5.Sum([]byte(fnName))
		fnName = fnName[:32] + hex.EncodeToString(sum[:])
	}
	frameworkLogs := flag(c.provider.Get("logs", "frameworkLambda"))
	iam := c.provider.Field("iam")
	deployRole := iam.Field("deploymentRole")
	if deployRole == nil {
		deployRole = c.provider.Field("cfnRole")
	}
	if !truthy(deployRole) {
		roleRes := c.t.get(idCustomResourcesRole)
		if roleRes == nil {
			roleRes = resource(p, "AWS::IAM::Role", M(p,
				"AssumeRolePolicyDocument", M(p, "Version", "2012-10-17", "Statement", L(p, M(p,
					"Effect", "Allow",
					"Principal", M(p, "Service", L(p, "lambda.amazonaws.com")),
					"Action", L(p, "sts:AssumeRole")))),
				"Policies", L(p, M(p,
					"PolicyName", join(p, "-", c.stage, c.service, "custom-resources-lambda"),
					"PolicyDocument", M(p, "Version", "2012-10-17", "Statement", L(p)))),
			))
			c.t.put(idCustomResourcesRole, roleRes)
			if frameworkLogs {
				st := roleRes.Get("Properties", "Policies", "0", "PolicyDocument", "Statement")
				lp := "/aws/lambda/" + prefix
				st.Items = append(st.Items,
					M(p, "Effect", "Allow", "Action", L(p, "logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"),
						"Resource", L(p, sub(p, "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"+lp+"*:*"))),
					M(p, "Effect", "Allow", "Action", L(p, "logs:PutLogEvents"),
						"Resource", L(p, sub(p, "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"+lp+"*:*:*"))))
			}
		}
		st := roleRes.Get("Properties", "Policies", "0", "PolicyDocument", "Statement")
		for _, s := range statements {
			dup := false
			if r := s.Field("Resource"); isStr(r) {
				for _, e := range st.Items {
					if er := e.Field("Resource"); isStr(er) && er.Str == r.Str {
						dup = true
					}
				}
			}
			if !dup {
				st.Items = append(st.Items, s)
			}
		}
	}
	runtime := "nodejs24.x"
	if rt := text(c.provider.Field("runtime")); strings.HasPrefix(rt, "nodejs") {
		runtime = rt
	}
	bucket := ref(p, idDeploymentBucket)
	if db := c.deploymentBucketName(); db != nil {
		bucket = cp(db)
	}
	fnProps := M(p,
		"Code", M(p, "S3Bucket", bucket, "S3Key", "serverless/"+c.service+"/"+c.stage+"/custom-resources.zip"),
		"FunctionName", fnName,
		"Handler", handler,
		"MemorySize", 1024,
		"Runtime", runtime,
		"Timeout", 180,
	)
	fn := M(p, "Type", "AWS::Lambda::Function", "Properties", fnProps, "DependsOn", L(p))
	if a := c.provider.Field("architecture"); truthy(a) {
		fnProps.Set("Architectures", L(a.Pos, cp(a)))
	}
	id := c.customResourceFunctionID(name)
	c.t.put(id, fn)
	if truthy(deployRole) {
		fnProps.Set("Role", cp(deployRole))
	} else {
		fnProps.Set("Role", getAtt(p, idCustomResourcesRole, "Arn"))
		appendDependsOn(fn, idCustomResourcesRole)
	}
	if frameworkLogs {
		lgID := logGroupLogicalID(name)
		appendDependsOn(fn, lgID)
		fl := c.provider.Get("logs", "frameworkLambda")
		c.t.put(lgID, c.logGroup(posOf(p, fl), value.NewString("/aws/lambda/"+fnName, posOf(p, fl))))
	}
}
