package cfn

import (
	"prodready/shared/inventory"
	"prodready/shared/value"
)

const extensionAttrList = "Condition, CreationPolicy, DeletionPolicy, DependsOn, Metadata, Properties, UpdatePolicy or UpdateReplacePolicy"

// extensions applies the resources.extensions section of serverless.yml:
// attributes added to resources the Framework compiled, after resources:
// has been merged (osls lib/plugins/aws/package/lib/merge-custom-provider-
// resources.js). Properties are assigned key by key, not merged deeply.
// pending holds the changes the Resources section makes before these.
func (l *loader) extensions(inv *inventory.Inventory, pending []change) ([]change, error) {
	ext := l.tmpl.Field("extensions")
	if !ext.Has() {
		return nil, nil
	}
	if ext.Kind != value.Map {
		return nil, value.Errorf(ext.Pos, "extensions must be a map from logical id to attributes, found %s", ext.Describe())
	}
	// current returns the resource as the Resources section left it, and
	// whether a false Condition removed it from this deployment.
	current := func(id string) (r *inventory.Resource, gone bool) {
		r = inv.ByID(id)
		for _, c := range pending {
			if c.remove == id {
				r, gone = nil, true
			}
			if c.add != nil && c.add.ID == id {
				r, gone = c.add, false
			}
		}
		return r, gone
	}
	var out []change
	for i, id := range ext.Keys {
		def := ext.Vals[i]
		if def == nil || def.Kind != value.Map {
			return nil, value.Errorf(ext.Pos, "extensions.%s must be a map of resource attributes, found %s", id, def.Describe())
		}
		r, gone := current(id)
		if gone {
			continue // extending a resource that does not exist in this stage
		}
		if r == nil {
			return nil, value.Errorf(def.Pos, "cannot extend %s: the service has no resource with that logical id", id)
		}
		props := r.Props
		truth, cond := True, ""
		for j, attr := range def.Keys {
			v := def.Vals[j]
			switch attr {
			case "Condition":
				var err error
				if truth, cond, err = l.resourceCondition(id, v); err != nil {
					return nil, err
				}
			case "Properties":
				if !v.Has() || v.Kind != value.Map {
					return nil, value.Errorf(v.Pos, "extensions.%s.Properties must be a map, found %s", id, v.Describe())
				}
				add, err := l.properties(id, v, v.Pos)
				if err != nil {
					return nil, err
				}
				props = assignNodes(props, add)
			case "DependsOn":
				if err := checkDependsOn(id, v); err != nil {
					return nil, err
				}
			case "CreationPolicy", "DeletionPolicy", "UpdatePolicy", "UpdateReplacePolicy", "Metadata":
			default:
				return nil, value.Errorf(v.Pos, "cannot extend %s with %s (the Framework extends %s)", id, attr, extensionAttrList)
			}
		}
		if truth == False {
			out = append(out, change{remove: id})
			continue
		}
		out = append(out, change{remove: id, add: l.updated(r, r.Type, props, truth, cond)})
	}
	return out, nil
}

// assignNodes sets each key of src on a copy of dst, like Object.assign.
func assignNodes(dst, src *value.Node) *value.Node {
	if dst == nil || dst.Kind != value.Map || src.Kind != value.Map {
		return src
	}
	out := &value.Node{Kind: value.Map, Pos: dst.Pos, Keys: append([]string(nil), dst.Keys...), Vals: append([]*value.Node(nil), dst.Vals...)}
	for i, k := range src.Keys {
		out.Set(k, src.Vals[i])
	}
	return out
}
