// SPDX-License-Identifier: Apache-2.0
//
// Playing Grafana in Node: launch the plugin executable the way Grafana's
// go-plugin client does (magic cookie, protocol versions, a socket directory),
// read the handshake line, talk gRPC over the unix socket with @grpc/grpc-js,
// and decode every returned Arrow frame with apache-arrow into plain rows.
// Used by the demo (scripts/demo) and by the fault, hostile-input and load
// tests, so they all drive the real executable through its real protocol.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(new URL('../package.json', import.meta.url));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { tableFromIPC } = require('apache-arrow');

export const PLUGIN_ID = 'errortriage-otel-datasource';

function loadProto(protoDir) {
  const def = protoLoader.loadSync(['backend.proto', 'health.proto', 'grpc_controller.proto'], {
    includeDirs: [protoDir], keepCase: true, longs: String, enums: String, defaults: true,
  });
  return grpc.loadPackageDefinition(def);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// Launch the plugin; resolves with a client once the handshake line arrived.
export async function launchPlugin({ binary, protoDir, env = {}, stderr = 'pipe', startTimeoutMs = 10000 }) {
  const sockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'et-plugin-'));
  const child = spawn(binary, [], {
    env: {
      PATH: process.env.PATH, grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '2',
      PLUGIN_MIN_PORT: '10000', PLUGIN_MAX_PORT: '25000', PLUGIN_UNIX_SOCKET_DIR: sockDir, ...env,
    },
    stdio: ['ignore', 'pipe', stderr],
  });
  const logs = [];
  if (child.stderr) child.stderr.on('data', (d) => logs.push(d.toString()));
  const line = await withTimeout(new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`plugin exited (${code}) before the handshake: ${logs.join('')}`)));
  }), startTimeoutMs, 'plugin handshake');
  const parts = line.split('|');
  if (parts.length < 5 || parts[0] !== '1' || parts[1] !== '2' || parts[4] !== 'grpc') {
    child.kill('SIGKILL');
    throw new Error(`unexpected handshake line: ${line}`);
  }
  const address = parts[2] === 'unix' ? `unix:${parts[3]}` : parts[3];
  return new PluginClient({ child, address, socketPath: parts[2] === 'unix' ? parts[3] : null, sockDir, logs, protoDir });
}

export class PluginClient {
  constructor({ child, address, socketPath, sockDir, logs, protoDir }) {
    Object.assign(this, { child, address, socketPath, sockDir, logs });
    const proto = loadProto(protoDir);
    const creds = grpc.credentials.createInsecure();
    const opts = { 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 };
    this.data = new proto.pluginv2.Data(address, creds, opts);
    this.diagnostics = new proto.pluginv2.Diagnostics(address, creds, opts);
    this.resource = new proto.pluginv2.Resource(address, creds, opts);
    this.controller = new proto.plugin.GRPCController(address, creds, opts);
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  unary(client, method, request, timeoutMs = 60000) {
    return new Promise((resolve, reject) => {
      client[method](request, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  queryData(pluginContext, queries, { format = 'ARROW', timeoutMs = 60000 } = {}) {
    return this.unary(this.data, 'QueryData', { pluginContext, queries, format }, timeoutMs);
  }

  checkHealth(pluginContext, timeoutMs = 60000) {
    return this.unary(this.diagnostics, 'CheckHealth', { pluginContext }, timeoutMs);
  }

  collectMetrics(pluginContext, timeoutMs = 10000) {
    return this.unary(this.diagnostics, 'CollectMetrics', { pluginContext }, timeoutMs);
  }

  callResource(pluginContext, pathAndQuery, { method = 'GET', timeoutMs = 60000 } = {}) {
    const [p] = pathAndQuery.split('?');
    return new Promise((resolve, reject) => {
      const call = this.resource.CallResource({ pluginContext, path: p, method, url: pathAndQuery },
        { deadline: Date.now() + timeoutMs });
      let code = 0;
      const chunks = [];
      call.on('data', (m) => { if (m.code) code = m.code; if (m.body && m.body.length) chunks.push(Buffer.from(m.body)); });
      call.on('error', reject);
      call.on('end', () => resolve({ code, body: Buffer.concat(chunks).toString() }));
    });
  }

  // GRPCController.Shutdown, then wait for the process to exit.
  async shutdown(timeoutMs = 5000) {
    try { await this.unary(this.controller, 'Shutdown', {}, timeoutMs); } catch { /* the process may go first */ }
    const started = Date.now();
    const result = await withTimeout(this.exited, timeoutMs, 'plugin exit').catch(() => {
      this.child.kill('SIGKILL');
      return { code: null, signal: 'SIGKILL' };
    });
    this.close();
    return { ...result, ms: Date.now() - started };
  }

  close() {
    for (const c of [this.data, this.diagnostics, this.resource, this.controller]) c.close();
    fs.rmSync(this.sockDir, { recursive: true, force: true });
  }

  kill() {
    this.child.kill('SIGKILL');
    this.close();
  }
}

// The PluginContext Grafana sends for a datasource.
export function datasourceContext({ uid = 'errortriage', name = 'Error Triage', jsonData = {}, secure = {}, updated = 1 } = {}) {
  return {
    orgId: '1', pluginId: PLUGIN_ID,
    dataSourceInstanceSettings: {
      id: '1', uid, name, jsonData: Buffer.from(JSON.stringify(jsonData)),
      decryptedSecureJsonData: secure, lastUpdatedMS: String(updated),
    },
  };
}

// One DataQuery as Grafana builds it from a panel target.
export function dataQuery(refId, model, { from, to, intervalMs = 15000, maxDataPoints = 1000 }) {
  return {
    refId, queryType: model.queryType || '', maxDataPoints: String(maxDataPoints), intervalMS: String(intervalMs),
    timeRange: { fromEpochMS: String(from), toEpochMS: String(to) }, json: Buffer.from(JSON.stringify(model)),
  };
}

// Decode one Arrow IPC file (a frame) into {name, refId, meta, fields, rows}.
export function decodeFrame(bytes) {
  const table = tableFromIPC(bytes);
  const md = table.schema.metadata;
  const meta = md.get('meta') ? JSON.parse(md.get('meta')) : null;
  const fields = table.schema.fields.map((f) => ({
    name: f.name, type: String(f.type), nullable: f.nullable,
    labels: f.metadata.get('labels') ? JSON.parse(f.metadata.get('labels')) : null,
    config: f.metadata.get('config') ? JSON.parse(f.metadata.get('config')) : null,
    tstype: f.metadata.get('tstype'),
  }));
  const rows = [];
  for (let r = 0; r < table.numRows; r++) {
    const row = {};
    fields.forEach((f, i) => {
      let v = table.getChildAt(i).get(r);
      if (typeof v === 'bigint') v = Number(v);
      if (v instanceof Uint8Array) v = JSON.parse(Buffer.from(v).toString());
      row[f.name] = v;
    });
    rows.push(row);
  }
  return { name: md.get('name'), refId: md.get('refId'), meta, fields, rows };
}
