// Command floor is the floor of quire's run-time benchmarks: the least a
// pipeline runner can do to run its jobs, which is to exec each job's
// command and wait for it.
//
//	floor [-n N] [-p P] CMD [ARG…]
//
// runs CMD N times (default once), at most P at a time (default 1, one
// after another), with the standard streams discarded, and exits 1 if any
// run failed.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
)

func main() {
	n := flag.Int("n", 1, "run the command `N` times")
	p := flag.Int("p", 1, "at most `P` at a time")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: floor [-n N] [-p P] CMD [ARG…]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *n < 0 || *p < 1 {
		flag.Usage()
		os.Exit(2)
	}
	argv := flag.Args()
	var failed atomic.Bool
	next := make(chan struct{})
	var wg sync.WaitGroup
	for range min(*p, max(*n, 1)) {
		wg.Go(func() {
			for range next {
				if err := exec.Command(argv[0], argv[1:]...).Run(); err != nil {
					fmt.Fprintf(os.Stderr, "floor: %v\n", err)
					failed.Store(true)
				}
			}
		})
	}
	for range *n {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	if failed.Load() {
		os.Exit(1)
	}
}
