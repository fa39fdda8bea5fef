package audit

import (
	"bytes"
	"encoding/json"
	"time"

	"prodready/shared/collect"
	"prodready/shared/findings"
)

// Status is the verdict of a run.
type Status string

// The statuses of a run, and the exit codes `safeguard audit` gives them.
const (
	// Pass: everything was read and nothing fails.
	Pass Status = "pass"
	// Fail: everything was read and something fails.
	Fail Status = "fail"
	// Incomplete: a service (or the configuration) could not be read, so
	// the absence of a failure proves nothing. Worse than Fail.
	Incomplete Status = "incomplete"
)

// ExitCode is the command's exit status for s: 0 pass, 1 failures, 2 could not audit.
func (s Status) ExitCode() int {
	switch s {
	case Pass:
		return 0
	case Fail:
		return 1
	}
	return 2
}

// Document is the JSON report stored per run: the same shape as
// `safeguard check --format json` (findings carry the resource's ARN) plus
// an "audit" object saying how the run went.
type Document struct {
	findings.Report
	Audit RunInfo `json:"audit"`
}

// RunInfo describes a run: its status, what it read and what it cost.
type RunInfo struct {
	Status   Status    `json:"status"`
	Started  time.Time `json:"started"`
	Duration float64   `json:"durationSeconds"`
	// Resources is the number of resources collected.
	Resources int `json:"resources"`
	// Calls is the number of AWS API calls made (Attempts counts retries too).
	Calls            int                      `json:"calls"`
	Attempts         int                      `json:"attempts,omitempty"`
	CallsPerResource float64                  `json:"callsPerResource"`
	Operations       []collect.OperationCount `json:"operations,omitempty"`
	Services         []collect.ServiceStat    `json:"services"`
	// NotAudited lists what could not be read.
	NotAudited []collect.Failure `json:"notAudited"`
	// ConfigErrors are problems with the auditor's configuration (an
	// exemptions file that does not parse).
	ConfigErrors []string `json:"configErrors,omitempty"`
	// New and Fixed count the changes since the previous report.
	New      int    `json:"new"`
	Fixed    int    `json:"fixed"`
	Previous string `json:"previous,omitempty"`
}

func (r RunInfo) notAuditedServices() []string {
	var out []string
	for _, f := range r.NotAudited {
		if len(out) == 0 || out[len(out)-1] != f.Service {
			out = append(out, f.Service)
		}
	}
	return out
}

// encode writes the document as indented JSON without HTML escaping
// (messages quote code such as "<name>").
func (d *Document) encode() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// DecodeDocument reads a stored report.
func DecodeDocument(data []byte) (*Document, error) {
	var d Document
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	return &d, nil
}
