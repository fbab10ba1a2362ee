// SPDX-License-Identifier: Apache-2.0
//
// A line-oriented driver for the hostile-input and secrets suites: Python
// tests own the stand-in backends and the assertions, this process plays
// Grafana (tests/lib/plugin.mjs: go-plugin handshake, gRPC over the unix
// socket, Arrow frames decoded with apache-arrow).
//
//   node driver.mjs --plugin BIN --proto DIR
//
// Reads one JSON command per line on stdin, answers one JSON line on stdout:
//   {"op":"launch","env":{...}}                     → {"pid":N}
//   {"op":"query","ctx":CTX,"queries":[Q...],"format":"ARROW"|"JSON"}
//        Q = {"refId","model",{"from","to"}}        → {"responses":{refId:{status,error,errorSource,frames,raw}}}
//   {"op":"health","ctx":CTX}                       → {"status","message","details"}
//   {"op":"resource","ctx":CTX,"url":"/services?…","method":"GET"} → {"code","body"}
//   {"op":"metrics","ctx":CTX}                      → {"text"}
//   {"op":"logs"}                                   → {"text"} (stderr since the last call)
//   {"op":"shutdown"}                               → {"code","signal","ms"}
// CTX = {"jsonData":{...},"secure":{...},"uid":"…","updated":N}.
// A failed call answers {"rpcError":"…","rpcCode":N}. `raw` holds every frame
// as base64, so the caller can search the bytes as well as the decoded rows.

import readline from 'node:readline';
import { datasourceContext, dataQuery, decodeFrame, launchPlugin } from '../lib/plugin.mjs';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];

let plugin = null;
let logCursor = 0;

function jsonSafe(_key, v) {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return v;
}

function ctxOf(c = {}) {
  return datasourceContext({
    uid: c.uid || 'hostile', jsonData: c.jsonData || {}, secure: c.secure || {}, updated: c.updated || 1,
  });
}

async function handle(cmd) {
  switch (cmd.op) {
    case 'launch': {
      plugin = await launchPlugin({ binary: args.plugin, protoDir: args.proto, env: cmd.env || {} });
      logCursor = 0;
      return { pid: plugin.child.pid };
    }
    case 'query': {
      const qs = cmd.queries.map((q) => dataQuery(q.refId, q.model, { from: q.from, to: q.to }));
      const res = await plugin.queryData(ctxOf(cmd.ctx), qs, { format: cmd.format || 'ARROW', timeoutMs: cmd.timeoutMs || 60000 });
      const out = {};
      for (const [refId, r] of Object.entries(res.responses || {})) {
        const raw = (r.frames || []).map((f) => Buffer.from(f));
        let frames;
        if ((cmd.format || 'ARROW') === 'ARROW') frames = raw.map((b) => decodeFrame(b));
        else frames = raw.map((b) => JSON.parse(b.toString()));
        out[refId] = {
          status: r.status, error: r.error, errorSource: r.errorSource, frames,
          raw: raw.map((b) => b.toString('base64')),
        };
      }
      return { responses: out };
    }
    case 'health': {
      const r = await plugin.checkHealth(ctxOf(cmd.ctx), cmd.timeoutMs || 60000);
      return { status: r.status, message: r.message, details: Buffer.from(r.jsonDetails || []).toString() };
    }
    case 'resource': {
      const r = await plugin.callResource(ctxOf(cmd.ctx), cmd.url, { method: cmd.method || 'GET' });
      return { code: r.code, body: r.body };
    }
    case 'metrics': {
      const r = await plugin.collectMetrics(ctxOf(cmd.ctx));
      return { text: Buffer.from((r.metrics && r.metrics.prometheus) || []).toString() };
    }
    case 'logs': {
      const all = plugin.logs.join('');
      const text = all.slice(logCursor);
      logCursor = all.length;
      return { text };
    }
    case 'shutdown': {
      const r = await plugin.shutdown();
      const text = plugin.logs.join('').slice(logCursor);
      plugin = null;
      return { ...r, text };
    }
    default:
      throw new Error(`unknown op ${cmd.op}`);
  }
}

const rl = readline.createInterface({ input: process.stdin });
let chain = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  chain = chain.then(async () => {
    let answer;
    try {
      answer = await handle(JSON.parse(line));
    } catch (e) {
      answer = { rpcError: String(e && e.message ? e.message : e), rpcCode: e && e.code };
    }
    process.stdout.write(`${JSON.stringify(answer, jsonSafe)}\n`);
  });
});
rl.on('close', () => {
  chain.then(() => { if (plugin) plugin.kill(); });
});
