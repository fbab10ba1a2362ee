// Host page for the real-browser tests: plays Grafana's part around the plugin. It provides the
// shared modules (React, @grafana/*, rxjs), a BackendSrv that really calls the stub server
// (resource routes, /api/ds/query), template variables and a datasource list; loads the plugin
// either from the built dist/module.js through SystemJS + its AMD extra (as Grafana does) or
// from src/; and renders the plugin's QueryEditor and ConfigEditor, printing what they emit.
import * as GrafanaData from '@grafana/data';
import {
  DataQueryRequest,
  DataSourceInstanceSettings,
  DataSourcePlugin,
  DataSourceSettings,
  dateTime,
} from '@grafana/data';
import * as GrafanaRuntime from '@grafana/runtime';
import {
  BackendSrv,
  BackendSrvRequest,
  FetchResponse,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
} from '@grafana/runtime';
import * as GrafanaUI from '@grafana/ui';
import { GlobalStyles } from '@grafana/ui';
import React, { useMemo, useState } from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as Rxjs from 'rxjs';
import * as RxjsOperators from 'rxjs/operators';

import { plugin as sourcePlugin } from '../src/module';
import { ErrorTriageOptions, ErrorTriageQuery, ErrorTriageSecureJsonData } from '../src/types';
import { FakeDataSourceSrv, FakeTemplateSrv, settingsOf } from '../tests/fakes';

type Plugin = DataSourcePlugin<any, ErrorTriageQuery, ErrorTriageOptions, ErrorTriageSecureJsonData>;

declare global {
  interface Window {
    System: any;
    harness: { ready: boolean; loadedVia?: string; error?: string; runs: number; posts: number };
  }
}
window.harness = { ready: false, runs: 0, posts: 0 };

/** The values a multi-value `$tricky` variable holds: quotes, commas, regex characters. */
export const TRICKY = ['say "hi"', 'a,b', 'x.*|(y)'];

// ---- Grafana's services ----------------------------------------------------------------------
function serializeParams(params: Record<string, unknown> = {}): string {
  // As Grafana's BackendSrv: arrays become repeated keys, undefined and empty arrays are dropped.
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
    .flatMap(([k, v]) =>
      ([] as unknown[]).concat(v).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`)
    )
    .join('&');
}

async function doFetch<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
  const query = serializeParams(options.params);
  const url = options.url + (query ? (options.url.includes('?') ? '&' : '?') + query : '');
  const method = options.method ?? 'GET';
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...(options.headers ?? {}) },
    body: method === 'GET' ? undefined : JSON.stringify(options.data ?? {}),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  const response = {
    data,
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    url,
    headers: res.headers,
    redirected: false,
    type: res.type,
    config: options,
  } as FetchResponse<T>;
  if (!res.ok) {
    throw { ...response, message: res.statusText };
  }
  return response;
}

const backendSrv = {
  fetch: <T,>(options: BackendSrvRequest) => Rxjs.from(doFetch<T>(options)),
  request: async <T,>(options: BackendSrvRequest) => (await doFetch<T>(options)).data,
  datasourceRequest: <T,>(options: BackendSrvRequest) => doFetch<T>(options),
  get: async <T,>(url: string, params?: Record<string, unknown>) => (await doFetch<T>({ url, params })).data,
  post: async <T,>(url: string, data?: unknown) => (await doFetch<T>({ url, data, method: 'POST' })).data,
  put: async <T,>(url: string, data?: unknown) => (await doFetch<T>({ url, data, method: 'PUT' })).data,
  patch: async <T,>(url: string, data?: unknown) => (await doFetch<T>({ url, data, method: 'PATCH' })).data,
  delete: async <T,>(url: string) => (await doFetch<T>({ url, method: 'DELETE' })).data,
  resolveCancelerIfExists: () => {},
  chunked: () => Rxjs.EMPTY,
} as unknown as BackendSrv;
setBackendSrv(backendSrv);

const templateSrv = new FakeTemplateSrv([
  { name: 'service', value: ['checkout'], multi: true, includeAll: true, options: ['checkout', 'cart'] },
  { name: 'tricky', value: TRICKY, multi: true, includeAll: true, options: TRICKY },
  { name: 'trace_id', value: '' },
]);
setTemplateSrv(templateSrv);
setDataSourceSrv(
  new FakeDataSourceSrv([
    settingsOf('prom', 'Prometheus', 'prometheus', true),
    settingsOf('tempo-prod', 'Tempo prod', 'tempo'),
    settingsOf('tempo-staging', 'Tempo staging', 'tempo'),
  ])
);

// ---- loading the plugin ------------------------------------------------------------------------
function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(s);
  });
}

async function loadWithSystemJs(bundle: string): Promise<Plugin> {
  // SystemJS comes after the host bundle so its global `define` cannot capture host modules.
  await loadScript('/node_modules/systemjs/dist/system.js');
  await loadScript('/node_modules/systemjs/dist/extras/amd.js');
  const shared: Record<string, any> = {
    react: React,
    'react-dom': ReactDOM,
    '@grafana/data': GrafanaData,
    '@grafana/ui': GrafanaUI,
    '@grafana/runtime': GrafanaRuntime,
    rxjs: Rxjs,
    'rxjs/operators': RxjsOperators,
  };
  const imports: Record<string, string> = {};
  for (const [name, mod] of Object.entries(shared)) {
    window.System.set(`package:${name}`, { ...mod, default: mod.default ?? mod });
    imports[name] = `package:${name}`;
  }
  window.System.addImportMap({ imports });
  const mod = await window.System.import(bundle);
  if (!(mod.plugin instanceof DataSourcePlugin)) {
    throw new Error(`${bundle} does not export a DataSourcePlugin named plugin`);
  }
  return mod.plugin;
}

// ---- the page ----------------------------------------------------------------------------------
const instanceSettings = {
  id: 7,
  uid: 'errortriage',
  type: 'errortriage-otel-datasource',
  name: 'Error Triage',
  access: 'proxy',
  readOnly: false,
  jsonData: { tempoDatasourceUid: 'tempo-prod' },
  meta: {
    id: 'errortriage-otel-datasource',
    name: 'Error Triage',
    type: 'datasource',
    info: { logos: { small: '', large: '' } },
  },
} as unknown as DataSourceInstanceSettings<ErrorTriageOptions>;

const initialOptions = {
  id: 7,
  uid: 'errortriage',
  orgId: 1,
  name: 'Error Triage',
  type: 'errortriage-otel-datasource',
  typeName: 'Error Triage',
  typeLogoUrl: '',
  access: 'proxy',
  url: '',
  user: '',
  database: '',
  basicAuth: false,
  basicAuthUser: '',
  isDefault: false,
  withCredentials: false,
  readOnly: false,
  // A saved datasource whose Tempo token is stored: the editor only knows it is set.
  jsonData: { tempoUrl: 'http://tempo:3200', tempoAuth: 'bearer' },
  secureJsonFields: { tempoToken: true },
} as DataSourceSettings<ErrorTriageOptions, ErrorTriageSecureJsonData>;

const box: React.CSSProperties = {
  border: '1px solid rgba(204, 204, 220, 0.12)',
  borderRadius: 2,
  padding: 16,
  marginBottom: 16,
  background: '#181b1f',
};
const pre: React.CSSProperties = { fontSize: 11, whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: '8px 0 0' };

function App({ plugin }: { plugin: Plugin }) {
  const datasource = useMemo(() => new plugin.DataSourceClass(instanceSettings), [plugin]);
  const [query, setQuery] = useState<ErrorTriageQuery>({ refId: 'A', ...datasource.getDefaultQuery?.('dashboard') });
  const [options, setOptions] = useState(initialOptions);
  const [result, setResult] = useState('');
  const QueryEditor = plugin.components.QueryEditor!;
  const ConfigEditor = plugin.components.ConfigEditor!;
  const range = { from: dateTime(Date.now() - 6 * 3600e3), to: dateTime(), raw: { from: 'now-6h', to: 'now' } };

  // What Grafana's query runner does on "run": filterQuery, then DataSourceWithBackend.query.
  const run = (q: ErrorTriageQuery) => {
    window.harness.runs++;
    const targets = [q].filter((t) => datasource.filterQuery?.(t) ?? true);
    const request = {
      requestId: `harness-${window.harness.runs}`,
      interval: '1m',
      intervalMs: 60000,
      maxDataPoints: 500,
      range,
      scopedVars: {},
      targets,
      timezone: 'browser',
      app: 'dashboard',
      startTime: Date.now(),
    } as unknown as DataQueryRequest<ErrorTriageQuery>;
    datasource.query(request).subscribe({
      next: (rsp: any) =>
        setResult(`${rsp.data.length} frame(s)${rsp.errors?.length ? `, error: ${rsp.errors[0].message}` : ''}`),
      error: (e: any) => setResult(`error: ${e?.message ?? e}`),
    });
  };

  return (
    <div style={{ padding: 16, maxWidth: 1180 }}>
      <section id="query-section" style={box}>
        <GrafanaUI.Text element="h4">Query editor ({window.harness.loadedVia})</GrafanaUI.Text>
        <QueryEditor
          datasource={datasource}
          query={query}
          range={range as any}
          onChange={(q: ErrorTriageQuery) => {
            latest = q;
            setQuery(q);
          }}
          onRunQuery={() => run(latest)}
        />
        <pre id="query-json" style={pre}>
          {JSON.stringify(query)}
        </pre>
        <pre id="run-result" style={pre}>
          {result}
        </pre>
      </section>
      <section id="config-section" style={box}>
        <ConfigEditor options={options} onOptionsChange={setOptions} />
        <pre id="options-json" style={pre}>
          {JSON.stringify({
            jsonData: options.jsonData,
            secureJsonData: options.secureJsonData ?? {},
            secureJsonFields: options.secureJsonFields,
          })}
        </pre>
      </section>
    </div>
  );
}
// onChange and onRunQuery are called back to back; the runner must see the query just changed.
let latest: ErrorTriageQuery = { refId: 'A' };

async function main() {
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode') ?? 'amd';
  let plugin: Plugin;
  if (mode === 'amd') {
    plugin = await loadWithSystemJs(params.get('bundle') ?? '/dist/module.js');
    window.harness.loadedVia = 'dist/module.js via SystemJS AMD';
  } else {
    plugin = sourcePlugin as Plugin;
    window.harness.loadedVia = 'src';
  }
  latest = { refId: 'A', ...new plugin.DataSourceClass(instanceSettings).getDefaultQuery?.('dashboard') };
  createRoot(document.getElementById('root')!).render(
    <GrafanaUI.ThemeContext.Provider value={GrafanaData.createTheme({ colors: { mode: 'dark' } })}>
      <GlobalStyles />
      <App plugin={plugin} />
    </GrafanaUI.ThemeContext.Provider>
  );
  window.harness.ready = true;
}

main().catch((e) => {
  window.harness.error = String(e?.stack ?? e);
  console.error('harness failed', e);
});
