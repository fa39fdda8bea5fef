package serverless

import (
	"prodready/shared/value"
	"prodready/shared/variables"
)

// resolveVariables resolves ${…} variables as the Framework does; values
// only known at deploy time become Unknown nodes.
func resolveVariables(root *value.Node, o Options, dir string) (*value.Node, error) {
	return variables.Resolve(root, variables.Options{
		Stage:   o.Stage,
		Region:  o.Region,
		Opts:    o.Opts,
		Env:     o.Env, // nil: the process environment, as the Framework reads it
		BaseDir: dir,
		Limits:  value.DefaultLimits,
	})
}
