package plugin

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFailClosed: when the check cannot run or cannot finish, the command
// fails with a message saying why, even in a stage that is not enforced,
// and the package is withdrawn.
func TestFailClosed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// stub is a shell script standing in for the binary ("" = the real one).
		stub string
		// bin overrides SAFEGUARD_BIN (noBinary: unset).
		bin string
		// safeguard is YAML under custom.safeguard.
		safeguard string
		want      []string
	}{
		{
			name: "no binary anywhere",
			bin:  noBinary,
			want: []string{"the safeguard binary was not found", "go install ./safeguard", "SAFEGUARD_BIN=/path/to/safeguard"},
		},
		{
			name: "SAFEGUARD_BIN names no file",
			bin:  "/nonexistent/safeguard",
			want: []string{"SAFEGUARD_BIN is /nonexistent/safeguard, which is not an executable file", "go install ./safeguard"},
		},
		{
			name:      "custom.safeguard.binary names no file",
			safeguard: "    binary: bin/safeguard\n",
			want:      []string{"custom.safeguard.binary is bin/safeguard", "is not an executable file"},
		},
		{
			name: "binary exits 2",
			stub: "echo 'safeguard: cannot check: stub cannot read the template' >&2\nexit 2\n",
			want: []string{"the check could not be completed", "exited with status 2", "stub cannot read the template"},
		},
		{
			name: "binary crashes",
			stub: "echo 'panic: stub' >&2\nkill -SEGV $$\n",
			want: []string{"the check could not be completed", "was killed by SIGSEGV", "panic: stub"},
		},
		{
			name: "binary passes without a report",
			stub: "echo looks fine to me\nexit 0\n",
			want: []string{"exited 0 but its report is unreadable"},
		},
		{
			name:      "real binary rejects the configuration",
			safeguard: "    exemptions:\n      - rule: api-authorizer\n        resource: '*'\n",
			want:      []string{"the check could not be completed", "exited with status 2", "cannot check"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc := newService(t, ordersAPI(t), true)
			r := run{Bin: tc.bin}
			if tc.stub != "" {
				r.Bin = filepath.Join(t.TempDir(), "safeguard")
				if err := os.WriteFile(r.Bin, []byte("#!/bin/sh\n"+tc.stub), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if tc.safeguard != "" {
				svc.setSafeguard(tc.safeguard)
			}
			res := svc.sls(r, "package", "--stage", "development")
			if res.Code == 0 {
				t.Fatalf("package passed although the check could not run:\n%s", res)
			}
			assertContains(t, res, tc.want...)
			assertWithdrawn(t, filepath.Join(svc.Dir, ".serverless"), tc.want[0])
		})
	}
}
