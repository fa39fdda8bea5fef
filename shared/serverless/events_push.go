package serverless

import (
	"regexp"
	"strings"

	"prodready/shared/value"
)

// Push event sources: sns and s3.

// snsArnSplit splits a topic ARN on single colons, as the Framework's
// /(?<!:):(?!:)/ does.
func snsArnSplit(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		if (i > 0 && s[i-1] == ':') || (i+1 < len(s) && s[i+1] == ':') {
			continue
		}
		out = append(out, s[start:i])
		start = i + 1
	}
	return append(out, s[start:])
}

func (c *compiler) snsEvents() error {
	return c.eventsOf("sns", func(f *function, ev, item *value.Node, _ int) error {
		p := item.Pos
		var topicArn *value.Node
		var topicName string
		var region *value.Node
		obj := isObj(ev)
		field := func(k string) *value.Node {
			if obj {
				return ev.Field(k)
			}
			return nil
		}
		switch {
		case obj && truthy(ev.Field("arn")):
			topicArn = ev.Field("arn")
			if isStr(topicArn) || topicArn.IsUnknown() {
				parts := snsArnSplit(text(topicArn))
				topicName = parts[len(parts)-1]
				if isStr(topicArn) && len(parts) > 3 && parts[3] != c.region {
					region = value.NewString(parts[3], topicArn.Pos)
				}
			}
			if tn := ev.Field("topicName"); truthy(tn) {
				topicName = text(tn)
			}
			if topicName == "" {
				return value.Errorf(ev.Pos, "missing \"sns.topicName\" setting (it needs to be provided if \"sns.arn\" is not provided as plain ARN string)")
			}
		case obj:
			topicName = text(ev.Field("topicName"))
		case strings.HasPrefix(text(ev), "arn:") || ev.IsUnknown():
			topicArn = ev
			parts := strings.Split(text(ev), ":")
			topicName = parts[len(parts)-1]
		default:
			topicName = text(ev)
		}
		var redrive *value.Node
		if rp := field("redrivePolicy"); truthy(rp) {
			rpos := rp.Pos
			var targetArn, targetURL *value.Node
			switch {
			case truthy(rp.Field("deadLetterTargetArn")):
				arn := rp.Field("deadLetterTargetArn")
				targetArn = cp(arn)
				parts := strings.Split(text(arn), ":")
				rev := func(i int) string {
					if len(parts) > i {
						return parts[len(parts)-1-i]
					}
					return ""
				}
				targetURL = join(rpos, "", "https://sqs."+rev(2)+".", ref(rpos, "AWS::URLSuffix"), "/"+rev(1)+"/"+rev(0))
			case truthy(rp.Field("deadLetterTargetRef")):
				id := text(rp.Field("deadLetterTargetRef"))
				targetArn, targetURL = getAtt(rpos, id, "Arn"), ref(rpos, id)
			default:
				imp := rp.Field("deadLetterTargetImport")
				targetArn = M(rpos, "Fn::ImportValue", cp(imp.Field("arn")))
				targetURL = M(rpos, "Fn::ImportValue", cp(imp.Field("url")))
			}
			redrive = M(rpos, "deadLetterTargetArn", targetArn)
			qpID := topicDLQPolicyID(f.key, topicName)
			var source *value.Node
			if topicArn != nil {
				source = cp(topicArn)
			}
			c.t.put(qpID, resource(rpos, "AWS::SQS::QueuePolicy", M(rpos,
				"PolicyDocument", M(rpos, "Version", "2012-10-17", "Id", qpID, "Statement", L(rpos, M(rpos,
					"Effect", "Allow",
					"Principal", M(rpos, "Service", "sns.amazonaws.com"),
					"Action", "sqs:SendMessage",
					"Resource", cp(targetArn),
					"Condition", M(rpos, "ArnEquals", M(rpos, "aws:SourceArn", source))))),
				"Queues", L(rpos, targetURL))))
		}
		endpoint := c.lambdaTarget(f, p)
		subID := snsSubscriptionID(f.key, topicName)
		if topicArn != nil {
			pr := M(p, "TopicArn", cp(topicArn), "Protocol", "lambda", "Endpoint", endpoint,
				"FilterPolicy", cp(field("filterPolicy")), "FilterPolicyScope", cp(field("filterPolicyScope")),
				"RedrivePolicy", redrive, "Region", region)
			c.t.put(subID, dependsOnAlias(resource(p, "AWS::SNS::Subscription", pr), f))
		} else {
			topicArn = join(p, "", "arn:", partitionRef(p), ":sns:", regionRef(p), ":", accountRef(p), ":", topicName)
			tid := topicLogicalID(topicName)
			if !c.t.has(tid) {
				tp := M(p, "TopicName", value.NewString(topicName, posOf(p, field("topicName"), ev)))
				if dn := field("displayName"); truthy(dn) {
					tp.Set("DisplayName", cp(dn))
				}
				c.t.put(tid, dependsOnAlias(resource(p, "AWS::SNS::Topic", tp), f))
			} else if f.alias != nil {
				mergeDependsOn(c.t.get(tid), f.alias.logicalID)
			}
			sub := M(p, "Endpoint", endpoint, "Protocol", "lambda")
			if truthy(field("filterPolicy")) || redrive != nil {
				pr := M(p, "Endpoint", endpoint, "Protocol", "lambda", "TopicArn", ref(p, tid),
					"FilterPolicy", cp(field("filterPolicy")), "FilterPolicyScope", cp(field("filterPolicyScope")), "RedrivePolicy", redrive)
				c.t.put(subID, dependsOnAlias(resource(p, "AWS::SNS::Subscription", pr), f))
			} else {
				tpr := props(c.t.get(tid))
				s := tpr.Field("Subscription")
				if s == nil || s.Kind != value.List {
					s = value.NewList(p)
					tpr.Set("Subscription", s)
				}
				s.Items = append(s.Items, sub)
			}
		}
		c.t.put(snsPermissionID(f.key, topicName), dependsOnAlias(resource(p, "AWS::Lambda::Permission", M(p,
			"FunctionName", cp(endpoint),
			"Action", "lambda:InvokeFunction",
			"Principal", "sns.amazonaws.com",
			"SourceArn", cp(topicArn))), f))
		return nil
	})
}

// mergeDependsOn adds an id to a resource's DependsOn, keeping a single
// string a string when it is the only one.
func mergeDependsOn(r *value.Node, id string) {
	d := r.Field("DependsOn")
	switch {
	case d == nil:
		r.Set("DependsOn", value.NewString(id, r.Pos))
	case d.Kind == value.String:
		if d.Str != id {
			r.Set("DependsOn", L(r.Pos, d, id))
		}
	case d.Kind == value.List:
		for _, it := range d.Items {
			if text(it) == id {
				return
			}
		}
		d.Items = append(d.Items, value.NewString(id, r.Pos))
	}
}

// bucketNamePattern is the Framework's awsS3BucketName pattern without its
// negative look-ahead for IP addresses, which isIPv4Like checks.
var bucketNamePattern = regexp.MustCompile(`^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$`)
var ipv4Like = regexp.MustCompile(`^(\d{1,3}\.){3}\d{1,3}$`)

type s3Target struct {
	f          *function
	bucketName string
	permKey    string
	pos        value.Pos
}

func (c *compiler) s3Events() error {
	providerS3 := c.provider.Field("s3")
	type bucket struct {
		name         string
		nameNode     *value.Node
		ref          string
		fromProvider bool
		configs      *value.Node
		pos          value.Pos
	}
	buckets := map[string]*bucket{}
	var order []string
	var targets []s3Target
	err := c.eventsOf("s3", func(f *function, ev, item *value.Node, _ int) error {
		p := item.Pos
		if isObj(ev) && flag(ev.Field("existing")) {
			return nil
		}
		var bucketRef *value.Node
		event := value.NewString("s3:ObjectCreated:*", p)
		var filter *value.Node
		if isObj(ev) {
			bucketRef = ev.Field("bucket")
			if isObj(bucketRef) {
				return value.Errorf(bucketRef.Pos, "when specifying \"s3.bucket\" with a CloudFormation function, you need to say the bucket exists with \"existing: true\"")
			}
			if e := ev.Field("event"); truthy(e) {
				event = cp(e)
			}
			if rules := ev.Field("rules"); truthy(rules) {
				rl := L(rules.Pos)
				for _, r := range rules.List() {
					if isObj(r) && r.Len() > 0 {
						rl.Items = append(rl.Items, M(r.Pos, "Name", r.Keys[0], "Value", cp(r.Vals[0])))
					}
				}
				filter = M(rules.Pos, "S3Key", M(rules.Pos, "Rules", rl))
			}
		} else {
			bucketRef = ev
		}
		refName := text(bucketRef)
		name := refName
		nameNode := bucketRef
		fromProvider := false
		if pb := providerS3.Field(refName); isObj(providerS3) && pb != nil {
			fromProvider = true
			if n := pb.Field("name"); truthy(n) {
				name, nameNode = text(n), n
			}
		}
		if !nameNode.IsUnknown() && (!bucketNamePattern.MatchString(name) || ipv4Like.MatchString(name)) {
			return value.Errorf(posOf(p, nameNode), "%s - bucket name must be 3-63 lower-case letters, digits, dots and hyphens; check provider.s3.%s and/or s3 events of function %q", name, refName, f.key)
		}
		cfg := M(p, "Event", event, "Function", c.lambdaTarget(f, p))
		if filter != nil {
			cfg.Set("Filter", filter)
		}
		b, ok := buckets[name]
		if !ok {
			b = &bucket{name: name, nameNode: nameNode, configs: L(p), pos: p}
			buckets[name] = b
			order = append(order, name)
		}
		if fromProvider {
			b.ref, b.fromProvider = refName, true
			b.pos = posOf(p, providerS3.Field(refName))
		}
		b.configs.Items = append(b.configs.Items, cfg)
		targets = append(targets, s3Target{f: f, bucketName: name, pos: p})
		return nil
	})
	if err != nil {
		return err
	}
	permKey := func(t s3Target) string {
		if b := buckets[t.bucketName]; b.fromProvider {
			return b.ref
		}
		return t.bucketName
	}
	for _, name := range order {
		b := buckets[name]
		p := b.pos
		nc := M(p, "LambdaConfigurations", b.configs)
		pr := M(p, "BucketName", value.NewString(name, posOf(p, b.nameNode)), "NotificationConfiguration", nc)
		if b.fromProvider {
			providerS3.Field(b.ref).Each(func(k string, v *value.Node) {
				if k == "name" {
					return
				}
				key := normalizeName(k)
				if key == "NotificationConfiguration" {
					v.Each(func(nk string, nv *value.Node) { nc.Set(nk, cp(nv)) })
					return
				}
				pr.Set(key, cp(v))
			})
		}
		r := resource(p, "AWS::S3::Bucket", pr)
		deps := L(p)
		for _, t := range targets {
			if t.bucketName != name {
				continue
			}
			deps.Items = append(deps.Items, value.NewString(s3PermissionID(t.f.key, permKey(t)), p))
			if t.f.alias != nil {
				deps.Items = append(deps.Items, value.NewString(t.f.alias.logicalID, p))
			}
		}
		r.Set("DependsOn", deps)
		id := bucketLogicalID(name)
		if b.fromProvider {
			id = bucketLogicalID(b.ref)
		}
		c.t.put(id, r)
	}
	for _, t := range targets {
		p := t.pos
		c.t.put(s3PermissionID(t.f.key, permKey(t)), dependsOnAlias(resource(p, "AWS::Lambda::Permission", M(p,
			"FunctionName", c.lambdaTarget(t.f, p),
			"Action", "lambda:InvokeFunction",
			"Principal", "s3.amazonaws.com",
			"SourceArn", join(p, "", "arn:", partitionRef(p), ":s3:::"+t.bucketName),
			"SourceAccount", accountRef(p))), t.f))
	}
	return c.existingS3Events()
}

// existingS3Events is existingS3Buckets: a Custom::S3 resource per
// function that configures notifications on a bucket the service does not
// own.
func (c *compiler) existingS3Events() error {
	var statements []*value.Node
	any := false
	var allIDs []string
	for _, f := range c.fns {
		n := 0
		current := ""
		id := normalizedResourceName(f.key) + "CustomS31"
		for _, item := range f.events {
			ev := item.Field("s3")
			if !isObj(ev) || !flag(ev.Field("existing")) {
				continue
			}
			n++
			any = true
			p := item.Pos
			bucket := ev.Field("bucket")
			key := jsonString(bucket)
			if current == "" {
				current = key
			}
			if key != current {
				return value.Errorf(p, "only one S3 bucket can be configured per function: %s configures %s and %s", f.key, current, key)
			}
			event := value.NewString("s3:ObjectCreated:*", p)
			if e := ev.Field("event"); truthy(e) {
				event = cp(e)
			}
			rules := L(p)
			for _, r := range ev.Field("rules").List() {
				if isObj(r) && r.Len() > 0 {
					rules.Items = append(rules.Items, M(r.Pos, toStartCase(r.Keys[0]), cp(r.Vals[0])))
				}
			}
			bc := M(p, "Event", event, "Rules", rules)
			if !contains(allIDs, id) {
				allIDs = append(allIDs, id)
			}
			if n == 1 {
				crFn := c.customResourceFunctionID(crS3)
				deps := L(p, f.logicalID)
				if f.alias != nil {
					deps.Items = append(deps.Items, value.NewString(f.alias.logicalID, p))
				}
				deps.Items = append(deps.Items, value.NewString(crFn, p))
				pr := M(p, "ServiceToken", getAtt(p, crFn, "Arn"), "FunctionName", cp(f.name))
				if f.alias != nil {
					pr.Set("FunctionQualifier", value.NewString(f.alias.name, p))
				}
				pr.Set("BucketName", cp(bucket))
				pr.Set("BucketConfigs", L(p, bc))
				c.t.put(id, M(p, "Type", "Custom::S3", "Version", value.NewNumber("1", p), "DependsOn", deps, "Properties", pr))
				statements = append(statements, M(p, "Effect", "Allow",
					"Resource", join(p, ":", "arn", partitionRef(p), "s3", "", "", cp(bucket)),
					"Action", L(p, "s3:PutBucketNotification", "s3:GetBucketNotification")))
			} else {
				bcs := c.t.get(id).Get("Properties", "BucketConfigs")
				bcs.Items = append(bcs.Items, bc)
			}
		}
	}
	if !any {
		return nil
	}
	p := c.top
	statements = append(statements, M(p, "Effect", "Allow",
		"Resource", join(p, ":", "arn", partitionRef(p), "lambda", regionRef(p), accountRef(p), "function", "*"),
		"Action", L(p, "lambda:AddPermission", "lambda:RemovePermission")))
	for i := 1; i < len(allIDs); i++ {
		appendDependsOn(c.t.get(allIDs[i]), allIDs[i-1])
	}
	c.addCustomResource(crS3, posOf(p, c.t.get(allIDs[0])), statements)
	return nil
}
