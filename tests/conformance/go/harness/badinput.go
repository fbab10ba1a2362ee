// SPDX-License-Identifier: Apache-2.0
//
// Acceptance 3: bad input never crashes the plugin and gets a clear answer.

package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"time"

	"errortriage/pluginv2"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// rawCodec sends bytes as they are: the way to put a malformed message on the wire.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func invokeRaw(conn *grpc.ClientConn, method string, payload []byte) error {
	var out []byte
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return conn.Invoke(ctx, method, &payload, &out, grpc.ForceCodec(rawCodec{}))
}

func expectCode(err error, want codes.Code, what string) {
	st, _ := status.FromError(err)
	check(st.Code() == want, "%s: got %v (%v), want %v", what, st.Code(), err, want)
	logf("%s: %v %q", what, st.Code(), st.Message())
}

func runNoCookie(path string) {
	cmd := exec.Command(path)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	check(err != nil && code == 1, "without the cookie: exit status %d (%v), want 1", code, err)
	check(stdout.Len() == 0, "without the cookie: stdout must stay empty, got %q", stdout.String())
	check(strings.Contains(stderr.String(), "Grafana backend plugin") && strings.Contains(stderr.String(), "gpx_errortriage query"),
		"without the cookie: stderr does not explain what this is and how to run the CLI:\n%s", stderr.String())
	logf("no cookie: exit 1, %q", strings.SplitN(stderr.String(), "\n", 2)[0])
}

func runWrongProtocol(path string) {
	log := &syncBuffer{}
	client, cmd := newClient(path, []int{1}, nil, log)
	defer client.Kill()
	_, err := client.Client()
	check(err != nil, "a host offering only protocol 1 was accepted")
	// go-plugin copies the plugin's stderr into the log from its own goroutine,
	// which can lag behind the failed connect (a slow start, e.g. under valgrind).
	for i := 0; i < 50 && !strings.Contains(log.String(), "speaks version 2"); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	check(strings.Contains(log.String(), "[ERROR]") && strings.Contains(log.String(), "speaks version 2"),
		"no clear ERROR line from the plugin about the protocol version:\n%s", log.String())
	client.Kill()
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	check(code == 1, "protocol 1 only: exit status %d, want 1", code)
	logf("protocol 1 only: refused, exit 1 (%v)", err)
}

func runBadInput(path string) {
	runNoCookie(path)
	runWrongProtocol(path)

	backend := startBackend(0)
	slow := startBackend(60 * time.Second)
	ds := prometheusDatasource("bad-input", backend.URL())
	h := launch(path)

	garbage := []byte{0xff, 0xff, 0xff, 0xff, 0x0f}
	for _, m := range []string{"/pluginv2.Data/QueryData", "/pluginv2.Diagnostics/CheckHealth",
		"/pluginv2.Diagnostics/CollectMetrics", "/grpc.health.v1.Health/Check", "/plugin.GRPCController/Shutdown"} {
		expectCode(invokeRaw(h.conn, m, garbage), codes.InvalidArgument, "malformed "+m)
	}
	var out []byte
	desc := &grpc.StreamDesc{ServerStreams: true}
	cs, err := h.conn.NewStream(context.Background(), desc, "/pluginv2.Resource/CallResource", grpc.ForceCodec(rawCodec{}))
	check(err == nil, "raw stream: %v", err)
	check(cs.SendMsg(&garbage) == nil, "raw stream send")
	cs.CloseSend()
	expectCode(cs.RecvMsg(&out), codes.InvalidArgument, "malformed /pluginv2.Resource/CallResource")

	for _, m := range []string{"/pluginv2.Stream/SubscribeStream", "/pluginv2.Data/QueryChunkedData", "/no.Such/Method"} {
		expectCode(invokeRaw(h.conn, m, nil), codes.Unimplemented, "unknown method "+m)
	}

	resp, err := h.data.QueryData(ctxTimeout(30*time.Second), queryRequest(ds, pluginv2.DataFrameFormat_ARROW,
		query("A", "error-rate", `{}`),
		query("B", "error-rate", `{"groupBy": `),
		query("C", "no-such-type", `{}`),
		query("D", "", `{"queryType":"hotspots","limit":"ten"}`)))
	check(err == nil, "QueryData with bad queries: %v", err)
	expectFrames(answer(resp, "A"), "A", pluginv2.DataFrameFormat_ARROW)
	expectQueryError(answer(resp, "B"), "B", 400, "json")
	expectQueryError(answer(resp, "C"), "C", 400, "error-rate")
	expectQueryError(answer(resp, "D"), "D", 400, "limit")
	for _, r := range []string{"B", "C", "D"} {
		logf("refId %s: %d %s %q", r, resp.Responses[r].Status, resp.Responses[r].ErrorSource, resp.Responses[r].Error)
	}

	broken := datasource{uid: "broken", updated: 1, jsonData: `{"prometheusUrl": 42}`}
	resp, err = h.data.QueryData(ctxTimeout(30*time.Second), queryRequest(broken, pluginv2.DataFrameFormat_ARROW,
		query("A", "error-rate", `{}`)))
	check(err == nil, "QueryData on broken settings: %v", err)
	expectQueryError(answer(resp, "A"), "A", 400, "prometheusUrl")
	hc, err := h.diag.CheckHealth(ctxTimeout(30*time.Second), &pluginv2.CheckHealthRequest{PluginContext: broken.context()})
	check(err == nil && hc.Status == pluginv2.CheckHealthResponse_ERROR && strings.Contains(hc.Message, "prometheusUrl"),
		"CheckHealth on broken settings: %v %v %q", err, hc.GetStatus(), hc.GetMessage())
	logf("broken settings: query 400 %q; health %v", resp.Responses["A"].Error, hc.Status)

	// The client's deadline ends the call; the plugin carries on serving.
	slowDS := prometheusDatasource("slow", slow.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	resp, err = h.data.QueryData(ctx, queryRequest(slowDS, pluginv2.DataFrameFormat_ARROW, query("A", "error-rate", `{}`)))
	cancel()
	if err == nil {
		// The plugin's own copy of the deadline fired first and it answered in
		// time: then the query itself must say it was cut short.
		dr := answer(resp, "A")
		check(dr.Status == 504 || dr.Status == 499, "QueryData past its deadline answered status %d %q", dr.Status, dr.Error)
		logf("QueryData past its deadline: answered in time with %d %q", dr.Status, dr.Error)
	} else {
		expectCode(err, codes.DeadlineExceeded, "QueryData past its deadline")
	}
	// The cancelled call's backend request is abandoned too (the fake backend
	// would otherwise hold it for 60 s).
	deadline := time.Now().Add(15 * time.Second)
	for slow.InFlight() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	check(slow.InFlight() == 0, "the backend request of a cancelled query is still running")
	logf("backend request of the cancelled query: abandoned")
	check(h.rpc.Ping() == nil, "Ping after a deadline: %v", h.rpc.Ping())

	// Larger than the 16 MiB receive limit.
	big := query("A", "error-rate", `{"labelFilter":"`+strings.Repeat("x", 17<<20)+`"}`)
	_, err = h.data.QueryData(ctxTimeout(30*time.Second), queryRequest(ds, pluginv2.DataFrameFormat_ARROW, big))
	expectCode(err, codes.ResourceExhausted, "QueryData of 17 MiB")

	check(h.rpc.Ping() == nil, "Ping after bad input: %v", h.rpc.Ping())

	// Kill while a query waits on a backend that would take 60 s: the call is
	// cancelled and the process still leaves at once (P13).
	inFlight := make(chan error, 1)
	go func() {
		_, err := h.data.QueryData(context.Background(), queryRequest(slowDS, pluginv2.DataFrameFormat_ARROW,
			query("A", "hotspots", `{}`)))
		inFlight <- err
	}()
	busyBy := time.Now().Add(30 * time.Second)
	for slow.InFlight() == 0 && time.Now().Before(busyBy) {
		time.Sleep(5 * time.Millisecond)
	}
	check(slow.InFlight() > 0, "the slow query never reached the backend")
	took, code := h.kill()
	check(code == 0 && took < exitLimit, "Kill with a query in flight: exit %d in %s, want 0 within %s", code, took, exitLimit)
	err = <-inFlight
	check(err != nil, "the in-flight query succeeded although the plugin was killed")
	logf("Kill with a query in flight: exit %d after %s; the query got %v", code, took.Round(time.Microsecond), status.Code(err))
}
