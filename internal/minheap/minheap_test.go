package minheap

import (
	"slices"
	"testing"
)

// Pop gives the ints back smallest first, whatever order they came in,
// also when pushes and pops alternate.
func TestPopsSmallestFirst(t *testing.T) {
	var h Ints
	for _, i := range []int{5, 1, 4, 1, 3} {
		h.Push(i)
	}
	var got []int
	got = append(got, h.Pop(), h.Pop())
	h.Push(0)
	h.Push(2)
	for h.Len() > 0 {
		got = append(got, h.Pop())
	}
	if want := []int{1, 1, 0, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("popped %v, want %v", got, want)
	}
}
