// Package minheap is a min-heap of ints. The compiler's topological order
// and the runtime's scheduler both keep the jobs that are ready in one, so
// that among them the earliest registered goes first.
package minheap

import "container/heap"

// Ints is a min-heap of ints. The zero value is an empty heap.
type Ints struct{ h ints }

// Len is the number of ints in the heap.
func (m *Ints) Len() int { return len(m.h) }

// Push adds i.
func (m *Ints) Push(i int) { heap.Push(&m.h, i) }

// Pop removes and returns the smallest int; the heap must not be empty.
func (m *Ints) Pop() int { return heap.Pop(&m.h).(int) }

// ints is the heap.Interface behind Ints.
type ints []int

func (h ints) Len() int           { return len(h) }
func (h ints) Less(i, j int) bool { return h[i] < h[j] }
func (h ints) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *ints) Push(x any)        { *h = append(*h, x.(int)) }
func (h *ints) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
