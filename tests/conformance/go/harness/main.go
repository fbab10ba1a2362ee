// SPDX-License-Identifier: Apache-2.0
//
// Conformance harness: drives gpx_errortriage the way Grafana does, with a
// real go-plugin client (Debian's go-plugin 1.0.1, grpc-go 1.33) and the
// pluginv2 stubs generated from proto/ at build time.
//
//	harness lifecycle -plugin BIN   handshake, Ping, CheckHealth, QueryData, CallResource,
//	                                CollectMetrics, Kill -> exit 0 within 1 s, socket gone
//	harness badinput  -plugin BIN   no cookie, no protocol 2, malformed protobuf, unknown
//	                                methods, bad queries answered per refId, deadlines
//	harness load      -plugin BIN   300 concurrent QueryData against a slow backend while
//	                                CheckHealth on another datasource answers
//
// Every scenario has an overall time limit; on any failure the harness says
// what was expected and what came back, kills the plugin and exits 1.
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"time"
)

var (
	exitLimit time.Duration // the graceful-exit bound checked after every Kill

	cleanupMu sync.Mutex
	cleanups  []func()
)

// atCleanup registers f to run (last first) before the harness exits.
func atCleanup(f func()) {
	cleanupMu.Lock()
	cleanups = append(cleanups, f)
	cleanupMu.Unlock()
}

func runCleanups() {
	cleanupMu.Lock()
	fs := cleanups
	cleanups = nil
	cleanupMu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

// fail reports a failed check and ends the run.
func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	runCleanups()
	os.Exit(1)
}

func check(cond bool, format string, args ...interface{}) {
	if !cond {
		fail(format, args...)
	}
}

func logf(format string, args ...interface{}) {
	fmt.Printf("  "+format+"\n", args...)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: harness lifecycle|badinput|load -plugin BIN")
		os.Exit(2)
	}
	scenario := os.Args[1]
	fs := flag.NewFlagSet(scenario, flag.ExitOnError)
	pluginPath := fs.String("plugin", "", "path of the plugin executable")
	limit := fs.Duration("timeout", 240*time.Second, "overall time limit")
	fs.DurationVar(&exitLimit, "exit-limit", time.Second,
		"how soon the plugin must be gone after Kill (sanitizer builds add their exit-time leak check)")
	fs.Parse(os.Args[2:])
	if *pluginPath == "" {
		fmt.Fprintln(os.Stderr, "-plugin is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*pluginPath); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: plugin executable: %v (build the dist target first)\n", err)
		os.Exit(1)
	}

	timer := time.AfterFunc(*limit, func() {
		fail("%s did not finish within %s", scenario, *limit)
	})
	defer timer.Stop()

	switch scenario {
	case "lifecycle":
		runLifecycle(*pluginPath)
	case "badinput":
		runBadInput(*pluginPath)
	case "load":
		runLoad(*pluginPath)
	default:
		fmt.Fprintf(os.Stderr, "unknown scenario %q\n", scenario)
		os.Exit(2)
	}
	runCleanups()
	fmt.Printf("PASS %s\n", scenario)
}
