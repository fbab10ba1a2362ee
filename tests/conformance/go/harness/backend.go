// SPDX-License-Identifier: Apache-2.0
//
// A tiny Prometheus (and Tempo health) look-alike on 127.0.0.1: enough of the
// HTTP API for the error-rate and hotspots panels, the editor's dropdowns and
// the health check, with an optional delay on every request (the "slow
// backend" of the load scenario). It counts requests and those in flight.

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

type fakeBackend struct {
	srv      *httptest.Server
	delay    time.Duration
	requests int64
	inFlight int64
	maxSeen  int64
}

func startBackend(delay time.Duration) *fakeBackend {
	b := &fakeBackend{delay: delay}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	atCleanup(b.srv.Close)
	return b
}

func (b *fakeBackend) URL() string { return b.srv.URL }

func (b *fakeBackend) InFlight() int64 { return atomic.LoadInt64(&b.inFlight) }

func writeJSON(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func success(data interface{}) map[string]interface{} {
	return map[string]interface{}{"status": "success", "data": data}
}

func (b *fakeBackend) serve(w http.ResponseWriter, r *http.Request) {
	atomic.AddInt64(&b.requests, 1)
	n := atomic.AddInt64(&b.inFlight, 1)
	defer atomic.AddInt64(&b.inFlight, -1)
	for {
		m := atomic.LoadInt64(&b.maxSeen)
		if n <= m || atomic.CompareAndSwapInt64(&b.maxSeen, m, n) {
			break
		}
	}
	if b.delay > 0 {
		select {
		case <-time.After(b.delay):
		case <-r.Context().Done():
			return
		}
	}
	r.ParseForm()
	p := r.URL.Path
	switch {
	case p == "/api/v1/status/buildinfo":
		writeJSON(w, success(map[string]string{"version": "2.42.0"}))
	case p == "/api/v1/label/__name__/values":
		writeJSON(w, success([]string{"traces_span_metrics_calls_total",
			"traces_span_metrics_duration_milliseconds_bucket", "traces_span_metrics_events_total"}))
	case strings.HasPrefix(p, "/api/v1/label/") && strings.HasSuffix(p, "/values"):
		writeJSON(w, success([]string{"cart", "checkout"}))
	case p == "/api/v1/query_range":
		start, _ := strconv.ParseFloat(r.Form.Get("start"), 64)
		step, _ := strconv.ParseFloat(r.Form.Get("step"), 64)
		if step <= 0 {
			step = 60
		}
		values := [][]interface{}{}
		for i := 0; i < 5; i++ {
			values = append(values, []interface{}{start + float64(i)*step, fmt.Sprintf("%g", 0.01*float64(i+1))})
		}
		writeJSON(w, success(map[string]interface{}{"resultType": "matrix", "result": []interface{}{
			map[string]interface{}{"metric": map[string]string{"service_name": "checkout", "http_route": "/api/checkout"}, "values": values},
		}}))
	case p == "/api/v1/query":
		now := float64(time.Now().Unix())
		writeJSON(w, success(map[string]interface{}{"resultType": "vector", "result": []interface{}{
			map[string]interface{}{"metric": map[string]string{"service_name": "checkout", "http_route": "/api/checkout",
				"span_name": "POST /api/checkout", "exception_type": "TimeoutError"}, "value": []interface{}{now, "7"}},
		}}))
	case p == "/api/echo":
		w.Write([]byte("echo"))
	case p == "/api/status/buildinfo":
		writeJSON(w, map[string]string{"version": "2.6.0"})
	default:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("404 page not found"))
	}
}
