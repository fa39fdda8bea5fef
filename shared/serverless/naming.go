package serverless

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The logical ids below are those of osls 4.3.1
// (lib/plugins/aws/lib/naming.js): rules, exemptions and the
// template-backed check match resources by them, so every spelling must be
// the Framework's.

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return ""
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

var nonAlnum = regexp.MustCompile(`[^0-9A-Za-z]`)

// alnumOnly drops every character but ASCII letters and digits (the
// Framework's replace(/[^0-9A-Za-z]/g, "")), without a regexp: it runs for
// every logical id of every resource.
func alnumOnly(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func normalizeName(s string) string { return upperFirst(s) }

func normalizeAlnum(s string) string { return upperFirst(alnumOnly(s)) }

var resourceNameReplacer = strings.NewReplacer("-", "Dash", "_", "Underscore")

// normalizedResourceName is getNormalizedFunctionName: dashes and
// underscores spelled out, first letter upper-cased.
func normalizedResourceName(s string) string {
	return upperFirst(resourceNameReplacer.Replace(s))
}

func normalizePathPart(part string) string {
	s := strings.ToLower(part)
	s = strings.ReplaceAll(s, "-", "Dash")
	// The Framework's replace(/\{(.*)\}/, '$1Var'): greedy, so from the
	// first '{' to the last '}' (done by hand: it runs for every path part).
	if i, j := strings.IndexByte(s, '{'), strings.LastIndexByte(s, '}'); i >= 0 && j > i {
		s = s[:i] + s[i+1:j] + "Var" + s[j+1:]
	}
	return upperFirst(alnumOnly(s))
}

func normalizePath(path string) string {
	var b strings.Builder
	for _, p := range strings.Split(path, "/") {
		b.WriteString(normalizePathPart(p))
	}
	return b.String()
}

// words splits like lodash's word regexp in naming.js. Go's regexp has no
// look-ahead, so the first alternative ([A-Z]+(?=[A-Z][a-z])) is emulated.
func words(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && s[j] >= 'A' && s[j] <= 'Z' {
				j++
			}
			if j-i > 1 && j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				// An acronym followed by a capitalised word: the last capital
				// starts the next word.
				out = append(out, s[i:j-1])
				i = j - 1
				continue
			}
			if j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				k := j
				for k < len(s) && s[k] >= 'a' && s[k] <= 'z' {
					k++
				}
				out = append(out, s[i:k])
				i = k
				continue
			}
			out = append(out, s[i:j])
			i = j
		case c >= 'a' && c <= 'z':
			j := i
			for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				j++
			}
			out = append(out, s[i:j])
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			i++
		}
	}
	return out
}

// toStartCase is naming.toStartCase: words upper-cased at their first
// letter and joined.
func toStartCase(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		b.WriteString(upperFirst(w))
	}
	return b.String()
}

func lambdaLogicalID(fn string) string      { return normalizedResourceName(fn) + "LambdaFunction" }
func logGroupLogicalID(fn string) string    { return normalizedResourceName(fn) + "LogGroup" }
func functionURLLogicalID(fn string) string { return normalizedResourceName(fn) + "LambdaFunctionUrl" }
func eventConfigLogicalID(fn string) string { return normalizedResourceName(fn) + "LambdaEvConf" }
func layerLogicalID(layer string) string    { return normalizedResourceName(layer) + "LambdaLayer" }
func fnURLPermissionID(fn string) string    { return normalizedResourceName(fn) + "LambdaPermissionFnUrl" }
func fnPermissionID(fn string) string       { return normalizedResourceName(fn) + "LambdaPermissionFn" }
func apiGatewayPermissionID(fn string) string {
	return normalizedResourceName(fn) + "LambdaPermissionApiGateway"
}
func httpAPIPermissionID(fn string) string {
	return normalizedResourceName(fn) + "LambdaPermissionHttpApi"
}
func websocketsPermissionID(fn string) string {
	return normalizedResourceName(fn) + "LambdaPermissionWebsockets"
}
func authorizerLogicalID(name string) string {
	return normalizedResourceName(name) + "ApiGatewayAuthorizer"
}
func resourceLogicalID(path string) string { return "ApiGatewayResource" + normalizePath(path) }
func methodLogicalID(resourceName, method string) string {
	return "ApiGatewayMethod" + resourceName + normalizeName(strings.ToLower(method))
}
func apiKeyLogicalID(n int, name string) string {
	if name != "" {
		return "ApiGatewayApiKey" + normalizeName(name) + itoa(n)
	}
	return "ApiGatewayApiKey" + itoa(n)
}
func usagePlanLogicalID(name string) string {
	if name != "" {
		return "ApiGatewayUsagePlan" + normalizeName(name)
	}
	return "ApiGatewayUsagePlan"
}
func usagePlanKeyLogicalID(n int, name string) string {
	if name != "" {
		return "ApiGatewayUsagePlanKey" + normalizeName(name) + itoa(n)
	}
	return "ApiGatewayUsagePlanKey" + itoa(n)
}
func bucketLogicalID(name string) string { return "S3Bucket" + normalizeAlnum(name) }
func topicLogicalID(name string) string  { return "SNSTopic" + normalizeAlnum(name) }
func s3PermissionID(fn, bucket string) string {
	return normalizedResourceName(fn) + "LambdaPermission" + normalizeAlnum(bucket) + "S3"
}
func snsPermissionID(fn, topic string) string {
	return normalizedResourceName(fn) + "LambdaPermission" + normalizeAlnum(topic) + "SNS"
}
func snsSubscriptionID(fn, topic string) string {
	return normalizedResourceName(fn) + "SnsSubscription" + normalizeAlnum(topic)
}
func topicDLQPolicyID(fn, topic string) string {
	return normalizeAlnum(topic) + "To" + normalizedResourceName(fn) + "DLQPolicy"
}
func scheduleLogicalID(fn string, i int) string {
	return normalizedResourceName(fn) + "EventsRuleSchedule" + itoa(i)
}
func schedulerScheduleLogicalID(fn string, i int) string {
	return normalizedResourceName(fn) + "SchedulerSchedule" + itoa(i)
}
func schedulePermissionID(fn string, i int) string {
	return normalizedResourceName(fn) + "LambdaPermissionEventsRuleSchedule" + itoa(i)
}
func streamLogicalID(fn, streamType, streamName string) string {
	return normalizedResourceName(fn) + "EventSourceMapping" + normalizeName(streamType) + normalizeAlnum(streamName)
}
func queueLogicalID(fn, queue string) string {
	return normalizedResourceName(fn) + "EventSourceMappingSQS" + normalizeAlnum(queue)
}
func cloudWatchEventLogicalID(fn string, i int) string {
	return normalizedResourceName(fn) + "EventsRuleCloudWatchEvent" + itoa(i)
}
func cloudWatchEventPermissionID(fn string, i int) string {
	return normalizedResourceName(fn) + "LambdaPermissionEventsRuleCloudWatchEvent" + itoa(i)
}
func cloudWatchLogLogicalID(fn string, i int) string {
	return normalizedResourceName(fn) + "LogsSubscriptionFilterCloudWatchLog" + itoa(i)
}
func cloudWatchLogPermissionID(fn string) string {
	return normalizedResourceName(fn) + "LambdaPermissionLogsSubscriptionFilterCloudWatchLog"
}
func iotLogicalID(fn string, i int) string {
	return normalizedResourceName(fn) + "IotTopicRule" + itoa(i)
}
func iotPermissionID(fn string, i int) string {
	return normalizedResourceName(fn) + "LambdaPermissionIotTopicRule" + itoa(i)
}
func eventBridgeRuleLogicalID(stub string) string { return normalizeAlnum(stub) + "EventBridgeRule" }
func eventBusLogicalID(name string) string {
	return normalizedResourceName(name) + "EventBridgeEventBus"
}
func eventBridgePermissionID(fn string, i int) string {
	return normalizedResourceName(fn) + "EventBridgeLambdaPermission" + itoa(i)
}
func albTargetGroupLogicalID(fn, albID string, multiValue bool) string {
	mv := ""
	if multiValue {
		mv = "MultiValue"
	}
	return normalizedResourceName(fn) + "Alb" + mv + "TargetGroup" + albID
}
func albListenerRuleLogicalID(fn, priority string) string {
	return normalizedResourceName(fn) + "AlbListenerRule" + priority
}
func albPermissionID(fn string) string { return normalizedResourceName(fn) + "LambdaPermissionAlb" }
func registerTargetPermissionID(fn string) string {
	return normalizedResourceName(fn) + "LambdaPermissionRegisterTarget"
}
func alexaSkillPermissionID(fn string, i int) string {
	return normalizedResourceName(fn) + "LambdaPermissionAlexaSkill" + itoa(i)
}
func alexaSmartHomePermissionID(fn string, i int) string {
	return normalizedResourceName(fn) + "LambdaPermissionAlexaSmartHome" + itoa(i)
}
func cognitoUserPoolLogicalID(pool string) string { return "CognitoUserPool" + normalizeAlnum(pool) }
func cognitoPermissionID(fn, pool, trigger string) string {
	return normalizedResourceName(fn) + "LambdaPermissionCognitoUserPool" + normalizeAlnum(pool) + "TriggerSource" + normalizeAlnum(trigger)
}
func httpAPIRouteLogicalID(routeKey string) string {
	if routeKey == "*" {
		return "HttpApiRouteDefault"
	}
	return "HttpApiRoute" + normalizePath(routeKey)
}
func httpAPIIntegrationLogicalID(fn string) string {
	return "HttpApiIntegration" + normalizedResourceName(fn)
}
func httpAPIAuthorizerLogicalID(name string) string {
	return "HttpApiAuthorizer" + normalizedResourceName(name)
}
func httpAPIAuthorizerPermissionID(name string) string {
	return normalizedResourceName(name) + "LambdaAuthorizerPermissionHttpApi"
}

var websocketsRouteReplacer = strings.NewReplacer("$", "S", "/", "Slash", "-", "Dash", "_", "Underscore", ".", "Period")

func websocketsRouteKey(route string) string { return websocketsRouteReplacer.Replace(route) }
func websocketsRouteLogicalID(route string) string {
	return websocketsRouteKey(route) + "WebsocketsRoute"
}
func websocketsIntegrationLogicalID(fn string) string {
	return normalizedResourceName(fn) + "WebsocketsIntegration"
}
func websocketsAuthorizerLogicalID(name string) string {
	return normalizedResourceName(name) + "WebsocketsAuthorizer"
}

// Fixed logical ids.
const (
	idDeploymentBucket       = "ServerlessDeploymentBucket"
	idDeploymentBucketPolicy = "ServerlessDeploymentBucketPolicy"
	idRole                   = "IamRoleLambdaExecution"
	idRestAPI                = "ApiGatewayRestApi"
	idAPIStage               = "ApiGatewayStage"
	idAPILogGroup            = "ApiGatewayLogGroup"
	idHTTPAPI                = "HttpApi"
	idHTTPAPIStage           = "HttpApiStage"
	idHTTPAPILogGroup        = "HttpApiLogGroup"
	idWebsocketsAPI          = "WebsocketsApi"
	idWebsocketsStage        = "WebsocketsDeploymentStage"
	idWebsocketsLogGroup     = "WebsocketsLogGroup"
	idCustomResourcesRole    = "IamRoleCustomResourcesLambdaExecution"
	idAPIGatewayCWRole       = "CustomApiGatewayAccountCloudWatchRole"
)

// Custom-resource handler functions the Framework adds for its own use.
const (
	crS3          = "custom-resource-existing-s3"
	crCognito     = "custom-resource-existing-cup"
	crEventBridge = "custom-resource-event-bridge"
	crAPIGWRole   = "custom-resource-apigw-cw-role"
)
