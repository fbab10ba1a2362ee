// SPDX-License-Identifier: Apache-2.0
//
// Starting the plugin exactly as Grafana does: go-plugin client with the
// datasource magic cookie, VersionedPlugins {2}, gRPC only, the plugin's
// stderr parsed as hclog JSON into our logger.

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"errortriage/pluginv2"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// connPlugin hands out the raw gRPC connection; the typed clients are made from it.
type connPlugin struct {
	plugin.NetRPCUnsupportedPlugin
}

func (connPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }

func (connPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return c, nil
}

// syncBuffer collects the host's log lines (go-plugin re-logs the plugin's stderr there).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type hosted struct {
	client *plugin.Client
	cmd    *exec.Cmd
	conn   *grpc.ClientConn
	rpc    plugin.ClientProtocol
	log    *syncBuffer
	addr   string // unix socket path or host:port
	net    string
	data   pluginv2.DataClient
	diag   pluginv2.DiagnosticsClient
	res    pluginv2.ResourceClient
}

// Grafana's handshake: the version itself comes from VersionedPlugins.
func handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  2,
		MagicCookieKey:   "grafana_plugin_type",
		MagicCookieValue: "datasource",
	}
}

func newClient(path string, versions []int, env []string, logOut *syncBuffer) (*plugin.Client, *exec.Cmd) {
	cmd := exec.Command(path)
	cmd.Env = append(cmd.Env, env...)
	sets := map[int]plugin.PluginSet{}
	for _, v := range versions {
		sets[v] = plugin.PluginSet{"errortriage": connPlugin{}}
	}
	logger := hclog.New(&hclog.LoggerOptions{Name: "host", Output: logOut, Level: hclog.Trace})
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  handshake(),
		VersionedPlugins: sets,
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           logger,
		StartTimeout:     20 * time.Second,
		Managed:          true,
	})
	return client, cmd
}

// launch starts the plugin, dispenses the connection and registers a cleanup
// that kills it if the scenario fails before it does so itself.
func launch(path string, env ...string) *hosted {
	h := &hosted{log: &syncBuffer{}}
	h.client, h.cmd = newClient(path, []int{2}, env, h.log)
	atCleanup(func() {
		h.client.Kill()
		if os.Getenv("HARNESS_VERBOSE") != "" || !h.client.Exited() {
			os.Stderr.WriteString("--- host log ---\n" + h.log.String())
		}
	})
	started := time.Now()
	rpc, err := h.client.Client()
	check(err == nil, "go-plugin could not start the plugin: %v\nhost log:\n%s", err, h.log.String())
	h.rpc = rpc
	raw, err := rpc.Dispense("errortriage")
	check(err == nil, "dispense: %v", err)
	h.conn = raw.(*grpc.ClientConn)
	check(h.client.NegotiatedVersion() == 2, "negotiated protocol version %d, want 2", h.client.NegotiatedVersion())
	rc := h.client.ReattachConfig()
	check(rc != nil && rc.Addr != nil, "no address after the handshake")
	h.addr, h.net = rc.Addr.String(), rc.Addr.Network()
	logf("handshake: %s %s in %s", h.net, h.addr, time.Since(started).Round(time.Microsecond))
	h.data = pluginv2.NewDataClient(h.conn)
	h.diag = pluginv2.NewDiagnosticsClient(h.conn)
	h.res = pluginv2.NewResourceClient(h.conn)
	return h
}

// kill does what Grafana does when it stops a plugin and reports how long
// the process took to go away and its exit status.
func (h *hosted) kill() (time.Duration, int) {
	started := time.Now()
	h.client.Kill()
	took := time.Since(started)
	code := -1
	if h.cmd.ProcessState != nil {
		code = h.cmd.ProcessState.ExitCode()
	}
	return took, code
}

func (h *hosted) hostLogHas(level, text string) bool {
	for _, line := range strings.Split(h.log.String(), "\n") {
		if strings.Contains(line, "["+level+"]") && strings.Contains(line, text) {
			return true
		}
	}
	return false
}
