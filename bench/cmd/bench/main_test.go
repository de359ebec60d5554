package main

import "testing"

// A target that asks for less than the floor is reported as out of reach,
// with the figures; one the floor leaves room for is not.
func TestBeyondFloor(t *testing.T) {
	if got, want := startupBeyondFloor(70.6, 2.37), "30× faster than the interpreter is 2.35 ms, less than the floor's 2.37 ms: faster than a program that only execs `true`"; got != want {
		t.Errorf("start-up:\n got %q\nwant %q", got, want)
	}
	if got := startupBeyondFloor(90, 2.37); got != "" {
		t.Errorf("start-up with room to spare: %q", got)
	}
	if got, want := makeBeyondFloor(0.42, 0.55), "make's 0.42 ms per job is less than the floor's 0.55 ms: faster than a Go program that only execs `sh -c true`"; got != want {
		t.Errorf("make:\n got %q\nwant %q", got, want)
	}
	if got := makeBeyondFloor(0.93, 0.84); got != "" {
		t.Errorf("make slower than the floor: %q", got)
	}
}
