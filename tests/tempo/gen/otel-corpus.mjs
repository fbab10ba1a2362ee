// Generator of the real-SDK part of the Tempo test corpus: runs the fictional
// "frontend" service (gen/frontend/) under the OpenTelemetry JS SDK
// (@opentelemetry/sdk-trace-base with an in-memory exporter), so spans,
// exception events and stack traces come from real thrown errors, then writes
// them as the OpenTelemetry Collector's file exporter would: one
// {"resourceSpans": [...]} object per line, hex IDs, enums as integers, 64-bit
// integers as strings.
//
//   node gen/otel-corpus.mjs [--out FILE]   (default: corpus/otel-sdk-frontend.jsonl)
//
// Determinism: IDs come from a seeded generator and every timestamp is passed
// explicitly; source paths are rewritten from this checkout to /srv/frontend/src
// so the output does not depend on where the repository lives.  Frames inside
// Node itself (node:internal/...) depend on the Node.js version that ran this.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

for (const k of Object.keys(process.env)) {
  if (k.startsWith('OTEL_')) delete process.env[k];
}

const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
const { defaultResource, resourceFromAttributes } = await import('@opentelemetry/resources');
const { simulate } = await import('./frontend/app.mjs');

const HERE = dirname(fileURLToPath(import.meta.url));
const T0_NS = 1741766400n * 1_000_000_000n; // 2025-03-12T08:00:00Z
const SEED = 20250312;

let out = join(HERE, '..', 'corpus', 'otel-sdk-frontend.jsonl');
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--out') out = process.argv[++i];
}

// Seeded IDs: sha256(seed:kind:n), first 16 or 8 bytes.
class SeededIdGenerator {
  constructor(seed) { this.seed = seed; this.n = 0; }
  next(kind, bytes) {
    this.n += 1;
    return createHash('sha256').update(`${this.seed}:${kind}:${this.n}`).digest('hex').slice(0, bytes * 2);
  }
  generateTraceId() { return this.next('trace', 16); }
  generateSpanId() { return this.next('span', 8); }
}

const exporter = new InMemorySpanExporter();
const resource = defaultResource().merge(resourceFromAttributes({
  'service.name': 'frontend',
  'service.namespace': 'shop',
  'service.version': '3.5.0-canary.2',
  'service.instance.id': 'frontend-canary-6b9f8d7c5-q4w2e',
  'deployment.environment.name': 'production',
  'k8s.namespace.name': 'shop',
  'k8s.pod.name': 'frontend-canary-6b9f8d7c5-q4w2e',
  'host.name': 'frontend-canary-6b9f8d7c5-q4w2e',
}));
const provider = new BasicTracerProvider({
  resource,
  idGenerator: new SeededIdGenerator(SEED),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
  spanLimits: { attributeValueLengthLimit: Infinity, attributeCountLimit: 128, eventCountLimit: 128 },
});
const tracers = {
  http: provider.getTracer('@opentelemetry/instrumentation-http', '0.57.2'),
  app: provider.getTracer('frontend', '3.5.0-canary.2'),
};

await simulate(tracers, { t0Ns: T0_NS, minutes: 120, seed: SEED });
await provider.forceFlush();
const spans = exporter.getFinishedSpans();

// ---- Collector pdata JSON ----------------------------------------------------

const genUrl = pathToFileURL(HERE).href;                 // file:///.../tests/tempo/gen
const rewrites = [
  [`${genUrl}/frontend/`, 'file:///srv/frontend/src/'],
  [`${genUrl}/otel-corpus.mjs`, 'file:///srv/frontend/src/instrumentation.mjs'],
  [`${HERE}/frontend/`, '/srv/frontend/src/'],
  [`${HERE}/otel-corpus.mjs`, '/srv/frontend/src/instrumentation.mjs'],
];

function clean(s) {
  for (const [from, to] of rewrites) s = s.split(from).join(to);
  return s;
}

function anyValue(v) {
  if (typeof v === 'string') return { stringValue: clean(v) };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: v.length ? { values: v.map(anyValue) } : {} };
  return {};
}

function keyValues(attrs) {
  return Object.entries(attrs || {}).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function nanos(hrTime) {
  return (BigInt(hrTime[0]) * 1_000_000_000n + BigInt(hrTime[1])).toString();
}

function put(obj, key, value) {
  if (value === undefined || value === '' || value === 0 || (Array.isArray(value) && value.length === 0)) return;
  obj[key] = value;
}

function spanJson(s) {
  const ctx = s.spanContext();
  const parent = s.parentSpanContext;
  const d = {};
  put(d, 'traceId', ctx.traceId);
  put(d, 'spanId', ctx.spanId);
  put(d, 'traceState', ctx.traceState ? ctx.traceState.serialize() : '');
  put(d, 'parentSpanId', parent ? parent.spanId : '');
  // OTLP exporters set SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK (0x100), and
  // SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK (0x200) for a remote parent
  put(d, 'flags', (ctx.traceFlags & 0xff) | 0x100 | (parent && parent.isRemote ? 0x200 : 0));
  put(d, 'name', s.name);
  put(d, 'kind', s.kind + 1);
  put(d, 'startTimeUnixNano', nanos(s.startTime));
  put(d, 'endTimeUnixNano', nanos(s.endTime));
  put(d, 'attributes', keyValues(s.attributes));
  put(d, 'droppedAttributesCount', s.droppedAttributesCount);
  put(d, 'events', s.events.map((e) => {
    const ev = {};
    put(ev, 'timeUnixNano', nanos(e.time));
    put(ev, 'name', e.name);
    put(ev, 'attributes', keyValues(e.attributes));
    put(ev, 'droppedAttributesCount', e.droppedAttributesCount || 0);
    return ev;
  }));
  put(d, 'droppedEventsCount', s.droppedEventsCount);
  put(d, 'links', s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: keyValues(l.attributes) })));
  put(d, 'droppedLinksCount', s.droppedLinksCount);
  const st = {};
  put(st, 'message', s.status.message || '');
  put(st, 'code', s.status.code);
  d.status = st;
  return d;
}

// The Collector's batch processor exports up to 16 spans at a time; spans of
// one trace can land in two consecutive lines.
const lines = [];
for (let i = 0; i < spans.length; i += 16) {
  const batch = spans.slice(i, i + 16);
  const scopes = new Map();
  for (const s of batch) {
    const key = `${s.instrumentationScope.name}@${s.instrumentationScope.version || ''}`;
    if (!scopes.has(key)) scopes.set(key, { scope: s.instrumentationScope, spans: [] });
    scopes.get(key).spans.push(spanJson(s));
  }
  lines.push(JSON.stringify({
    resourceSpans: [{
      resource: { attributes: keyValues(resource.attributes) },
      scopeSpans: [...scopes.values()].map(({ scope, spans: list }) => {
        const sc = {};
        put(sc, 'name', scope.name);
        put(sc, 'version', scope.version || '');
        return { scope: sc, spans: list };
      }),
    }],
  }));
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, lines.join('\n') + '\n');
process.stderr.write(`wrote ${spans.length} spans in ${lines.length} lines to ${out}\n`);
