package value

import (
	"bytes"
	"runtime"
	"sync"
)

// goccy/go-yaml spends about 50 ms on a 1,000-function serverless.yml
// (most of a check's time budget), almost all of it in its scanner. A
// block-style document splits cleanly at its top-level keys, and the biggest
// section (functions:) at its own keys, so large documents are parsed in
// chunks on every core and joined. Anything that might not split cleanly
// (anchors and aliases, document markers, flow collections spanning chunks,
// duplicate keys, a chunk that fails) falls back to the whole-document
// parse, which also gives the canonical error. A differential fuzz test
// holds the two paths to the same tree and positions.

// chunkMinBytes is the smallest document worth splitting.
const chunkMinBytes = 64 << 10

// hasAnchorOrAlias finds YAML anchors (&a) and aliases (*a) where they can
// start a node, and merge keys; "arn:…:*" and "/swagger/*" do not match.
// (A byte scan: the equivalent regular expression took 18 ms on 270 kB.)
func hasAnchorOrAlias(src []byte) bool {
	for i, c := range src {
		switch c {
		case '&', '*':
			if i > 0 {
				switch src[i-1] {
				case ' ', '\t', '\n', '[', '{', ',':
				default:
					continue
				}
			}
			if i+1 < len(src) {
				switch src[i+1] {
				case ' ', '\t', '\r', '\n', ',', '[', ']', '{', '}':
					continue
				}
				return true
			}
		case '<':
			if i+1 < len(src) && src[i+1] == '<' {
				return true
			}
		}
	}
	return false
}

// unit is a range of lines that parses on its own.
type unit struct {
	start, end int    // byte offsets in src
	line       int    // 1-based line of start
	section    string // non-empty: a child range of this top-level key
}

func parseYAMLChunked(file string, src []byte, lim Limits, workers, minBytes int) (*Node, bool) {
	if workers < 2 || len(src) < minBytes {
		return nil, false
	}
	units, headers, top, ok := splitUnits(src)
	if !ok || len(units) < 2 {
		return nil, false
	}
	// The whole parse places the root map at its first key's colon.
	first, err := parseYAMLWhole(file, firstLine(src[top.start:]), Limits{MaxNodes: 16, MaxDepth: 4})
	if err != nil || first.Kind != Map {
		return nil, false
	}
	rootPos := first.Pos
	rootPos.Line += top.line - 1
	chunks := groupUnits(units, len(src)/(workers*2)+1)
	trees := make([]*Node, len(chunks))
	failed := make([]bool, len(chunks))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, ch := range chunks {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, ch unit) {
			defer func() { <-sem; wg.Done() }()
			n, err := parseYAMLWhole(file, src[ch.start:ch.end], lim)
			if err != nil || (n.Kind != Map && n.Kind != Null) {
				failed[i] = true
				return
			}
			shiftLines(n, ch.line-1)
			trees[i] = n
		}(i, ch)
	}
	wg.Wait()
	root := &Node{Kind: Map, Pos: rootPos}
	sections := map[string]*Node{}
	nodes := 0
	for i, ch := range chunks {
		if failed[i] {
			return nil, false
		}
		t := trees[i]
		nodes += countNodes(t)
		dst := root
		if ch.section != "" {
			if dst = sections[ch.section]; dst == nil {
				h := headers[ch.section]
				dst = &Node{Kind: Map, Pos: Pos{File: file, Line: h.line, Col: 1}}
				if root.Field(ch.section) != nil {
					return nil, false
				}
				root.Set(ch.section, dst)
				sections[ch.section] = dst
			}
		}
		for j, k := range t.Keys {
			if dst.Field(k) != nil {
				return nil, false // a duplicate key: let the whole parse report it
			}
			dst.Keys = append(dst.Keys, k)
			dst.Vals = append(dst.Vals, t.Vals[j])
		}
	}
	if lim.MaxNodes > 0 && nodes > lim.MaxNodes {
		return nil, false
	}
	return root, true
}

type header struct{ line int }

// splitUnits cuts src into top-level sections, and the largest section into
// its child keys. ok is false for documents it cannot cut safely.
func splitUnits(src []byte) (units []unit, headers map[string]header, top unit, ok bool) {
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) || hasAnchorOrAlias(src) {
		return nil, nil, unit{}, false
	}
	type line struct {
		start, end, indent int
		blank              bool
	}
	var lines []line
	for off := 0; off < len(src); {
		end := bytes.IndexByte(src[off:], '\n')
		next := off + end + 1
		if end < 0 {
			end, next = len(src)-off, len(src)
		}
		l := src[off : off+end]
		ind := 0
		for ind < len(l) && l[ind] == ' ' {
			ind++
		}
		rest := bytes.TrimRight(l[ind:], " \r")
		lines = append(lines, line{start: off, end: next, indent: ind, blank: len(rest) == 0 || rest[0] == '#'})
		if ind < len(l) && l[ind] == '\t' {
			return nil, nil, unit{}, false
		}
		if ind == 0 && len(rest) > 0 && (rest[0] == '%' || bytes.HasPrefix(rest, []byte("---")) || bytes.HasPrefix(rest, []byte("...")) || rest[0] == '-' || rest[0] == '[' || rest[0] == '{' || rest[0] == '?' || rest[0] == '"' || rest[0] == '\'') {
			return nil, nil, unit{}, false
		}
		off = next
	}
	if !simpleLines(src, func(yield func(start, end, indent int) bool) {
		for _, l := range lines {
			if !l.blank && !yield(l.start, l.end, l.indent) {
				return
			}
		}
	}) {
		return nil, nil, unit{}, false
	}
	// Top-level sections start at column-0 key lines.
	type section struct {
		key          string
		first, after int // line indexes: header, one past the last line
	}
	var secs []section
	for i, l := range lines {
		if l.blank || l.indent != 0 {
			continue
		}
		if _, ok := plainKeyLine(src[l.start:l.end]); !ok {
			return nil, nil, unit{}, false
		}
		if len(secs) > 0 {
			secs[len(secs)-1].after = i
		}
		secs = append(secs, section{first: i})
	}
	if len(secs) == 0 || firstContent(lines, func(l line) bool { return l.blank }) < secs[0].first {
		return nil, nil, unit{}, false
	}
	secs[len(secs)-1].after = len(lines)
	// Only entries of the plainest shape are cut apart: a key line, then
	// either nothing (a one-line value) or lines indented below it (a block
	// value). Anything else may be read differently in pieces.
	entryOK := func(first, after, indent int) bool {
		inline, ok := plainKeyLine(src[lines[first].start:lines[first].end])
		if !ok {
			return false
		}
		for j := first + 1; j < after; j++ {
			if lines[j].blank {
				continue
			}
			if lines[j].indent <= indent {
				return false
			}
			if len(inline) > 0 && inline[0] != '|' && inline[0] != '>' {
				return false
			}
		}
		return true
	}
	for _, sec := range secs {
		if !entryOK(sec.first, sec.after, 0) {
			return nil, nil, unit{}, false
		}
	}
	top = unit{start: lines[secs[0].first].start, line: secs[0].first + 1}
	// The largest section whose value is a block mapping is cut at its keys.
	big, bigSize := -1, 0
	for i, s := range secs {
		if size := lines[s.after-1].end - lines[s.first].start; size > bigSize {
			big, bigSize = i, size
		}
	}
	headers = map[string]header{}
	for i, s := range secs {
		whole := unit{start: lines[s.first].start, end: lines[s.after-1].end, line: s.first + 1}
		if i != big {
			units = append(units, whole)
			continue
		}
		head := src[lines[s.first].start:lines[s.first].end]
		colon := bytes.IndexByte(head, ':')
		if v := bytes.TrimSpace(head[colon+1:]); len(v) > 0 && v[0] != '#' {
			units = append(units, whole) // an inline value: nothing to cut
			continue
		}
		child := -1
		for j := s.first + 1; j < s.after; j++ {
			if !lines[j].blank {
				child = lines[j].indent
				break
			}
		}
		if child <= 0 {
			units = append(units, whole)
			continue
		}
		var cuts []int
		for j := s.first + 1; j < s.after; j++ {
			l := lines[j]
			if l.blank {
				continue
			}
			if l.indent < child {
				return nil, nil, unit{}, false
			}
			if l.indent == child {
				c := src[l.start+l.indent]
				if c == '-' || c == '?' || c == '[' || c == '{' {
					units = append(units, whole)
					cuts = nil
					break
				}
				cuts = append(cuts, j)
			}
		}
		if len(cuts) < 2 {
			if len(units) == 0 || units[len(units)-1] != whole {
				units = append(units, whole)
			}
			continue
		}
		// The section's key as the parser reads it (a key may hold colons).
		hn, err := parseYAMLWhole("", head, Limits{MaxNodes: 16, MaxDepth: 4})
		if err != nil || hn.Kind != Map || len(hn.Keys) != 1 {
			return nil, nil, unit{}, false
		}
		s.key = hn.Keys[0]
		headers[s.key] = header{line: s.first + 1}
		for k, j := range cuts {
			after := s.after
			if k+1 < len(cuts) {
				after = cuts[k+1]
			}
			if !entryOK(j, after, child) {
				return nil, nil, unit{}, false
			}
			units = append(units, unit{start: lines[j].start, end: lines[after-1].end, line: j + 1, section: s.key})
		}
	}
	return units, headers, top, true
}

// simpleLines reports whether every content line is of a shape that reads
// the same in a piece as in the whole document: a key line, a list item, a
// one-line scalar or flow collection, or the content of a block scalar
// (| or >). Plain scalars continued on the next line, quoted scalars and
// flow collections spanning lines, and empty list items are not.
func simpleLines(src []byte, each func(yield func(start, end, indent int) bool)) bool {
	ok := true
	block := -1 // indent of the line that opened a block scalar
	// The column where the previous line's content starts, and whether it
	// opened a nested block (a key or dash with nothing after it). A line
	// indented past that column under a complete value continues it.
	prevCol, prevOpens := -1, true
	each(func(start, end, indent int) bool {
		if block >= 0 {
			if indent > block {
				return true
			}
			block = -1
		}
		if indent > prevCol && !prevOpens {
			ok = false
			return false
		}
		text := bytes.TrimRight(src[start+indent:end], " \r\n")
		item := false
		col, lastDash := indent, indent
		for bytes.HasPrefix(text, []byte("- ")) {
			lastDash = col
			trimmed := bytes.TrimLeft(text[2:], " ")
			col += len(text) - len(trimmed)
			text = trimmed
			item = true
		}
		prevCol, prevOpens = col, false
		if len(text) == 0 || bytes.Equal(text, []byte("-")) {
			ok = false
			return false
		}
		val := text
		if inline, isKey := plainKeyLine(text); isKey {
			val = inline
		} else if !item {
			ok = false // a bare scalar line continues the one above it
			return false
		} else {
			// A scalar list item is continued by any line indented past
			// its dash, not only past its text.
			prevCol = lastDash
		}
		if len(val) > 0 && val[0] == '!' { // a tag: !Ref X, !Sub ...
			if sp := bytes.IndexByte(val, ' '); sp > 0 {
				val = bytes.TrimLeft(val[sp:], " ")
			} else {
				val = nil
			}
		}
		if len(val) == 0 || val[0] == '#' {
			prevOpens = true
			return true
		}
		switch val[0] {
		case '|', '>':
			block = indent
			prevOpens = true
		case '{', '[', '"', '\'':
			if !closedOnLine(val) {
				ok = false
				return false
			}
		}
		return true
	})
	return ok
}

// closedOnLine reports whether a flow collection or quoted scalar that
// starts the value ends on the same line.
func closedOnLine(v []byte) bool {
	depth := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '"':
			j := i + 1
			for ; j < len(v) && v[j] != '"'; j++ {
				if v[j] == '\\' {
					j++
				}
			}
			if j >= len(v) {
				return false
			}
			i = j
		case '\'':
			j := i + 1
			for ; j < len(v); j++ {
				if v[j] == '\'' {
					if j+1 < len(v) && v[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(v) {
				return false
			}
			i = j
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		if depth == 0 && i > 0 && (v[0] == '{' || v[0] == '[') {
			return true
		}
		if depth == 0 && (v[0] == '"' || v[0] == '\'') {
			return true
		}
	}
	return depth == 0 && v[0] != '{' && v[0] != '['
}

// plainKeyLine reports whether a line is `key:` or `key: value` with a
// plain key, and returns the value text (comments dropped).
func plainKeyLine(line []byte) (inline []byte, ok bool) {
	t := bytes.TrimLeft(line, " ")
	t = bytes.TrimRight(t, " \r\n")
	if len(t) > 0 && (t[0] == '"' || t[0] == '\'') {
		// A quoted key: the quote must close, then ':' and a space or the end.
		q := closingQuote(t)
		if q < 0 || q+1 >= len(t) || t[q+1] != ':' || (q+2 < len(t) && t[q+2] != ' ') {
			return nil, false
		}
		v := bytes.TrimSpace(t[q+2:])
		if len(v) > 0 && v[0] == '#' {
			v = nil
		}
		return v, true
	}
	if len(t) == 0 || bytes.IndexByte([]byte("\"'{}[],&*!|>%@`#?-:"), t[0]) >= 0 {
		return nil, false
	}
	i := 0
	for ; i < len(t); i++ {
		c := t[i]
		if c == ':' && (i+1 == len(t) || t[i+1] == ' ') {
			break
		}
		if c == '#' || c == '"' || c == '\'' || c == '{' || c == '[' || c == ',' {
			return nil, false
		}
	}
	if i == len(t) {
		return nil, false
	}
	v := bytes.TrimSpace(t[i+1:])
	if len(v) > 0 && v[0] == '#' {
		v = nil
	}
	return v, true
}

// closingQuote returns the index of the quote that closes the one at t[0],
// or -1.
func closingQuote(t []byte) int {
	q := t[0]
	for j := 1; j < len(t); j++ {
		switch {
		case q == '"' && t[j] == '\\':
			j++
		case t[j] == q && q == '\'' && j+1 < len(t) && t[j+1] == '\'':
			j++
		case t[j] == q:
			return j
		}
	}
	return -1
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1]
	}
	return b
}

func firstContent[T any](lines []T, blank func(T) bool) int {
	for i, l := range lines {
		if !blank(l) {
			return i
		}
	}
	return len(lines)
}

// groupUnits joins consecutive units of the same kind into chunks of about
// size bytes.
func groupUnits(units []unit, size int) []unit {
	var out []unit
	for _, u := range units {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.section == u.section && last.end == u.start && last.end-last.start < size {
				last.end = u.end
				continue
			}
		}
		out = append(out, u)
	}
	return out
}

func shiftLines(n *Node, by int) {
	if n == nil || by == 0 {
		return
	}
	if n.Pos.Line > 0 {
		n.Pos.Line += by
	}
	for _, it := range n.Items {
		shiftLines(it, by)
	}
	for _, v := range n.Vals {
		shiftLines(v, by)
	}
}

func countNodes(n *Node) int {
	if n == nil {
		return 0
	}
	c := 1
	for _, it := range n.Items {
		c += countNodes(it)
	}
	for _, v := range n.Vals {
		c += countNodes(v)
	}
	return c
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }
