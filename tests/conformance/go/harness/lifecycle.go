// SPDX-License-Identifier: Apache-2.0
//
// Acceptance 1: the life of the plugin under a go-plugin host.

package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"errortriage/pluginv2"
)

func ctxTimeout(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	atCleanup(cancel)
	return ctx
}

func runLifecycle(path string) {
	backend := startBackend(0)
	ds := prometheusDatasource("lifecycle", backend.URL())
	h := launch(path)
	check(h.net == "unix", "network %q, want unix", h.net)
	_, err := os.Stat(h.addr)
	check(err == nil, "socket %s: %v", h.addr, err)

	check(h.rpc.Ping() == nil, "Ping: %v", h.rpc.Ping())
	logf("Ping: ok")

	hc, err := h.diag.CheckHealth(ctxTimeout(30*time.Second), &pluginv2.CheckHealthRequest{PluginContext: ds.context()})
	check(err == nil, "CheckHealth: %v", err)
	check(hc.Status == pluginv2.CheckHealthResponse_OK, "CheckHealth status %v, message %q", hc.Status, hc.Message)
	check(strings.Contains(hc.Message, "Prometheus"), "CheckHealth message %q does not mention Prometheus", hc.Message)
	var details map[string]interface{}
	check(json.Unmarshal(hc.JsonDetails, &details) == nil, "jsonDetails is not a JSON object: %s", hc.JsonDetails)
	_, ok := details["prometheus"]
	check(ok, "jsonDetails has no prometheus entry: %s", hc.JsonDetails)
	check(!strings.Contains(string(hc.JsonDetails), "s3cr3t") && !strings.Contains(hc.Message, "s3cr3t"),
		"CheckHealth leaks the secret")
	logf("CheckHealth: %v %q", hc.Status, hc.Message)

	for _, format := range []pluginv2.DataFrameFormat{pluginv2.DataFrameFormat_ARROW, pluginv2.DataFrameFormat_JSON} {
		resp, err := h.data.QueryData(ctxTimeout(30*time.Second), queryRequest(ds, format,
			query("A", "error-rate", `{"groupBy":"service"}`),
			query("B", "", `{"queryType":"hotspots","limit":5}`)))
		check(err == nil, "QueryData (%v): %v", format, err)
		check(len(resp.Responses) == 2, "QueryData (%v): %d responses, want 2", format, len(resp.Responses))
		expectFrames(answer(resp, "A"), "A", format)
		expectFrames(answer(resp, "B"), "B", format)
		logf("QueryData %v: A %d frame(s), B %d frame(s)", format, len(resp.Responses["A"].Frames), len(resp.Responses["B"].Frames))
	}

	resource := func(path string) (int32, map[string][]string, []byte) {
		stream, err := h.res.CallResource(ctxTimeout(30*time.Second), &pluginv2.CallResourceRequest{
			PluginContext: ds.context(), Path: path, Method: "GET", Url: path})
		check(err == nil, "CallResource %s: %v", path, err)
		var code int32
		headers := map[string][]string{}
		var body []byte
		for i := 0; ; i++ {
			msg, err := stream.Recv()
			if err != nil {
				check(err.Error() == "EOF", "CallResource %s: stream ended with %v", path, err)
				break
			}
			if i == 0 {
				code = msg.Code
				for k, v := range msg.Headers {
					headers[k] = v.Values
				}
			}
			body = append(body, msg.Body...)
		}
		return code, headers, body
	}
	code, headers, body := resource("services")
	check(code == 200, "CallResource services: code %d, body %s", code, body)
	check(len(headers["Content-Type"]) == 1 && strings.HasPrefix(headers["Content-Type"][0], "application/json"),
		"CallResource services: Content-Type %v", headers["Content-Type"])
	var services []string
	check(json.Unmarshal(body, &services) == nil, "CallResource services: body is not a JSON list: %s", body)
	check(len(services) > 0, "CallResource services: empty list")
	logf("CallResource services: %v", services)
	code, _, body = resource("no-such-route")
	var notFound map[string]interface{}
	check(code == 404 && json.Unmarshal(body, &notFound) == nil && notFound["error"] != nil,
		"CallResource unknown path: code %d body %s, want 404 with a JSON error", code, body)
	logf("CallResource no-such-route: 404 %s", body)

	mr, err := h.diag.CollectMetrics(ctxTimeout(10*time.Second), &pluginv2.CollectMetricsRequest{PluginContext: ds.context()})
	check(err == nil, "CollectMetrics: %v", err)
	text := string(mr.GetMetrics().GetPrometheus())
	for _, want := range []string{`errortriage_grpc_calls_total{method="QueryData",code="OK"} 2`,
		`errortriage_grpc_calls_total{method="CheckHealth",code="OK"} 1`,
		"errortriage_grpc_call_duration_seconds_bucket", `errortriage_backend_requests_total{backend="prometheus",status="200"}`,
		"errortriage_grpc_calls_in_flight 1"} {
		check(strings.Contains(text, want), "CollectMetrics: %q missing from:\n%s", want, text)
	}
	check(!strings.Contains(text, "s3cr3t"), "CollectMetrics leaks the secret")
	logf("CollectMetrics: %d bytes of Prometheus text", len(text))

	socket := h.addr
	took, exitCode := h.kill()
	logf("Kill: process gone after %s, exit status %d", took.Round(time.Microsecond), exitCode)
	check(exitCode == 0, "exit status %d after Kill, want 0\nhost log:\n%s", exitCode, h.log.String())
	check(took < exitLimit, "Kill took %s, want under %s", took, exitLimit)
	check(!h.hostLogHas("WARN", "plugin failed to exit gracefully"), "go-plugin had to force-kill the plugin")
	_, err = os.Stat(socket)
	check(os.IsNotExist(err), "socket %s still exists after exit (%v)", socket, err)
	// The plugin's hclog JSON lines reach the host at their level (P8).
	check(h.hostLogHas("INFO", "shutdown requested by the host"),
		"the plugin's INFO log line did not reach the host as [INFO]:\n%s", h.log.String())
	check(!strings.Contains(h.log.String(), "s3cr3t"), "the plugin logged the secret")
}
