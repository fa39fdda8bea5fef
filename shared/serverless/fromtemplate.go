package serverless

import (
	"fmt"
	"log/slog"
	"regexp"

	"prodready/shared/cfn"
	"prodready/shared/inventory"
	"prodready/shared/value"
)

// FromTemplate is the plugin path: the Framework's own compiled template
// (tmpl, the parsed JSON file) and its resolved configuration (config,
// serverless.configurationInput as JSON) are the truth. The inventory is the
// template's resources, plus what never reaches the template (the REST API
// stage, the event sources the service does not own). Positions come from
// s, this package's own Load of the same serverless.yml, matched by logical
// id, so findings point at serverless.yml rather than at generated JSON;
// with s nil, they point into the template.
func FromTemplate(tmpl, config *value.Node, stage, region string, s *Service) (*inventory.Inventory, error) {
	if tmpl == nil || tmpl.Kind != value.Map {
		return nil, value.Errorf(posOf(value.Pos{}, tmpl), "the compiled template must be a map with Resources, found %s", describe(tmpl))
	}
	if config == nil || config.Kind != value.Map {
		return nil, value.Errorf(posOf(value.Pos{}, config), "the service configuration must be a map, found %s", describe(config))
	}
	config = config.Clone()
	if err := mergeArrays(config); err != nil {
		return nil, err
	}
	if err := validate(config); err != nil {
		return nil, err
	}
	name := text(config.Field("service"))
	if name == "" {
		return nil, value.Errorf(config.Pos, "the service configuration has no service name")
	}
	provider := config.Field("provider")
	if stage == "" {
		stage = text(provider.Field("stage"))
		if stage == "" {
			stage = "dev"
		}
	}
	if region == "" {
		region = text(provider.Field("region"))
		if region == "" {
			region = "us-east-1"
		}
	}
	stackName := name + "-" + stage
	if sn := provider.Field("stackName"); isStr(sn) && sn.Str != "" {
		stackName = sn.Str
	}
	inv := inventory.New(inventory.FromTemplate)
	inv.Service, inv.Stage, inv.Region = name, stage, region
	if s != nil && s.Config.Field("service") != nil {
		inv.Settings["service"] = s.Config.Field("service") // where service-wide findings point
	}
	if err := cfn.Load(inv, tmpl, cfn.Options{
		Region:    region,
		StackName: stackName,
		Origin:    inventory.FromTemplate,
		Stack:     name,
		StackTags: stackTags(provider),
	}); err != nil {
		return nil, fmt.Errorf("load the compiled template: %w", err)
	}
	if api := inv.ByID(idRestAPI); api != nil && api.Type == "AWS::ApiGateway::RestApi" && frameworkRestAPI(config) {
		addAPIStage(inv, provider, stage, name, api.Pos)
	}
	exts := eventExternals(config)
	if s != nil {
		graftPositions(inv, s, exts)
	}
	addExternals(inv, exts)
	return inv, nil
}

// versionID matches the hash-named resources the Framework derives from
// another: a function's versions, the REST and WebSocket deployments.
var (
	versionID    = regexp.MustCompile(`^(.+)LambdaVersion[0-9A-Za-z]+$`)
	deploymentID = regexp.MustCompile(`^ApiGatewayDeployment[0-9]+$`)
	wsDeployID   = regexp.MustCompile(`^WebsocketsDeployment[0-9A-Za-z]+$`)
)

// graftPositions gives the template's resources the serverless.yml
// positions of the same resources compiled from s. Values stay the
// template's; only positions change. A resource the compile does not make
// keeps the position of the one it derives from, else its template
// position.
func graftPositions(inv *inventory.Inventory, s *Service, exts []external) {
	c, err := s.template()
	if err != nil {
		// The Framework compiled what this package cannot: keep template
		// positions rather than fail the check on a position.
		slog.Debug("serverless: positions stay in the compiled template", "path", s.Path, "error", err)
		return
	}
	for _, r := range inv.All() {
		ours := c.t.get(r.ID)
		if ours == nil {
			ours = c.t.get(derivedFrom(r.ID))
		}
		if ours == nil && deploymentID.MatchString(r.ID) {
			// An external REST API: the deployment is there for the methods.
			ours = c.firstOfType("AWS::ApiGateway::Method")
		}
		if ours == nil {
			continue
		}
		r.Pos = ours.Pos
		r.Props = r.Props.Clone() // never move the caller's template nodes
		graft(r.Props, ours.Field("Properties"), ours.Pos)
	}
	if st := inv.ByID(idAPIStage); st != nil && c.t.has(idRestAPI) && frameworkRestAPI(c.cfg) {
		scratch := inventory.New(inventory.FromServerless)
		addAPIStage(scratch, c.provider, c.stage, c.service, c.t.get(idRestAPI).Pos)
		if ours := scratch.ByID(idAPIStage); ours != nil {
			st.Pos = ours.Pos
			graft(st.Props, ours.Props, ours.Pos)
		}
	}
	byKey := map[string]external{}
	for _, e := range eventExternals(c.cfg) {
		byKey[e.key+"|"+e.typ] = e
	}
	for i, e := range exts {
		if ours, ok := byKey[e.key+"|"+e.typ]; ok {
			exts[i].pos = ours.pos
		}
	}
}

func derivedFrom(id string) string {
	switch {
	case versionID.MatchString(id):
		return versionID.FindStringSubmatch(id)[1] + "LambdaFunction"
	case deploymentID.MatchString(id):
		return idRestAPI
	case wsDeployID.MatchString(id):
		return idWebsocketsAPI
	}
	return ""
}

// graft sets the position of every node of dst to that of the node at the
// same path in src, or to at (the nearest position known) where src has
// nothing.
func graft(dst, src *value.Node, at value.Pos) {
	if dst == nil {
		return
	}
	if src != nil && !src.Pos.IsZero() {
		at = src.Pos
	}
	dst.Pos = at
	switch dst.Kind {
	case value.Map:
		for i, k := range dst.Keys {
			graft(dst.Vals[i], src.Field(k), at)
		}
	case value.List:
		for i, it := range dst.Items {
			var s *value.Node
			if src != nil && src.Kind == value.List && i < len(src.Items) {
				s = src.Items[i]
			}
			graft(it, s, at)
		}
	}
}

// firstOfType returns the first compiled resource of a type.
func (c *compiler) firstOfType(typ string) *value.Node {
	for _, r := range c.t.resources.Vals {
		if text(r.Field("Type")) == typ {
			return r
		}
	}
	return nil
}
