// Command maxrss runs a command and reports its peak resident memory, for
// machines without GNU time (/usr/bin/time -v):
//
//	maxrss CMD [ARG…]
//
// The command's output goes to this process's; afterwards one line
// "maxrss KB" goes to standard error, where KB is ru_maxrss from the wait4
// rusage of the child (the largest of the child and the descendants it
// waited for, as GNU time reports it). The exit status is the command's.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: maxrss CMD [ARG…]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintf(os.Stderr, "maxrss: %v\n", err)
		os.Exit(127)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "maxrss: no rusage on this system")
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "maxrss %d\n", ru.Maxrss) // kilobytes on Linux
	os.Exit(cmd.ProcessState.ExitCode())
}
