package report

import (
	"encoding/xml"
	"strings"
	"testing"
)

type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitCountsAddUp(t *testing.T) {
	for name, rep := range cases() {
		t.Run(name, func(t *testing.T) {
			var doc junitDoc
			if err := xml.Unmarshal(render(t, "junit", rep, Options{}), &doc); err != nil {
				t.Fatalf("JUnit is not XML: %v", err)
			}
			var tests, failures, skipped int
			for _, s := range doc.Suites {
				var f, sk int
				for _, c := range s.Cases {
					if c.Failure != nil {
						f++
					}
					if c.Skipped != nil {
						sk++
					}
				}
				if s.Tests != len(s.Cases) || s.Failures != f || s.Skipped != sk {
					t.Errorf("suite %s says tests=%d failures=%d skipped=%d; its cases are %d, %d, %d", s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), f, sk)
				}
				tests, failures, skipped = tests+s.Tests, failures+s.Failures, skipped+s.Skipped
			}
			if doc.Tests != tests || doc.Failures != failures || doc.Skipped != skipped {
				t.Errorf("testsuites says %d/%d/%d, suites add up to %d/%d/%d", doc.Tests, doc.Failures, doc.Skipped, tests, failures, skipped)
			}
			s := rep.Summary
			if doc.Failures != s.Failed || doc.Skipped != s.Exempted || doc.Tests != s.Failed+s.Exempted+s.Passed {
				t.Errorf("JUnit %d tests, %d failures, %d skipped; summary %+v", doc.Tests, doc.Failures, doc.Skipped, s)
			}
		})
	}
}

func TestJUnitEscaping(t *testing.T) {
	rep := testReport("production")
	rep.Findings[0].Message = "a <b> & \"c\" ]]> \x00\x1b end"
	var doc junitDoc
	if err := xml.Unmarshal(render(t, "junit", rep, Options{}), &doc); err != nil {
		t.Fatalf("JUnit with hostile text is not XML: %v", err)
	}
	var found bool
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil && strings.HasPrefix(c.Failure.Message, "a <b> & \"c\" ]]>") {
				found = true
				if !strings.Contains(c.Failure.Body, "fix: ") || !strings.Contains(c.Failure.Body, "at /work/svc/") {
					t.Errorf("failure body lacks location or fix: %q", c.Failure.Body)
				}
			}
		}
	}
	if !found {
		t.Error("the hostile message did not survive a round trip")
	}
}
