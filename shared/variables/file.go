package variables

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"prodready/shared/value"
)

// fileEntry is an included file, read and parsed once per resolution.
type fileEntry struct {
	node *value.Node // the content; nil when the file does not exist
	code bool        // JavaScript or TypeScript: the Framework runs it for the value
	err  error       // unreadable or unparsable
}

// fileSource is ${file(path)} and ${file(path):a.b}, as osls's sources/file.js.
// YAML and JSON keep their positions in the included file; variables in the
// content resolve afterwards against the main configuration, as the
// Framework does, because the value is placed into it first.
func (r *resolver) fileSource(ctx *evalCtx, at *site, params []*value.Node, addr *value.Node) (srcResult, error) {
	if len(params) == 0 || !truthy(params[0]) {
		return srcResult{}, r.fail(ctx, `Missing path argument in variable "file" source`)
	}
	rel, ok := argString(params[0])
	if !ok {
		return srcResult{}, r.fail(ctx, `Non-string path argument in variable "file" source: %s`, params[0].Describe())
	}
	address := ""
	if addr != nil && addr.Kind != value.Null {
		if address, ok = argString(addr); !ok {
			return srcResult{}, r.fail(ctx, `Non-string address argument for variable "file" source: %s`, addr.Describe())
		}
	}
	abs, display := rel, rel
	if !filepath.IsAbs(rel) {
		abs = filepath.Join(r.o.BaseDir, rel)
		display = filepath.Join(filepath.Dir(r.mainFile), rel)
	}
	e := r.readIncluded(abs, display)
	if e.err != nil {
		var ve *value.Error
		if errors.As(e.err, &ve) && ve.Pos.Line > 0 {
			// Point at the broken line of the included file, and say where
			// it was included from.
			return srcResult{}, &varError{pos: ve.Pos, msg: `Cannot resolve variable at "` + humanize(ctx.prop.path) +
				`": Cannot parse "` + display + `": ` + ve.Msg + " (included at " + ctx.pos.String() + ")"}
		}
		msg := e.err.Error()
		if ve != nil {
			msg = ve.Msg
		}
		return srcResult{}, r.fail(ctx, `Cannot parse "%s": %s`, display, msg)
	}
	if e.code {
		return srcResult{node: r.unknown(ctx, at, "file "+display+" is code the Framework runs to compute the value")}, nil
	}
	if e.node == nil {
		return srcResult{detail: "file " + display + " does not exist"}, nil
	}
	if address == "" {
		c, err := r.cloneFor(ctx, e.node)
		if err != nil {
			return srcResult{}, err
		}
		return srcResult{node: c}, nil
	}
	cur := e.node
	for _, key := range r.split(address) {
		if cur.Kind == value.String {
			// osls resolves a string met on the way before stepping into it.
			vars, err := r.parse(cur.Str)
			if err != nil {
				return srcResult{}, r.fail(ctx, "%s", err.Error())
			}
			if vars != nil {
				at := &evalCtx{prop: ctx.prop, pos: cur.Pos}
				if cur, err = r.evalMeta(at, &meta{lit: literal{kind: litString, str: cur.Str}, vars: vars}); err != nil {
					return srcResult{}, err
				}
			}
		}
		if cur.Kind == value.Unknown {
			return srcResult{node: r.unknown(ctx, at, "it reads inside "+cur.Str+": "+cur.Why)}, nil
		}
		if cur = ownProperty(cur, key); cur == nil || cur.Kind == value.Null {
			return srcResult{detail: `nothing is set at "` + address + `" in ` + display}, nil
		}
	}
	c, err := r.cloneFor(ctx, cur)
	if err != nil {
		return srcResult{}, err
	}
	return srcResult{node: c}, nil
}

// readIncluded reads and parses a file once. osls picks the parser by
// extension: YAML, JSON (and .tfstate), code (run, so Unknown here), or
// anything else as plain text.
func (r *resolver) readIncluded(abs, display string) *fileEntry {
	if e, ok := r.files[abs]; ok {
		return e
	}
	e := &fileEntry{}
	r.files[abs] = e
	switch filepath.Ext(abs) {
	case ".js", ".cjs", ".mjs", ".ts", ".mts", ".cts":
		if st, err := os.Stat(abs); err == nil && !st.IsDir() {
			e.code = true
		}
		return e
	}
	st, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return e
	}
	if err == nil && !st.IsDir() && !st.Mode().IsRegular() {
		// A FIFO or a device (/dev/stdin) could block or never end; osls
		// would read it, a check must not.
		e.err = &value.Error{Pos: value.Pos{File: display}, Msg: "is not a regular file"}
		return e
	}
	data, err := value.ReadFile(abs, r.lim)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return e
		}
		var ve *value.Error
		if errors.As(err, &ve) {
			e.err = &value.Error{Pos: value.Pos{File: display}, Msg: ve.Msg}
		} else {
			e.err = err
		}
		return e
	}
	switch filepath.Ext(abs) {
	case ".yml", ".yaml":
		e.node, e.err = value.ParseYAML(display, data, r.lim)
	case ".json", ".tfstate":
		e.node, e.err = value.ParseJSON(display, data, r.lim)
	default:
		e.node = value.NewString(string(data), value.Pos{File: display, Line: 1, Col: 1})
	}
	if e.err != nil {
		e.node = nil
	}
	return e
}
