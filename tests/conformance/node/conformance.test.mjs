// SPDX-License-Identifier: Apache-2.0
//
// Conformance from a second gRPC implementation: @grpc/grpc-js talks to the
// plugin over its unix socket and over TCP (GF_PLUGIN_GRPC_NETWORK=tcp), with
// the same calls as the go-plugin harness, and the returned Arrow frames are
// decoded with apache-arrow to prove they parse.
//
//   ET_PLUGIN_BINARY=dist/gpx_errortriage_linux_amd64 ET_PROTO_DIR=proto \
//     node --test tests/conformance/node/conformance.test.mjs
//
// Every wait has a time limit, and the plugin processes are killed and their
// temporary directories removed whatever happens.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { tableFromIPC } from 'apache-arrow';

const BINARY = process.env.ET_PLUGIN_BINARY;
const PROTO_DIR = process.env.ET_PROTO_DIR;
assert.ok(BINARY && fs.existsSync(BINARY), `ET_PLUGIN_BINARY must name the plugin executable (got ${BINARY})`);
assert.ok(PROTO_DIR && fs.existsSync(path.join(PROTO_DIR, 'backend.proto')), `ET_PROTO_DIR must name proto/ (got ${PROTO_DIR})`);

const definition = protoLoader.loadSync(['backend.proto', 'health.proto', 'grpc_controller.proto'], {
  includeDirs: [PROTO_DIR],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
});
const proto = grpc.loadPackageDefinition(definition);
const SECRET = 's3cr3t-token-never-logged';
// How soon the plugin must be gone after Shutdown/SIGTERM: 1 s, more for
// sanitizer builds, whose exit-time leak check comes on top.
const EXIT_LIMIT_MS = Number(process.env.ET_EXIT_LIMIT_MS || 1000);

// ---- a small Prometheus look-alike ------------------------------------------------

function startBackend() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const json = (body, status = 200) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const ok = (data) => json({ status: 'success', data });
    const p = url.pathname;
    if (p === '/api/v1/status/buildinfo') return ok({ version: '2.42.0' });
    if (p === '/api/v1/label/__name__/values') return ok(['traces_span_metrics_calls_total', 'traces_span_metrics_events_total']);
    if (/^\/api\/v1\/label\/[^/]+\/values$/.test(p)) return ok(['cart', 'checkout']);
    if (p === '/api/v1/query_range') {
      const start = Number(url.searchParams.get('start')) || Date.now() / 1000 - 3600;
      const step = Number(url.searchParams.get('step')) || 60;
      const values = [0, 1, 2, 3].map((i) => [start + i * step, String(0.01 * (i + 1))]);
      return ok({ resultType: 'matrix', result: [{ metric: { service_name: 'checkout', http_route: '/api/checkout' }, values }] });
    }
    if (p === '/api/v1/query') {
      return ok({
        resultType: 'vector',
        result: [{ metric: { service_name: 'checkout', http_route: '/api/checkout', span_name: 'POST /api/checkout' }, value: [Date.now() / 1000, '7'] }],
      });
    }
    res.writeHead(404);
    res.end('404 page not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- the plugin process ---------------------------------------------------------------

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function startPlugin(network) {
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'et-conf-'));
  const env = {
    ...process.env,
    grafana_plugin_type: 'datasource',
    PLUGIN_PROTOCOL_VERSIONS: '2',
    PLUGIN_MIN_PORT: '10000',
    PLUGIN_MAX_PORT: '25000',
    PLUGIN_UNIX_SOCKET_DIR: socketDir,
  };
  if (network === 'tcp') env.GF_PLUGIN_GRPC_NETWORK = 'tcp';
  const proc = spawn(BINARY, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const plugin = { proc, socketDir, stdout: '', stderr: '', exit: null };
  plugin.exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      plugin.exit = { code, signal };
      resolve(plugin.exit);
    });
  });
  proc.stderr.on('data', (d) => (plugin.stderr += d));
  const line = await withTimeout(
    new Promise((resolve, reject) => {
      proc.stdout.on('data', (d) => {
        plugin.stdout += d;
        if (plugin.stdout.includes('\n')) resolve(plugin.stdout.split('\n')[0]);
      });
      proc.on('exit', (code) => reject(new Error(`plugin exited (${code}) before the handshake:\n${plugin.stderr}`)));
    }),
    15000,
    'handshake line'
  );
  const parts = line.split('|');
  assert.equal(parts.length, 5, `handshake line ${JSON.stringify(line)}`);
  assert.deepEqual([parts[0], parts[1], parts[2], parts[4]], ['1', '2', network, 'grpc'], `handshake line ${line}`);
  plugin.address = parts[3];
  plugin.target = network === 'unix' ? `unix:${parts[3]}` : parts[3];
  if (network === 'unix') {
    assert.ok(parts[3].startsWith(socketDir + '/'), `socket ${parts[3]} is not in PLUGIN_UNIX_SOCKET_DIR ${socketDir}`);
  } else {
    const port = Number(parts[3].split(':')[1]);
    assert.ok(parts[3].startsWith('127.0.0.1:') && port >= 10000 && port <= 25000, `TCP address ${parts[3]}`);
  }
  return plugin;
}

function stopPlugin(plugin) {
  if (plugin && !plugin.exit) plugin.proc.kill('SIGKILL');
  if (plugin) fs.rmSync(plugin.socketDir, { recursive: true, force: true });
}

// ---- calls ----------------------------------------------------------------------------

function unary(client, method, request, ms = 30000) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + ms }, (err, reply) => (err ? reject(err) : resolve(reply)));
  });
}

function rawUnary(target, method, bytes) {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(method, (b) => b, (b) => b, bytes, { deadline: Date.now() + 10000 }, (err, reply) => {
      client.close();
      resolve({ err, reply });
    });
  });
}

function pluginContext(uid, url) {
  return {
    orgId: '1',
    pluginId: 'errortriage-otel-datasource',
    dataSourceInstanceSettings: {
      uid,
      name: `Error Triage ${uid}`,
      lastUpdatedMS: '1',
      jsonData: Buffer.from(JSON.stringify({ prometheusUrl: url, metricsSchema: 'otel' })),
      decryptedSecureJsonData: { prometheusToken: SECRET },
    },
  };
}

function dataQuery(refId, queryType, model) {
  const now = Date.now();
  return {
    refId,
    queryType,
    json: Buffer.from(JSON.stringify(model)),
    maxDataPoints: '1000',
    intervalMS: '15000',
    timeRange: { fromEpochMS: String(now - 3600e3), toEpochMS: String(now) },
  };
}

// ---- the scenarios, once per network ----------------------------------------------------

for (const network of ['unix', 'tcp']) {
  describe(`grpc-js over ${network}`, () => {
    let backend, plugin, clients, ctx;

    before(async () => {
      backend = await startBackend();
      ctx = pluginContext(`node-${network}`, `http://127.0.0.1:${backend.address().port}`);
      plugin = await startPlugin(network);
      const creds = grpc.credentials.createInsecure();
      clients = {
        health: new proto.grpc.health.v1.Health(plugin.target, creds),
        data: new proto.pluginv2.Data(plugin.target, creds),
        diag: new proto.pluginv2.Diagnostics(plugin.target, creds),
        resource: new proto.pluginv2.Resource(plugin.target, creds),
        controller: new proto.plugin.GRPCController(plugin.target, creds),
      };
    });

    after(() => {
      for (const c of Object.values(clients ?? {})) c.close();
      stopPlugin(plugin);
      backend?.close();
    });

    test('health Check: SERVING for "plugin", NOT_FOUND for others', async () => {
      const reply = await unary(clients.health, 'Check', { service: 'plugin' });
      assert.equal(reply.status, 'SERVING');
      await assert.rejects(unary(clients.health, 'Check', { service: 'something-else' }), (e) => e.code === grpc.status.NOT_FOUND);
    });

    test('CheckHealth probes Prometheus and says so', async () => {
      const reply = await unary(clients.diag, 'CheckHealth', { pluginContext: ctx });
      assert.equal(reply.status, 'OK', reply.message);
      assert.match(reply.message, /Prometheus OK/);
      const details = JSON.parse(reply.jsonDetails.toString());
      assert.equal(typeof details.prometheus, 'object');
      assert.ok(!JSON.stringify(reply).includes(SECRET), 'the secret leaked into CheckHealth');
    });

    test('QueryData: two refIds, Arrow frames that apache-arrow reads', async () => {
      const reply = await unary(clients.data, 'QueryData', {
        pluginContext: ctx,
        queries: [dataQuery('A', 'error-rate', { groupBy: 'service' }), dataQuery('B', '', { queryType: 'hotspots' })],
      });
      assert.deepEqual(Object.keys(reply.responses).sort(), ['A', 'B']);
      for (const refId of ['A', 'B']) {
        const dr = reply.responses[refId];
        assert.equal(dr.status, 200, `${refId}: ${dr.error}`);
        assert.equal(dr.error, '');
        assert.equal(dr.format, 'ARROW');
        assert.ok(dr.frames.length > 0, `${refId}: no frames`);
        for (const bytes of dr.frames) {
          const table = tableFromIPC(bytes);
          assert.equal(table.schema.metadata.get('refId'), refId);
          assert.ok(table.schema.fields.length > 0, `${refId}: frame without fields`);
          assert.ok(table.numRows > 0, `${refId}: frame without rows`);
        }
      }
      const series = tableFromIPC(reply.responses.A.frames[0]);
      assert.ok(series.schema.fields.some((f) => f.name === 'Time'), 'error-rate frame has no Time field');
    });

    test('QueryData in JSON format, and a bad refId next to a good one', async () => {
      const reply = await unary(clients.data, 'QueryData', {
        pluginContext: ctx,
        format: 'JSON',
        queries: [dataQuery('A', 'error-rate', {}), dataQuery('B', 'no-such-type', {}), { ...dataQuery('C', 'hotspots', {}), json: Buffer.from('{"limit":') }],
      });
      const a = reply.responses.A;
      assert.equal(a.status, 200, a.error);
      assert.equal(a.format, 'JSON');
      const frame = JSON.parse(a.frames[0].toString());
      assert.equal(frame.schema.refId, 'A');
      assert.ok(Array.isArray(frame.data.values));
      for (const refId of ['B', 'C']) {
        const dr = reply.responses[refId];
        assert.equal(dr.status, 400, `${refId} status`);
        assert.equal(dr.errorSource, 'plugin');
        assert.ok(dr.error.length > 0);
        assert.equal(dr.frames.length, 0);
      }
      assert.match(reply.responses.B.error, /unknown queryType/);
    });

    test('CallResource streams status + headers, then the body; 404 for unknown paths', async () => {
      const call = (p) =>
        withTimeout(
          new Promise((resolve, reject) => {
            const messages = [];
            const stream = clients.resource.CallResource({ pluginContext: ctx, path: p, method: 'GET', url: p });
            stream.on('data', (m) => messages.push(m));
            stream.on('error', reject);
            stream.on('end', () => resolve(messages));
          }),
          30000,
          `CallResource ${p}`
        );
      let messages = await call('services');
      assert.equal(messages[0].code, 200);
      assert.deepEqual(messages[0].headers['Content-Type'].values, ['application/json']);
      const body = Buffer.concat(messages.map((m) => m.body)).toString();
      assert.deepEqual(JSON.parse(body), ['cart', 'checkout']);

      messages = await call('no-such-route');
      assert.equal(messages[0].code, 404);
      assert.ok(JSON.parse(Buffer.concat(messages.map((m) => m.body)).toString()).error);
    });

    test('CollectMetrics: Prometheus text with the calls made so far', async () => {
      const reply = await unary(clients.diag, 'CollectMetrics', { pluginContext: ctx });
      const text = reply.metrics.prometheus.toString();
      assert.match(text, /errortriage_grpc_calls_total\{method="QueryData",code="OK"\} 2/);
      assert.match(text, /errortriage_grpc_calls_total\{method="HealthCheck",code="NOT_FOUND"\} 1/);
      assert.match(text, /# TYPE errortriage_grpc_call_duration_seconds histogram/);
    });

    test('malformed protobuf is INVALID_ARGUMENT, unknown methods UNIMPLEMENTED', async () => {
      const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]);
      for (const m of ['/pluginv2.Data/QueryData', '/pluginv2.Diagnostics/CheckHealth', '/grpc.health.v1.Health/Check']) {
        const { err } = await rawUnary(plugin.target, m, garbage);
        assert.equal(err?.code, grpc.status.INVALID_ARGUMENT, `${m}: ${err?.message}`);
      }
      for (const m of ['/pluginv2.Stream/PublishStream', '/nothing.Here/At', '/plugin.GRPCStdio/StreamStdio']) {
        const { err } = await rawUnary(plugin.target, m, Buffer.alloc(0));
        assert.equal(err?.code, grpc.status.UNIMPLEMENTED, `${m}: ${err?.message}`);
      }
    });

    test('Shutdown: exit 0 within 1 s (EXIT_LIMIT_MS), socket removed, nothing on stdout but the handshake', async () => {
      const started = Date.now();
      await unary(clients.controller, 'Shutdown', {});
      const exit = await withTimeout(plugin.exited, EXIT_LIMIT_MS, 'exit after Shutdown');
      const took = Date.now() - started;
      assert.deepEqual(exit, { code: 0, signal: null }, `exit after Shutdown; stderr:\n${plugin.stderr}`);
      assert.ok(took < EXIT_LIMIT_MS, `exit took ${took} ms`);
      if (network === 'unix') assert.equal(fs.existsSync(plugin.address), false, 'socket file left behind');
      assert.equal(plugin.stdout.split('\n').filter(Boolean).length, 1, `stdout: ${plugin.stdout}`);
      assert.ok(!plugin.stderr.includes(SECRET), 'the secret reached the log');
      for (const line of plugin.stderr.split('\n').filter(Boolean)) {
        const entry = JSON.parse(line); // every log line is one hclog JSON object
        assert.match(entry['@timestamp'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        assert.ok(['trace', 'debug', 'info', 'warn', 'error'].includes(entry['@level']));
      }
    });
  });
}

test('SIGTERM: the same graceful exit', async () => {
  const plugin = await startPlugin('unix');
  try {
    plugin.proc.kill('SIGTERM');
    const exit = await withTimeout(plugin.exited, EXIT_LIMIT_MS, 'exit after SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, plugin.stderr);
    assert.equal(fs.existsSync(plugin.address), false, 'socket file left behind');
    assert.match(plugin.stderr, /SIGTERM received/);
  } finally {
    stopPlugin(plugin);
  }
});

test('SIGINT is ignored (the host decides when the plugin stops)', async () => {
  const plugin = await startPlugin('unix');
  try {
    plugin.proc.kill('SIGINT');
    const client = new proto.grpc.health.v1.Health(plugin.target, grpc.credentials.createInsecure());
    const reply = await unary(client, 'Check', { service: 'plugin' }, 10000);
    client.close();
    assert.equal(reply.status, 'SERVING');
    assert.equal(plugin.exit, null, 'the plugin exited on SIGINT');
  } finally {
    stopPlugin(plugin);
  }
});
