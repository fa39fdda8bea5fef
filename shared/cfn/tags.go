package cfn

import (
	"prodready/shared/inventory"
	"prodready/shared/value"
)

//go:generate sh -c "python3 gen_tagging.py tagging_table.go && gofmt -w tagging_table.go"

const globalTable = "AWS::DynamoDB::GlobalTable"

// tagsOf returns the tags a resource will carry: its own, over the stack's
// when CloudFormation propagates stack tags to its type.
func (l *loader) tagsOf(typ string, props *value.Node) map[string]*value.Node {
	own := ownTags(typ, props, l.o.Region)
	if _, taggable := taggableTypes[typ]; !taggable || len(l.o.StackTags) == 0 {
		return own
	}
	out := make(map[string]*value.Node, len(own)+len(l.o.StackTags))
	for k, v := range l.o.StackTags {
		out[k] = v
	}
	for k, v := range own {
		out[k] = v
	}
	return out
}

// ownTags reads the resource's tag property. A global table has none of its
// own: each replica carries tags, and the schema does not say the stack's
// reach them, so none are added (a missing tag fails closed).
func ownTags(typ string, props *value.Node, region string) map[string]*value.Node {
	if typ == globalTable {
		return replicaTags(props.Field("Replicas"), region)
	}
	prop := taggableTypes[typ]
	if prop == "" {
		prop = "Tags"
	}
	return inventory.TagsFromProperty(props.Field(prop))
}

// replicaTags returns the tags of the replica in region, or when that is not
// known, the tags every replica carries (Unknown where they differ).
func replicaTags(replicas *value.Node, region string) map[string]*value.Node {
	items := replicas.List()
	if region != "" {
		for _, r := range items {
			if r.Field("Region").String() == region {
				return inventory.TagsFromProperty(r.Field("Tags"))
			}
		}
	}
	if len(items) == 0 {
		return map[string]*value.Node{}
	}
	common := inventory.TagsFromProperty(items[0].Field("Tags"))
	for _, r := range items[1:] {
		tags := inventory.TagsFromProperty(r.Field("Tags"))
		for k, v := range common {
			other, ok := tags[k]
			switch {
			case !ok:
				delete(common, k)
			case other.Kind != v.Kind || other.Str != v.Str || !scalar(v):
				common[k] = value.NewUnknown("Replicas[].Tags."+k, "the replicas of the global table tag "+k+" differently", v.Pos)
			}
		}
	}
	return common
}

func scalar(n *value.Node) bool {
	_, ok := n.Text()
	return ok
}
