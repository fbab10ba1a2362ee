// Static server + backend stub for the browser tests, on 127.0.0.1 and a free port. It serves
// the harness page and bundles, the built <repo>/dist/, SystemJS, Grafana's icons, and answers
// like the plugin backend behind Grafana: the CallResource routes (services, routes,
// exception-types, span-names, metrics-schema) and /api/ds/query. Requests are recorded.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(frontend, '..');

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.ttf': 'font/ttf',
};
const PLACEHOLDER_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="4"/></svg>';

/** The stub backend's data: values per service, as the backend's resource routes return them. */
export const DATA = {
  services: ['cart', 'checkout', 'payments'],
  routes: {
    cart: ['GET /api/cart'],
    checkout: ['POST /api/checkout', 'GET /api/checkout/{id}'],
    payments: ['POST /api/pay'],
  },
  'exception-types': {
    cart: ['KeyError'],
    checkout: ['ValueError', 'TimeoutError'],
    payments: ['java.lang.IllegalStateException'],
  },
  'span-names': { cart: ['GET /api/cart'], checkout: ['POST /api/checkout', 'db.query'], payments: ['charge'] },
};

function valuesFor(resource, services) {
  if (resource === 'services') {
    return DATA.services;
  }
  const byService = DATA[resource];
  const picked = services.length ? services.filter((s) => s in byService) : Object.keys(byService);
  return [...new Set(picked.flatMap((s) => byService[s]))].sort();
}

function send(res, status, body, type = 'application/json') {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(data);
}

function sendFile(res, base, rel) {
  const path = normalize(join(base, rel));
  if (!path.startsWith(base) || !existsSync(path) || !statSync(path).isFile()) {
    return false;
  }
  send(res, 200, readFileSync(path), TYPES[extname(path)] ?? 'application/octet-stream');
  return true;
}

function readBody(req) {
  return new Promise((resolveBody) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A numeric frame per query, as the backend would answer /api/ds/query. */
function queryAnswer(body) {
  const results = {};
  for (const q of body.queries ?? []) {
    results[q.refId] = {
      status: 200,
      frames: [
        {
          schema: {
            refId: q.refId,
            name: q.queryType,
            fields: [
              { name: 'time', type: 'time' },
              { name: 'value', type: 'number' },
            ],
          },
          data: { values: [[Number(body.from ?? 0)], [0.25]] },
        },
      ],
    };
  }
  return { results };
}

/**
 * Starts the server. `harnessDist` is where harness/build.mjs wrote host.js. Returns
 * { url, requests, close() }; `requests` lists { method, path, query, body } of API calls.
 */
export function startServer({ harnessDist, dist = join(root, 'dist') }) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    try {
      if (path === '/' || path === '/index.html') {
        return send(res, 200, readFileSync(join(frontend, 'harness', 'index.html')), 'text/html');
      }
      if (path.startsWith('/api/')) {
        const body = req.method === 'POST' ? await readBody(req) : '';
        requests.push({ method: req.method, path, query: url.searchParams, body: body ? JSON.parse(body) : undefined });
        const resource = /^\/api\/datasources\/uid\/errortriage\/resources\/([a-z-]+)$/.exec(path)?.[1];
        if (resource && req.method === 'GET') {
          if (resource === 'metrics-schema') {
            return send(res, 200, {
              schema: 'otel',
              callsMetric: 'traces_span_metrics_calls_total',
              serviceLabel: 'service_name',
            });
          }
          if (resource in DATA) {
            return send(res, 200, valuesFor(resource, url.searchParams.getAll('service')));
          }
          return send(res, 404, { error: `no resource ${resource}` });
        }
        if (path === '/api/ds/query' && req.method === 'POST') {
          return send(res, 200, queryAnswer(JSON.parse(body)));
        }
        if (path === '/api/datasources/uid/errortriage/health') {
          return send(res, 200, { status: 'OK', message: 'Prometheus and Tempo reachable' });
        }
        return send(res, 404, { error: `unknown API ${path}` });
      }
      if (path.startsWith('/harness-dist/') && sendFile(res, harnessDist, path.slice('/harness-dist/'.length))) {
        return;
      }
      if (path.startsWith('/dist/') && sendFile(res, dist, path.slice('/dist/'.length))) {
        return;
      }
      if (
        path.startsWith('/node_modules/systemjs/') &&
        sendFile(res, join(frontend, 'node_modules', 'systemjs'), path.slice('/node_modules/systemjs/'.length))
      ) {
        return;
      }
      const img = /\/public\/build\/img\/(.*)$/.exec(path)?.[1] ?? /\/public\/img\/(.*)$/.exec(path)?.[1];
      if (img !== undefined) {
        if (!sendFile(res, join(frontend, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img'), img)) {
          send(res, 200, PLACEHOLDER_SVG, 'image/svg+xml'); // icons the package does not ship (spinner)
        }
        return;
      }
      if (path.startsWith('/public/fonts/') || path === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      send(res, 404, `not found: ${path}`, 'text/plain');
    } catch (err) {
      send(res, 500, { error: String(err) });
    }
  });
  return new Promise((resolveStart, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolveStart({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
