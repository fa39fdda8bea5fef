package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"prodready/shared/findings"
)

// Publisher is the part of the SNS client the notification needs.
type Publisher interface {
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// maxMessage keeps a notification well under SNS's 256 KiB.
const maxMessage = 200 << 10

// message renders the notification: only what changed, and where the full
// report is.
func message(account, region string, d Diff, status Status, reportURL string) (subject, body string) {
	subject = fmt.Sprintf("Safeguard audit %s %s: %d new, %d fixed", account, region, len(d.New), len(d.Fixed))
	if len(d.NotAudited) > 0 {
		subject += ", incomplete"
	}
	if len(subject) > 100 { // SNS subject limit
		subject = subject[:100]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Production-readiness audit of account %s, region %s: %s.\n", account, region, status)
	if d.First {
		b.WriteString("This is the first report: every failure is listed as new.\n")
	}
	if reportURL != "" {
		fmt.Fprintf(&b, "Full report: %s\n", reportURL)
	}
	if len(d.NotAudited) > 0 {
		fmt.Fprintf(&b, "\nNot audited (findings for these services are missing or unknown): %s\n", strings.Join(d.NotAudited, ", "))
	}
	section := func(title string, fs []findings.Finding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(fs))
		for i, f := range fs {
			line := fmt.Sprintf("- [%s] %s: %s\n", f.Rule, f.Resource, f.Message)
			if b.Len()+len(line) > maxMessage {
				fmt.Fprintf(&b, "… and %d more (see the full report)\n", len(fs)-i)
				return
			}
			b.WriteString(line)
		}
	}
	section("New failures", d.New)
	section("Fixed", d.Fixed)
	if d.Unknown > 0 {
		fmt.Fprintf(&b, "\n%d earlier failures could not be re-checked (service not audited).\n", d.Unknown)
	}
	return subject, b.String()
}

func notify(ctx context.Context, p Publisher, topic, subject, body string) error {
	if _, err := p.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Subject: &subject, Message: &body}); err != nil {
		return fmt.Errorf("notify %s: %w", topic, err)
	}
	return nil
}
