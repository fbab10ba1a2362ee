// Request handlers of the fictional "frontend" service, driven by
// gen/otel-corpus.mjs.  Each handler runs real code (which really throws) under
// spans of the real OpenTelemetry SDK; only time is simulated: every span and
// event gets an explicit timestamp from the schedule, so the output is
// identical on every run.

import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';

import { validateCartItem } from './cart/validate.mjs';
import { getProduct, listProducts } from './catalog/products.mjs';
import { recommendationsFor } from './recommendations/client.mjs';

const MS = 1_000_000n;

export function hr(ns) {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

// A small deterministic PRNG (mulberry32).
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function serverSpan(tracers, method, route, path, start) {
  return tracers.http.startSpan(`${method} ${route}`, {
    kind: SpanKind.SERVER,
    startTime: hr(start),
    attributes: {
      'http.request.method': method,
      'url.path': path,
      'url.scheme': 'https',
      'http.route': route,
      'server.address': 'shop.example.com',
      'user_agent.original': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 Safari/605.1.15',
    },
  });
}

function clientSpan(tracers, parent, method, url, host, port, start) {
  const ctx = trace.setSpan(context.active(), parent);
  return tracers.http.startSpan(method, {
    kind: SpanKind.CLIENT,
    startTime: hr(start),
    attributes: { 'http.request.method': method, 'url.full': url, 'server.address': host, 'server.port': port },
  }, ctx);
}

function finishHttp(span, status, end, { errorOnClientStatus = false } = {}) {
  span.setAttribute('http.response.status_code', status);
  const isError = errorOnClientStatus ? status >= 400 : status >= 500;
  if (isError) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end(hr(end));
}

const CATALOG = [
  { sku: 'SKU-1042', price: { amount: 1999 } },
  { sku: 'SKU-2210', price: { amount: 4550 } },
  { sku: 'SKU-0087', price: { amount: 899 } },
];

// GET /api/products: one call to inventory, then prices are formatted.  When
// inventory returns an item without a price, formatPrice() throws TypeError.
async function products(tracers, t, rnd, plan) {
  const root = serverSpan(tracers, 'GET', '/api/products', '/api/products', t);
  const cStart = t + 2n * MS;
  const client = clientSpan(tracers, root, 'GET', 'http://inventory:8000/api/products', 'inventory', 8000, cStart);
  const upstreamMs = BigInt(8 + Math.floor(rnd() * 30));
  let reply = { status: 200, body: CATALOG };
  if (plan === 'bad-data') {
    reply = { status: 200, body: [...CATALOG, { sku: 'SKU-9001' }] };
  } else if (plan === 'refused') {
    reply = { fail: 'ECONNREFUSED' };
  } else if (plan === 'upstream-503') {
    reply = { status: 503, body: { error: 'database is starting up' } };
  }
  const cEnd = cStart + (plan === 'refused' ? 1n * MS : upstreamMs * MS);
  const end = cEnd + 3n * MS;
  try {
    await listProducts(reply);
    finishHttp(client, 200, cEnd, { errorOnClientStatus: true });
    finishHttp(root, 200, end);
  } catch (err) {
    if (err.code) {
      // transport failure: no response status on the client span
      client.recordException(err, hr(cEnd));
      client.setAttribute('error.type', err.code);
      client.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      client.end(hr(cEnd));
    } else {
      finishHttp(client, reply.status, cEnd, { errorOnClientStatus: true });
    }
    root.recordException(err, hr(end - 1n * MS));
    root.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    finishHttp(root, err.code ? 503 : 500, end);
  }
}

// GET /api/products/:sku with an 800 ms budget: a slow inventory answer
// raises TimeoutError and the frontend answers 504.
async function product(tracers, t, rnd, plan) {
  const sku = CATALOG[Math.floor(rnd() * CATALOG.length)].sku;
  const root = serverSpan(tracers, 'GET', '/api/products/:sku', `/api/products/${sku}`, t);
  const cStart = t + 1n * MS;
  const client = clientSpan(tracers, root, 'GET', `http://inventory:8000/api/products/${sku}`, 'inventory', 8000, cStart);
  const tookMs = plan === 'slow' ? 800 + Math.floor(rnd() * 400) : 5 + Math.floor(rnd() * 20);
  const cEnd = cStart + BigInt(Math.min(tookMs, 800)) * MS;
  const end = cEnd + 2n * MS;
  try {
    await getProduct(sku, { status: 200, body: CATALOG[0] }, tookMs);
    finishHttp(client, 200, cEnd, { errorOnClientStatus: true });
    finishHttp(root, 200, end);
  } catch (err) {
    // the request was abandoned: the client span ends without a status code
    client.setAttribute('error.type', 'TimeoutError');
    client.setStatus({ code: SpanStatusCode.ERROR });
    client.end(hr(cEnd));
    root.recordException(err, hr(end - 1n * MS));
    root.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    finishHttp(root, 504, end);
  }
}

// POST /api/cart/items: invalid input is answered 400; the ValidationError is
// recorded but the span is not an error (4xx on a server span).
async function addToCart(tracers, t, rnd, plan) {
  const root = serverSpan(tracers, 'POST', '/api/cart/items', '/api/cart/items', t);
  const item = plan === 'invalid'
    ? (rnd() < 0.5 ? { sku: 'SKU-1042', quantity: 0 } : { sku: 'sku 1042 <script>', quantity: 1 })
    : { sku: 'SKU-2210', quantity: 1 + Math.floor(rnd() * 3) };
  const inner = tracers.app.startSpan('validate cart item', { kind: SpanKind.INTERNAL, startTime: hr(t + 1n * MS) },
    trace.setSpan(context.active(), root));
  const end = t + BigInt(3 + Math.floor(rnd() * 5)) * MS;
  try {
    validateCartItem(item);
    inner.end(hr(t + 2n * MS));
    finishHttp(root, 201, end);
  } catch (err) {
    inner.recordException(err, hr(t + 2n * MS));
    inner.end(hr(t + 2n * MS));
    root.recordException(err, hr(end - 1n * MS));
    finishHttp(root, 400, end);
  }
}

// GET /api/recommendations asks two replicas; Promise.any rejects with an
// AggregateError when both fail.  One failed replica alone is only noted.
async function recommendations(tracers, t, rnd, plan) {
  const root = serverSpan(tracers, 'GET', '/api/recommendations', '/api/recommendations', t);
  const replies = [{ status: 200, body: ['SKU-0087'] }, { status: 200, body: ['SKU-2210'] }];
  if (plan === 'both-down') {
    replies[0] = { status: 503, body: { error: 'model not loaded' } };
    replies[1] = { fail: 'ECONNRESET' };
  } else if (plan === 'one-down') {
    replies[1] = { status: 503, body: { error: 'model not loaded' } };
  }
  const spans = replies.map((reply, i) => {
    const s = clientSpan(tracers, root, 'GET', `http://recommendation-${i}:8080/api/recommendations`,
      `recommendation-${i}`, 8080, t + BigInt(1 + i) * MS);
    return { s, reply, end: t + BigInt(10 + Math.floor(rnd() * 40)) * MS };
  });
  const end = spans.reduce((m, x) => (x.end > m ? x.end : m), 0n) + 2n * MS;
  for (const { s, reply, end: e } of spans) {
    if (reply.fail) {
      s.setAttribute('error.type', reply.fail);
      s.setStatus({ code: SpanStatusCode.ERROR });
      s.end(hr(e));
    } else {
      finishHttp(s, reply.status, e, { errorOnClientStatus: true });
    }
  }
  try {
    await recommendationsFor('u-4242', replies);
    if (plan === 'one-down') {
      // a handled degradation, recorded as a bare message (no exception type)
      root.recordException('recommendation-1 unavailable, served from one replica', hr(end - 1n * MS));
    }
    finishHttp(root, 200, end);
  } catch (err) {
    root.recordException(err, hr(end - 1n * MS));
    root.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    finishHttp(root, 502, end);
  }
}

// The schedule: one request every 150 s on average over two hours, starting
// 2025-03-12T08:00:00Z.  Failures are drawn from the seeded PRNG; the
// recommendation replicas only start failing after 09:05 (a new error group in
// the second hour).
export async function simulate(tracers, { t0Ns, minutes, seed }) {
  const rnd = prng(seed);
  const stepNs = 150n * 1_000_000_000n;
  const count = Math.floor((minutes * 60) / 150);
  const secondHalf = t0Ns + 65n * 60n * 1_000_000_000n;
  for (let i = 0; i < count; i++) {
    const t = t0Ns + BigInt(i) * stepNs + BigInt(Math.floor(rnd() * 140_000)) * MS + BigInt(Math.floor(rnd() * 1e6));
    const r = rnd();
    const route = i % 4;
    if (route === 0) {
      const plan = r < 0.15 ? 'bad-data' : r < 0.22 ? 'refused' : r < 0.3 ? 'upstream-503' : 'ok';
      await products(tracers, t, rnd, plan);
    } else if (route === 1) {
      await product(tracers, t, rnd, r < 0.3 ? 'slow' : 'ok');
    } else if (route === 2) {
      await addToCart(tracers, t, rnd, r < 0.4 ? 'invalid' : 'ok');
    } else {
      const late = t >= secondHalf;
      const plan = late && r < 0.6 ? 'both-down' : r > 0.8 ? 'one-down' : 'ok';
      await recommendations(tracers, t, rnd, plan);
    }
  }
}
