package report

import (
	"bytes"
	"encoding/xml"
	"strings"

	"prodready/shared/findings"
)

// JUnit XML as CI test views read it (Jenkins, GitLab, Azure DevOps): a
// suite per rule, a test case per resource the rule checked. A failing
// resource is a failure, an exempted one is skipped with the exemption as
// its message, a passing one a plain test case. encoding/xml does the
// escaping, including characters XML cannot carry at all.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func renderJUnit(v *view, _ Options) ([]byte, error) {
	doc := junitSuites{Name: "safeguard"}
	// Cases per rule in book order; within a rule, in the view's order with
	// failures and exemptions before passes.
	byRule := map[string][]junitCase{}
	add := func(f findings.Finding, c junitCase) { byRule[f.Rule] = append(byRule[f.Rule], c) }
	for _, f := range v.findings {
		c := junitCaseOf(f)
		if f.Status == findings.Exempt {
			c.Skipped = &junitSkipped{Message: "exempted: " + justification(f)}
		} else {
			c.Failure = &junitFailure{Message: f.Message, Type: f.Severity, Body: failureBody(v, f)}
		}
		add(f, c)
	}
	for _, f := range v.passed {
		add(f, junitCaseOf(f))
	}
	// v.rules holds every rule a finding names, so this loses no case.
	for _, r := range v.rules {
		cases, ok := byRule[r.ID]
		if !ok {
			continue
		}
		s := junitSuite{Name: r.ID + ": " + ruleTitle(r), Cases: cases}
		if r.Pillar != "" {
			s.Properties = append(s.Properties, junitProperty{Name: "pillar", Value: string(r.Pillar)})
		}
		if r.Point != "" {
			s.Properties = append(s.Properties, junitProperty{Name: "checklistPoint", Value: r.Point})
		}
		for _, c := range s.Cases {
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, s)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func junitCaseOf(f findings.Finding) junitCase {
	name := f.Resource
	if f.Type != "" {
		name += " (" + f.Type + ")"
	}
	return junitCase{Name: name, Classname: "safeguard." + f.Rule, File: f.File, Line: f.Line}
}

// failureBody is what a CI page shows when the failure is opened: the
// message, where to look and how to fix it.
func failureBody(v *view, f findings.Finding) string {
	lines := []string{f.Message}
	if loc := location(f.File, f.Line, f.Column); loc != "" {
		lines = append(lines, "at "+loc)
	}
	if f.ARN != "" {
		lines = append(lines, "resource "+f.ARN)
	}
	if r := v.rule(f); r.Remediation != "" {
		lines = append(lines, "fix: "+r.Remediation)
	}
	return strings.Join(lines, "\n")
}
