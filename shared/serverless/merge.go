package serverless

import (
	"prodready/shared/value"
)

// mergeInto merges src into dst as the Framework's merge-plain-objects.js
// (lodash merge) does: maps merge key by key, lists merge item by item,
// anything else in src replaces what dst holds. src is copied, never shared.
func mergeInto(dst, src *value.Node) {
	if dst == nil || src == nil || dst.Kind != value.Map || src.Kind != value.Map {
		return
	}
	for i, k := range src.Keys {
		sv := src.Vals[i]
		if sv == nil {
			continue
		}
		dv := dst.Field(k)
		switch {
		case dv != nil && dv.Kind == value.Map && sv.Kind == value.Map:
			mergeInto(dv, sv)
		case dv != nil && dv.Kind == value.List && sv.Kind == value.List:
			dst.Set(k, mergeLists(dv, sv))
		default:
			dst.Set(k, sv.Clone())
		}
	}
}

func mergeLists(dst, src *value.Node) *value.Node {
	out := value.NewList(dst.Pos)
	out.Items = make([]*value.Node, len(dst.Items), max(len(dst.Items), len(src.Items)))
	copy(out.Items, dst.Items)
	for i, sv := range src.Items {
		if i >= len(out.Items) {
			out.Items = append(out.Items, sv.Clone())
			continue
		}
		dv := out.Items[i]
		switch {
		case dv != nil && dv.Kind == value.Map && sv.Kind == value.Map:
			mergeInto(dv, sv)
		case dv != nil && dv.Kind == value.List && sv.Kind == value.List:
			out.Items[i] = mergeLists(dv, sv)
		default:
			out.Items[i] = sv.Clone()
		}
	}
	return out
}

// mergeArrays is Service.mergeArrays: `resources:` and `functions:` may be
// lists of maps, which the Framework merges into one map.
func mergeArrays(cfg *value.Node) error {
	for _, key := range []string{"resources", "functions"} {
		v := cfg.Field(key)
		if v == nil || v.Kind != value.List {
			continue
		}
		merged := value.NewMap(v.Pos)
		for _, it := range v.Items {
			switch {
			case !truthy(it):
			case it.Kind == value.Map:
				mergeInto(merged, it)
			default:
				return value.Errorf(it.Pos, "non-map value in the %s list: %s", key, describe(it))
			}
		}
		cfg.Set(key, merged)
	}
	return nil
}

// mergeResources is merge-custom-provider-resources.js: the resources:
// section is merged over the generated template (a resource with the id of
// a generated one changes it), then resources.extensions are applied.
func (c *compiler) mergeResources() error {
	res := c.cfg.Field("resources")
	if !isObj(res) {
		return nil
	}
	for i, k := range res.Keys {
		v := res.Vals[i]
		switch k {
		case "extensions":
			continue
		case "Resources":
			if !isObj(v) {
				if v.Has() {
					return value.Errorf(v.Pos, "resources.Resources must be a map of logical ids to resources, found %s", describe(v))
				}
				continue
			}
			for j, id := range v.Keys {
				r := v.Vals[j]
				if r == nil || r.Kind != value.Map {
					return value.Errorf(posOf(v.Pos, r), "resources.Resources.%s must be a resource (a map with Type and Properties), found %s", id, describe(r))
				}
				if existing := c.t.get(id); existing != nil && existing.Kind == value.Map {
					mergeInto(existing, r)
					continue
				}
				c.t.put(id, r.Clone())
			}
		case "Outputs":
			if isObj(v) {
				mergeInto(c.t.outputs, v)
			}
		default:
			cur := c.t.root.Field(k)
			if cur != nil && cur.Kind == value.Map && v.Kind == value.Map {
				mergeInto(cur, v)
			} else if cur != nil && cur.Kind == value.List && v.Kind == value.List {
				c.t.root.Set(k, mergeLists(cur, v))
			} else {
				c.t.root.Set(k, v.Clone())
			}
		}
	}
	ext := res.Field("extensions")
	if !isObj(ext) {
		return nil
	}
	for i, id := range ext.Keys {
		def := ext.Vals[i]
		var err error
		def.Each(func(attr string, v *value.Node) {
			if err != nil {
				return
			}
			r := c.t.get(id)
			if r == nil {
				err = value.Errorf(def.Pos, "cannot extend %q resource, as it's not found in the generated stack", id)
				return
			}
			switch attr {
			case "Condition", "CreationPolicy", "DeletionPolicy", "UpdatePolicy", "UpdateReplacePolicy":
				r.Set(attr, v.Clone())
			case "Properties", "Metadata":
				target := r.Field(attr)
				if target == nil || target.Kind != value.Map {
					target = value.NewMap(v.Pos)
					r.Set(attr, target)
				}
				v.Each(func(k string, pv *value.Node) { target.Set(k, pv.Clone()) })
			case "DependsOn":
				appendDependsOn(r)
				d := r.Field("DependsOn")
				d.Items = append(d.Items, v.Clone().List()...)
			default:
				err = value.Errorf(v.Pos, "cannot extend %q resource: extending the %q attribute is not supported", id, attr)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// stripNullProperties is strip-null-props-from-template-resources.js:
// null values inside Properties are dropped (a resources: override of
// `null` removes a generated property).
func stripNullProperties(t *template) {
	// Nulls inside Properties are dropped by cfn.Load as it resolves them
	// (as the Framework drops them when it writes the template); only an
	// empty or null Properties needs removing here.
	for _, r := range t.resources.Vals {
		if r == nil || r.Kind != value.Map {
			continue
		}
		if pr := r.Field("Properties"); pr == nil || !truthy(pr) {
			r.Delete("Properties")
		}
	}
}
