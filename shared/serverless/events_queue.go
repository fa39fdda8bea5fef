package serverless

import (
	"strings"

	"prodready/shared/value"
)

// Poll-based event sources: sqs, stream, msk, kafka, activemq, rabbitmq,
// each compiled to an AWS::Lambda::EventSourceMapping.

// arnName is the name part the Framework takes from an event source ARN for
// a logical id: the logical id of Fn::GetAtt, the export of
// Fn::ImportValue, the last item of Fn::Join, else what split returns.
func arnName(arn *value.Node, split func(string) string, what string) (string, error) {
	if isObj(arn) {
		if ga := arn.Field("Fn::GetAtt"); ga != nil {
			if ga.Kind == value.List && len(ga.Items) > 0 {
				return text(ga.Items[0]), nil
			}
			id, _, _ := strings.Cut(text(ga), ".")
			return id, nil
		}
		if iv := arn.Field("Fn::ImportValue"); iv != nil {
			return text(iv), nil
		}
		if j := arn.Field("Fn::Join"); j != nil {
			parts := j.Get("1")
			if parts.Len() > 0 {
				return text(parts.Items[len(parts.Items)-1]), nil
			}
			return "", nil
		}
		if r := arn.Field("Ref"); r != nil && what == "stream" {
			return text(r), nil
		}
		return "", value.Errorf(arn.Pos, "the %s ARN must be a string, Fn::GetAtt, Fn::ImportValue or Fn::Join (the Framework cannot name the event source mapping otherwise), found %s", what, arn.Describe())
	}
	return split(text(arn)), nil
}

func (c *compiler) sqsEvents() error {
	stmt := L(c.top)
	err := c.eventsOf("sqs", func(f *function, ev, item *value.Node, _ int) error {
		p := item.Pos
		arn := ev
		batch := value.NewInt(10, p)
		enabled := value.NewBool(true, p)
		if isObj(ev) && ev.Field("Fn::GetAtt") == nil && ev.Field("Fn::ImportValue") == nil && ev.Field("Fn::Join") == nil {
			arn = ev.Field("arn")
			if b := ev.Field("batchSize"); truthy(b) {
				batch = cp(b)
			}
			if e := ev.Field("enabled"); e.Has() {
				enabled = cp(e)
			}
		}
		if !truthy(arn) {
			return value.Errorf(ev.Pos, "function %s: sqs event needs arn", f.key)
		}
		name, err := arnName(arn, func(s string) string {
			parts := strings.Split(s, ":")
			return parts[len(parts)-1]
		}, "sqs")
		if err != nil {
			return err
		}
		deps := L(p)
		if r := c.functionRoleResource(f); r != "" {
			deps.Items = append(deps.Items, value.NewString(r, p))
		}
		if f.alias != nil {
			deps.Items = append(deps.Items, value.NewString(f.alias.logicalID, p))
		}
		pr := M(p, "BatchSize", batch)
		if v := ev.Field("maximumBatchingWindow"); isObj(ev) && v.Has() {
			pr.Set("MaximumBatchingWindowInSeconds", cp(v))
		}
		pr.Set("EventSourceArn", cp(arn))
		pr.Set("FunctionName", c.lambdaTarget(f, p))
		pr.Set("Enabled", enabled)
		if isObj(ev) {
			if v := ev.Field("functionResponseType"); v.Has() {
				pr.Set("FunctionResponseTypes", L(v.Pos, cp(v)))
			}
			if fp := ev.Field("filterPatterns"); truthy(fp) {
				pr.Set("FilterCriteria", filterCriteria(fp))
			}
			if mc := ev.Field("maximumConcurrency"); truthy(mc) {
				pr.Set("ScalingConfig", M(mc.Pos, "MaximumConcurrency", cp(mc)))
			}
		}
		stmt.Items = append(stmt.Items, cp(arn))
		c.t.put(queueLogicalID(f.key, name), M(p, "Type", "AWS::Lambda::EventSourceMapping", "DependsOn", deps, "Properties", pr))
		return nil
	})
	if err != nil {
		return err
	}
	if len(stmt.Items) > 0 {
		c.addStatement(M(c.top, "Effect", "Allow", "Action", L(c.top, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"), "Resource", stmt))
	}
	return nil
}

// filterCriteria turns filterPatterns into {Filters: [{Pattern: json}]}.
func filterCriteria(fp *value.Node) *value.Node {
	filters := L(fp.Pos)
	for _, pat := range fp.List() {
		filters.Items = append(filters.Items, M(pat.Pos, "Pattern", jsonString(pat)))
	}
	return M(fp.Pos, "Filters", filters)
}

func (c *compiler) streamEvents() error {
	for _, f := range c.fns {
		// One statement per kind of source, added after the function's
		// events in the Framework's order.
		stmts := map[string]*value.Node{}
		addStmt := func(key string, actions []string, res *value.Node) {
			s, ok := stmts[key]
			if !ok {
				s = M(c.top, "Effect", "Allow", "Action", V(c.top, actions), "Resource", L(c.top))
				stmts[key] = s
			}
			r := s.Field("Resource")
			r.Items = append(r.Items, res)
		}
		for _, item := range f.events {
			ev := item.Field("stream")
			if !truthy(ev) {
				continue
			}
			p := item.Pos
			arn := ev
			batch := value.NewInt(10, p)
			start := value.NewString("TRIM_HORIZON", p)
			enabled := value.NewBool(true, p)
			var parallel *value.Node
			obj := isObj(ev) && ev.Field("arn") != nil
			if obj {
				arn = ev.Field("arn")
				if b := ev.Field("batchSize"); truthy(b) {
					batch = cp(b)
				}
				if pf := ev.Field("parallelizationFactor"); truthy(pf) {
					parallel = cp(pf)
				}
				if s := ev.Field("startingPosition"); truthy(s) {
					start = cp(s)
				}
				if e := ev.Field("enabled"); e.Has() {
					enabled = cp(e)
				}
			}
			var field func(string) *value.Node = func(k string) *value.Node {
				if obj {
					return ev.Field(k)
				}
				return nil
			}
			streamType := text(field("type"))
			if streamType == "" {
				if !isStr(arn) && !arn.IsUnknown() {
					return value.Errorf(ev.Pos, "function %s: a stream given as a CloudFormation function needs type (dynamodb or kinesis)", f.key)
				}
				parts := strings.Split(text(arn), ":")
				if len(parts) > 2 {
					streamType = parts[2]
				}
			}
			name, err := arnName(arn, func(s string) string {
				parts := strings.Split(s, "/")
				if len(parts) > 1 {
					return parts[1]
				}
				return ""
			}, "stream")
			if err != nil {
				return err
			}
			if j := arn.Field("Fn::Join"); j != nil {
				parts := strings.Split(name, "/")
				name = parts[len(parts)-1]
			}
			deps := L(p)
			if r := c.functionRoleResource(f); r != "" {
				deps.Items = append(deps.Items, value.NewString(r, p))
			}
			if f.alias != nil {
				deps.Items = append(deps.Items, value.NewString(f.alias.logicalID, p))
			}
			pr := M(p, "BatchSize", batch, "Enabled", enabled, "EventSourceArn", cp(arn), "FunctionName", c.lambdaTarget(f, p), "ParallelizationFactor", parallel, "StartingPosition", start)
			switch {
			case streamType == "dynamodb":
				addStmt("dynamodb", []string{"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"}, cp(arn))
			case truthy(field("consumer")):
				addStmt("kinesisConsumer", []string{"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStreamSummary", "kinesis:ListShards"}, cp(arn))
			default:
				addStmt("kinesis", []string{"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListStreams"}, cp(arn))
			}
			for _, kv := range [][2]string{{"batchWindow", "MaximumBatchingWindowInSeconds"}, {"maximumRetryAttempts", "MaximumRetryAttempts"}, {"bisectBatchOnFunctionError", "BisectBatchOnFunctionError"}, {"tumblingWindowInSeconds", "TumblingWindowInSeconds"}} {
				if v := field(kv[0]); v.Has() {
					pr.Set(kv[1], cp(v))
				}
			}
			if v := field("functionResponseType"); v.Has() {
				pr.Set("FunctionResponseTypes", L(v.Pos, cp(v)))
			}
			if v := field("maximumRecordAgeInSeconds"); truthy(v) {
				pr.Set("MaximumRecordAgeInSeconds", cp(v))
			}
			if d := field("destinations"); truthy(d) {
				of := d.Field("onFailure")
				dest := of
				if isObj(of) && of.Field("arn") != nil {
					dest = of.Field("arn")
				}
				dtype := text(of.Field("type"))
				if dtype == "" {
					parts := strings.Split(text(dest), ":")
					if len(parts) > 2 {
						dtype = parts[2]
					}
				}
				if dtype == "sns" {
					addStmt("onFailureSns", []string{"sns:Publish"}, cp(dest))
				} else {
					addStmt("onFailureSqs", []string{"sqs:ListQueues", "sqs:SendMessage"}, cp(dest))
				}
				pr.Set("DestinationConfig", M(d.Pos, "OnFailure", M(d.Pos, "Destination", cp(dest))))
			}
			if fp := field("filterPatterns"); truthy(fp) {
				pr.Set("FilterCriteria", filterCriteria(fp))
			}
			r := M(p, "Type", "AWS::Lambda::EventSourceMapping", "DependsOn", deps, "Properties", pr)
			if cons := field("consumer"); truthy(cons) && streamType == "kinesis" {
				if flag(cons) && (cons.Kind == value.Bool || cons.Str == "true") {
					consumerName := f.key + name + "Consumer"
					if c.provider.Get("kinesis", "consumerNamingMode").Has() {
						consumerName = f.key + name + c.service + c.stage + "Consumer"
					}
					cid := normalizedResourceName(consumerName) + "StreamConsumer"
					c.t.put(cid, resource(cons.Pos, "AWS::Kinesis::StreamConsumer", M(cons.Pos, "StreamARN", cp(arn), "ConsumerName", consumerName)))
					appendDependsOn(r, cid)
					pr.Set("EventSourceArn", ref(cons.Pos, cid))
					addStmt("kinesisSubscribe", []string{"kinesis:SubscribeToShard"}, ref(cons.Pos, cid))
				} else {
					pr.Set("EventSourceArn", cp(cons))
					addStmt("kinesisSubscribe", []string{"kinesis:SubscribeToShard"}, cp(cons))
				}
				if text(field("startingPosition")) == "AT_TIMESTAMP" && !field("startingPositionTimestamp").Has() {
					return value.Errorf(ev.Pos, "you must specify startingPositionTimestamp for function %s when startingPosition is AT_TIMESTAMP", f.key)
				}
				if ts := field("startingPositionTimestamp"); ts.Has() {
					pr.Set("StartingPositionTimestamp", cp(ts))
				}
			}
			c.t.put(streamLogicalID(f.key, streamType, name), r)
		}
		for _, key := range []string{"dynamodb", "kinesis", "kinesisConsumer", "kinesisSubscribe", "onFailureSns", "onFailureSqs"} {
			if s, ok := stmts[key]; ok {
				c.addStatement(s)
			}
		}
	}
	return nil
}

// brokerEvents compiles msk, kafka, activemq and rabbitmq events: the
// mapping and its source, without the broker authentication details no
// rule reads.
func (c *compiler) brokerEvents() error {
	for _, typ := range []string{"kafka", "activemq", "rabbitmq", "msk"} {
		err := c.eventsOf(typ, func(f *function, ev, item *value.Node, _ int) error {
			p := item.Pos
			deps := L(p)
			if r := c.functionRoleResource(f); r != "" {
				deps.Items = append(deps.Items, value.NewString(r, p))
			}
			if f.alias != nil {
				deps.Items = append(deps.Items, value.NewString(f.alias.logicalID, p))
			}
			pr := M(p, "FunctionName", c.lambdaTarget(f, p))
			var id string
			switch typ {
			case "msk":
				arn := ev.Field("arn")
				token := ""
				switch {
				case arn.Field("Fn::ImportValue") != nil:
					token = text(arn.Field("Fn::ImportValue"))
				case arn.Field("Ref") != nil:
					token = text(arn.Field("Ref"))
				default:
					parts := strings.Split(text(arn), "/")
					if len(parts) > 1 {
						token = parts[1]
					}
				}
				id = normalizedResourceName(f.key) + "EventSourceMappingMSK" + trunc(normalizeAlnum(token), 79) + trunc(normalizeAlnum(text(ev.Field("topic"))), 79)
				pr.Set("EventSourceArn", cp(arn))
				pr.Set("Topics", L(p, cp(ev.Field("topic"))))
			case "kafka":
				id = normalizedResourceName(f.key) + "EventSourceMappingKafka" + trunc(normalizeAlnum(text(ev.Field("topic"))), 158)
				pr.Set("Topics", L(p, cp(ev.Field("topic"))))
			case "activemq", "rabbitmq":
				label := "ActiveMQ"
				if typ == "rabbitmq" {
					label = "RabbitMQ"
				}
				id = normalizedResourceName(f.key) + "EventSourceMapping" + label + trunc(normalizeAlnum(text(ev.Field("queue"))), 150)
				pr.Set("EventSourceArn", cp(ev.Field("arn")))
				pr.Set("Queues", L(p, cp(ev.Field("queue"))))
			}
			c.t.put(id, M(p, "Type", "AWS::Lambda::EventSourceMapping", "DependsOn", deps, "Properties", pr))
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
