package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// The check runs on every `sls package`: it must not link the AWS SDK or the
// X-Ray SDK, whose start-up alone costs about 20 and 25 MB of memory. The
// AWS-facing subcommands live in safeguard-aws.
func TestSafeguardLinksNoAWSSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "prodready/safeguard").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/aws/aws-sdk-go") || strings.HasPrefix(dep, "github.com/aws/aws-xray-sdk-go") {
			t.Errorf("safeguard depends on %s", dep)
		}
	}
}
