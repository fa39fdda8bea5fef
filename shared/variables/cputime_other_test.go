//go:build !unix

package variables

import "time"

func processCPU() time.Duration { return 0 }
