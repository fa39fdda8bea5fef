package audit

import (
	"prodready/shared/emf"
	"prodready/shared/findings"
	"prodready/shared/rules"
)

// emitMetrics writes the run's EMF records: failing resources per rule
// (dimension Rule) and per pillar (dimension Pillar), zero included so an
// alarm on a rule sees data every night, and the run's totals without
// dimensions.
func emitMetrics(w *emf.Writer, book *rules.Book, rep findings.Report, info RunInfo, account, region string) error {
	props := map[string]any{"Account": account, "Region": region, "Status": string(info.Status)}
	perRule := map[string]map[string]bool{}
	perPillar := map[string]map[string]bool{}
	for _, f := range rep.Findings {
		if f.Status != findings.Fail {
			continue
		}
		key := findingKey(f)
		if perRule[f.Rule] == nil {
			perRule[f.Rule] = map[string]bool{}
		}
		perRule[f.Rule][key] = true
		if perPillar[f.Pillar] == nil {
			perPillar[f.Pillar] = map[string]bool{}
		}
		perPillar[f.Pillar][f.ARN+f.Resource] = true
	}
	skipped := map[string]bool{}
	for _, n := range rep.Notes {
		if n.Kind == "skipped-rule" {
			skipped[n.Subject] = true
		}
	}
	for _, r := range book.Rules() {
		if skipped[r.ID] {
			continue
		}
		if err := w.Emit(map[string]string{"Rule": r.ID}, props, emf.Metric{Name: "FailingResources", Value: float64(len(perRule[r.ID])), Unit: emf.Count}); err != nil {
			return err
		}
	}
	for _, p := range rules.Pillars {
		if err := w.Emit(map[string]string{"Pillar": string(p)}, props, emf.Metric{Name: "FailingResources", Value: float64(len(perPillar[string(p)])), Unit: emf.Count}); err != nil {
			return err
		}
	}
	incomplete := 0.0
	if info.Status == Incomplete {
		incomplete = 1
	}
	return w.Emit(map[string]string{}, props,
		emf.Metric{Name: "ResourcesAudited", Value: float64(info.Resources), Unit: emf.Count},
		emf.Metric{Name: "FailingFindings", Value: float64(rep.Summary.Failed), Unit: emf.Count},
		emf.Metric{Name: "NewFailures", Value: float64(info.New), Unit: emf.Count},
		emf.Metric{Name: "FixedFailures", Value: float64(info.Fixed), Unit: emf.Count},
		emf.Metric{Name: "ServicesNotAudited", Value: float64(len(info.notAuditedServices())), Unit: emf.Count},
		emf.Metric{Name: "AuditIncomplete", Value: incomplete, Unit: emf.Count},
		emf.Metric{Name: "APICalls", Value: float64(info.Calls), Unit: emf.Count},
		emf.Metric{Name: "DurationSeconds", Value: info.Duration, Unit: emf.Seconds},
	)
}
