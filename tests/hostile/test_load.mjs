// SPDX-License-Identifier: Apache-2.0
//
// Load and cancellation (issue 8, suite 3).
//
//   node test_load.mjs --plugin BIN --proto DIR [--calls 1000] [--hang 200]
//
// 1. 1,000 concurrent QueryData calls (error-rate, hotspots, top-types from a
//    Prometheus stand-in; recent-errors, error-summary, error-groups from a
//    Tempo stand-in), each backend answer delayed 50–200 ms. Every call asks
//    for its own service, the stand-ins answer numbers derived from it, and
//    every answer is checked (no cross-talk between concurrent calls).
//    Reports p50/p99 latency and RSS (VmRSS/VmHWM) before, at peak, after.
//    Bound: RSS after the load settles < idle RSS + 64 MiB.
// 2. 200 calls against a backend that accepts connections and never answers,
//    cancelled from the client (grpc-js call.cancel()): the stand-in must see
//    every socket closed, the plugin's fd count return to its baseline (+4)
//    and RSS stay near its baseline (+64 MiB).
// CheckHealth runs every 250 ms throughout and must answer OK every time.
// The stand-ins run in this process (node:http), so the test can watch them.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasourceContext, dataQuery, decodeFrame, launchPlugin } from '../lib/plugin.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = { plugin: null, proto: path.join(HERE, '..', '..', 'proto'), calls: '1000', hang: '200' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.plugin) args.plugin = process.env.ET_DIST_BINARY || path.join(HERE, '..', '..', 'dist', 'gpx_errortriage_linux_amd64');
const N_CALLS = Number(args.calls);
const N_HANG = Number(args.hang);
const RSS_BOUND_MB = 64;
const FROM = 1_700_000_000_000;
const TO = FROM + 3600 * 1000;

// ---- deterministic answers ------------------------------------------------------------------

let seed = 42;
const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const delay = () => 50 + Math.floor(rand() * 151);
const svcNumber = (s) => { const m = /svc-(\d+)/.exec(s); return m ? Number(m[1]) : -1; };
const expectErrors = (n) => (n % 7) + 1;
const CALLS = 100;

function promAnswer(url, body) {
  const p = new URL(url, 'http://x').pathname;
  if (p.endsWith('/status/buildinfo')) return { status: 'success', data: { version: '2.53.0' } };
  if (p.endsWith('/label/__name__/values')) return { status: 'success', data: ['traces_span_metrics_calls_total', 'traces_span_metrics_events_total'] };
  if (p.includes('/label/')) return { status: 'success', data: ['/a'] };
  const form = new URLSearchParams(body);
  const q = form.get('query') || '';
  const n = svcNumber(q);
  const isErr = q.includes('STATUS_CODE_ERROR');
  const v = isErr ? expectErrors(n) : CALLS;
  const metric = { service_name: `svc-${n}` };
  if (q.includes('http_route')) Object.assign(metric, { http_route: `/r-${n}`, span_name: 'op' });
  if (q.includes('events_total')) Object.assign(metric, { exception_type: `Err${n}` });
  if (p.endsWith('/query_range')) {
    const start = Number(form.get('start')); const end = Number(form.get('end')); const step = Number(form.get('step'));
    const values = [];
    for (let t = start; t <= end; t += step) values.push([t, String(v)]);
    return { status: 'success', data: { resultType: 'matrix', result: [{ metric, values }] } };
  }
  return { status: 'success', data: { resultType: 'vector', result: [{ metric, value: [Number(form.get('time')), String(v)] }] } };
}

const hex = (n, w) => n.toString(16).padStart(w, '0');
function tempoAnswer(url) {
  const u = new URL(url, 'http://x');
  if (u.pathname.endsWith('/api/status/buildinfo')) return { version: '2.9.0' };
  if (u.pathname.endsWith('/api/echo')) return 'echo';
  if (u.pathname.endsWith('/api/search')) {
    const n = svcNumber(u.searchParams.get('q') || '');
    const start = Number(u.searchParams.get('start'));
    const traces = [];
    for (let k = 0; k < 3; k++) {
      const t0 = (start + 60 + k * 600) * 1e9;
      const attr = (key, value) => ({ key, value: { stringValue: value } });
      traces.push({
        traceID: hex(n + 1, 16) + hex(k + 1, 16), rootServiceName: `svc-${n}`, rootTraceName: 'GET /x',
        startTimeUnixNano: String(t0), durationMs: 5,
        spanSets: [{ matched: 1, spans: [{
          spanID: hex(n * 16 + k + 1, 16), name: 'GET /x', startTimeUnixNano: String(t0), durationNanos: '5000000',
          attributes: [attr('service.name', `svc-${n}`), attr('span.http.route', `/r-${n}`), attr('http.route', `/r-${n}`),
            attr('exception.type', `Err${n}`), attr('exception.message', `failure ${n}`),
            attr('exception.stacktrace', `Err${n}: failure ${n}\n\tat a.B.c(B.java:${n + 1})`)],
        }] }],
      });
    }
    return { traces, metrics: { inspectedTraces: 3 } };
  }
  if (u.pathname.includes('/search/tag')) return { tagValues: [] };
  return null;
}

// A stand-in: delayed answers, counts requests and open sockets.
function standIn(answer, { hang = false } = {}) {
  const st = { requests: 0, open: 0, maxOpen: 0, accepted: 0 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      st.requests++;
      if (hang) return; // never answer
      setTimeout(() => {
        const body = answer(req.url, Buffer.concat(chunks).toString());
        if (body === null) { res.writeHead(404); res.end('404 page not found'); return; }
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(200, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' });
        res.end(text);
      }, delay());
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (sock) => {
    st.open++; st.accepted++; st.maxOpen = Math.max(st.maxOpen, st.open);
    sock.on('close', () => { st.open--; });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    st.url = `http://127.0.0.1:${server.address().port}`;
    st.server = server;
    resolve(st);
  }));
}

// ---- the plugin's process -------------------------------------------------------------------

function procStatus(pid) {
  const t = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((new RegExp(`${k}:\\s+(\\d+)`).exec(t) || [0, 0])[1]);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024, threads: kb('Threads') };
}
const fdCount = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const mb = (x) => `${x.toFixed(1)} MiB`;

const TYPES = ['error-rate', 'hotspots', 'top-types', 'recent-errors', 'error-summary', 'error-groups'];

function checkAnswer(type, n, res) {
  const r = res.responses.A;
  assert.equal(r.status, 200, `${type} svc-${n}: ${r.error}`);
  const frames = r.frames.map((f) => decodeFrame(Buffer.from(f)));
  const svc = `svc-${n}`;
  switch (type) {
    case 'error-rate': {
      assert.equal(frames.length, 1, `${type} ${svc}: ${frames.length} frames`);
      const f = frames[0];
      assert.deepEqual(f.fields[1].labels, { service: svc });
      const want = expectErrors(n) / CALLS;
      assert.ok(f.rows.length > 100, `${type} ${svc}: ${f.rows.length} points`);
      for (const row of f.rows) assert.ok(Math.abs(row[f.fields[1].name] - want) < 1e-9, `${type} ${svc}: ${row[f.fields[1].name]} != ${want}`);
      break;
    }
    case 'hotspots': {
      const rows = frames[0].rows;
      assert.equal(rows.length, 1);
      assert.equal(rows[0].service, svc);
      assert.equal(rows[0].route, `/r-${n}`);
      assert.equal(rows[0].errors, expectErrors(n));
      assert.equal(rows[0].calls, CALLS);
      break;
    }
    case 'top-types': {
      const rows = frames[0].rows;
      assert.deepEqual(rows.map((x) => [x.service, x.exceptionType, x.count]), [[svc, `Err${n}`, expectErrors(n)]]);
      break;
    }
    case 'recent-errors': {
      const rows = frames[0].rows;
      assert.equal(rows.length, 3, `${type} ${svc}`);
      for (const x of rows) {
        assert.equal(x.service, svc);
        assert.equal(x.exceptionType, `Err${n}`);
        assert.equal(x.message, `failure ${n}`);
        assert.ok(x.traceID.startsWith(hex(n + 1, 16)), x.traceID);
      }
      break;
    }
    case 'error-summary': {
      const rows = frames[0].rows;
      assert.deepEqual(rows.map((x) => [x.service, x.exceptionType, x.count]), [[svc, `Err${n}`, 3]]);
      break;
    }
    case 'error-groups': {
      const rows = frames[0].rows;
      assert.equal(rows.length, 1, `${type} ${svc}`);
      assert.equal(rows[0].exceptionType, `Err${n}`);
      assert.equal(rows[0].count, 3);
      assert.ok(String(rows[0].services).includes(svc));
      break;
    }
    default: throw new Error(type);
  }
}

async function main() {
  const started = Date.now();
  const prom = await standIn(promAnswer);
  const tempo = await standIn(tempoAnswer);
  const hole = await standIn(() => null, { hang: true });
  const plugin = await launchPlugin({ binary: args.plugin, protoDir: args.proto, env: { GF_PLUGIN_LOG_LEVEL: 'warn' } });
  const pid = plugin.child.pid;
  const good = datasourceContext({ uid: 'load', jsonData: { prometheusUrl: prom.url, tempoUrl: tempo.url } });
  const stuck = datasourceContext({ uid: 'stuck', jsonData: { prometheusUrl: hole.url, tempoUrl: hole.url, timeoutSeconds: 600 } });
  const failures = [];

  async function cancelRound(round) {
    const r = { fdStart: fdCount(pid), settledCalls: 0, outcomes: {} };
    const opened = hole.accepted;
    const calls = [];
    for (let i = 0; i < N_HANG; i++) {
      const req = { pluginContext: stuck, format: 'ARROW',
        queries: [dataQuery('A', { queryType: TYPES[i % TYPES.length], services: [`svc-${round}-${i}`] }, { from: FROM, to: TO })] };
      calls.push(plugin.data.QueryData(req, { deadline: Date.now() + 300000 }, (err) => {
        r.settledCalls++;
        const k = err ? `code ${err.code}` : 'answered';
        r.outcomes[k] = (r.outcomes[k] || 0) + 1;
      }));
    }
    // wait until the workers are all stuck on the black hole
    const w0 = Date.now();
    while (Date.now() - w0 < 5000 && (hole.open < 8 || Date.now() - w0 < 1500)) await sleep(50);
    r.stuckSockets = hole.open;
    r.newSockets = hole.accepted - opened;
    r.fdStuck = fdCount(pid);
    r.rssStuck = procStatus(pid).rss;
    const h0 = Date.now();
    const hr = await plugin.checkHealth(good, 10000);
    r.healthMs = Date.now() - h0;
    assert.equal(hr.status, 'OK', `CheckHealth while every worker waits: ${hr.message}`);
    const c0 = Date.now();
    for (const c of calls) c.cancel();
    r.closedMs = null;
    while (Date.now() - c0 < 10000) {
      if (hole.open === 0 && fdCount(pid) <= r.fdStart + 4) { r.closedMs = Date.now() - c0; break; }
      await sleep(20);
    }
    await sleep(1000);
    r.fdAfter = fdCount(pid);
    r.rssAfter = procStatus(pid).rss;
    return r;
  }

  // CheckHealth all along
  const health = { n: 0, max: 0, bad: [] };
  let healthOn = true;
  const healthLoop = (async () => {
    while (healthOn) {
      const t0 = Date.now();
      try {
        const r = await plugin.checkHealth(good, 10000);
        if (r.status !== 'OK') health.bad.push(r.message);
      } catch (e) { health.bad.push(String(e.message)); }
      health.max = Math.max(health.max, Date.now() - t0);
      health.n++;
      await sleep(250);
    }
  })();

  const call = (type, n, ctx = good, timeoutMs = 120000) => plugin.queryData(ctx,
    [dataQuery('A', { queryType: type, services: [`svc-${n}`], groupBy: 'service', limit: 1000 }, { from: FROM, to: TO })],
    { timeoutMs });

  // warm up: caches, thread pools, allocator arenas
  for (let i = 0; i < 24; i++) checkAnswer(TYPES[i % TYPES.length], 5000 + i, await call(TYPES[i % TYPES.length], 5000 + i));
  await sleep(500);
  const idle = procStatus(pid);
  const fdIdle = fdCount(pid);

  // ---- 1. load ----
  const lat = [];
  const byType = {};
  let peakRss = idle.rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, procStatus(pid).rss); }, 100);
  const t0 = Date.now();
  await Promise.all(Array.from({ length: N_CALLS }, async (_, i) => {
    const type = TYPES[i % TYPES.length];
    const c0 = Date.now();
    try {
      const res = await call(type, i);
      const ms = Date.now() - c0;
      lat.push(ms);
      (byType[type] ||= []).push(ms);
      checkAnswer(type, i, res);
    } catch (e) {
      failures.push(`${type} svc-${i}: ${e.message}`);
    }
  }));
  const loadMs = Date.now() - t0;
  clearInterval(sampler);
  const atEnd = procStatus(pid);
  await sleep(3000);
  const settled = procStatus(pid);
  lat.sort((a, b) => a - b);
  const promReqs = prom.requests; const tempoReqs = tempo.requests;

  console.log(`load: ${N_CALLS} concurrent QueryData calls in ${(loadMs / 1000).toFixed(1)} s ` +
    `(${(N_CALLS / (loadMs / 1000)).toFixed(0)} calls/s), backend latency 50-200 ms, ` +
    `${promReqs} Prometheus + ${tempoReqs} Tempo requests, ${failures.length} failures`);
  console.log(`  latency p50 ${pct(lat, 50)} ms, p90 ${pct(lat, 90)} ms, p99 ${pct(lat, 99)} ms, max ${lat[lat.length - 1]} ms`);
  for (const [t, l] of Object.entries(byType)) {
    l.sort((a, b) => a - b);
    console.log(`    ${t.padEnd(14)} n=${l.length} p50 ${pct(l, 50)} ms p99 ${pct(l, 99)} ms`);
  }
  console.log(`  RSS idle ${mb(idle.rss)}, peak ${mb(Math.max(peakRss, atEnd.hwm))} (VmHWM ${mb(atEnd.hwm)}), ` +
    `after 3 s ${mb(settled.rss)} (growth ${mb(settled.rss - idle.rss)}, bound ${RSS_BOUND_MB} MiB); ` +
    `threads ${settled.threads}; backend sockets still open: ${prom.open + tempo.open} (keep-alive ${prom.server.keepAliveTimeout} ms)`);

  // ---- 2. cancellation (three rounds: a leak would grow round by round) ----
  const fdBefore = fdCount(pid);
  const rssBefore = procStatus(pid).rss;
  const rounds = [];
  for (let round = 0; round < 3; round++) rounds.push(await cancelRound(round));
  const last = rounds[rounds.length - 1];
  const fdAfter = last.fdAfter;
  const afterCancel = procStatus(pid);
  const closedMs = rounds.some((r) => r.closedMs === null) ? null : Math.max(...rounds.map((r) => r.closedMs));
  const stuckSockets = Math.min(...rounds.map((r) => r.stuckSockets));
  const settledCalls = Math.min(...rounds.map((r) => r.settledCalls));
  // the plugin still works, with correct answers
  for (let i = 0; i < 12; i++) checkAnswer(TYPES[i % TYPES.length], 7000 + i, await call(TYPES[i % TYPES.length], 7000 + i));
  rounds.forEach((r, k) => console.log(`cancellation round ${k + 1}: ${N_HANG} calls to a backend that never answers; ` +
    `${r.stuckSockets} backend sockets open, fds ${r.fdStart} -> ${r.fdStuck}; CheckHealth meanwhile in ${r.healthMs} ms; ` +
    `after cancel(): sockets closed and fds back in ${r.closedMs === null ? 'NEVER' : `${r.closedMs} ms`}, ` +
    `fds ${r.fdAfter}, RSS ${mb(r.rssStuck)} stuck -> ${mb(r.rssAfter)}; client saw ${JSON.stringify(r.outcomes)}`));
  console.log(`  fds: baseline ${fdBefore}, after the rounds ${rounds.map((r) => r.fdAfter).join(', ')}; ` +
    `RSS ${mb(rssBefore)} before -> ${mb(afterCancel.rss)} after (idle ${mb(idle.rss)})`);

  healthOn = false;
  await healthLoop;
  console.log(`health: ${health.n} CheckHealth calls during the test, slowest ${health.max} ms, ${health.bad.length} not OK`);
  const shut = await plugin.shutdown();
  console.log(`plugin exited with ${shut.code} in ${shut.ms} ms; test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const s of [prom, tempo, hole]) { s.server.closeAllConnections(); s.server.close(); }

  // ---- verdict ----
  const problems = [];
  if (failures.length) problems.push(`${failures.length} failed calls, e.g.\n    ${failures.slice(0, 5).join('\n    ')}`);
  if (lat.length !== N_CALLS) problems.push(`${lat.length} of ${N_CALLS} calls answered`);
  if (settled.rss - idle.rss >= RSS_BOUND_MB) problems.push(`RSS grew ${mb(settled.rss - idle.rss)} after the load`);
  if (stuckSockets === 0) problems.push('no call reached the black-hole backend');
  if (closedMs === null) problems.push(`backend sockets (${hole.open}) or fds (${fdCount(pid)} vs ${fdBefore}) not released after cancel`);
  if (fdAfter > fdBefore + 4) problems.push(`fd count ${fdAfter} > baseline ${fdBefore} + 4`);
  // A leak of the stuck calls' sockets would add ~16 fds a round; a few fds come and go with
  // keep-alive connections and worker wake-ups, so allow that much above the higher baseline.
  if (rounds[2].fdAfter > Math.max(fdBefore, rounds[0].fdAfter) + 4)
    problems.push(`fds grow round by round: ${rounds.map((r) => r.fdAfter).join(', ')} (baseline ${fdBefore})`);
  if (afterCancel.rss - idle.rss >= RSS_BOUND_MB) problems.push(`RSS after cancellation ${mb(afterCancel.rss)} (idle ${mb(idle.rss)})`);
  if (settledCalls !== N_HANG) problems.push(`${N_HANG - settledCalls} cancelled calls never settled on the client`);
  if (health.bad.length) problems.push(`CheckHealth failed: ${health.bad.slice(0, 3).join('; ')}`);
  if (health.max > 5000) problems.push(`CheckHealth took ${health.max} ms`);
  if (shut.code !== 0) problems.push(`plugin exit ${shut.code} ${shut.signal}`);
  if (problems.length) {
    console.log(`FAIL:\n  ${problems.join('\n  ')}`);
    console.log(plugin.logs.join('').slice(-3000));
    process.exit(1);
  }
  console.log('OK');
}

main().catch((e) => { console.error(e); process.exit(1); });
