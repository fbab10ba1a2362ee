// SPDX-License-Identifier: Apache-2.0
//
// The fault matrix and hostile requests, driven through the real plugin
// executable the way Grafana drives it (tests/lib/plugin.mjs). Started by
// test_faults.py, which owns the backends and checks this file's report:
//
//   node matrix.mjs CONFIG.json REPORT.json
//
// CONFIG: {binary, protoDir, prometheus, tempo (healthy URLs), faultBase
// (fault_server.py), refusedUrl, dnsHost, from, to (ms), traceId,
// bigConcurrency}.
//
// For every fault mode × backend × query type it sends ONE QueryData with
// refId F (the query aimed at the faulty backend), H (a query that only uses
// the other, healthy backend) and M (malformed JSON), then a CheckHealth on a
// healthy datasource. VmRSS/VmHWM of the plugin are sampled every 25 ms.
// The report holds what came back; no judgement here beyond decoding.

import fs from 'node:fs';
import { datasourceContext, dataQuery, decodeFrame, launchPlugin } from '../lib/plugin.mjs';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const reportPath = process.argv[3];
const range = { from: cfg.from, to: cfg.to };

// Secrets on every datasource (from the config): none of them may come back anywhere.
const SECRETS = cfg.secrets;
const AUTH = {
  prometheusAuth: 'bearer', tempoAuth: 'basic', tempoUser: 'grafana',
  prometheusHttpHeaderName1: 'X-Api-Key', tempoHttpHeaderName1: 'X-Api-Key',
};

const TIMEOUT_MODES = ['timeout', 'drip'];
const SMALL_MODES = ['refused', 'dns', '401', '403', '404', '429', '500', '502', '503', 'truncated',
  'disconnect', 'nonjson', 'wrongshape', 'jsonarray', 'empty', 'badgzip'];
const BIG_MODES = ['big', 'million', 'gzipbomb'];
const TIMEOUT_SECONDS = 2;

const QUERIES = {
  'error-rate': { queryType: 'error-rate', groupBy: 'service' },
  hotspots: { queryType: 'hotspots', limit: 5 },
  'top-types': { queryType: 'top-types', limit: 5 },
  variable: { queryType: 'variable', variable: 'services' },
  'recent-errors': { queryType: 'recent-errors', limit: 5 },
  'error-summary': { queryType: 'error-summary', limit: 200 },
  'error-groups': { queryType: 'error-groups', limit: 200, compareTo: 'previous-range' },
  'trace-exceptions': { queryType: 'trace-exceptions', traceId: cfg.traceId },
};
const CELLS_BY_BACKEND = {
  prometheus: ['error-rate', 'hotspots', 'top-types', 'variable'],
  tempo: ['recent-errors', 'error-summary', 'error-groups', 'trace-exceptions', 'top-types', 'variable'],
};
// The healthy query of a cell uses only the other backend.
const HEALTHY = {
  prometheus: { queryType: 'recent-errors', limit: 5 },           // Tempo answers
  tempo: { queryType: 'hotspots', limit: 5 },                      // Prometheus answers
};
// Malformed query JSON, a different way in each cell.
const MALFORMED = [
  '{"queryType":"hotspots","limit":5,', '{"queryType": "hotspots", limit: 5}', '{"queryType":"hotspots"}}',
  "{'queryType':'hotspots'}", '{"queryType":"hotspots","limit":5]', '\u0000{"queryType":"hotspots"}',
  '{"queryType":"hotspots","services":["a",]}', '{"queryType":"hotspots" "limit":5}', '{', '[}',
];

function faultUrl(mode, backend) {
  if (mode === 'refused') return cfg.refusedUrl;
  if (mode === 'dns') return `http://${backend}-${cfg.dnsHost}:9090`;
  return `${cfg.faultBase}/${mode}/${backend}`;
}

// The datasource of a cell: the faulty backend plus the healthy other one.
// Tempo-faulty cells use span-metrics names without an events metric, so
// top-types is answered from Tempo; a Tempo-faulty variable query has no
// Prometheus at all (variables come from Prometheus whenever it is set).
function cellSettings(mode, backend, queryType) {
  const timeoutSeconds = TIMEOUT_MODES.includes(mode) ? TIMEOUT_SECONDS : 30;
  const j = { ...AUTH, timeoutSeconds, tempoDatasourceUid: 'tempo-uid' };
  if (backend === 'prometheus') {
    j.prometheusUrl = faultUrl(mode, backend);
    j.tempoUrl = cfg.tempo;
  } else {
    j.tempoUrl = faultUrl(mode, backend);
    if (queryType !== 'variable') Object.assign(j, customNames(), { prometheusUrl: cfg.prometheus });
  }
  return j;
}

function customNames() {
  return {
    metricsSchema: 'custom', callsMetric: 'traces_span_metrics_calls_total', eventsMetric: '',
    serviceLabel: 'service_name',
  };
}

let uidSeq = 0;
function ctx(jsonData) {
  uidSeq += 1;
  return datasourceContext({ uid: `fault-${uidSeq}`, name: `fault ${uidSeq}`, jsonData, secure: SECRETS });
}
const healthyCtx = () => datasourceContext({
  uid: 'healthy', jsonData: { ...AUTH, prometheusUrl: cfg.prometheus, tempoUrl: cfg.tempo, tempoDatasourceUid: 'tempo-uid' },
  secure: SECRETS,
});

function rawQuery(refId, json, queryType = '', r = range, extra = {}) {
  return {
    refId, queryType, maxDataPoints: String(extra.maxDataPoints ?? 1000), intervalMS: String(extra.intervalMs ?? 15000),
    timeRange: { fromEpochMS: String(r.from), toEpochMS: String(r.to) }, json: Buffer.from(json),
  };
}

function summarize(resp) {
  const out = {};
  for (const [refId, r] of Object.entries(resp.responses || {})) {
    const entry = { status: r.status, error: r.error || '', errorSource: r.errorSource || '', frames: [] };
    for (const f of r.frames || []) {
      try {
        const d = decodeFrame(Buffer.from(f));
        entry.frames.push({ name: d.name, refId: d.refId, meta: d.meta, fields: d.fields.map((x) => x.name), rows: d.rows.slice(0, 20), nrows: d.rows.length });
      } catch (e) {
        entry.frames.push({ decodeError: String(e) });
      }
    }
    out[refId] = entry;
  }
  return out;
}

// ---- RSS sampling --------------------------------------------------------------------------
function readMem(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s) || [])[1] || 0);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), threads: kb('Threads') };
  } catch {
    return null;
  }
}

const rss = { peakKb: 0, phases: {} };
let phase = 'start';
let sampler = null;
function startSampler(pid) {
  sampler = setInterval(() => {
    const m = readMem(pid);
    if (!m) return;
    rss.peakKb = Math.max(rss.peakKb, m.rss);
    const p = (rss.phases[phase] ||= { peakRssKb: 0, hwmKb: 0, maxThreads: 0 });
    p.peakRssKb = Math.max(p.peakRssKb, m.rss);
    p.hwmKb = Math.max(p.hwmKb, m.hwm);
    p.maxThreads = Math.max(p.maxThreads, m.threads);
  }, 25);
}

async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }));
  return results;
}

// ---- main ------------------------------------------------------------------------------------
const started = Date.now();
const plugin = await launchPlugin({
  binary: cfg.binary, protoDir: cfg.protoDir, env: { GF_PLUGIN_LOG_LEVEL: 'debug', ...(cfg.env || {}) },
});
const pid = plugin.child.pid;
startSampler(pid);
const report = { pid, cells: [], hostile: [], baseline: {}, rss, idle: readMem(pid), healthChecks: [] };

async function health(label) {
  const t = Date.now();
  try {
    const r = await plugin.checkHealth(healthyCtx(), 30000);
    report.healthChecks.push({ label, status: r.status, message: r.message, ms: Date.now() - t });
    return r.status;
  } catch (e) {
    report.healthChecks.push({ label, status: 'RPC ' + e.code, message: e.details || String(e), ms: Date.now() - t });
    return 'ERROR';
  }
}

try {
  // Baselines: the healthy queries on healthy datasources, as every cell must see them.
  phase = 'baseline';
  await health('start');
  for (const [name, jd, q] of [
    ['tempo', { ...AUTH, prometheusUrl: cfg.prometheus, tempoUrl: cfg.tempo, tempoDatasourceUid: 'tempo-uid' }, HEALTHY.prometheus],
    ['prometheus', { ...AUTH, ...customNames(), prometheusUrl: cfg.prometheus, tempoUrl: cfg.tempo }, HEALTHY.tempo],
  ]) {
    const r = await plugin.queryData(ctx(jd), [dataQuery('H', q, range)]);
    report.baseline[name] = summarize(r).H;
  }
  report.idle = readMem(pid);

  async function runCell(cell, i) {
    const { mode, backend, queryType } = cell;
    const queries = [dataQuery('F', QUERIES[queryType], range)];
    const withHealthy = !(backend === 'tempo' && queryType === 'variable');
    if (withHealthy) queries.push(dataQuery('H', HEALTHY[backend], range));
    queries.push(rawQuery('M', MALFORMED[i % MALFORMED.length], 'hotspots'));
    const t = Date.now();
    const before = readMem(pid);
    let res;
    try {
      res = summarize(await plugin.queryData(ctx(cellSettings(mode, backend, queryType)), queries, { timeoutMs: 120000 }));
    } catch (e) {
      res = { rpcError: { code: e.code, details: e.details || String(e) } };
    }
    const ms = Date.now() - t;
    const after = readMem(pid);
    const hs = await health(`${mode}/${backend}/${queryType}`);
    const rec = { mode, backend, queryType, ms, withHealthy, res, healthAfter: hs, rssBeforeKb: before?.rss, rssAfterKb: after?.rss, hwmAfterKb: after?.hwm };
    report.cells.push(rec);
    return rec;
  }

  const only = cfg.modes ? new Set(cfg.modes) : null; // for debugging: run some modes only
  const cells = (modes) => modes.filter((m) => !only || only.has(m)).flatMap((mode) => Object.entries(CELLS_BY_BACKEND).flatMap(([backend, types]) => types.map((queryType) => ({ mode, backend, queryType }))));

  // Timeout cells all at once (they only wait), alongside the small faults.
  phase = 'small';
  const tStart = Date.now();
  await Promise.all([
    pool(cells(TIMEOUT_MODES), 64, runCell),
    pool(cells(SMALL_MODES), 6, runCell),
  ]);
  report.smallMs = Date.now() - tStart;
  report.afterSmall = readMem(pid);

  // Bodies of 100 MB, 10^6 items and the gzip bomb, a few at a time: RSS is measured here.
  phase = 'big';
  const bStart = Date.now();
  await pool(cells(BIG_MODES), cfg.bigConcurrency || 1, runCell);
  report.bigMs = Date.now() - bStart;
  report.afterBig = readMem(pid);

  phase = 'hostile';
  const hStart = Date.now();
  const { hostileRequests } = await import('./hostile.mjs');
  for (const h of cfg.noHostile ? [] : hostileRequests({ range, healthy: HEALTHY, rawQuery, dataQuery, traceId: cfg.traceId })) {
    const t = Date.now();
    let res;
    try {
      res = summarize(await plugin.queryData(healthyCtx(), h.queries, { timeoutMs: 120000 }));
    } catch (e) {
      res = { rpcError: { code: e.code, details: e.details || String(e) } };
    }
    report.hostile.push({ name: h.name, expect: h.expect, ms: Date.now() - t, nQueries: h.queries.length, res });
  }
  report.hostileMs = Date.now() - hStart;
  phase = 'end';
  await health('end');
  report.metrics = String((await plugin.collectMetrics(healthyCtx()).catch(() => ({})))?.metrics?.prometheus || '').length;
} catch (e) {
  report.fatal = String(e.stack || e);
} finally {
  clearInterval(sampler);
  report.final = readMem(pid);
  report.shutdown = await plugin.shutdown(10000);
  report.logs = plugin.logs.join('');
  report.totalMs = Date.now() - started;
  fs.writeFileSync(reportPath, JSON.stringify(report));
}
