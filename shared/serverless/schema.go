package serverless

import (
	"slices"
	"strconv"
	"strings"

	"prodready/shared/value"
)

// The Framework validates serverless.yml against a JSON schema (AJV with
// coerceTypes: "array") and, in the warn mode most services were written
// against, compiles whatever passes. What it compiles from a mistyped
// setting is silently wrong (`tracing: yes` gives no tracing at all), so
// the check refuses every setting the compiler reads when its type is not
// one the Framework would use, with the line and what was expected. Missing
// or extra keys are the Framework's warnings, not errors, and are accepted.

type kinds uint8

const (
	kString kinds = 1 << iota
	kNumber
	kInt
	kBool
	kMap
	kList
	kIntrinsic
)

// schema describes the accepted shape of one setting.
type schema struct {
	kinds kinds
	// what completes "<setting> must be …".
	what  string
	props map[string]*schema // known keys of a map
	each  *schema            // every value of a map
	items *schema            // every item of a list
	alts  []*schema          // a union, chosen by the value's kind
	enum  []string           // allowed values of a scalar (case-sensitive)
	fold  bool               // enum compared case-insensitively
}

func scalarSchema(k kinds, what string) *schema { return &schema{kinds: k, what: what} }

var (
	sString  = scalarSchema(kString, "a string")
	sBool    = scalarSchema(kBool, "true or false")
	sInt     = scalarSchema(kInt, "a whole number")
	sNumber  = scalarSchema(kNumber, "a number")
	sCfStr   = scalarSchema(kString|kIntrinsic, "a string or a CloudFormation function such as Ref, Fn::GetAtt or Fn::Join")
	sAny     = &schema{kinds: kString | kNumber | kInt | kBool | kMap | kList | kIntrinsic, what: "any value"}
	sAnyMap  = &schema{kinds: kMap, what: "a map"}
	sAnyList = &schema{kinds: kList, what: "a list", items: sAny}
	sScalar  = scalarSchema(kString|kNumber|kInt|kBool, "a string")
	// Environment values: strings, numbers and booleans the Framework
	// stringifies, or CloudFormation functions.
	sEnvValue = scalarSchema(kString|kNumber|kInt|kBool|kIntrinsic, "a string or a CloudFormation function")
)

func obj(what string, props map[string]*schema) *schema {
	return &schema{kinds: kMap, what: what, props: props}
}

func mapOf(what string, each *schema) *schema { return &schema{kinds: kMap, what: what, each: each} }

func listOf(what string, items *schema) *schema {
	return &schema{kinds: kList, what: what, items: items}
}

func union(what string, alts ...*schema) *schema {
	var k kinds
	for _, a := range alts {
		k |= a.kinds
	}
	return &schema{kinds: k, what: what, alts: alts}
}

func enumOf(what string, fold bool, vals ...string) *schema {
	return &schema{kinds: kString, what: what, enum: vals, fold: fold}
}

var (
	sStrList    = listOf("a list of strings", sScalar)
	sCfList     = union("a list of strings or CloudFormation functions", listOf("a list of strings or CloudFormation functions", sCfStr), scalarSchema(kIntrinsic, "a CloudFormation function"))
	sTags       = mapOf("a map of tag keys to values", scalarSchema(kString|kNumber|kInt|kBool|kIntrinsic, "a string"))
	sEnv        = mapOf("a map of variable names to values", sEnvValue)
	sStatement  = mapOf("an IAM statement (a map with Effect, Action and Resource)", sAny)
	sStatements = listOf("a list of IAM statements", sStatement)
	sVPC        = obj("a map with securityGroupIds and subnetIds", map[string]*schema{
		"securityGroupIds":        sCfList,
		"subnetIds":               sCfList,
		"ipv6AllowedForDualStack": sBool,
	})
	sTracingMode = union("true, false, Active or PassThrough", sBool, enumOf("true, false, Active or PassThrough", false, "Active", "PassThrough", "true", "false"))
	sRestAPILogs = union("true, false or a map with accessLogging, executionLogging, level, format and fullExecutionData",
		sBool,
		obj("a map with accessLogging, executionLogging, level, format and fullExecutionData", map[string]*schema{
			"accessLogging":         sBool,
			"executionLogging":      sBool,
			"format":                sString,
			"fullExecutionData":     sBool,
			"level":                 enumOf("INFO or ERROR", false, "INFO", "ERROR"),
			"role":                  sCfStr,
			"roleManagedExternally": sBool,
		}))
	sWebsocketLogs = union("true, false or a map with accessLogging, executionLogging, level, format and fullExecutionData",
		sBool,
		obj("a map with accessLogging, executionLogging, level, format and fullExecutionData", map[string]*schema{
			"accessLogging":     sBool,
			"executionLogging":  sBool,
			"format":            sString,
			"fullExecutionData": sBool,
			"level":             sString,
		}))
	sDestination = union("a function name, an ARN or a map with type and arn", sCfStr,
		obj("a map with type and arn", map[string]*schema{"type": sString, "arn": sCfStr}))
	sCors = union("true, false or a map of CORS settings", sBool, sAnyMap)
)

var providerSchema = obj("a map of provider settings", map[string]*schema{
	"name":       sString,
	"stage":      sScalar,
	"region":     sString,
	"runtime":    sString,
	"memorySize": sInt,
	"timeout":    sInt,
	"tracing": obj("a map with apiGateway and lambda", map[string]*schema{
		"apiGateway": sBool,
		"lambda":     sTracingMode,
	}),
	"logs": obj("a map with restApi, httpApi, websocket, frameworkLambda and lambda", map[string]*schema{
		"restApi":         sRestAPILogs,
		"websocket":       sWebsocketLogs,
		"httpApi":         union("true, false or a map with format", sBool, obj("a map with format", map[string]*schema{"format": sString})),
		"frameworkLambda": sBool,
		"lambda":          sAnyMap,
	}),
	"logRetentionInDays":      sInt,
	"logDataProtectionPolicy": sAnyMap,
	"vpc":                     sVPC,
	"deploymentBucket": union("a bucket name or a map with name, blockPublicAccess, versioning and tags", sString,
		obj("a map with name, blockPublicAccess, versioning and tags", map[string]*schema{
			"name":              sString,
			"blockPublicAccess": sBool,
			"versioning":        sBool,
			"skipPolicySetup":   sBool,
			"tags":              sTags,
		})),
	"apiGateway": obj("a map of API Gateway settings", map[string]*schema{
		"restApiId":                  sCfStr,
		"restApiRootResourceId":      sCfStr,
		"restApiResources":           union("a list or map of paths to resource ids", sAnyList, sAnyMap),
		"websocketApiId":             sCfStr,
		"apiKeys":                    listOf("a list of API keys", union("a key name, a map of key settings or a map of a usage plan to keys", sScalar, sAnyMap)),
		"usagePlan":                  union("a map with quota and throttle, or a list of named usage plans", sAnyMap, listOf("a list of named usage plans", sAnyMap)),
		"binaryMediaTypes":           sStrList,
		"description":                sString,
		"disableDefaultEndpoint":     sBool,
		"metrics":                    sBool,
		"shouldStartNameWithService": sBool,
		"stage":                      sString,
		"timeoutInMillis":            sInt,
		"apiKeySourceType":           sString,
		"minimumCompressionSize":     sInt,
		"resourcePolicy":             sStatements,
		"endpoint":                   sAnyMap,
	}),
	"httpApi": obj("a map of HTTP API settings", map[string]*schema{
		"id":                         sCfStr,
		"name":                       sScalar,
		"description":                sScalar,
		"payload":                    sScalar,
		"cors":                       sCors,
		"metrics":                    sBool,
		"disableDefaultEndpoint":     sBool,
		"shouldStartNameWithService": sBool,
		"authorizers": mapOf("a map of authorizer names to settings", obj("a map with type, identitySource, issuerUrl, audience, functionName or functionArn", map[string]*schema{
			"type":                  sString,
			"name":                  sString,
			"identitySource":        union("a string or a list of strings", sCfStr, sStrList),
			"issuerUrl":             sCfStr,
			"audience":              union("a string or a list of strings", sCfStr, sCfList),
			"functionName":          sString,
			"functionArn":           sCfStr,
			"managedExternally":     sBool,
			"resultTtlInSeconds":    sInt,
			"enableSimpleResponses": sBool,
			"payloadVersion":        sScalar,
		})),
	}),
	"s3":                      mapOf("a map of bucket names to bucket settings", obj("a map of bucket settings", map[string]*schema{"name": sString})),
	"kmsKeyArn":               sCfStr,
	"environment":             sEnv,
	"iamRoleStatements":       sStatements,
	"iamManagedPolicies":      sCfList,
	"role":                    sCfStr,
	"rolePermissionsBoundary": sCfStr,
	"iam": obj("a map with role and deploymentRole", map[string]*schema{
		"role": union("a role ARN, a role logical id or a map with name, path, statements and managedPolicies", sCfStr,
			obj("a map with name, path, statements and managedPolicies", map[string]*schema{
				"name":                sString,
				"path":                sString,
				"statements":          sStatements,
				"managedPolicies":     sCfList,
				"permissionsBoundary": sCfStr,
				"permissionBoundary":  sCfStr,
				"tags":                sTags,
			})),
		"deploymentRole": sCfStr,
	}),
	"stackTags":                             sTags,
	"tags":                                  sTags,
	"apiName":                               sScalar,
	"endpointType":                          enumOf("REGIONAL, EDGE or PRIVATE", true, "REGIONAL", "EDGE", "PRIVATE"),
	"vpcEndpointIds":                        sCfList,
	"websocketsApiName":                     sScalar,
	"websocketsApiRouteSelectionExpression": sString,
	"websocketsDescription":                 sString,
	"stackName":                             sString,
	"layers":                                sCfList,
	"architecture":                          sString,
	"versionFunctions":                      sBool,
	"deploymentPrefix":                      sScalar,
	"alb":                                   obj("a map with targetGroupPrefix and authorizers", map[string]*schema{"targetGroupPrefix": sString, "authorizers": sAnyMap}),
	"cfnRole":                               sCfStr,
})

var httpAuthorizerSchema = union("a function name, an ARN or a map with name, arn, type and authorizerId", sCfStr,
	obj("a map with name, arn, type and authorizerId", map[string]*schema{
		"name":                         sString,
		"arn":                          sCfStr,
		"authorizerId":                 sCfStr,
		"type":                         sString,
		"identitySource":               sString,
		"identityValidationExpression": sString,
		"resultTtlInSeconds":           sInt,
		"managedExternally":            sBool,
		"claims":                       sStrList,
		"scopes":                       sCfList,
	}))

var eventSchemas = map[string]*schema{
	"http": union("\"METHOD /path\" or a map with path and method", sString, obj("a map with path and method", map[string]*schema{
		"path":            sString,
		"method":          sString,
		"authorizer":      httpAuthorizerSchema,
		"cors":            union("true, false or a map of CORS settings", sBool, obj("a map of CORS settings", map[string]*schema{"origin": sString, "origins": sStrList, "headers": union("a list of headers", sStrList, sString), "methods": sStrList, "allowCredentials": sBool, "maxAge": sInt, "cacheControl": sString})),
		"private":         sBool,
		"integration":     sString,
		"async":           sBool,
		"operationId":     sString,
		"timeoutInMillis": sInt,
		"request":         sAnyMap,
		"response":        sAnyMap,
	})),
	"httpApi": union("\"METHOD /path\", \"*\" or a map with method and path", sScalar, obj("a map with method and path", map[string]*schema{
		"method":     sScalar,
		"path":       sScalar,
		"authorizer": union("an authorizer name or a map with name, id, type and scopes", sString, obj("a map with name, id, type and scopes", map[string]*schema{"name": sString, "id": sCfStr, "type": sString, "scopes": sStrList})),
	})),
	"websocket": union("a route or a map with route and authorizer", sString, obj("a map with route and authorizer", map[string]*schema{
		"route":                            sString,
		"routeResponseSelectionExpression": sString,
		"authorizer":                       union("a function name, an ARN or a map with name or arn", sString, obj("a map with name, arn and identitySource", map[string]*schema{"name": sString, "arn": sCfStr, "identitySource": sStrList})),
	})),
	"sqs": union("a queue ARN or a map with arn", sCfStr, obj("a map with arn", map[string]*schema{
		"arn": sCfStr, "batchSize": sInt, "enabled": sBool, "maximumBatchingWindow": sInt,
		"functionResponseType": sString, "filterPatterns": sAnyList, "maximumConcurrency": sInt,
	})),
	"stream": union("a stream ARN or a map with arn", sCfStr, obj("a map with arn", map[string]*schema{
		"arn": sCfStr, "type": enumOf("dynamodb or kinesis", false, "dynamodb", "kinesis"), "batchSize": sInt, "enabled": sBool,
		"startingPosition": sString, "consumer": union("true, false or a consumer ARN", sBool, sCfStr),
		"destinations":          obj("a map with onFailure", map[string]*schema{"onFailure": sDestination}),
		"parallelizationFactor": sInt, "batchWindow": sInt, "maximumRetryAttempts": sInt,
		"bisectBatchOnFunctionError": sBool, "maximumRecordAgeInSeconds": sInt, "functionResponseType": sString,
		"tumblingWindowInSeconds": sInt, "filterPatterns": sAnyList,
	})),
	"sns": union("a topic name, a topic ARN or a map with arn or topicName", sString, obj("a map with arn or topicName", map[string]*schema{
		"arn": sCfStr, "topicName": sString, "displayName": sString, "filterPolicy": sAnyMap,
		"filterPolicyScope": sString, "redrivePolicy": obj("a map with deadLetterTargetArn, deadLetterTargetRef or deadLetterTargetImport", map[string]*schema{
			"deadLetterTargetArn": sString, "deadLetterTargetRef": sString, "deadLetterTargetImport": obj("a map with arn and url", map[string]*schema{"arn": sString, "url": sString}),
		}),
	})),
	"s3": union("a bucket name or a map with bucket", sString, obj("a map with bucket", map[string]*schema{
		"bucket": sCfStr, "event": sString, "existing": sBool, "forceDeploy": sBool,
		"rules": listOf("a list of rules such as {prefix: uploads/}", mapOf("a rule such as {prefix: uploads/}", sCfStr)),
	})),
	"schedule": union("a rate or cron expression or a map with rate", sString, obj("a map with rate", map[string]*schema{
		"rate":    union("a rate or cron expression or a list of them", sCfStr, listOf("a list of rate or cron expressions", sCfStr)),
		"enabled": sBool, "name": sString, "description": sString, "inputPath": sString,
		"input": union("a string or a map", sString, sAnyMap), "inputTransformer": sAnyMap,
		"method": enumOf("eventBus or scheduler", false, "eventBus", "scheduler"), "roleArn": sCfStr, "timezone": sString, "groupName": sString,
	})),
	"eventBridge": obj("a map with pattern or schedule", map[string]*schema{
		"eventBus": sCfStr, "schedule": sString, "pattern": sAnyMap, "input": sAnyMap, "inputPath": sString,
		"inputTransformer": sAnyMap, "name": sString, "description": sString, "enabled": sBool,
		"retryPolicy": sAnyMap, "deadLetterQueueArn": sCfStr,
	}),
	"cloudwatchEvent": obj("a map with event", map[string]*schema{
		"event": sAnyMap, "input": union("a string or a map", sString, sAnyMap), "inputPath": sString,
		"inputTransformer": sAnyMap, "name": sString, "description": sString, "enabled": sBool,
	}),
	"cloudwatchLog": union("a log group name or a map with logGroup and filter", sString, obj("a map with logGroup and filter", map[string]*schema{"logGroup": sString, "filter": sString})),
	"alb": obj("a map with listenerArn, priority and conditions", map[string]*schema{
		"listenerArn": sCfStr, "priority": sInt, "conditions": sAnyMap, "multiValueHeaders": sBool,
		"healthCheck": union("true, false or a map", sBool, sAnyMap), "targetGroupName": sString, "authorizer": union("a name or a list of names", sString, sStrList),
	}),
	"iot":             obj("a map with sql", map[string]*schema{"sql": sString, "name": sString, "enabled": sBool, "description": sString, "sqlVersion": sString}),
	"alexaSkill":      union("an application id or a map with appId", sString, obj("a map with appId", map[string]*schema{"appId": sString, "enabled": sBool})),
	"alexaSmartHome":  union("an application id or a map with appId", sString, obj("a map with appId", map[string]*schema{"appId": sString, "enabled": sBool})),
	"cognitoUserPool": obj("a map with pool and trigger", map[string]*schema{"pool": sString, "trigger": sString, "existing": sBool, "forceDeploy": sBool}),
	"msk":             sAnyMap,
	"kafka":           sAnyMap,
	"activemq":        sAnyMap,
	"rabbitmq":        sAnyMap,
}

var functionSchema = obj("a map of function settings", map[string]*schema{
	"name":                 sString,
	"handler":              sString,
	"image":                union("an image URI or a map", sString, sAnyMap),
	"role":                 sCfStr,
	"memorySize":           sInt,
	"timeout":              sInt,
	"runtime":              sString,
	"tracing":              sTracingMode,
	"vpc":                  sVPC,
	"onError":              sCfStr,
	"environment":          sEnv,
	"tags":                 sTags,
	"kmsKeyArn":            sCfStr,
	"logRetentionInDays":   sInt,
	"disableLogs":          sBool,
	"destinations":         obj("a map with onSuccess and onFailure", map[string]*schema{"onSuccess": sDestination, "onFailure": sDestination}),
	"maximumEventAge":      sInt,
	"maximumRetryAttempts": sInt,
	"url": union("true or a map with authorizer, cors and invokeMode", sBool, obj("a map with authorizer, cors and invokeMode", map[string]*schema{
		"authorizer": enumOf("aws_iam", false, "aws_iam"),
		"cors":       sCors,
		"invokeMode": sString,
	})),
	"condition":              sString,
	"dependsOn":              sStrList,
	"layers":                 sCfList,
	"description":            sString,
	"reservedConcurrency":    sInt,
	"provisionedConcurrency": sInt,
	"snapStart":              sBool,
	"architecture":           sString,
	"versionFunction":        sBool,
	"package":                sAnyMap,
	"fileSystemConfig":       obj("a map with arn and localMountPath", map[string]*schema{"arn": sCfStr, "localMountPath": sString}),
	"durableConfig":          sAnyMap,
	"logs":                   sAnyMap,
	"httpApi":                obj("a map with payload", map[string]*schema{"payload": sScalar}),
})

var resourcesSchema = obj("a map with Resources, Outputs, Conditions and extensions", map[string]*schema{
	"Resources": mapOf("a map of logical ids to resources", obj("a resource (a map with Type and Properties)", map[string]*schema{
		"Type":       sString,
		"Properties": sAnyMap,
		"Condition":  sString,
		"DependsOn":  union("a logical id or a list of them", sString, sStrList),
	})),
	"Outputs":    sAnyMap,
	"Conditions": sAnyMap,
	"Parameters": sAnyMap,
	"Mappings":   sAnyMap,
	"extensions": mapOf("a map of logical ids to resource extensions", sAnyMap),
})

// settingPath names a setting for messages. It is built only when a
// message needs it: validation visits every node of the configuration.
type settingPath struct {
	parent *settingPath
	key    string
	index  int // for list items, with key ""
	root   string
}

func (p *settingPath) String() string {
	if p == nil {
		return ""
	}
	if p.parent == nil {
		return p.root
	}
	if p.key == "" {
		return p.parent.String() + "[" + strconv.Itoa(p.index) + "]"
	}
	return joinPath(p.parent.String(), p.key)
}

// check validates n against s; path names the setting in messages.
func check(n *value.Node, s *schema, path string) error {
	return checkAt(n, s, &settingPath{root: path})
}

func checkAt(n *value.Node, s *schema, path *settingPath) error {
	if n == nil || n.Kind == value.Null || n.Kind == value.Unknown {
		return nil
	}
	if s.alts != nil {
		alt := pickAlt(n, s.alts)
		if alt == nil {
			return mismatch(n, s, path.String())
		}
		return checkAt(n, alt, path)
	}
	if !accepts(n, s.kinds) {
		// coerceTypes "array": a single value stands for a one-item list.
		if s.kinds&kList != 0 && s.items != nil && n.Kind != value.Map {
			if err := checkAt(n, s.items, path); err == nil {
				return nil
			}
		}
		return mismatch(n, s, path.String())
	}
	if len(s.enum) > 0 && n.Kind != value.Map {
		if !enumHas(s, text(n)) {
			return value.Errorf(n.Pos, "%s must be %s, found %s", path.String(), s.what, describe(n))
		}
	}
	switch n.Kind {
	case value.Map:
		if _, _, ok := n.Intrinsic(); ok && s.kinds&kIntrinsic != 0 {
			return nil
		}
		for i, k := range n.Keys {
			sub := s.each
			if s.props != nil {
				if ps, ok := s.props[k]; ok {
					sub = ps
				}
			}
			if sub == nil {
				continue
			}
			if err := checkAt(n.Vals[i], sub, &settingPath{parent: path, key: k}); err != nil {
				return err
			}
		}
	case value.List:
		if s.items != nil {
			for i, it := range n.Items {
				if err := checkAt(it, s.items, &settingPath{parent: path, index: i}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// pickAlt chooses the alternative of a union the value's kind selects.
func pickAlt(n *value.Node, alts []*schema) *schema {
	if _, _, ok := n.Intrinsic(); ok {
		for _, a := range alts {
			if a.kinds&kIntrinsic != 0 {
				return a
			}
		}
	}
	for _, a := range alts {
		if accepts(n, a.kinds) && (len(a.enum) == 0 || enumHas(a, text(n))) {
			return a
		}
	}
	for _, a := range alts {
		if accepts(n, a.kinds) {
			return a
		}
	}
	// A single value where a list is accepted.
	for _, a := range alts {
		if a.kinds&kList != 0 && a.items != nil && n.Kind != value.Map && checkAt(n, a.items, nil) == nil {
			return a
		}
	}
	return nil
}

func enumHas(s *schema, t string) bool {
	return slices.ContainsFunc(s.enum, func(e string) bool { return e == t || (s.fold && strings.EqualFold(e, t)) })
}

// accepts reports whether n's kind is one the schema allows, counting the
// Framework's coercions (a "5" where a number is expected is 5).
func accepts(n *value.Node, k kinds) bool {
	switch n.Kind {
	case value.String:
		if k&kString != 0 {
			return true
		}
		if k&(kNumber|kInt) != 0 {
			if _, err := strconv.ParseFloat(strings.TrimSpace(n.Str), 64); err == nil && strings.TrimSpace(n.Str) != "" {
				if k&kNumber != 0 {
					return true
				}
				_, isInt := n.AsInt()
				return isInt
			}
		}
		if k&kBool != 0 {
			_, ok := n.AsBool()
			return ok
		}
	case value.Number:
		if k&(kNumber|kString) != 0 {
			return true
		}
		if k&kInt != 0 {
			_, ok := n.AsInt()
			return ok
		}
	case value.Bool:
		return k&(kBool|kString) != 0
	case value.Map:
		if k&kMap != 0 {
			return true
		}
		if k&kIntrinsic != 0 {
			_, _, ok := n.Intrinsic()
			return ok
		}
	case value.List:
		return k&kList != 0
	}
	return false
}

func mismatch(n *value.Node, s *schema, path string) error {
	return value.Errorf(n.Pos, "%s must be %s, found %s", path, s.what, describe(n))
}

// validate checks the settings the compiler reads.
func validate(cfg *value.Node) error {
	if err := check(cfg.Field("provider"), providerSchema, "provider"); err != nil {
		return err
	}
	fns := cfg.Field("functions")
	if fns.Has() && !fns.IsUnknown() {
		if fns.Kind != value.Map {
			return value.Errorf(fns.Pos, "functions must be a map of function names to settings, found %s", describe(fns))
		}
		for i, name := range fns.Keys {
			fn := fns.Vals[i]
			path := "functions." + name
			if fn.Has() && fn.Kind != value.Map && !fn.IsUnknown() {
				return value.Errorf(fn.Pos, "%s must be a map of function settings, found %s", path, describe(fn))
			}
			if err := check(fn, functionSchema, path); err != nil {
				return err
			}
			if err := validateEvents(fn.Field("events"), path+".events"); err != nil {
				return err
			}
		}
	}
	if r := cfg.Field("resources"); r.Has() {
		if err := check(r, resourcesSchema, "resources"); err != nil {
			return err
		}
	}
	return nil
}

func validateEvents(evs *value.Node, path string) error {
	if !evs.Has() || evs.IsUnknown() {
		return nil
	}
	if evs.Kind != value.List {
		return value.Errorf(evs.Pos, "%s must be a list of events, found %s", path, describe(evs))
	}
	for i, ev := range evs.Items {
		p := path + "[" + strconv.Itoa(i) + "]"
		if ev.IsUnknown() || ev.Kind == value.Null {
			continue
		}
		if ev.Kind != value.Map {
			return value.Errorf(ev.Pos, "%s must be a map with one event type such as http or sqs, found %s", p, describe(ev))
		}
		for j, k := range ev.Keys {
			if s, ok := eventSchemas[k]; ok {
				if err := check(ev.Vals[j], s, p+"."+k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
