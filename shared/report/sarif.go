package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"prodready/shared/findings"
	"prodready/shared/rules"
)

// SARIF 2.1.0 as GitHub code scanning ingests it. GitHub's documented
// subset shapes several choices here:
//   - every rule needs a non-empty shortDescription, fullDescription and
//     help.text; descriptions are cut at 1024 characters, names at 255;
//   - every result needs a physical artifact location: an upload with one
//     location-less (or logical-only) result is rejected whole. A finding
//     with no file of its own is anchored to the service's configuration
//     file (no region), with the resource as a logical location;
//   - partialFingerprints.primaryLocationLineHash is the only fingerprint
//     code scanning reads. Ours hashes rule and resource, so an alert keeps
//     its identity when lines move and when the message changes.
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	srcRoot      = "%SRCROOT%"
	maxDescLen   = 1024
	maxNameLen   = 255
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult                    `json:"results"`
	Properties         sarifRunProperties               `json:"properties"`
}

type sarifRunProperties struct {
	Service string           `json:"service,omitempty"`
	Stage   string           `json:"stage,omitempty"`
	Source  string           `json:"source,omitempty"`
	Summary findings.Summary `json:"summary"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name    string      `json:"name"`
	Version string      `json:"version,omitempty"`
	Rules   []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifHelp          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags  []string `json:"tags"`
	Point string   `json:"checklistPoint,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          sarifResultProps   `json:"properties"`
}

type sarifResultProps struct {
	Resource     string `json:"resource"`
	ResourceType string `json:"resourceType,omitempty"`
	ARN          string `json:"arn,omitempty"`
	Status       string `json:"status"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

func renderSARIF(v *view, o Options) ([]byte, error) {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "safeguard", Version: o.Version, Rules: []sarifRule{}}},
		// An empty results array (not null) tells code scanning that
		// everything passed, closing alerts that are now fixed.
		Results:    []sarifResult{},
		Properties: sarifRunProperties{Service: v.rep.Service, Stage: v.rep.Stage, Source: relPath(v.rep.Source, o.BaseDir), Summary: v.rep.Summary},
	}
	for _, r := range v.rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(r))
	}
	if o.BaseDir != "" {
		if abs, err := filepath.Abs(o.BaseDir); err == nil {
			run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: fileURI(abs) + "/"}}
		}
	}
	anchor := anchorFile(v)
	seen := map[string]int{}
	for _, f := range v.findings {
		id := resultIdentity(f)
		seen[id]++
		res := sarifResult{
			RuleID:    f.Rule,
			RuleIndex: v.ruleAt[f.Rule],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: cmpOr(f.Message, ruleTitle(v.rule(f))+": "+f.Resource)},
			Locations: []sarifLocation{sarifLocationOf(f, anchor, o.BaseDir)},
			PartialFingerprints: map[string]string{
				"primaryLocationLineHash": fmt.Sprintf("%s:%d", id, seen[id]),
				"safeguardResource/v1":    id,
			},
			Properties: sarifResultProps{Resource: f.Resource, ResourceType: f.Type, ARN: f.ARN, Status: string(f.Status)},
		}
		if f.Status == findings.Exempt {
			res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: justification(f)}}
		}
		run.Results = append(run.Results, res)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func sarifRuleOf(r *rules.Rule) sarifRule {
	title := ruleTitle(r)
	full := r.Checklist
	if full == "" {
		full = title
	}
	if r.Point != "" {
		full = r.Point + ": " + full
	}
	tags := []string{}
	if r.Pillar != "" {
		tags = append(tags, string(r.Pillar))
	}
	return sarifRule{
		ID:                   r.ID,
		Name:                 truncate(r.ID, maxNameLen),
		ShortDescription:     sarifText{Text: truncate(title, maxDescLen)},
		FullDescription:      sarifText{Text: truncate(full, maxDescLen)},
		Help:                 sarifHelp{Text: helpText(r), Markdown: helpMarkdown(r)},
		DefaultConfiguration: sarifConfiguration{Level: "error"}, // the checklist is for production, where every rule blocks
		Properties:           sarifRuleProps{Tags: tags, Point: r.Point},
	}
}

func helpText(r *rules.Rule) string {
	var parts []string
	if r.Remediation != "" {
		parts = append(parts, r.Remediation)
	}
	if r.Example != "" {
		parts = append(parts, "Example (serverless.yml):\n"+r.Example)
	}
	if r.Rationale != "" {
		parts = append(parts, "Why: "+r.Rationale)
	}
	if len(parts) == 0 {
		return ruleTitle(r) // help.text must not be empty
	}
	return strings.Join(parts, "\n\n")
}

func helpMarkdown(r *rules.Rule) string {
	var b strings.Builder
	if r.Checklist != "" {
		if r.Point != "" {
			b.WriteString("**" + mdEscape(r.Point) + "**\n\n")
		}
		b.WriteString("> " + mdEscape(oneLine(r.Checklist)) + "\n\n")
	}
	if r.Remediation != "" {
		b.WriteString("**Fix:** " + mdEscape(oneLine(r.Remediation)) + "\n\n")
	}
	if r.Example != "" {
		b.WriteString(codeBlock("yaml", r.Example) + "\n")
	}
	if r.Rationale != "" {
		b.WriteString("**Why:** " + mdEscape(oneLine(r.Rationale)) + "\n")
	}
	return strings.TrimSpace(b.String())
}

func sarifLevel(severity string) string {
	if severity == findings.SeverityError {
		return "error"
	}
	return "warning"
}

// sarifLocationOf places a finding: at its file, line and column when it has
// them; otherwise at the anchor file (no region) so code scanning accepts
// it, with the resource as a logical location either way.
func sarifLocationOf(f findings.Finding, anchor, base string) sarifLocation {
	loc := sarifLocation{LogicalLocations: []sarifLogicalLocation{{Name: f.Resource, FullyQualifiedName: f.ARN, Kind: "resource"}}}
	file := f.File
	if file == "" {
		file = anchor
	}
	if file == "" {
		return loc // a live audit: there is no file to point at
	}
	loc.PhysicalLocation = &sarifPhysicalLocation{ArtifactLocation: artifactOf(file, base)}
	if f.File != "" && f.Line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
	}
	return loc
}

// artifactOf names a file as code scanning expects: relative to the
// repository root (BaseDir) under %SRCROOT%, or an absolute file URI when
// it lies outside.
func artifactOf(file, base string) sarifArtifactLocation {
	p := relPath(file, base)
	if path.IsAbs(p) || filepath.IsAbs(file) && p == filepath.ToSlash(file) {
		return sarifArtifactLocation{URI: fileURI(p)}
	}
	return sarifArtifactLocation{URI: uriPath(p), URIBaseID: srcRoot}
}

func fileURI(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path, C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// anchorFile is the file fileless findings are shown at: the report's
// source when findings come from it, else the file most results point at
// (the service's configuration), else none.
func anchorFile(v *view) string {
	count := map[string]int{}
	for _, list := range [][]findings.Finding{v.findings, v.passed} {
		for _, f := range list {
			if f.File != "" {
				count[f.File]++
			}
		}
	}
	if count[v.rep.Source] > 0 {
		return v.rep.Source
	}
	files := make([]string, 0, len(count))
	for f := range count {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool {
		if count[files[i]] != count[files[j]] {
			return count[files[i]] > count[files[j]]
		}
		return files[i] < files[j]
	})
	if len(files) == 0 {
		return ""
	}
	return files[0]
}

// resultIdentity is stable across runs for the same rule on the same
// resource, whatever line it sits on and however the message is worded.
func resultIdentity(f findings.Finding) string {
	sum := sha256.Sum256([]byte(f.Rule + "\x00" + f.Resource))
	return hex.EncodeToString(sum[:8])
}

func justification(f findings.Finding) string {
	e := f.Exemption
	if e == nil {
		return "exempted in custom.safeguard.exemptions"
	}
	return fmt.Sprintf("exempted until %s, approved by %s: %s", e.Expires, e.ApprovedBy, e.Reason)
}

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
