// SPDX-License-Identifier: Apache-2.0
//
// Acceptance 4: 300 concurrent QueryData calls against a slow backend all
// succeed, and a CheckHealth on another datasource answers while they are
// still running (the query pool is busy; health has its own lane).

package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"errortriage/pluginv2"
)

const (
	loadCalls = 300
	loadDelay = 250 * time.Millisecond
)

func runLoad(path string) {
	slow := startBackend(loadDelay)
	fast := startBackend(0)
	slowDS := prometheusDatasource("slow", slow.URL())
	fastDS := prometheusDatasource("fast", fast.URL())
	h := launch(path)

	var done, failed int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	started := time.Now()
	for i := 0; i < loadCalls; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ref := fmt.Sprintf("Q%d", i)
			resp, err := h.data.QueryData(ctxTimeout(200*time.Second), queryRequest(slowDS,
				pluginv2.DataFrameFormat_ARROW, query(ref, "error-rate", `{}`)))
			if err == nil {
				if dr := resp.Responses[ref]; dr == nil || dr.Status != 200 || len(dr.Frames) == 0 {
					err = fmt.Errorf("refId %s: %+v", ref, dr)
				}
			}
			if err != nil {
				atomic.AddInt64(&failed, 1)
				firstErr.Store(err.Error())
			}
			atomic.AddInt64(&done, 1)
		}(i)
	}

	// Wait until the slow backend is busy with the plugin's queries, then ask
	// for health on the other datasource.
	busyBy := time.Now().Add(60 * time.Second)
	for slow.InFlight() < 4 && time.Now().Before(busyBy) {
		time.Sleep(5 * time.Millisecond)
	}
	check(slow.InFlight() >= 4, "the slow backend never got busy (in flight %d)", slow.InFlight())
	healthStart := time.Now()
	hc, err := h.diag.CheckHealth(ctxTimeout(60*time.Second), &pluginv2.CheckHealthRequest{PluginContext: fastDS.context()})
	healthTook := time.Since(healthStart)
	pending := loadCalls - atomic.LoadInt64(&done)
	check(err == nil && hc.Status == pluginv2.CheckHealthResponse_OK, "CheckHealth during the load: %v %v %q",
		err, hc.GetStatus(), hc.GetMessage())
	check(h.rpc.Ping() == nil, "Ping during the load failed")
	check(pending > 0, "CheckHealth answered only after every query had finished")
	logf("CheckHealth on another datasource during the load: %s, with %d QueryData calls still running",
		healthTook.Round(time.Microsecond), pending)

	wg.Wait()
	total := time.Since(started)
	if failed > 0 {
		fail("%d of %d QueryData calls failed; first: %v", failed, loadCalls, firstErr.Load())
	}
	logf("%d concurrent QueryData calls (backend delay %s): all answered in %s; backend saw %d requests, at most %d at once",
		loadCalls, loadDelay, total.Round(time.Millisecond), atomic.LoadInt64(&slow.requests), atomic.LoadInt64(&slow.maxSeen))

	took, code := h.kill()
	check(code == 0 && took < exitLimit, "after the load: exit %d in %s, want 0 within %s", code, took, exitLimit)
	logf("Kill: exit %d after %s", code, took.Round(time.Microsecond))
}
