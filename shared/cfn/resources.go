package cfn

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// resourceAttrs are the keys CloudFormation accepts in a resource; any other
// (a misspelt "properties") makes it reject the template. Version is the
// legacy custom-resource attribute the Framework still writes (Version: 1.0
// on its Custom:: resources).
var resourceAttrs = map[string]bool{
	"Type": true, "Properties": true, "Condition": true, "DependsOn": true, "DeletionPolicy": true,
	"UpdateReplacePolicy": true, "Metadata": true, "CreationPolicy": true, "UpdatePolicy": true, "Version": true,
}

const resourceAttrList = "Type, Properties, Condition, DependsOn, DeletionPolicy, UpdateReplacePolicy, Metadata, CreationPolicy or UpdatePolicy"

const typeForms = "AWS::Service::Resource, Custom::Name or Org::Service::Resource"

// change is one edit to the inventory; edits are applied only once the
// whole template has been read, so a bad template leaves inv untouched.
type change struct {
	remove string
	add    *inventory.Resource
}

// parallelResources is the smallest template worth reading on several cores.
const parallelResources = 256

func (l *loader) loadResources(inv *inventory.Inventory) error {
	res := l.tmpl.Field("Resources")
	merging := l.o.Origin == inventory.FromServerless
	switch {
	case !res.Has() && merging:
		// A resources: section may hold only Outputs or extensions.
	case !res.Has():
		return value.Errorf(l.tmpl.Pos, "the template has no Resources section")
	case res.Kind != value.Map:
		return value.Errorf(res.Pos, "Resources must be a map from logical id to resource, found %s", res.Describe())
	}
	// Resources are read independently (conditions are evaluated, the
	// inventory is only read until the changes are applied below), so a
	// large template is read on every core; results keep template order and
	// the first error in template order wins.
	n := res.Len()
	perResource := make([][]change, n)
	errs := make([]error, n)
	load := func(i int) {
		id := res.Keys[i]
		var existing *inventory.Resource
		if merging {
			existing = inv.ByID(id)
		}
		perResource[i], errs[i] = l.loadResource(id, res.Vals[i], existing)
	}
	if workers := runtime.GOMAXPROCS(0); n >= parallelResources && workers > 1 {
		var wg sync.WaitGroup
		var next atomic.Int64
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
					load(i)
				}
			}()
		}
		wg.Wait()
	} else {
		for i := 0; i < n; i++ {
			if load(i); errs[i] != nil {
				break
			}
		}
	}
	var changes []change
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			return errs[i]
		}
		changes = append(changes, perResource[i]...)
	}
	var extensions []change
	if merging {
		var err error
		if extensions, err = l.extensions(inv, changes); err != nil {
			return err
		}
	}
	apply(inv, changes)
	apply(inv, extensions)
	return nil
}

func apply(inv *inventory.Inventory, changes []change) {
	for _, c := range changes {
		if c.remove != "" {
			inv.Remove(c.remove)
		}
		if c.add != nil {
			inv.Add(c.add)
		}
	}
}

// loadResource reads one resource. existing is the resource of the same id
// the Framework compiled, which a resources: entry is merged into.
func (l *loader) loadResource(id string, def *value.Node, existing *inventory.Resource) ([]change, error) {
	if def == nil {
		def = value.NewNull(l.tmpl.Field("Resources").Pos)
	}
	if strings.HasPrefix(id, "Fn::ForEach::") {
		return nil, value.Errorf(def.Pos, "%s: Fn::ForEach (AWS::LanguageExtensions) expands at deploy time: pass the processed template instead (%s)", id, processedHint)
	}
	if !validLogicalID(id) {
		return nil, value.Errorf(def.Pos, "logical id %q must be 1 to 255 letters and digits (A-Z, a-z, 0-9)", id)
	}
	if def.Kind != value.Map {
		return nil, value.Errorf(def.Pos, "resource %s must be a map with a Type, found %s", id, def.Describe())
	}
	for i, k := range def.Keys {
		if !resourceAttrs[k] {
			return nil, value.Errorf(def.Vals[i].Pos, "resource %s has an unknown attribute %s (expected %s)", id, k, resourceAttrList)
		}
	}
	typ, err := resourceType(id, def, existing)
	if err != nil {
		return nil, err
	}
	props := def.Field("Properties")
	if props.Has() && props.Kind != value.Map {
		return nil, value.Errorf(props.Pos, "resource %s: Properties must be a map, found %s", id, props.Describe())
	}
	if err := checkDependsOn(id, def.Field("DependsOn")); err != nil {
		return nil, err
	}
	truth, cond, err := l.resourceCondition(id, def.Field("Condition"))
	if err != nil {
		return nil, err
	}
	if truth == False {
		// Not resolved, so its Fn::If names are checked here (CloudFormation
		// rejects an undefined condition anywhere); resolving checks them in
		// the resources that exist.
		if err := l.checkIfConditions(props); err != nil {
			return nil, err
		}
		// The resource does not exist in this deployment; neither does the
		// compiled one it would have been merged into. (Removing an id the
		// inventory lacks is harmless, and tells extensions it is gone.)
		if l.o.Origin == inventory.FromServerless {
			return []change{{remove: id}}, nil
		}
		return nil, nil
	}
	rprops, err := l.properties(id, props, def.Pos)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		r := l.updated(existing, typ, mergeNodes(existing.Props, rprops), truth, cond)
		return []change{{remove: id, add: r}}, nil
	}
	r := &inventory.Resource{
		ID:        id,
		Type:      typ,
		Name:      physicalName(typ, rprops),
		Props:     rprops,
		Tags:      l.tagsOf(typ, rprops),
		Stack:     l.o.Stack,
		Pos:       def.Pos,
		Origin:    l.o.Origin,
		Framework: isFramework(id, typ),
	}
	if truth == Unknown {
		r.Attrs = map[string]string{"condition": cond}
	}
	return []change{{add: r}}, nil
}

// properties resolves a Properties map. Properties that are an Fn::If on a
// condition unknown before deploy stay an Unknown node, which every accessor
// reads as "nothing there", so rules fail closed.
func (l *loader) properties(id string, props *value.Node, at value.Pos) (*value.Node, error) {
	if !props.Has() {
		return value.NewMap(at), nil
	}
	rprops, removed, err := l.resolve(props, inProperties)
	if err != nil {
		return nil, err
	}
	switch {
	case removed || rprops == nil || rprops.Kind == value.Null:
		return value.NewMap(props.Pos), nil
	case rprops.Kind != value.Map && rprops.Kind != value.Unknown:
		return nil, value.Errorf(props.Pos, "resource %s: Properties must be a map, found %s", id, rprops.Describe())
	}
	return rprops, nil
}

// updated returns existing with a resources: entry merged in.
func (l *loader) updated(existing *inventory.Resource, typ string, props *value.Node, truth Truth, cond string) *inventory.Resource {
	r := *existing
	r.Type = typ
	r.Props = props
	if name := physicalName(typ, props); name != "" {
		r.Name = name
	}
	// Tags the loader that compiled the resource added (provider.tags) stay;
	// its own tags are read again from the merged properties.
	r.Tags = make(map[string]*value.Node, len(existing.Tags))
	for k, v := range existing.Tags {
		r.Tags[k] = v
	}
	for k := range ownTags(existing.Type, existing.Props, l.o.Region) {
		delete(r.Tags, k)
	}
	for k, v := range l.tagsOf(typ, props) {
		r.Tags[k] = v
	}
	r.Framework = existing.Framework || isFramework(r.ID, typ)
	r.Attrs = make(map[string]string, len(existing.Attrs)+1)
	for k, v := range existing.Attrs {
		r.Attrs[k] = v
	}
	switch truth {
	case Unknown:
		r.Attrs["condition"] = cond
	case True:
		if cond != "" {
			delete(r.Attrs, "condition") // the new Condition replaces the old
		}
	}
	return &r
}

func resourceType(id string, def *value.Node, existing *inventory.Resource) (string, error) {
	t := def.Field("Type")
	if t == nil {
		if existing != nil {
			return existing.Type, nil
		}
		return "", value.Errorf(def.Pos, "resource %s has no Type (expected %s)", id, typeForms)
	}
	typ, ok := t.Text()
	if !ok || t.Kind != value.String {
		return "", value.Errorf(t.Pos, "resource %s: Type must be a string such as AWS::S3::Bucket, found %s", id, t.Describe())
	}
	parts := strings.Split(typ, "::")
	switch {
	case parts[0] == "AWS" && len(parts) == 3 && parts[1] == "Serverless":
		return "", value.Errorf(t.Pos, "resource %s: %s is a SAM resource type, which only the SAM transform understands: pass the transformed template instead (%s)", id, typ, processedHint)
	case parts[0] == "Custom" && len(parts) == 2 && customName(parts[1]):
	case len(parts) == 3 && alnum(parts[0]) && alnum(parts[1]) && alnum(parts[2]):
	case len(parts) == 4 && parts[3] == "MODULE" && alnum(parts[0]) && alnum(parts[1]) && alnum(parts[2]):
	default:
		return "", value.Errorf(t.Pos, "resource %s: Type %q is not a resource type (expected %s)", id, typ, typeForms)
	}
	return typ, nil
}

func (l *loader) resourceCondition(id string, c *value.Node) (Truth, string, error) {
	if c == nil {
		return True, "", nil
	}
	name, ok := c.Text()
	if !ok || c.Kind == value.Bool {
		return Unknown, "", value.Errorf(c.Pos, "resource %s: Condition must be the name of a condition, found %s", id, c.Describe())
	}
	if l.conds.Field(name) == nil {
		return Unknown, "", value.Errorf(c.Pos, "resource %s: condition %s is not defined in Conditions%s", id, name, l.definedHint())
	}
	return l.truth[name], name, nil
}

func checkDependsOn(id string, d *value.Node) error {
	if d == nil || d.Kind == value.String {
		return nil
	}
	if d.Kind == value.List {
		for _, it := range d.Items {
			if it.Kind != value.String {
				return value.Errorf(it.Pos, "resource %s: DependsOn lists logical ids, found %s", id, it.Describe())
			}
		}
		return nil
	}
	return value.Errorf(d.Pos, "resource %s: DependsOn must be a logical id or a list of them, found %s", id, d.Describe())
}

func validLogicalID(id string) bool {
	return len(id) <= 255 && alnum(id)
}

func alnum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// customName checks the Name of Custom::Name: up to 60 letters, digits and
// _@- characters.
func customName(s string) bool {
	if s == "" || len(s) > 60 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '@' || c == '-') {
			return false
		}
	}
	return true
}

// mergeNodes merges src over dst the way the Framework merges resources:
// into its compiled template: maps key by key, lists item by item, anything
// else replaced. Neither input is modified.
func mergeNodes(dst, src *value.Node) *value.Node {
	switch {
	case dst == nil:
		return src
	case src == nil:
		return dst
	case dst.Kind == value.Map && src.Kind == value.Map:
		// Copy only the spine: subtrees src leaves alone are shared, and
		// nothing modifies a loaded tree.
		out := &value.Node{Kind: value.Map, Pos: dst.Pos, Keys: append([]string(nil), dst.Keys...), Vals: append([]*value.Node(nil), dst.Vals...)}
		for i, k := range src.Keys {
			out.Set(k, mergeNodes(out.Field(k), src.Vals[i]))
		}
		return out
	case dst.Kind == value.List && src.Kind == value.List:
		out := &value.Node{Kind: value.List, Pos: dst.Pos, Items: append([]*value.Node(nil), dst.Items...)}
		for i, it := range src.Items {
			if i < len(out.Items) {
				out.Items[i] = mergeNodes(out.Items[i], it)
			} else {
				out.Items = append(out.Items, it)
			}
		}
		return out
	}
	return src
}

// checkIfConditions reports an Fn::If naming an undefined condition anywhere
// in n, also in branches this deployment does not take and in resources it
// does not create: CloudFormation rejects such a template in every stage.
func (l *loader) checkIfConditions(n *value.Node) error {
	stack := []*value.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		if fn, arg, ok := n.Intrinsic(); ok && fn == "Fn::If" && arg.Kind == value.List && len(arg.Items) > 0 {
			if name, ok := arg.Items[0].Text(); ok && l.conds.Field(name) == nil {
				return value.Errorf(arg.Items[0].Pos, "Fn::If uses condition %s, which is not defined in Conditions%s", name, l.definedHint())
			}
		}
		stack = append(stack, n.Items...)
		stack = append(stack, n.Vals...)
	}
	return nil
}
