package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"prodready/shared/inventory"
)

// CloudWatch alarms (metric and composite) and dashboards.
var cloudWatchService = Service{
	Name:    "cloudwatch",
	Types:   []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm", "AWS::CloudWatch::Dashboard"},
	Actions: []string{"cloudwatch:DescribeAlarms", "cloudwatch:ListDashboards", "cloudwatch:GetDashboard"},
	has:     func(c Clients) bool { return c.CloudWatch != nil },
	collect: func(ctx context.Context, s *svc) error {
		c := s.clients.CloudWatch
		p := cloudwatch.NewDescribeAlarmsPaginator(c, &cloudwatch.DescribeAlarmsInput{MaxRecords: new(int32(100)),
			AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm}})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("cloudwatch:DescribeAlarms", "", err)
			}
			for _, a := range out.MetricAlarms {
				addMetricAlarm(s, a)
			}
			for _, a := range out.CompositeAlarms {
				arn := str(a.AlarmArn)
				s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(a.AlarmName), Type: "AWS::CloudWatch::CompositeAlarm",
					Props: props{}.set("AlarmName", a.AlarmName).set("AlarmRule", a.AlarmRule).set("ActionsEnabled", a.ActionsEnabled).
						set("AlarmActions", a.AlarmActions).set("OKActions", a.OKActions).node(),
					Attrs: map[string]string{"StateValue": string(a.StateValue)}}, nil)
			}
		}
		var names []string
		dp := cloudwatch.NewListDashboardsPaginator(c, &cloudwatch.ListDashboardsInput{})
		for dp.HasMorePages() {
			out, err := dp.NextPage(ctx)
			if err != nil {
				return wrap("cloudwatch:ListDashboards", "", err)
			}
			for _, d := range out.DashboardEntries {
				names = append(names, str(d.DashboardName))
			}
		}
		return detail(ctx, s, names, func(n string) string { return n }, func(ctx context.Context, name string) error {
			out, err := c.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: &name})
			if err != nil {
				return wrap("cloudwatch:GetDashboard", name, err)
			}
			arn := str(out.DashboardArn)
			if arn == "" {
				arn = arnf("cloudwatch", "", s.o.Account, "dashboard/%s", name)
			}
			s.add(&inventory.Resource{ID: arn, ARN: arn, Name: name, Type: "AWS::CloudWatch::Dashboard",
				Props: props{}.set("DashboardName", name).set("DashboardBody", out.DashboardBody).node()}, nil)
			return nil
		})
	},
}

func addMetricAlarm(s *svc, a types.MetricAlarm) {
	arn := str(a.AlarmArn)
	ap := props{}.set("AlarmName", a.AlarmName).set("Namespace", a.Namespace).set("MetricName", a.MetricName).
		set("Dimensions", dimensions(a.Dimensions)).set("Statistic", string(a.Statistic)).set("ExtendedStatistic", a.ExtendedStatistic).
		set("Period", a.Period).set("EvaluationPeriods", a.EvaluationPeriods).set("DatapointsToAlarm", a.DatapointsToAlarm).
		set("Threshold", a.Threshold).set("ComparisonOperator", string(a.ComparisonOperator)).set("TreatMissingData", a.TreatMissingData).
		set("ActionsEnabled", a.ActionsEnabled).set("AlarmActions", a.AlarmActions).set("OKActions", a.OKActions).
		set("InsufficientDataActions", a.InsufficientDataActions).set("ThresholdMetricId", a.ThresholdMetricId)
	var metrics []any
	for _, m := range a.Metrics {
		mp := props{}.set("Id", m.Id).set("Expression", m.Expression).set("Label", m.Label).set("ReturnData", m.ReturnData).set("Period", m.Period)
		if ms := m.MetricStat; ms != nil {
			st := props{}.set("Period", ms.Period).set("Stat", ms.Stat).set("Unit", string(ms.Unit))
			if ms.Metric != nil {
				st.set("Metric", props{}.set("Namespace", ms.Metric.Namespace).set("MetricName", ms.Metric.MetricName).set("Dimensions", dimensions(ms.Metric.Dimensions)))
			}
			mp.set("MetricStat", st)
		}
		metrics = append(metrics, map[string]any(mp))
	}
	ap.set("Metrics", metrics)
	s.add(&inventory.Resource{ID: arn, ARN: arn, Name: str(a.AlarmName), Type: "AWS::CloudWatch::Alarm", Props: ap.node(),
		Attrs: map[string]string{"StateValue": string(a.StateValue)}}, nil)
}

func dimensions(ds []types.Dimension) []any {
	var out []any
	for _, d := range ds {
		out = append(out, map[string]any{"Name": str(d.Name), "Value": str(d.Value)})
	}
	return out
}
