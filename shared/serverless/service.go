// Package serverless reads a Serverless Framework service the way the
// Framework (osls 4.3.1) does: serverless.yml with its variables resolved,
// the types of the settings checked, and the CloudFormation resources the
// Framework would deploy compiled into the inventory the rules read.
package serverless

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"prodready/shared/value"
)

// Options are the command-line settings that change what a service
// resolves to.
type Options struct {
	// Stage and Region are --stage and --region ("" when not given).
	Stage, Region string
	// Opts holds the other --options, for ${opt:name}.
	Opts map[string]string
	// Env looks up environment variables, for ${env:NAME}; nil means the
	// process environment, as for the Framework.
	Env func(string) (string, bool)
}

// Service is a loaded serverless.yml.
type Service struct {
	// Path is the serverless.yml path as given (or the file found in the
	// directory given).
	Path string
	// Config is the resolved configuration, positions kept.
	Config *value.Node
	// Name is the service name; Stage is --stage, else provider.stage, else
	// "dev"; Region is --region, else provider.region, else us-east-1.
	Name, Stage, Region string

	opts Options
}

// configNames are the file names the Framework looks for in a service
// directory, in its order. JavaScript and TypeScript configurations need
// a Node.js runtime and are not read.
var configNames = []string{"serverless.yml", "serverless.yaml", "serverless.json"}

// stagePattern is osls's lib/utils/stage-pattern.js.
var stagePattern = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// Load reads serverless.yml (or, when path is a directory, the
// serverless.yml, serverless.yaml or serverless.json in it), resolves its
// variables and checks the types of every setting the compiler reads.
// Errors name the file and line.
func Load(path string, o Options) (*Service, error) {
	file, err := findConfig(path)
	if err != nil {
		return nil, err
	}
	src, err := value.ReadFile(file, value.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", file, err)
	}
	return loadSource(file, src, filepath.Dir(file), o)
}

// loadSource parses, resolves and checks a configuration read from file;
// dir is where ${file(…)} paths start.
func loadSource(file string, src []byte, dir string, o Options) (*Service, error) {
	var root *value.Node
	var err error
	if strings.EqualFold(filepath.Ext(file), ".json") {
		root, err = value.ParseJSON(file, src, value.DefaultLimits)
	} else {
		root, err = value.ParseYAML(file, src, value.DefaultLimits)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", file, err)
	}
	resolved, err := resolveVariables(root, o, dir)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", file, err)
	}
	return newService(file, resolved, o)
}

func findConfig(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("load %s: no such file or directory", path)
		}
		return "", fmt.Errorf("load %s: %w", path, err)
	}
	if !st.IsDir() {
		return path, nil
	}
	for _, n := range configNames {
		f := filepath.Join(path, n)
		if st, err := os.Stat(f); err == nil && !st.IsDir() {
			return f, nil
		}
	}
	return "", fmt.Errorf("load %s: no serverless.yml, serverless.yaml or serverless.json in the directory", path)
}

// newService checks a resolved configuration and works out the service
// name, stage and region as the Framework does.
func newService(file string, cfg *value.Node, o Options) (*Service, error) {
	top := value.Pos{File: file, Line: 1, Col: 1}
	if cfg == nil || cfg.Kind != value.Map {
		return nil, value.Errorf(posOf(top, cfg), "the service configuration must be a map, found %s", describe(cfg))
	}
	s := &Service{Path: file, Config: cfg, opts: o}
	svc := cfg.Field("service")
	switch {
	case svc.IsUnknown():
		return nil, value.Errorf(svc.Pos, "service name is %s, which is only known at deploy time (%s); the name must be known to check the service", svc.Str, svc.Why)
	case isObj(svc):
		return nil, value.Errorf(svc.Pos, "service must be a string (object notation for \"service\" is not supported), found a map")
	case !truthy(svc):
		return nil, value.Errorf(posOf(top, svc), "\"service\" property is missing in %s", filepath.Base(file))
	}
	name, ok := svc.Text()
	if !ok {
		return nil, value.Errorf(svc.Pos, "service must be a string, found %s", describe(svc))
	}
	s.Name = name
	provider := cfg.Field("provider")
	if !truthy(provider) {
		return nil, value.Errorf(posOf(top, provider), "\"provider\" property is missing in %s", filepath.Base(file))
	}
	if err := mergeArrays(cfg); err != nil {
		return nil, err
	}
	if err := validate(cfg); err != nil {
		return nil, err
	}
	stageNode := provider.Field("stage")
	switch {
	case o.Stage != "":
		s.Stage = o.Stage
	case stageNode.IsUnknown():
		return nil, value.Errorf(stageNode.Pos, "provider.stage is %s, which is only known at deploy time (%s); pass --stage", stageNode.Str, stageNode.Why)
	case stageNode.Has():
		s.Stage = text(stageNode)
	default:
		s.Stage = "dev"
	}
	if !stagePattern.MatchString(s.Stage) {
		p := top
		if o.Stage == "" {
			p = posOf(top, stageNode)
		}
		return nil, value.Errorf(p, "Invalid stage name %q: stage names may contain only ASCII letters, numbers, and hyphens", s.Stage)
	}
	regionNode := provider.Field("region")
	switch {
	case o.Region != "":
		s.Region = o.Region
	case regionNode.IsUnknown():
		return nil, value.Errorf(regionNode.Pos, "provider.region is %s, which is only known at deploy time (%s); pass --region", regionNode.Str, regionNode.Why)
	case truthy(regionNode):
		s.Region = text(regionNode)
	default:
		s.Region = "us-east-1"
	}
	return s, nil
}

// describe names what a node is for messages: `string "x"`, `number 5`,
// `a map`.
func describe(n *value.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case value.String:
		return "string " + n.Describe()
	case value.Number:
		return "number " + n.Str
	case value.Bool:
		return "boolean " + n.Str
	case value.Null:
		return "null"
	case value.Unknown:
		return "deploy-time value " + n.Str
	}
	return n.Describe()
}
