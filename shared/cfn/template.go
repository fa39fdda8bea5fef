package cfn

import (
	"strings"
	"sync/atomic"

	"prodready/shared/value"
)

// loader holds one template and what is known about its deployment while it
// is evaluated.
type loader struct {
	tmpl      *value.Node
	o         Options
	lim       value.Limits
	partition string
	params    map[string]*param
	mappings  *value.Node
	conds     *value.Node
	truth     map[string]Truth
	evalState map[string]evalState
	// produced counts the nodes intrinsic evaluation has built, and folded
	// the bytes of strings it has joined: both bounded, so a small template
	// cannot expand without limit (a 1 MB Fn::Join delimiter repeated, a big
	// mapping value selected many times).
	produced atomic.Int64
	folded   atomic.Int64
}

// param is a template parameter and the value a Ref to it takes.
type param struct {
	// val is a String, or a List of Strings for list types; nil when the
	// value is only known at deploy time.
	val *value.Node
	why string
}

// Transforms the loader can read as they are. AWS::LanguageExtensions only
// adds functions; its Fn::ForEach is refused where it appears.
var harmlessTransforms = map[string]bool{"AWS::LanguageExtensions": true}

const samTransform = "AWS::Serverless-2016-10-31"

// processedHint says where the template after its transforms can be found.
const processedHint = "the Processed stage of a change set: aws cloudformation get-template --change-set-name NAME --stack-name STACK --template-stage Processed"

func newLoader(tmpl *value.Node, o Options) (*loader, error) {
	if tmpl == nil {
		return nil, value.Errorf(value.Pos{}, "expected a CloudFormation template (a map with a Resources section), found nothing")
	}
	if tmpl.Kind != value.Map {
		return nil, value.Errorf(tmpl.Pos, "expected a CloudFormation template (a map with a Resources section), found %s", tmpl.Describe())
	}
	l := &loader{
		tmpl:      tmpl,
		o:         o,
		lim:       o.limits(),
		partition: partitionOf(o),
		params:    map[string]*param{},
		truth:     map[string]Truth{},
		evalState: map[string]evalState{},
	}
	if err := checkTransform(tmpl.Field("Transform")); err != nil {
		return nil, err
	}
	if err := l.readParameters(tmpl.Field("Parameters")); err != nil {
		return nil, err
	}
	if m := tmpl.Field("Mappings"); m.Has() {
		if m.Kind != value.Map {
			return nil, value.Errorf(m.Pos, "Mappings must be a map of maps, found %s", m.Describe())
		}
		l.mappings = m
	}
	if c := tmpl.Field("Conditions"); c.Has() {
		if c.Kind != value.Map {
			return nil, value.Errorf(c.Pos, "Conditions must be a map from condition name to condition function, found %s", c.Describe())
		}
		l.conds = c
	}
	return l, nil
}

func checkTransform(t *value.Node) error {
	for _, it := range t.List() {
		name, ok := it.Text()
		if !ok {
			name = it.Field("Name").String()
		}
		switch {
		case name == samTransform:
			return value.Errorf(it.Pos, "this is a SAM template (Transform %s), which CloudFormation rewrites at deploy time: pass the transformed template instead (%s)", samTransform, processedHint)
		case harmlessTransforms[name]:
		default:
			return value.Errorf(it.Pos, "the template uses the transform %s, which rewrites it at deploy time: pass the processed template instead (%s)", it.Describe(), processedHint)
		}
	}
	return nil
}

func (l *loader) readParameters(ps *value.Node) error {
	if !ps.Has() {
		return nil
	}
	if ps.Kind != value.Map {
		return value.Errorf(ps.Pos, "Parameters must be a map from parameter name to declaration, found %s", ps.Describe())
	}
	for i, name := range ps.Keys {
		decl := ps.Vals[i]
		if decl.Kind != value.Map {
			return value.Errorf(decl.Pos, "parameter %s must be a map with a Type, found %s", name, decl.Describe())
		}
		l.params[name] = l.paramValue(name, decl)
	}
	return nil
}

func (l *loader) paramValue(name string, decl *value.Node) *param {
	typ := decl.Field("Type").String()
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<") {
		// The given value or Default is the name of an SSM parameter; its
		// value is read when the stack deploys.
		return &param{why: "template parameter " + name + " is read from SSM Parameter Store at deploy time"}
	}
	raw, ok := l.o.Parameters[name]
	at := decl.Pos
	if !ok {
		d := decl.Field("Default")
		if raw, ok = d.Text(); ok {
			at = d.Pos
		}
	}
	if !ok {
		return &param{why: "template parameter " + name + " has no value here and no Default; it is set at deploy time"}
	}
	if typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") {
		// CloudFormation splits on commas and trims the spaces around items.
		list := value.NewList(at)
		for _, s := range strings.Split(raw, ",") {
			list.Items = append(list.Items, value.NewString(strings.TrimSpace(s), at))
		}
		return &param{val: list}
	}
	return &param{val: value.NewString(raw, at)}
}

// partitionOf returns AWS::Partition: the option, else what the region's
// name implies.
func partitionOf(o Options) string {
	switch {
	case o.Partition != "":
		return o.Partition
	case strings.HasPrefix(o.Region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(o.Region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(o.Region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(o.Region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// pseudo returns the value of a pseudo parameter: its text when known, or
// why it is not. isPseudo is false for names that are not pseudo parameters.
func (l *loader) pseudo(name string) (val, why string, isPseudo bool) {
	known := func(v, what string) (string, string, bool) {
		if v == "" {
			return "", name + " is the " + what + " the stack is deployed to, which is not known here", true
		}
		return v, "", true
	}
	switch name {
	case "AWS::Region":
		return known(l.o.Region, "region")
	case "AWS::AccountId":
		return known(l.o.Account, "account")
	case "AWS::StackName":
		return known(l.o.StackName, "stack name")
	case "AWS::Partition":
		return l.partition, "", true
	case "AWS::URLSuffix":
		switch l.partition {
		case "aws", "aws-us-gov":
			return "amazonaws.com", "", true
		case "aws-cn":
			return "amazonaws.com.cn", "", true
		}
		return known("", "URL suffix of the partition")
	case "AWS::StackId":
		return "", "AWS::StackId is assigned when the stack is created", true
	case "AWS::NotificationARNs":
		return "", "AWS::NotificationARNs are set when the stack is deployed", true
	}
	return "", "", false
}
