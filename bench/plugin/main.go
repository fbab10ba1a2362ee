// SPDX-License-Identifier: Apache-2.0
//
// Benchmark of the plugin core, with a Go client (grpc-go, like Grafana's;
// grpc-js adds its own overhead, see notes/grpc-plugin.md section 6):
//
//	start-to-handshake   process start until the handshake line is read (N runs)
//	idle RSS             resident memory of a plugin that has just started
//	unary QueryData      sequential calls answered without backend I/O: the whole
//	                     gRPC path, request decode, settings cache, query parse and
//	                     dispatch, response encode (a query the plugin rejects)
//	                     and, for comparison, an error-rate query whose backend is
//	                     an instant local Prometheus look-alike (HTTP + Arrow)
//	calls/s              the same no-backend QueryData from 8 goroutines at once
//
//	bench-plugin -plugin dist/gpx_errortriage_linux_amd64 [-calls 3000] [-starts 30]
//
// It prints figures and the targets next to them; it fails only when the
// plugin cannot be driven at all.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/ioutil"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"errortriage/pluginv2"

	"google.golang.org/grpc"
)

type plugin struct {
	cmd    *exec.Cmd
	socket string
	conn   *grpc.ClientConn
}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "bench-plugin: "+format+"\n", args...)
	os.Exit(1)
}

// start launches the plugin as Grafana would and returns once the handshake
// line has been read, with the time that took.
func start(path string) (*plugin, time.Duration) {
	cmd := exec.Command(path)
	cmd.Env = append(os.Environ(), "grafana_plugin_type=datasource", "PLUGIN_PROTOCOL_VERSIONS=2",
		"GF_PLUGIN_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		die("%v", err)
	}
	cmd.Stderr = os.Stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		die("start %s: %v", path, err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	took := time.Since(began)
	if err != nil {
		cmd.Process.Kill()
		die("no handshake line: %v", err)
	}
	parts := strings.Split(strings.TrimSpace(line), "|")
	if len(parts) != 5 || parts[2] != "unix" {
		cmd.Process.Kill()
		die("unexpected handshake %q", line)
	}
	go ioutil.ReadAll(stdout)
	return &plugin{cmd: cmd, socket: parts[3]}, took
}

func (p *plugin) dial() {
	dialer := func(ctx context.Context, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", p.socket)
	}
	conn, err := grpc.Dial("unused", grpc.WithInsecure(), grpc.WithContextDialer(dialer), grpc.WithBlock())
	if err != nil {
		die("dial: %v", err)
	}
	p.conn = conn
}

func (p *plugin) stop() {
	if p.conn != nil {
		p.conn.Close()
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

func statusField(pid int, key string) string {
	data, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, key+":") {
			return strings.TrimSpace(strings.TrimPrefix(line, key+":"))
		}
	}
	return "?"
}

func rssMB(pid int) float64 {
	kb, _ := strconv.ParseFloat(strings.Fields(statusField(pid, "VmRSS") + " 0")[0], 64)
	return kb / 1024
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return sorted[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/1e6) }

func verdict(ok bool) string {
	if ok {
		return "within target"
	}
	return "OVER TARGET"
}

func instantPrometheus() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		ok := func(data interface{}) {
			json.NewEncoder(w).Encode(map[string]interface{}{"status": "success", "data": data})
		}
		switch {
		case r.URL.Path == "/api/v1/label/__name__/values":
			ok([]string{"traces_span_metrics_calls_total", "traces_span_metrics_events_total"})
		case strings.HasPrefix(r.URL.Path, "/api/v1/label/"):
			ok([]string{"checkout"})
		case r.URL.Path == "/api/v1/query_range":
			start, _ := strconv.ParseFloat(r.Form.Get("start"), 64)
			step, _ := strconv.ParseFloat(r.Form.Get("step"), 64)
			vals := [][]interface{}{}
			for i := 0; i < 60; i++ {
				vals = append(vals, []interface{}{start + float64(i)*step, "0.02"})
			}
			ok(map[string]interface{}{"resultType": "matrix", "result": []interface{}{
				map[string]interface{}{"metric": map[string]string{"service_name": "checkout"}, "values": vals}}})
		default:
			ok(map[string]interface{}{"resultType": "vector", "result": []interface{}{}})
		}
	}))
}

func request(promURL, queryType, model string) *pluginv2.QueryDataRequest {
	now := time.Now().UnixNano() / 1e6
	return &pluginv2.QueryDataRequest{
		PluginContext: &pluginv2.PluginContext{OrgId: 1, DataSourceInstanceSettings: &pluginv2.DataSourceInstanceSettings{
			Uid: "bench", Name: "bench", LastUpdatedMS: 1,
			JsonData: []byte(fmt.Sprintf(`{"prometheusUrl":%q,"metricsSchema":"otel"}`, promURL)),
		}},
		Queries: []*pluginv2.DataQuery{{RefId: "A", QueryType: queryType, Json: []byte(model), IntervalMS: 60000,
			MaxDataPoints: 1000, TimeRange: &pluginv2.TimeRange{FromEpochMS: now - 3600e3, ToEpochMS: now}}},
	}
}

// sequential runs n calls one after another and returns their latencies, sorted.
func sequential(client pluginv2.DataClient, req *pluginv2.QueryDataRequest, n int, wantStatus int32) []time.Duration {
	lat := make([]time.Duration, 0, n)
	for i := 0; i < n+n/10; i++ {
		began := time.Now()
		resp, err := client.QueryData(context.Background(), req)
		took := time.Since(began)
		if err != nil {
			die("QueryData: %v", err)
		}
		if st := resp.Responses["A"].GetStatus(); st != wantStatus {
			die("QueryData answered %d (%s), want %d", st, resp.Responses["A"].GetError(), wantStatus)
		}
		if i >= n/10 { // the first 10% warm up
			lat = append(lat, took)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat
}

func main() {
	path := flag.String("plugin", "", "plugin executable")
	calls := flag.Int("calls", 3000, "sequential calls per latency figure")
	starts := flag.Int("starts", 30, "process starts for the handshake figure")
	seconds := flag.Float64("seconds", 3, "duration of the throughput run")
	flag.Parse()
	if *path == "" {
		die("-plugin is required")
	}
	fmt.Printf("plugin core benchmark: %s (%d CPUs, client grpc-go, %s)\n", *path, runtime.NumCPU(), runtime.Version())

	load, _ := ioutil.ReadFile("/proc/loadavg")
	fmt.Printf("machine load average: %s (figures below scale with it: client and plugin share the CPUs)\n",
		strings.Join(strings.Fields(string(load))[:3], " "))

	// exec + dynamic linking alone: the same binary without the cookie prints
	// its help text and exits, doing none of the plugin's start-up.
	var bare []time.Duration
	for i := 0; i < *starts; i++ {
		cmd := exec.Command(*path)
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		began := time.Now()
		cmd.Run()
		bare = append(bare, time.Since(began))
	}
	sort.Slice(bare, func(i, j int) bool { return bare[i] < bare[j] })

	// start-to-handshake
	var hs []time.Duration
	var cpu time.Duration
	for i := 0; i < *starts; i++ {
		p, took := start(*path)
		hs = append(hs, took)
		p.stop()
		cpu += p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	fmt.Printf("start-to-handshake:  median %s, p90 %s, min %s (%d starts)   target <= 20 ms: %s\n",
		ms(percentile(hs, 0.5)), ms(percentile(hs, 0.9)), ms(hs[0]), len(hs), verdict(percentile(hs, 0.5) <= 20*time.Millisecond))
	fmt.Printf("  of which exec + dynamic linking (libcurl and its ~30 libraries): median %s, min %s;\n"+
		"  CPU time of a whole start-handshake-SIGTERM-exit cycle: %s on average\n",
		ms(percentile(bare, 0.5)), ms(bare[0]), ms(cpu/time.Duration(len(hs))))

	p, _ := start(*path)
	defer p.stop()
	time.Sleep(300 * time.Millisecond)
	pid := p.cmd.Process.Pid
	idle := rssMB(pid)
	fmt.Printf("idle RSS:            %.1f MB (%s threads)   target <= 15 MB: %s\n", idle, statusField(pid, "Threads"), verdict(idle <= 15))

	p.dial()
	client := pluginv2.NewDataClient(p.conn)
	health := pluginv2.NewDiagnosticsClient(p.conn)
	var pings []time.Duration
	for i := 0; i < *calls; i++ {
		began := time.Now()
		if _, err := health.CollectMetrics(context.Background(), &pluginv2.CollectMetricsRequest{}); err != nil {
			die("CollectMetrics: %v", err)
		}
		pings = append(pings, time.Since(began))
	}
	sort.Slice(pings, func(i, j int) bool { return pings[i] < pings[j] })
	fmt.Printf("CollectMetrics (answered on the gRPC thread, no hand-off): p50 %s, p99 %s\n",
		ms(percentile(pings, 0.5)), ms(percentile(pings, 0.99)))
	prom := instantPrometheus()
	defer prom.Close()

	noBackend := request(prom.URL, "error-rate", `{"mode":"no-such-mode"}`)
	lat := sequential(client, noBackend, *calls, 400)
	fmt.Printf("QueryData, no backend I/O:        p50 %s, p99 %s, max %s (%d calls)   target p99 <= 2 ms: %s\n",
		ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)), ms(lat[len(lat)-1]), len(lat), verdict(percentile(lat, 0.99) <= 2*time.Millisecond))
	withBackend := request(prom.URL, "error-rate", `{"groupBy":"service"}`)
	lat = sequential(client, withBackend, *calls/3, 200)
	fmt.Printf("QueryData, instant local backend: p50 %s, p99 %s (%d calls; HTTP to Prometheus + Arrow encode)\n",
		ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)), len(lat))

	// throughput: 8 goroutines for a few seconds
	var count, failures int64
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if _, err := client.QueryData(context.Background(), noBackend); err != nil {
					atomic.AddInt64(&failures, 1)
				}
				atomic.AddInt64(&count, 1)
			}
		}()
	}
	began := time.Now()
	wg.Wait()
	rate := float64(count) / time.Since(began).Seconds()
	fmt.Printf("calls/s:             %.0f QueryData/s (no backend I/O, 8 concurrent clients, client and plugin share %d CPUs), %d failures\n",
		rate, runtime.NumCPU(), failures)
	fmt.Printf("RSS after the runs:  %.1f MB\n", rssMB(pid))
	if failures > 0 {
		die("%d calls failed", failures)
	}
}
