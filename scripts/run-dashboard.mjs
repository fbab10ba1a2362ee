#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
//
// Runs every panel of a dashboard against the plugin the way Grafana would,
// and prints the answers: the plugin executable is launched with go-plugin's
// handshake, settings arrive as a datasource PluginContext, template
// variables are interpolated into each panel's query model as the frontend's
// applyTemplateVariables does (multi-value lists; All = no filter), queries
// go through Data.QueryData over gRPC, and every Arrow frame is decoded with
// apache-arrow before it is printed.
//
//   node scripts/run-dashboard.mjs --plugin dist/gpx_errortriage_linux_amd64 --proto proto \
//     --dashboard dashboards/error-triage.json --prometheus URL --tempo URL \
//     --from MS --to MS --var service=payment,checkout
//
// The first trace ID of the "recent-errors" panel becomes $trace_id for the
// stack-trace panel, as a click on the link would.

import fs from 'node:fs';
import { datasourceContext, dataQuery, decodeFrame, launchPlugin } from '../tests/lib/plugin.mjs';

function parseArgs(argv) {
  const o = { vars: {} };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    const v = argv[++i];
    if (k === 'var') {
      const eq = v.indexOf('=');
      o.vars[v.slice(0, eq)] = v.slice(eq + 1).split(',').filter(Boolean);
    } else o[k] = v;
  }
  for (const need of ['plugin', 'proto', 'dashboard', 'from', 'to'])
    if (!o[need]) throw new Error(`missing --${need}`);
  return o;
}

// "$var" / "${var}" entries of string lists become the selected values (All or unset: none).
function interpolate(value, vars) {
  const ref = (s) => { const m = /^\$\{?(\w+)\}?$/.exec(s); return m ? m[1] : null; };
  if (Array.isArray(value)) {
    return value.flatMap((v) => {
      const name = typeof v === 'string' ? ref(v) : null;
      if (!name) return [interpolate(v, vars)];
      const sel = vars[name] || [];
      return sel.includes('$__all') ? [] : sel;
    });
  }
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'datasource') out[k] = interpolate(v, vars);
    return out;
  }
  if (typeof value === 'string') {
    const name = ref(value);
    if (name && name in vars) return (vars[name] || [])[0] || '';
  }
  return value;
}

// ---- printing --------------------------------------------------------------------------

const BARS = '▁▂▃▄▅▆▇█';
const width = (s) => [...String(s)].length;
const pad = (s, n) => String(s) + ' '.repeat(Math.max(0, n - width(s)));
const utc = (ms) => new Date(ms).toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace('Z', '');

function fmt(v, field, max = 40) {
  if (v === null || v === undefined) return '-';
  const unit = field.config?.unit;
  if (field.tstype === 'time') return utc(v);
  if (typeof v === 'number') {
    if (unit === 'percentunit') return `${(v * 100).toFixed(2)}%`;
    if (field.config?.decimals === 0 || Math.abs(v) >= 100) return String(Math.round(v));
    return Number.isInteger(v) ? String(v) : v.toPrecision(3).replace(/\.?0+$/, '');
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return JSON.stringify(v);
  const s = String(v);
  const first = s.split('\n')[0].trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

// What a person scans first in each panel (the frames carry more).
const COLUMNS = {
  'error-groups': ['new', 'exceptionType', 'culprit', 'services', 'count', 'firstSeen', 'sparkline', 'status'],
  'recent-errors': ['time', 'service', 'route', 'exceptionType', 'stackTop', 'traceID'],
  'trace-exceptions': ['time', 'service', 'spanName', 'exceptionType', 'message'],
  'error-summary': ['service', 'exceptionType', 'count', 'firstSeen', 'lastSeen', 'traceID'],
};
const MAX_ROWS = 12;

function sparkline(values, n = 40) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return '';
  const hi = Math.max(...finite), lo = Math.min(0, ...finite);
  let out = '';
  for (let c = 0; c < n; c++) {
    const a = Math.floor((c * values.length) / n), b = Math.max(a + 1, Math.floor(((c + 1) * values.length) / n));
    const chunk = values.slice(a, b).filter((v) => Number.isFinite(v));
    if (!chunk.length) { out += ' '; continue; }
    const m = Math.max(...chunk);
    out += BARS[hi > lo ? Math.min(7, Math.floor(((m - lo) / (hi - lo)) * 7.999)) : 0];
  }
  return out;
}

function printSeries(frames) {
  const named = frames.map((f) => ({ f, name: f.fields[1]?.config?.displayNameFromDS || f.name }));
  const w = Math.max(...named.map((x) => width(x.name)));
  for (const { f, name } of named) {
    const vf = f.fields[1];
    const vals = f.rows.map((r) => r[vf.name]);
    let peak = -Infinity, peakAt = null;
    f.rows.forEach((r) => { if (Number.isFinite(r[vf.name]) && r[vf.name] > peak) { peak = r[vf.name]; peakAt = r[f.fields[0].name]; } });
    const last = [...vals].reverse().find((v) => Number.isFinite(v));
    console.log(`  ${pad(name, w)}  peak ${peakAt === null ? '-' : `${fmt(peak, vf)} at ${utc(peakAt).slice(11)}`}  last ${fmt(last ?? null, vf)}  ${sparkline(vals)}`);
  }
}

function printTable(f, queryType) {
  const wanted = COLUMNS[queryType];
  const cols = wanted ? wanted.map((n) => f.fields.find((x) => x.name === n)).filter(Boolean)
    : f.fields.filter((fl) => !['stacktrace', 'trend'].includes(fl.name));
  const rows = f.rows.slice(0, MAX_ROWS);
  const cells = [cols.map((c) => c.name), ...rows.map((r) => cols.map((c) => fmt(r[c.name], c, c.name === 'traceID' ? 32 : 40)))];
  const widths = cols.map((_, i) => Math.max(...cells.map((row) => width(row[i]))));
  cells.forEach((row, ri) => {
    console.log(`  ${row.map((c, i) => (i + 1 < row.length ? pad(c, widths[i]) : c)).join('  ')}`);
    if (ri === 0) console.log(`  ${widths.map((n) => '─'.repeat(n)).join('  ')}`);
  });
  if (f.rows.length > rows.length) console.log(`  … ${f.rows.length - rows.length} more rows`);
}

function printNotices(frames) {
  const seen = new Set();
  for (const f of frames)
    for (const n of f.meta?.notices || [])
      if (!seen.has(n.text)) { seen.add(n.text); console.log(`  ${n.severity || 'info'}: ${n.text}`); }
}

function printFrames(frames, queryType) {
  const series = frames.filter((f) => f.meta?.type?.startsWith('timeseries') && f.fields.length === 2);
  if (series.length) printSeries(series);
  for (const f of frames.filter((x) => !series.includes(x))) {
    if (!f.fields.length) console.log('  (no data)');
    else if (!f.rows.length) console.log(`  ${f.name || 'result'}: no rows`);
    else printTable(f, queryType);
  }
  printNotices(frames);
}

// ---- main -------------------------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv);
  const dash = JSON.parse(fs.readFileSync(o.dashboard, 'utf8'));
  const from = Number(o.from), to = Number(o.to);
  const jsonData = { scrapeIntervalSeconds: 15, tempoDatasourceUid: o['tempo-uid'] || 'tempo' };
  if (o.prometheus) jsonData.prometheusUrl = o.prometheus;
  if (o.tempo) jsonData.tempoUrl = o.tempo;
  const ctx = datasourceContext({ jsonData });
  const plugin = await launchPlugin({ binary: o.plugin, protoDir: o.proto });
  let failed = 0;
  try {
    console.log(`Grafana → plugin handshake OK (${plugin.address})`);
    const health = await plugin.checkHealth(ctx);
    console.log(`Save & test: ${health.status}: ${health.message}\n`);
    const range = { from, to, intervalMs: Math.max(15000, Math.ceil((to - from) / 1000)), maxDataPoints: 1000 };
    const vars = { ...o.vars };
    for (const v of dash.templating.list) {
      if (v.type !== 'query') continue;
      if (!vars[v.name]) vars[v.name] = ['$__all'];
      const res = await plugin.queryData(ctx, [dataQuery('V', interpolate(v.query, vars), range)]);
      const r = res.responses.V;
      const values = r.status === 200 && r.frames.length ? decodeFrame(r.frames[0]).rows.map((x) => x.value) : [];
      const sel = vars[v.name].includes('$__all') ? 'All' : vars[v.name].join(', ');
      console.log(`variable $${v.name} = ${sel}   (${values.length} values: ${values.slice(0, 8).join(', ')}${values.length > 8 ? ', …' : ''})`);
    }
    const panels = [...dash.panels].sort((a, b) => (a.gridPos.y - b.gridPos.y) || (a.gridPos.x - b.gridPos.x));
    for (const panel of panels) {
      for (const target of panel.targets || []) {
        if (target.queryType === 'trace-exceptions') continue; /* after a trace is picked, below */
        const model = interpolate(target, vars);
        const title = panel.title.replace(/\$\{?(\w+)\}?/g, (_, n) => (vars[n] || [''])[0]);
        console.log(`\n▶ ${title}   [${model.queryType}]`);
        const res = await plugin.queryData(ctx, [dataQuery(target.refId || 'A', model, range)]);
        const r = res.responses[target.refId || 'A'];
        if (r.status !== 200 || r.error) {
          console.log(`  error (status ${r.status}, ${r.errorSource}): ${r.error}`);
          failed++;
          continue;
        }
        const frames = r.frames.map((b) => decodeFrame(b));
        printFrames(frames, model.queryType);
        if (model.queryType === 'recent-errors' && !vars.trace_id?.[0]) {
          // the first recent error with a real exception, as a person would click
          const first = frames[0]?.rows?.find((x) => x.exceptionType && x.exceptionType !== '(no exception)');
          if (first?.traceID) vars.trace_id = [first.traceID];
        }
      }
    }
    const trace = vars.trace_id?.[0];
    const stackPanel = panels.find((p) => (p.targets || []).some((t) => t.queryType === 'trace-exceptions'));
    if (trace && stackPanel) {
      const target = stackPanel.targets.find((t) => t.queryType === 'trace-exceptions');
      const model = interpolate(target, vars);
      console.log(`\n▶ ${stackPanel.title.replace(/\$\{?trace_id\}?/, trace)}   [trace-exceptions: the newest error with an exception]`);
      const res = await plugin.queryData(ctx, [dataQuery('A', model, range)]);
      const r = res.responses.A;
      if (r.status !== 200) { console.log(`  error (status ${r.status}): ${r.error}`); failed++; }
      else {
        const frames = r.frames.map((b) => decodeFrame(b));
        printFrames(frames, 'trace-exceptions');
        const st = frames[0]?.rows?.find((x) => x.stacktrace)?.stacktrace;
        if (st) console.log(`\n  stack trace of the first exception:\n${st.split('\n').slice(0, 14).map((l) => `    ${l}`).join('\n')}`);
      }
    }
  } finally {
    const exit = await plugin.shutdown();
    console.log(`\nGRPCController.Shutdown → plugin exited with ${exit.code ?? exit.signal} in ${exit.ms} ms`);
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => { console.error(`run-dashboard: ${e.stack || e}`); process.exitCode = 1; });
