// Package inventory holds the one model every rule reads: the resources of a
// service or an account, in CloudFormation's vocabulary. The serverless.yml
// loader, the compiled-template loader and the live collectors all fill it,
// so a rule is written once and runs before deploy and against the account.
package inventory

import (
	"sort"
	"strings"

	"prodready/shared/value"
)

// Origin says where a resource was read from.
type Origin string

// The origins of resources.
const (
	// FromServerless: compiled by this tool from serverless.yml, the way the
	// Framework compiles it.
	FromServerless Origin = "serverless.yml"
	// FromTemplate: read from a CloudFormation template (the one the
	// Framework compiled, or the resources: section of serverless.yml).
	FromTemplate Origin = "template"
	// FromLive: read from the AWS account by a collector.
	FromLive Origin = "live"
)

// Resource is one resource. Properties use the names of the CloudFormation
// resource reference; collectors translate API responses into them.
type Resource struct {
	// ID is the logical id in a template, or the resource's identifier
	// (name, id) in a live account.
	ID string
	// Type is the CloudFormation type, such as AWS::S3::Bucket.
	Type string
	// Name is the physical name when known (bucket name, function name).
	Name string
	// ARN is the resource's ARN when known (always for live resources).
	ARN string
	// Props holds the Properties map. Never nil after Add.
	Props *value.Node
	// Tags are the tags the resource will carry (its own and the stack's),
	// keyed by tag key.
	Tags map[string]*value.Node
	// Stack names the stack (service) the resource belongs to, when known.
	Stack string
	// Pos is where the resource is declared.
	Pos value.Pos
	// Origin is where the resource was read from.
	Origin Origin
	// Framework marks resources the Serverless Framework makes for its own
	// use (the deployment bucket and its policy, the custom-resource
	// function), which hold build artifacts rather than data.
	Framework bool
	// External marks a resource the service uses but does not own
	// (an SQS queue named by ARN in an event); its properties are unknown.
	External bool
	// Attrs holds facts that are not CloudFormation properties but that a
	// loader or collector knows (for example, "AvailabilityZones" of a
	// subnet set). Keys are documented where they are written.
	Attrs map[string]string
}

// Prop follows a path below Properties.
func (r *Resource) Prop(path ...string) *value.Node { return r.Props.Get(path...) }

// PosOf returns the position of the property at path, or of the nearest
// present ancestor, or of the resource itself: the line an engineer should
// look at for that setting.
func (r *Resource) PosOf(path ...string) value.Pos {
	for i := len(path); i > 0; i-- {
		if n := r.Props.Get(path[:i]...); n != nil && !n.Pos.IsZero() {
			return n.Pos
		}
	}
	if !r.Props.Pos.IsZero() && r.Props.Len() > 0 && r.Pos.IsZero() {
		return r.Props.Pos
	}
	return r.Pos
}

// Tag returns the value of a tag.
func (r *Resource) Tag(key string) (*value.Node, bool) {
	v, ok := r.Tags[key]
	return v, ok
}

// DisplayName is how findings name the resource: its logical id or
// identifier, which exemption patterns match.
func (r *Resource) DisplayName() string {
	if r.ID != "" {
		return r.ID
	}
	if r.Name != "" {
		return r.Name
	}
	return r.ARN
}

// Names returns every name the resource is known by (id, physical name,
// ARN), for matching references and exemption patterns.
func (r *Resource) Names() []string {
	out := make([]string, 0, 3)
	for _, s := range []string{r.ID, r.Name, r.ARN} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Inventory is the set of resources one check or audit looks at.
type Inventory struct {
	// Service is the service (stack) name, when the inventory is one service.
	Service string
	// Stage is the stage the inventory was compiled for ("" for live).
	Stage string
	// Region and Account, when known.
	Region  string
	Account string
	// Origin of the inventory as a whole (a template-backed check also
	// carries serverless.yml positions).
	Origin Origin
	// Settings holds service-wide facts rules need that are not resources
	// (for example "tracing.apiGateway"), keyed as documented by the loader.
	Settings map[string]*value.Node

	resources []*Resource
	byID      map[string]*Resource
	byName    map[string]*Resource
	// byType is built on first use and dropped by Add and Remove: rules ask
	// for resources by type many times per check.
	byType map[string][]*Resource
}

// New returns an empty inventory.
func New(origin Origin) *Inventory {
	return &Inventory{Origin: origin, Settings: map[string]*value.Node{}, byID: map[string]*Resource{}, byName: map[string]*Resource{}}
}

// Add puts a resource in the inventory, replacing one with the same ID.
func (inv *Inventory) Add(r *Resource) *Resource {
	if r.Props == nil {
		r.Props = value.NewMap(r.Pos)
	}
	if r.Tags == nil {
		r.Tags = map[string]*value.Node{}
	}
	if inv.byID == nil {
		inv.byID = map[string]*Resource{}
		inv.byName = map[string]*Resource{}
	}
	inv.byType = nil
	if old, ok := inv.byID[r.ID]; ok && r.ID != "" {
		for i, x := range inv.resources {
			if x == old {
				inv.resources[i] = r
			}
		}
	} else {
		inv.resources = append(inv.resources, r)
	}
	if r.ID != "" {
		inv.byID[r.ID] = r
	}
	for _, n := range []string{r.Name, r.ARN} {
		if n != "" {
			inv.byName[n] = r
		}
	}
	return r
}

// Remove drops the resource with the given id.
func (inv *Inventory) Remove(id string) {
	r, ok := inv.byID[id]
	if !ok {
		return
	}
	delete(inv.byID, id)
	inv.byType = nil
	for _, n := range []string{r.Name, r.ARN} {
		if inv.byName[n] == r {
			delete(inv.byName, n)
		}
	}
	for i, x := range inv.resources {
		if x == r {
			inv.resources = append(inv.resources[:i:i], inv.resources[i+1:]...)
			break
		}
	}
}

// All returns every resource in the order they were added.
func (inv *Inventory) All() []*Resource { return inv.resources }

// Len returns the number of resources.
func (inv *Inventory) Len() int { return len(inv.resources) }

// ByID returns the resource with the given logical id or identifier.
func (inv *Inventory) ByID(id string) *Resource { return inv.byID[id] }

// OfType returns the resources of the given types, in inventory order.
func (inv *Inventory) OfType(types ...string) []*Resource {
	if inv.byType == nil {
		inv.byType = make(map[string][]*Resource, 64)
		for _, r := range inv.resources {
			inv.byType[r.Type] = append(inv.byType[r.Type], r)
		}
	}
	if len(types) == 1 {
		return inv.byType[types[0]]
	}
	n := 0
	for _, t := range types {
		n += len(inv.byType[t])
	}
	if n == 0 {
		return nil
	}
	out := make([]*Resource, 0, n)
	for _, r := range inv.resources {
		for _, t := range types {
			if r.Type == t {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Lookup finds a resource by id, physical name or ARN.
func (inv *Inventory) Lookup(name string) *Resource {
	if r := inv.byID[name]; r != nil {
		return r
	}
	return inv.byName[name]
}

// Resolve returns the resource a property value points at: a Ref or
// Fn::GetAtt to a logical id, or a string naming a resource by id, name or
// ARN (as live collectors write references). A Fn::Join or Fn::Sub whose
// only reference is a resource also resolves to it (arn:…:${Queue}).
func (inv *Inventory) Resolve(n *value.Node) *Resource {
	if n == nil {
		return nil
	}
	if id, ok := n.RefTarget(); ok {
		return inv.byID[id]
	}
	if s, ok := n.Text(); ok {
		if r := inv.Lookup(s); r != nil {
			return r
		}
		// An ARN of a queue or topic ends in its name; an ARN of a table in
		// table/<name>. Match the last segment against physical names.
		if strings.HasPrefix(s, "arn:") {
			last := s[strings.LastIndexAny(s, ":/")+1:]
			if r := inv.byName[last]; r != nil {
				return r
			}
		}
		return nil
	}
	name, arg, ok := n.Intrinsic()
	if !ok {
		return nil
	}
	var found *Resource
	unique := true
	visit := func(id string) {
		r := inv.byID[id]
		if r == nil || strings.HasPrefix(id, "AWS::") {
			return
		}
		if found != nil && found != r {
			unique = false
		}
		found = r
	}
	switch name {
	case "Fn::Join":
		for _, part := range arg.Get("1").List() {
			if id, ok := part.RefTarget(); ok {
				visit(id)
			}
		}
	case "Fn::Sub":
		tmpl := arg
		if arg.Kind == value.List {
			tmpl = arg.Get("0")
		}
		for _, id := range SubRefs(tmpl.String()) {
			visit(id)
		}
	}
	if unique {
		return found
	}
	return nil
}

// SubRefs returns the names referenced as ${Name} or ${Name.Attr} in a
// Fn::Sub template, without the attribute and skipping ${!Literal}.
func SubRefs(tmpl string) []string {
	var out []string
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return out
		}
		ref := tmpl[i+2 : i+j]
		tmpl = tmpl[i+j+1:]
		if strings.HasPrefix(ref, "!") {
			continue
		}
		id, _, _ := strings.Cut(ref, ".")
		out = append(out, id)
	}
}

// RefersTo reports whether anything inside n references r: a Ref or
// Fn::GetAtt to its id, a ${Id} in a Fn::Sub, or a string equal to one of
// its names or containing its physical name or ARN.
func RefersTo(n *value.Node, r *Resource) bool {
	found := false
	Walk(n, func(x *value.Node) bool {
		if found {
			return false
		}
		if id, ok := x.RefTarget(); ok && id == r.ID {
			found = true
			return false
		}
		if name, arg, ok := x.Intrinsic(); ok && name == "Fn::Sub" {
			tmpl := arg
			if arg.Kind == value.List {
				tmpl = arg.Get("0")
			}
			for _, id := range SubRefs(tmpl.String()) {
				if id == r.ID {
					found = true
					return false
				}
			}
		}
		if s, ok := x.Text(); ok && x.Kind == value.String {
			if s == r.ID || (r.Name != "" && strings.Contains(s, r.Name)) || (r.ARN != "" && strings.Contains(s, r.ARN)) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// Walk visits n and its descendants depth first until fn returns false for a
// node (which skips that node's children).
func Walk(n *value.Node, fn func(*value.Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	for _, it := range n.Items {
		Walk(it, fn)
	}
	for _, v := range n.Vals {
		Walk(v, fn)
	}
}

// TagsFromProperty reads CloudFormation's two tag shapes: a list of
// {Key, Value} (most resources) or a map (SSM, some newer types).
func TagsFromProperty(n *value.Node) map[string]*value.Node {
	out := map[string]*value.Node{}
	switch {
	case n == nil:
	case n.Kind == value.List:
		for _, it := range n.Items {
			k, ok := it.Get("Key").Text()
			if !ok {
				continue
			}
			v := it.Get("Value")
			if v == nil {
				v = value.NewString("", it.Pos)
			}
			out[k] = v
		}
	case n.Kind == value.Map:
		n.Each(func(k string, v *value.Node) { out[k] = v })
	}
	return out
}

// SortedTagKeys returns the tag keys of r in order.
func (r *Resource) SortedTagKeys() []string {
	ks := make([]string, 0, len(r.Tags))
	for k := range r.Tags {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
