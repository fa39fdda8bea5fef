package variables

import (
	"math"
	"testing"
)

func TestJSNumberString(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {5, "5"}, {1.5, "1.5"}, {-2.5, "-2.5"},
		{0.1, "0.1"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"}, {1.5e21, "1.5e+21"},
		{1e-6, "0.000001"}, {1e-7, "1e-7"}, {1.25e-7, "1.25e-7"}, {123456.789, "123456.789"},
		{5e-324, "5e-324"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}, {math.NaN(), "NaN"},
	}
	for _, tc := range tests {
		if got := jsNumberString(tc.in); got != tc.want {
			t.Errorf("jsNumberString(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestJSNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"10", 10, true}, {" 10 ", 10, true}, {"", 0, true}, {"-2.5", -2.5, true}, {".5", 0.5, true},
		{"5.", 5, true}, {"1e3", 1000, true}, {"0x10", 16, true}, {"0o17", 15, true}, {"0b101", 5, true},
		{"-0x10", 0, false}, {"Infinity", math.Inf(1), true}, {"-Infinity", math.Inf(-1), true},
		{"inf", 0, false}, {"1e", 0, false}, {"1 2", 0, false}, {"1_000", 0, false}, {"abc", 0, false},
		{"1e400", math.Inf(1), true}, {"0x", 0, false},
	}
	for _, tc := range tests {
		got, ok := jsNumber(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("jsNumber(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
