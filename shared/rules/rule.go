// Package rules is the rulebook: one value per checklist point, each with the
// sentence of the standard it enforces, how to fix a failure, and a check
// over the whole inventory. Rules never see a source format: the same check
// runs on a serverless.yml, a compiled template and a live account.
package rules

import (
	"fmt"
	"runtime/debug"
	"slices"
	"sort"

	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/value"
)

// Pillar is a section of the standard's checklist.
type Pillar string

// The pillars, as the checklist names them.
const (
	Security     Pillar = "Security"
	Availability Pillar = "High availability"
	Monitoring   Pillar = "Monitoring and alerting"
	Backups      Pillar = "Back ups"
	Cost         Pillar = "Cost optimisation"
)

// Pillars in checklist order.
var Pillars = []Pillar{Security, Availability, Monitoring, Backups, Cost}

// PillarRank is a pillar's place in the checklist; names the checklist does
// not have come after.
func PillarRank(p string) int {
	for i, x := range Pillars {
		if string(x) == p {
			return i
		}
	}
	return len(Pillars)
}

// Rule is one checklist point made executable.
type Rule struct {
	// ID is stable: it is a public interface (exemptions and CI filters name it).
	ID     string
	Pillar Pillar
	// Point is the checklist item, such as "Security 2".
	Point string
	Title string
	// Checklist quotes the sentence of the standard the rule enforces.
	Checklist string
	// Rationale says why it matters, for `safeguard explain`.
	Rationale string
	// Remediation tells the person who hit the failure what to change.
	Remediation string
	// Example is a serverless.yml snippet that passes.
	Example string
	// LiveSkip, when set, says why the rule is not run against a live
	// account (it only makes sense before deploy).
	LiveSkip string
	// Check examines the inventory and records a result per resource.
	Check func(*Context)
}

// Result is a rule's verdict on one resource.
type Result struct {
	Rule     *Rule
	Resource string // display name (logical id or identifier)
	Type     string
	ARN      string
	Names    []string // every name the resource is known by, for exemptions
	Pass     bool
	Message  string
	Pos      value.Pos
}

// Context is what a check reads and where it records results.
type Context struct {
	Inv      *inventory.Inventory
	Settings policy.Settings
	rule     *Rule
	results  []Result
}

// Fail records that r breaks the rule; pos is the line to change (zero: the
// resource's own position).
func (c *Context) Fail(r *inventory.Resource, pos value.Pos, format string, args ...any) {
	c.add(r, pos, false, fmt.Sprintf(format, args...))
}

// Pass records that r complies.
func (c *Context) Pass(r *inventory.Resource, format string, args ...any) {
	c.add(r, value.Pos{}, true, fmt.Sprintf(format, args...))
}

// Check records a pass or a failure with the same message.
func (c *Context) Check(r *inventory.Resource, ok bool, pos value.Pos, format string, args ...any) {
	c.add(r, pos, ok, fmt.Sprintf(format, args...))
}

// FailService records a failure about the service as a whole (no single
// resource carries it, such as "no dashboard"). With no position given it
// points at the service's name in serverless.yml, when the loader knows it.
func (c *Context) FailService(pos value.Pos, format string, args ...any) {
	if n := c.Inv.Settings["service"]; pos.IsZero() && n != nil {
		pos = n.Pos
	}
	c.results = append(c.results, Result{Rule: c.rule, Resource: c.serviceName(), Type: "Service", Names: []string{c.serviceName()}, Message: fmt.Sprintf(format, args...), Pos: pos})
}

// PassService records that the service as a whole complies.
func (c *Context) PassService(format string, args ...any) {
	c.results = append(c.results, Result{Rule: c.rule, Resource: c.serviceName(), Type: "Service", Names: []string{c.serviceName()}, Pass: true, Message: fmt.Sprintf(format, args...)})
}

func (c *Context) serviceName() string {
	if c.Inv.Service != "" {
		return c.Inv.Service
	}
	return "service"
}

func (c *Context) add(r *inventory.Resource, pos value.Pos, pass bool, msg string) {
	if pos.IsZero() {
		pos = r.Pos
	}
	c.results = append(c.results, Result{Rule: c.rule, Resource: r.DisplayName(), Type: r.Type, ARN: r.ARN, Names: r.Names(), Pass: pass, Message: msg, Pos: pos})
}

// Live reports whether the inventory was read from an account.
func (c *Context) Live() bool { return c.Inv.Origin == inventory.FromLive }

// Book is an ordered set of rules.
type Book struct {
	rules []*Rule
	byID  map[string]*Rule
}

// NewBook returns a book of the given rules; ids must be unique.
func NewBook(rs ...*Rule) *Book {
	b := &Book{byID: map[string]*Rule{}}
	for _, r := range rs {
		if _, dup := b.byID[r.ID]; dup {
			panic("rules: duplicate rule id " + r.ID) // a programming error, caught by tests
		}
		b.rules = append(b.rules, r)
		b.byID[r.ID] = r
	}
	return b
}

// Rules returns the rules in book order.
func (b *Book) Rules() []*Rule { return b.rules }

// Get returns the rule with the given id.
func (b *Book) Get(id string) (*Rule, bool) { r, ok := b.byID[id]; return r, ok }

// Has reports whether id names a rule.
func (b *Book) Has(id string) bool { _, ok := b.byID[id]; return ok }

// Skipped is a rule not run, and why.
type Skipped struct {
	Rule   *Rule
	Reason string
}

// Run runs every rule (or those named in only) over the inventory. A rule
// that panics is an internal error: the run fails closed with that error
// rather than report a partial, passing result.
func (b *Book) Run(inv *inventory.Inventory, s policy.Settings, only ...string) (results []Result, skipped []Skipped, err error) {
	for _, r := range b.rules {
		if len(only) > 0 && !slices.Contains(only, r.ID) {
			continue
		}
		if inv.Origin == inventory.FromLive && r.LiveSkip != "" {
			skipped = append(skipped, Skipped{Rule: r, Reason: r.LiveSkip})
			continue
		}
		rs, err := runOne(r, inv, s)
		if err != nil {
			return nil, nil, err
		}
		results = append(results, rs...)
	}
	sort.SliceStable(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if a.Rule != b.Rule {
			return false // keep book order between rules
		}
		return a.Resource < b.Resource
	})
	return results, skipped, nil
}

func runOne(r *Rule, inv *inventory.Inventory, s policy.Settings) (out []Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error in rule %s: %v\n%s", r.ID, p, debug.Stack())
		}
	}()
	c := &Context{Inv: inv, Settings: s, rule: r}
	r.Check(c)
	return c.results, nil
}
