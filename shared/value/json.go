package value

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
)

// ParseJSON parses a JSON document into a tree whose nodes carry line and
// column, within lim.
func ParseJSON(file string, src []byte, lim Limits) (*Node, error) {
	if lim.MaxBytes > 0 && int64(len(src)) > lim.MaxBytes {
		return nil, Errorf(Pos{File: file}, "file is %d bytes; the limit is %d bytes", len(src), lim.MaxBytes)
	}
	p := &jsonParser{file: file, src: src, lim: lim, dec: json.NewDecoder(bytes.NewReader(src))}
	p.dec.UseNumber()
	for i, b := range src {
		if b == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, Errorf(p.pos(p.dec.InputOffset()), "invalid JSON: unexpected data after the document")
	}
	return n, nil
}

type jsonParser struct {
	file  string
	src   []byte
	lim   Limits
	dec   *json.Decoder
	lines []int // offsets where lines 2, 3, … start
	nodes int
}

func (p *jsonParser) pos(off int64) Pos {
	// The decoder's offset is just past the token; step back over it so the
	// position is the token's start, close enough for a line number.
	o := int(off)
	for o > 0 && o <= len(p.src) && (p.src[o-1] == ' ' || p.src[o-1] == '\n' || p.src[o-1] == '\r' || p.src[o-1] == '\t' || p.src[o-1] == ':' || p.src[o-1] == ',') {
		o--
	}
	line := sort.SearchInts(p.lines, o+1) + 1
	start := 0
	if line > 1 {
		start = p.lines[line-2]
	}
	return Pos{File: p.file, Line: line, Col: o - start + 1}
}

func (p *jsonParser) startPos() Pos {
	// Position of the next token: skip whitespace and separators after the offset.
	o := int(p.dec.InputOffset())
	for o < len(p.src) && (p.src[o] == ' ' || p.src[o] == '\n' || p.src[o] == '\r' || p.src[o] == '\t' || p.src[o] == ':' || p.src[o] == ',') {
		o++
	}
	line := sort.SearchInts(p.lines, o+1) + 1
	start := 0
	if line > 1 {
		start = p.lines[line-2]
	}
	return Pos{File: p.file, Line: line, Col: o - start + 1}
}

func (p *jsonParser) value(depth int) (*Node, error) {
	at := p.startPos()
	if p.lim.MaxDepth > 0 && depth > p.lim.MaxDepth {
		return nil, Errorf(at, "document nests deeper than %d levels", p.lim.MaxDepth)
	}
	p.nodes++
	if p.lim.MaxNodes > 0 && p.nodes > p.lim.MaxNodes {
		return nil, Errorf(at, "document has more than %d values; refusing to load it", p.lim.MaxNodes)
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntax(err, at)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := NewMap(at)
			for p.dec.More() {
				kat := p.startPos()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.syntax(err, kat)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, Errorf(kat, "invalid JSON: object key must be a string")
				}
				if m.Field(key) != nil {
					return nil, Errorf(kat, "duplicate key %q", key)
				}
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				if v.Kind == Map || v.Kind == List {
					v.Pos = kat
				}
				m.Set(key, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.syntax(err, p.startPos())
			}
			return m, nil
		case '[':
			l := NewList(at)
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.syntax(err, p.startPos())
			}
			return l, nil
		}
		return nil, Errorf(at, "invalid JSON: unexpected %q", string(t))
	case string:
		return NewString(t, at), nil
	case json.Number:
		return NewNumber(t.String(), at), nil
	case bool:
		return NewBool(t, at), nil
	case nil:
		return NewNull(at), nil
	}
	return nil, Errorf(at, "invalid JSON: unexpected token %v", tok)
}

func (p *jsonParser) syntax(err error, at Pos) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return Errorf(p.pos(se.Offset), "invalid JSON: %s", se.Error())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Errorf(at, "invalid JSON: unexpected end of input")
	}
	return Errorf(at, "invalid JSON: %s", strconv.Quote(err.Error()))
}

// Parse parses YAML or JSON; JSON is chosen when the document starts with
// '{' or '['. CloudFormation and the Framework accept both.
func Parse(file string, src []byte, lim Limits) (*Node, error) {
	trimmed := bytes.TrimLeft(src, " \t\r\n\ufeff")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		if n, err := ParseJSON(file, src, lim); err == nil {
			return n, nil
		}
		// Flow-style YAML also starts with '{': fall back to YAML.
	}
	return ParseYAML(file, src, lim)
}
