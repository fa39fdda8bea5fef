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
		Env:     envOrNone(o.Env),
		BaseDir: dir,
		Limits:  value.DefaultLimits,
	})
}

// envOrNone keeps a nil Env meaning "no environment": the check must not
// depend on the environment of whoever runs it unless the caller says so.
func envOrNone(env func(string) (string, bool)) func(string) (string, bool) {
	if env != nil {
		return env
	}
	return func(string) (string, bool) { return "", false }
}
