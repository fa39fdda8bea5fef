// Package cfn loads CloudFormation templates into the inventory: the
// resources: section of serverless.yml and the template the Framework
// compiles. Rules never see templates, so this is where CloudFormation's
// semantics live: conditions decide which resources exist in a stage,
// Fn::If and AWS::NoValue decide which properties they have, and parameters
// and pseudo parameters become the strings rules compare.
package cfn

import (
	"fmt"
	"path/filepath"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// Options say what the loader knows about the deployment.
type Options struct {
	// Parameters are values for the template's Parameters; a parameter not
	// given takes its Default, and one without a Default is Unknown.
	Parameters map[string]string
	// Region, Account, StackName and Partition are the pseudo parameters
	// AWS::Region, AWS::AccountId, AWS::StackName and AWS::Partition; ""
	// means Unknown, except Partition, which follows Region (aws-cn for
	// cn-*, aws-us-gov for us-gov-*) and defaults to "aws".
	Region, Account, StackName, Partition string
	// Origin is recorded on every resource (FromTemplate or FromServerless).
	// With FromServerless, a resource whose logical id is already in the
	// inventory is merged into it the way the Framework merges resources:
	// into its compiled template, and the resources: section's extensions
	// are applied.
	Origin inventory.Origin
	// Stack is recorded as Resource.Stack on every resource.
	Stack string
	// StackTags are the tags CloudFormation propagates to every taggable
	// resource (provider.stackTags); a resource's own tags win.
	StackTags map[string]*value.Node
	// Limits bound the template file and how far intrinsic functions may
	// expand it; zero fields take value.DefaultLimits.
	Limits value.Limits
}

func (o Options) limits() value.Limits {
	lim := o.Limits
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = value.DefaultLimits.MaxBytes
	}
	if lim.MaxNodes <= 0 {
		lim.MaxNodes = value.DefaultLimits.MaxNodes
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = value.DefaultLimits.MaxDepth
	}
	return lim
}

// Load adds the template's Resources to inv. A resource whose Condition is
// false in this deployment is left out; one whose Condition cannot be
// decided before deploy is kept with Attrs["condition"] naming it. Problems
// with the template are returned as *value.Error with the position to fix.
// tmpl is not modified.
func Load(inv *inventory.Inventory, tmpl *value.Node, o Options) error {
	l, err := newLoader(tmpl, o)
	if err != nil {
		return err
	}
	if err := l.evalAll(); err != nil {
		return err
	}
	return l.loadResources(inv)
}

// LoadFile parses a JSON or YAML template and Loads it. A .json file must
// be JSON; anything else may be either.
func LoadFile(inv *inventory.Inventory, path string, o Options) error {
	lim := o.limits()
	src, err := value.ReadFile(path, lim)
	if err != nil {
		return fmt.Errorf("read template: %w", err) // the error names the file
	}
	parse := value.Parse
	if strings.EqualFold(filepath.Ext(path), ".json") {
		// The Framework's compiled template is JSON: report JSON syntax
		// errors as such rather than falling back to YAML.
		parse = value.ParseJSON
	}
	tmpl, err := parse(path, src, lim)
	if err != nil {
		return fmt.Errorf("parse template: %w", err)
	}
	if err := Load(inv, tmpl, o); err != nil {
		return fmt.Errorf("load template: %w", err)
	}
	return nil
}
