package variables

import (
	"encoding/json"

	"fmt"
	"prodready/shared/value"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a line-by-line port of osls 4.3.1
// lib/configuration/variables/parse.js: the Framework's variable syntax is
// whatever that state machine accepts, quirks included ("$${a:b}" is one
// variable, "${ a:b }" is not a variable, a literal fallback must be last), so
// the port keeps its states, its JavaScript falsiness tests and its messages.
// Keep it in step with parse.js rather than "improving" it.

// variable is one ${…} (or one escape) found in a string.
type variable struct {
	// start and end are byte offsets of the variable in the parsed text
	// (relative to the enclosing address or param for nested variables).
	start, end int
	// whole is set when the variable spans its whole text; the value then
	// keeps the resolved type instead of becoming a string.
	whole bool
	// escape is set for "\${" sequences: the text is replaced by repl and
	// nothing is resolved.
	escape bool
	repl   string
	// sources are the first choice and the fallbacks, in order.
	sources []*source
}

// source is one choice of a variable: a typed source (self:…, file(…):…) or a
// literal fallback ('x', "x", 10, true).
type source struct {
	typ       string
	hasParams bool    // written with parentheses, even empty ones
	params    []*meta // one per parameter
	address   *meta   // nil when no address was written
	literal   literal // for literal sources (typ == "")
}

// meta is the text of an address or a parameter and the variables nested in it.
type meta struct {
	lit  literal     // the text, or the literal a bare parameter parses to
	vars []*variable // nested variables, nil when there are none
	// start is the byte offset of the text in the same frame as the
	// enclosing variable's start, so an Unknown can be written back with
	// its resolved address substituted.
	start int
	// node is lit as a value, made once: sources only read it.
	node *value.Node
}

// literalKind says what a literal parsed to.
type literalKind uint8

const (
	litNull literalKind = iota
	litString
	litNumber
	litBool
)

// literal is a JavaScript primitive as parse.js produces them.
type literal struct {
	kind literalKind
	str  string
	num  float64
	b    bool
}

// truthy reports JavaScript truthiness ("metaValue || null" in generateMeta).
func (l literal) truthy() bool {
	switch l.kind {
	case litString:
		return l.str != ""
	case litNumber:
		return l.num != 0 && l.num == l.num
	case litBool:
		return l.b
	}
	return false
}

// text is the JavaScript String() of the literal.
func (l literal) text() string {
	switch l.kind {
	case litString:
		return l.str
	case litNumber:
		return jsNumberString(l.num)
	case litBool:
		if l.b {
			return "true"
		}
		return "false"
	}
	return "null"
}

// syntaxError is a variable syntax error with parse.js's message and code.
type syntaxError struct {
	msg  string
	code string
}

func (e *syntaxError) Error() string { return e.msg }

type parseState uint8

const (
	stOut parseState = iota
	stEscapeVar
	stEscapeVarDollar
	stMaybeVariableOpen
	stMaybeTypeStart
	stMaybeNextSourceStart
	stMaybeType
	stTypeOrSourceLiteral
	stParamStart
	stParam
	stAfterParamString
	stMaybeAddressOpen
	stMaybeAddressStart
	stAddress
	stAfterAddressString
	stAfterSourceLiteralString
	stForeign
	stEscapeString
	stDoubleQuotedString
	stSingleQuotedString
)

// varList and srcList are shared, growable lists: parse.js aliases the same
// array from several variables (variables, contextVariables, saved contexts),
// so they must have reference semantics. A nil pointer is JavaScript null.
type varList struct{ items []*variable }
type srcList struct{ items []*source }

type parseContext struct {
	state            parseState
	variableStart    int
	contextStart     int
	variables        *varList
	contextVariables *varList
	currentSource    *source
	sources          *srcList
}

type parser struct {
	value string
	index int
	char  byte

	state         parseState
	stringContext parseState
	variables     *varList
	sources       *srcList
	contexts      []parseContext
	hasContexts   bool
	currentSource *source

	contextStart     int
	contextVariables *varList
	escapeVarStart   int // -1 is null
	variableStart    int
	sourceStart      int
	paramStart       int
	addressStart     int
}

// parse returns the variables of s (nil when there are none), as parse.js does.
func parse(s string) ([]*variable, error) {
	if !strings.Contains(s, "${") {
		// Fast path: parse.js finds nothing without "${" (escapes need it too).
		return nil, nil
	}
	p := parsers.Get().(*parser)
	*p = parser{value: s, escapeVarStart: -1, contexts: p.contexts[:0]}
	vars, err := p.run()
	*p = parser{contexts: p.contexts[:0]}
	parsers.Put(p)
	return vars, err
}

// parsers recycles parser state: configurations hold thousands of strings
// with variables.
var parsers = sync.Pool{New: func() any { return new(parser) }}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' }

func isAlphaNumeric(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// isType matches /^[a-z][a-zA-Z0-9]*$/.
func isType(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// jsIndex converts a byte offset into the UTF-16 index JavaScript reports.
func jsIndex(s string, i int) int {
	if i > len(s) {
		i = len(s)
	}
	n := 0
	for _, r := range s[:i] {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func (p *parser) fail(code, format string, at int) error {
	return &syntaxError{msg: fmt.Sprintf(format, jsIndex(p.value, at), p.value), code: code}
}

func (p *parser) finalizeSource() {
	if p.sources == nil {
		p.sources = &srcList{}
	}
	p.sources.items = append(p.sources.items, p.currentSource)
	p.currentSource = nil
	p.state = stMaybeNextSourceStart
}

func (p *parser) finalizeVariable() {
	p.finalizeSource()
	if p.variables == nil {
		p.variables = &varList{}
	}
	p.variables.items = append(p.variables.items, &variable{
		start:   p.variableStart - p.contextStart,
		end:     p.index + 1 - p.contextStart,
		sources: p.sources.items,
	})
	p.sources = nil
	p.releaseContext()
}

func ceilHalf(n int) int {
	if n <= 0 {
		return 0
	}
	return (n + 1) / 2
}

func (p *parser) registerVarEscape() {
	if p.variables == nil {
		p.variables = &varList{}
	}
	p.variables.items = append(p.variables.items, &variable{
		start:  p.escapeVarStart - p.contextStart,
		end:    p.index - p.contextStart,
		escape: true,
		repl:   strings.Repeat(`\`, ceilHalf(p.index-1-p.escapeVarStart-1)) + p.value[p.index-1:p.index],
	})
	p.escapeVarStart = -1
}

func (p *parser) registerSlashEscape() {
	if p.variables == nil {
		p.variables = &varList{}
	}
	p.variables.items = append(p.variables.items, &variable{
		start:  p.escapeVarStart - p.contextStart,
		end:    p.index - 1 - p.contextStart,
		escape: true,
		repl:   strings.Repeat(`\`, ceilHalf(p.index-1-p.escapeVarStart-1)),
	})
	p.escapeVarStart = -1
}

// registerContext enters a nested variable. newContextStart < 0 means "the
// current context start" (the JavaScript default argument).
func (p *parser) registerContext(newContextStart int) {
	if newContextStart < 0 {
		newContextStart = p.contextStart
	}
	p.hasContexts = true
	if p.variables == nil {
		p.variables = &varList{}
	}
	if newContextStart != 0 && p.contextVariables == nil {
		p.contextVariables = &varList{}
	}
	p.contexts = append(p.contexts, parseContext{
		state:            p.state,
		variableStart:    p.variableStart,
		contextStart:     p.contextStart,
		variables:        p.variables,
		contextVariables: p.contextVariables,
		currentSource:    p.currentSource,
		sources:          p.sources,
	})
	p.state = stMaybeVariableOpen
	p.variableStart = p.index
	p.sources = nil
	if newContextStart != 0 {
		p.contextStart = newContextStart
		p.variables = p.contextVariables
	}
}

func (p *parser) releaseContext() {
	if !p.hasContexts || len(p.contexts) == 0 {
		p.state = stOut
		return
	}
	c := p.contexts[len(p.contexts)-1]
	p.contexts = p.contexts[:len(p.contexts)-1]
	if len(p.contexts) == 0 {
		p.hasContexts = false
	}
	p.state, p.variableStart, p.variables, p.contextVariables, p.currentSource, p.sources =
		c.state, c.variableStart, c.variables, c.contextVariables, c.currentSource, c.sources
	if p.state == stParam {
		p.paramStart = p.contextStart
	}
	if p.state == stAddress {
		p.addressStart = p.contextStart
	}
	p.contextStart = c.contextStart
}

// inNonForeignContext is `contexts && contexts.some(c => c.state !== 'foreign')`.
func (p *parser) inNonForeignContext() bool {
	if !p.hasContexts {
		return false
	}
	for _, c := range p.contexts {
		if c.state != stForeign {
			return true
		}
	}
	return false
}

// allContextsForeign is `!contexts || contexts.every(c => c.state === 'foreign')`.
func (p *parser) allContextsForeign() bool { return !p.inNonForeignContext() }

func normalizeVariables(text string, vars []*variable) []*variable {
	switch len(vars) {
	case 0:
		return nil
	case 1:
		if v := vars[0]; v.start == 0 && v.end == len(text) {
			v.whole = true
		}
	}
	return vars
}

func generateMeta(lit literal, vars *varList, start int) *meta {
	m := &meta{lit: lit, start: start}
	if !lit.truthy() {
		m.lit = literal{kind: litNull}
	}
	if vars == nil || len(vars.items) == 0 {
		return m
	}
	m.vars = normalizeVariables(lit.str, vars.items)
	return m
}

func (p *parser) parseString(start int) (literal, error) {
	raw := p.value[start:p.index]
	if p.value[start] == '\'' {
		t := jsTrim(raw)
		if len(t) < 2 {
			// "'".slice(1, -1) is "" in JavaScript.
			return literal{kind: litString}, nil
		}
		return literal{kind: litString, str: t[1 : len(t)-1]}, nil
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return literal{}, &syntaxError{
			msg:  fmt.Sprintf("Invalid string literal at index %d in \"%s\": %s", jsIndex(p.value, start), p.value, jsonReason(err)),
			code: "INVALID_VARIABLE_STRING_LITERAL",
		}
	}
	return literal{kind: litString, str: s}, nil
}

func jsonReason(err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, "json: ")
}

func (p *parser) parseLiteralSource(text string, fallbackToInput bool) (literal, error) {
	switch text {
	case "true":
		return literal{kind: litBool, b: true}, nil
	case "false":
		return literal{kind: litBool, b: false}, nil
	case "null":
		return literal{kind: litNull}, nil
	}
	if f, ok := jsNumber(text); ok {
		return literal{kind: litNumber, num: f}, nil
	}
	if fallbackToInput {
		return literal{kind: litString, str: text}, nil
	}
	return literal{}, &syntaxError{
		msg:  fmt.Sprintf("Invalid literal source \"%s\" at index %d in \"%s\"", text, jsIndex(p.value, p.sourceStart), p.value),
		code: "INVALID_VARIABLE_LITERAL_SOURCE",
	}
}

func (p *parser) run() ([]*variable, error) {
	p.state = stOut
	p.contextStart = 0
	p.contextVariables = nil
	for p.index = 0; p.index < len(p.value); p.index++ {
		p.char = p.value[p.index]
		char := p.char
		switch p.state {
		case stOut:
			if char == '\\' {
				if p.escapeVarStart < 0 {
					p.escapeVarStart = p.index
				}
				p.state = stEscapeVar
			} else if char == '$' {
				p.variableStart = p.index
				p.state = stMaybeVariableOpen
			} else {
				p.escapeVarStart = -1
			}
		case stEscapeVar:
			if char == '$' {
				p.state = stEscapeVarDollar
			} else {
				if char != '\\' {
					p.escapeVarStart = -1
				}
				p.state = stOut
			}
		case stEscapeVarDollar:
			if char == '{' {
				p.registerVarEscape()
				p.state = stOut
			} else {
				p.escapeVarStart = -1
				if char == '\\' {
					p.escapeVarStart = p.index
					p.state = stEscapeVar
				} else if char == '$' {
					p.variableStart = p.index
					p.state = stMaybeVariableOpen
				} else {
					p.state = stOut
				}
			}
		case stMaybeVariableOpen:
			if char == '{' {
				if p.escapeVarStart >= 0 {
					p.registerSlashEscape()
				}
				p.state = stMaybeTypeStart
			} else {
				p.escapeVarStart = -1
				if char != '$' {
					p.releaseContext()
				}
			}
		case stMaybeTypeStart:
			if isAlpha(char) {
				p.sourceStart = p.index
				p.state = stMaybeType
			} else if p.inNonForeignContext() {
				return nil, p.fail("INVALID_VARIABLE_TYPE", "Invalid variable type at index %d in \"%s\"", p.index)
			} else if char == '}' {
				p.releaseContext()
			} else {
				p.state = stForeign
				if char == '$' {
					p.registerContext(-1)
				}
			}
		case stMaybeNextSourceStart:
			if char == ' ' {
				continue
			}
			p.sourceStart = p.index
			switch {
			case isAlphaNumeric(char):
				p.state = stTypeOrSourceLiteral
			case char == '"':
				p.stringContext = stAfterSourceLiteralString
				p.state = stDoubleQuotedString
			case char == '\'':
				p.stringContext = stAfterSourceLiteralString
				p.state = stSingleQuotedString
			default:
				return nil, p.fail("INVALID_VARIABLE_SOURCE", "Invalid variable source at index %d in \"%s\"", p.index)
			}
		case stMaybeType:
			if char == ':' {
				p.currentSource = &source{typ: p.value[p.sourceStart:p.index]}
				p.state = stMaybeAddressStart
			} else if char == '(' {
				p.currentSource = &source{typ: p.value[p.sourceStart:p.index], hasParams: true}
				p.state = stParamStart
			} else if !isAlphaNumeric(char) {
				if p.inNonForeignContext() {
					return nil, p.fail("INVALID_VARIABLE_TYPE", "Invalid variable type at index %d in \"%s\"", p.sourceStart)
				}
				if char == '}' {
					p.releaseContext()
				} else {
					p.state = stForeign
					if char == '$' {
						p.registerContext(-1)
					}
				}
			}
		case stTypeOrSourceLiteral:
			if char == ' ' {
				continue
			}
			if char == ':' || char == '(' {
				typ := p.value[p.sourceStart:p.index]
				if !isType(typ) {
					return nil, p.fail("INVALID_VARIABLE_SOURCE", "Invalid variable source at index %d in \"%s\"", p.sourceStart)
				}
				if char == ':' {
					p.currentSource = &source{typ: typ}
					p.state = stMaybeAddressStart
				} else {
					p.currentSource = &source{typ: typ, hasParams: true}
					p.state = stParamStart
				}
			} else if char == '}' {
				lit, err := p.parseLiteralSource(jsTrim(p.value[p.sourceStart:p.index]), false)
				if err != nil {
					return nil, err
				}
				p.currentSource = &source{literal: lit}
				p.finalizeVariable()
			} else if !isAlphaNumeric(char) {
				return nil, p.fail("INVALID_VARIABLE_SOURCE", "Invalid variable source at index %d in \"%s\"", p.sourceStart)
			}
		case stParamStart:
			if char == ' ' {
				continue
			}
			switch char {
			case ')':
				p.state = stMaybeAddressOpen
			case ',':
				p.currentSource.params = append(p.currentSource.params, &meta{lit: literal{kind: litNull}})
			case '}':
				return nil, p.fail("INVALID_VARIABLE_PARAM", "Invalid variable param at index %d in \"%s\"", p.index)
			default:
				p.paramStart = p.index
				if char == '"' {
					p.stringContext = stAfterParamString
					p.state = stDoubleQuotedString
				} else if char == '\'' {
					p.stringContext = stAfterParamString
					p.state = stSingleQuotedString
				} else {
					p.state = stParam
					p.contextVariables = nil
					if char == '$' {
						p.registerContext(p.paramStart)
					}
				}
			}
		case stParam:
			switch char {
			case ')', ',':
				text := jsTrim(p.value[p.paramStart:p.index])
				if char == ',' || text != "" {
					lit := literal{kind: litString, str: text}
					if p.contextVariables == nil {
						var err error
						if lit, err = p.parseLiteralSource(text, true); err != nil {
							return nil, err
						}
					}
					p.currentSource.params = append(p.currentSource.params, generateMeta(lit, p.contextVariables, p.paramStart-p.contextStart))
				}
				if char == ')' {
					p.state = stMaybeAddressOpen
				} else {
					p.state = stParamStart
				}
			case '}':
				return nil, p.fail("INVALID_VARIABLE_PARAM", "Invalid variable param at index %d in \"%s\"", p.paramStart)
			case '$':
				p.registerContext(p.paramStart)
			}
		case stAfterParamString:
			if char == ' ' {
				continue
			}
			if char == ')' || char == ',' {
				lit, err := p.parseString(p.paramStart)
				if err != nil {
					return nil, err
				}
				p.currentSource.params = append(p.currentSource.params, &meta{lit: lit})
				if char == ')' {
					p.state = stMaybeAddressOpen
				} else {
					p.state = stParamStart
				}
			} else {
				return nil, p.fail("INVALID_VARIABLE_PARAM", "Invalid variable param at index %d in \"%s\"", p.paramStart)
			}
		case stMaybeAddressOpen:
			if char == ' ' {
				continue
			}
			switch char {
			case ':':
				p.state = stMaybeAddressStart
			case '}':
				p.finalizeVariable()
			case ',':
				p.finalizeSource()
			default:
				return nil, p.fail("INVALID_VARIABLE_ADDRESS", "Invalid variable address at index %d in \"%s\"", p.index)
			}
		case stMaybeAddressStart:
			if char == ' ' {
				continue
			}
			if char == '}' {
				p.finalizeVariable()
			} else if char == ',' {
				p.finalizeSource()
			} else {
				p.addressStart = p.index
				switch char {
				case ':':
					if !p.currentSource.hasParams && p.allContextsForeign() {
						p.currentSource = nil
						p.state = stForeign
					} else {
						return nil, p.fail("INVALID_VARIABLE_ADDRESS", "Invalid variable address at index %d in \"%s\"", p.addressStart)
					}
				case '"':
					p.stringContext = stAfterAddressString
					p.state = stDoubleQuotedString
				case '\'':
					p.stringContext = stAfterAddressString
					p.state = stSingleQuotedString
				default:
					p.state = stAddress
					p.contextVariables = nil
					if char == '$' {
						p.registerContext(p.addressStart)
					}
				}
			}
		case stAddress:
			switch char {
			case '}', ',':
				text := jsTrim(p.value[p.addressStart:p.index])
				p.currentSource.address = generateMeta(literal{kind: litString, str: text}, p.contextVariables, p.addressStart-p.contextStart)
				if char == '}' {
					p.finalizeVariable()
				} else {
					p.finalizeSource()
				}
			case '$':
				p.registerContext(p.addressStart)
			}
		case stAfterAddressString:
			if char == ' ' {
				continue
			}
			if char == '}' || char == ',' {
				lit, err := p.parseString(p.addressStart)
				if err != nil {
					return nil, err
				}
				p.currentSource.address = &meta{lit: lit}
				if char == '}' {
					p.finalizeVariable()
				} else {
					p.finalizeSource()
				}
			} else {
				return nil, p.fail("INVALID_VARIABLE_ADDRESS", "Invalid variable address at index %d in \"%s\"", p.addressStart)
			}
		case stAfterSourceLiteralString:
			if char == ' ' {
				continue
			}
			if char == '}' {
				lit, err := p.parseString(p.sourceStart)
				if err != nil {
					return nil, err
				}
				p.currentSource = &source{literal: lit}
				p.finalizeVariable()
			} else {
				return nil, p.fail("INVALID_VARIABLE_SOURCE", "Invalid variable source at index %d in \"%s\"", p.sourceStart)
			}
		case stForeign:
			if char == '}' {
				p.releaseContext()
			} else if char == '$' {
				p.registerContext(-1)
			}
		case stEscapeString:
			p.state = stDoubleQuotedString
		case stDoubleQuotedString:
			if char == '"' {
				p.state = p.stringContext
			} else if char == '\\' {
				p.state = stEscapeString
			}
		case stSingleQuotedString:
			if char == '\'' {
				p.state = p.stringContext
			}
		}
	}
	if p.currentSource != nil || p.sources != nil {
		return nil, &syntaxError{msg: "Missing variable closing bracket in " + p.value, code: "UNTERMINATED_VARIABLE"}
	}
	if p.variables == nil {
		return nil, nil
	}
	return normalizeVariables(p.value, p.variables.items), nil
}

// jsTrim is String.prototype.trim: JavaScript's white space and line
// terminators, which differ from unicode.IsSpace at U+0085 and U+FEFF.
func jsTrim(s string) string {
	isWS := func(r rune) bool {
		switch r {
		case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
			return true
		}
		return r >= 0x2000 && r <= 0x200a
	}
	return strings.TrimFunc(s, isWS)
}

// utf16Units returns the UTF-16 code units of s, JavaScript's string indexes.
func utf16Units(s string) []uint16 {
	if isASCII(s) {
		u := make([]uint16, len(s))
		for i := 0; i < len(s); i++ {
			u[i] = uint16(s[i])
		}
		return u
	}
	return utf16.Encode([]rune(s))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
