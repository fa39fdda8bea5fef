// Package variables resolves Serverless Framework variables (${self:…},
// ${opt:…}, ${file(…)}, ${ssm:…}, …) in a parsed serverless.yml exactly as
// osls 4.3.1 does, so the checks see the configuration the Framework deploys.
//
// The syntax is a port of the Framework's own parser (parse.go); resolution
// follows lib/configuration/variables/resolve.js and the order in which
// scripts/serverless.js makes sources available (provider.stage is settled
// before params and AWS sources exist). Values that only exist at deploy time
// (SSM parameters, stack outputs, the account id, plugin sources) become
// value.Unknown nodes instead of failing, so a rule can say what it could not
// see.
//
// Where this package departs from osls, on purpose:
//   - ${param:x} that the configuration does not set is an Unknown (the
//     Serverless Dashboard or --param may set it), not an error; params are
//     also read from stages.<stage>.params, as Serverless Framework v4 does.
//   - ${file(x.ts)} and .mjs/.mts/.cts are code like .js: Unknown (osls reads
//     them as text).
//   - An included file that is not a regular file (a FIFO, /dev/stdin) is an
//     error instead of being read.
//   - useDotenv's .env files are not loaded: pass their variables in Env.
//
// Interpolating a list joins it with commas, as osls does; a map is an error.
package variables

import (
	"os"

	"prodready/shared/value"
)

// Options are the inputs of a resolution besides the configuration itself:
// what the Framework would get from its command line and environment.
type Options struct {
	Stage   string                      // value of --stage ("" when not given)
	Region  string                      // value of --region ("" when not given)
	Opts    map[string]string           // other CLI options, for ${opt:name}
	Env     func(string) (string, bool) // nil means os.LookupEnv
	BaseDir string                      // directory of serverless.yml; ${file()} paths are relative to it
	Limits  value.Limits                // zero means value.DefaultLimits
}

// Resolve returns a copy of root (a parsed serverless.yml, see value.ParseYAML) with every Serverless
// variable resolved. Values only available at deploy time become value.Unknown nodes.
//
// A string that is one variable keeps the type of what it resolves to (a map,
// a list, a number); a string with variables in it stays a string, or becomes
// an Unknown whose Str is the string with the known parts substituted. A
// resolved value keeps the position where it is written (custom.x for
// ${self:custom.x}, the included file for ${file(…)}); an interpolated string
// keeps the position of the string that holds the variables.
//
// Errors are *value.Error at the string holding the offending variable, worded
// as osls words them ("Cannot resolve variable at "provider.vpc": Value not
// found at "self" source"), with what was missing added. root is not modified.
func Resolve(root *value.Node, o Options) (*value.Node, error) {
	if o.Limits == (value.Limits{}) {
		o.Limits = value.DefaultLimits
	}
	if o.Env == nil {
		o.Env = os.LookupEnv
	}
	r := newResolver(o)
	return r.run(root)
}
