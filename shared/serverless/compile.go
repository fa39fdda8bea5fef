package serverless

import (
	"prodready/shared/value"
)

// compiler turns a resolved configuration into the template osls 4.3.1
// would write to .serverless/cloudformation-template-update-stack.json,
// following its plugin order: core template, IAM and log groups, layers,
// functions, events, then the resources: section merged on top.
type compiler struct {
	s        *Service
	cfg      *value.Node
	provider *value.Node
	// service, stage and region as the Framework resolves them; optStage
	// is --stage itself, which a few compile steps read instead of the
	// resolved stage (the Framework's this.options.stage).
	service, stage, region, optStage string
	top                              value.Pos

	t       *template
	fns     []*function
	fnByKey map[string]*function

	// seen event-invoke destinations (ensureTargetExecutionPermission memo).
	seenDestinations map[string]bool
	// stmtKeys holds the statements of the default role by value, for
	// appendIfMissing, once it is first needed.
	stmtKeys map[string]bool
}

// function is one entry of functions:.
type function struct {
	key  string
	node *value.Node
	pos  value.Pos
	// name is the deployed function name (functions.x.name or the
	// Framework's default), a string or an Unknown.
	name      *value.Node
	logicalID string
	alias     *targetAlias
	events    []*value.Node
}

// targetAlias is the alias events target when a function has provisioned
// concurrency, SnapStart or a durable configuration.
type targetAlias struct{ name, logicalID string }

func (s *Service) newCompiler() *compiler {
	c := &compiler{
		s:                s,
		cfg:              s.Config,
		provider:         s.Config.Field("provider"),
		service:          s.Name,
		stage:            s.Stage,
		region:           s.Region,
		optStage:         s.opts.Stage,
		top:              value.Pos{File: s.Path, Line: 1, Col: 1},
		fnByKey:          map[string]*function{},
		seenDestinations: map[string]bool{},
	}
	c.t = newTemplate(c.top)
	fns := s.Config.Field("functions")
	fns.Each(func(key string, n *value.Node) {
		if !n.Has() || n.Kind != value.Map {
			return // the Framework drops functions set to null
		}
		f := &function{key: key, node: n, pos: posOf(c.top, n), logicalID: lambdaLogicalID(key)}
		if nm := n.Field("name"); truthy(nm) {
			f.name = nm
		} else {
			f.name = value.NewString(c.service+"-"+c.stage+"-"+key, f.pos)
		}
		f.events = n.Field("events").List()
		switch {
		case n.Field("durableConfig").Has():
			f.alias = &targetAlias{"durable", normalizedResourceName(key) + "DurableLambdaAlias"}
		case truthy(n.Field("provisionedConcurrency")):
			f.alias = &targetAlias{"provisioned", normalizedResourceName(key) + "ProvConcLambdaAlias"}
		case flag(n.Field("snapStart")):
			f.alias = &targetAlias{"snapstart", normalizedResourceName(key) + "SnapStartLambdaAlias"}
		}
		c.fns = append(c.fns, f)
		c.fnByKey[key] = f
	})
	return c
}

// template compiles the service into the CloudFormation template the
// Framework would deploy, with the resources: section merged.
func (s *Service) template() (*compiler, error) {
	c := s.newCompiler()
	steps := []func() error{
		c.coreTemplate,
		c.iamAndLogGroups,
		c.layers,
		c.functions,
		c.scheduleEvents,
		c.s3Events,
		c.restAPIEvents,
		c.websocketEvents,
		c.snsEvents,
		c.streamEvents,
		c.brokerEvents,
		c.albEvents,
		c.alexaEvents,
		c.iotEvents,
		c.cloudWatchEventEvents,
		c.cloudWatchLogEvents,
		c.cognitoEvents,
		c.eventBridgeEvents,
		c.sqsEvents,
		c.httpAPIEvents,
		c.mergeResources,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	stripNullProperties(c.t)
	return c, nil
}

// eventsOf calls fn for every event of the given type, in function and
// event order, with the event value, the event item (for its position) and
// the index of the item in the function's events.
func (c *compiler) eventsOf(typ string, fn func(f *function, ev, item *value.Node, idx int) error) error {
	for _, f := range c.fns {
		for i, item := range f.events {
			ev := item.Field(typ)
			if !truthy(ev) {
				continue
			}
			if err := fn(f, ev, item, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// eachOfType calls fn for every event of type typ, with n numbering that
// type's events within the function from 1, as the Framework numbers the
// logical ids it makes for them.
func (c *compiler) eachOfType(typ string, fn func(f *function, ev, item *value.Node, n int) error) error {
	for _, f := range c.fns {
		n := 0
		for _, item := range f.events {
			ev := item.Field(typ)
			if !truthy(ev) {
				continue
			}
			n++
			if err := fn(f, ev, item, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// lambdaTarget is resolveLambdaTarget: the function ARN, or the ARN of its
// target alias.
func (c *compiler) lambdaTarget(f *function, p value.Pos) *value.Node {
	arn := getAtt(p, f.logicalID, "Arn")
	if f.alias == nil {
		return arn
	}
	return join(p, ":", arn, f.alias.name)
}

func (f *function) aliasID() string {
	if f.alias == nil {
		return ""
	}
	return f.alias.logicalID
}

// dependsOnAlias sets DependsOn to the function's alias when it has one
// (the Framework's `DependsOn: targetAlias && targetAlias.logicalId`).
func dependsOnAlias(r *value.Node, f *function) *value.Node {
	if f.alias != nil {
		r.Set("DependsOn", value.NewString(f.alias.logicalID, r.Pos))
	}
	return r
}

// applyCondition copies a function's condition onto a resource.
func applyCondition(r *value.Node, f *function) *value.Node {
	if cond := f.node.Field("condition"); truthy(cond) {
		r.Set("Condition", cp(cond))
	}
	return r
}

// roleStatements returns the statement list of the default execution role,
// or nil when the Framework does not create it.
func (c *compiler) roleStatements() *value.Node {
	r := c.t.get(idRole)
	if r == nil {
		return nil
	}
	return r.Get("Properties", "Policies", "0", "PolicyDocument", "Statement")
}

func (c *compiler) addStatement(stmt *value.Node) {
	if st := c.roleStatements(); st != nil {
		st.Items = append(st.Items, stmt)
		if c.stmtKeys != nil {
			c.stmtKeys[statementKey(stmt)] = true
		}
	}
}

// function finds a function of the service by its key.
func (c *compiler) function(key string) *function { return c.fnByKey[key] }

// stackName is provider.stackName or <service>-<stage>.
func (c *compiler) stackName() string {
	if n := c.provider.Field("stackName"); isStr(n) && n.Str != "" {
		return n.Str
	}
	return c.service + "-" + c.stage
}

// logRetention returns provider.logRetentionInDays as a node to copy, or nil.
func (c *compiler) logRetention() *value.Node {
	if n := c.provider.Field("logRetentionInDays"); truthy(n) {
		return n
	}
	return nil
}

func (c *compiler) logDataProtection() *value.Node {
	if n := c.provider.Field("logDataProtectionPolicy"); truthy(n) {
		return n
	}
	return nil
}

// logGroup builds an AWS::Logs::LogGroup with the provider's retention and
// data protection.
func (c *compiler) logGroup(p value.Pos, name *value.Node) *value.Node {
	pr := M(p, "LogGroupName", name)
	set(pr, "RetentionInDays", cp(c.logRetention()))
	set(pr, "DataProtectionPolicy", cp(c.logDataProtection()))
	return resource(p, "AWS::Logs::LogGroup", pr)
}
