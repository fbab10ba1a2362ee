// Settings page of the Error Triage datasource: Prometheus and Tempo URLs with auth and extra
// headers per backend, the Tempo datasource for trace links, span-metrics naming, tenant,
// timeouts and TLS. Plain settings go to jsonData, secrets to secureJsonData (docs/configuration.md).
// Grafana never sends a stored secret back, only secureJsonFields[key] = true; "Reset" clears it.
import React, { useState } from 'react';

import { DataSourceInstanceSettings, DataSourcePluginOptionsEditorProps, SelectableValue } from '@grafana/data';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import {
  Alert,
  Button,
  Divider,
  Field,
  IconButton,
  Input,
  RadioButtonGroup,
  SecretInput,
  SecretTextArea,
  Select,
  Stack,
  Switch,
  Text,
} from '@grafana/ui';

import {
  AuthKind,
  Backend,
  ErrorTriageOptions,
  ErrorTriageSecureJsonData,
  MAX_EXTRA_HEADERS,
  MetricsSchema,
  TempoSearchMode,
} from '../types';
import { errorMessage } from './ValuesSelect';

export type Props = DataSourcePluginOptionsEditorProps<ErrorTriageOptions, ErrorTriageSecureJsonData>;
type JsonPatch = Partial<Record<keyof ErrorTriageOptions, unknown>>;
type SecretKey = keyof ErrorTriageSecureJsonData & string;

const INPUT_WIDTH = 60;

const SCHEMA_OPTIONS: Array<SelectableValue<MetricsSchema>> = [
  {
    value: 'auto',
    label: 'Detect',
    description: 'Look at the metric names in Prometheus and pick the schema below that matches',
  },
  {
    value: 'otel',
    label: 'OpenTelemetry Collector',
    description: 'spanmetrics connector: traces_span_metrics_calls_total, label service_name',
  },
  {
    value: 'otel-legacy',
    label: 'OpenTelemetry Collector (legacy)',
    description: 'older spanmetrics: calls_total, events_total',
  },
  { value: 'tempo', label: 'Tempo metrics-generator', description: 'traces_spanmetrics_calls_total, label service' },
  { value: 'custom', label: 'Custom names', description: 'Set the metric and label names yourself' },
];

const SEARCH_MODE_OPTIONS: Array<SelectableValue<TempoSearchMode>> = [
  { value: 'auto', label: 'Detect' },
  {
    value: 'select',
    label: 'TraceQL select()',
    description: 'Tempo 2.6 and newer: one search returns the exception attributes',
  },
  { value: 'fetch', label: 'Search, then fetch traces', description: 'Works with every Tempo version; more requests' },
];

const AUTH_OPTIONS: Array<SelectableValue<AuthKind>> = [
  { value: 'none', label: 'No auth' },
  { value: 'basic', label: 'Basic auth' },
  { value: 'bearer', label: 'Bearer token' },
];

/** Custom span-metrics names, with the default each one falls back to when empty. */
const CUSTOM_NAMES: Array<{
  key: keyof ErrorTriageOptions & string;
  label: string;
  placeholder: string;
  description?: string;
}> = [
  { key: 'callsMetric', label: 'Calls counter', placeholder: 'traces_span_metrics_calls_total' },
  {
    key: 'eventsMetric',
    label: 'Events counter',
    placeholder: 'traces_span_metrics_events_total',
    description: 'Span events by exception type; clear it if you have none',
  },
  { key: 'serviceLabel', label: 'Service label', placeholder: 'service_name' },
  { key: 'routeLabel', label: 'Endpoint label', placeholder: 'http_route' },
  { key: 'spanNameLabel', label: 'Span name label', placeholder: 'span_name' },
  { key: 'spanKindLabel', label: 'Span kind label', placeholder: 'span_kind' },
  { key: 'statusCodeLabel', label: 'Status code label', placeholder: 'status_code' },
  { key: 'statusErrorValue', label: 'Error status value', placeholder: 'STATUS_CODE_ERROR' },
  { key: 'exceptionTypeLabel', label: 'Exception type label', placeholder: 'exception_type' },
  { key: 'environmentLabel', label: 'Environment label', placeholder: 'deployment_environment' },
];

const BACKEND_INFO: Record<
  Backend,
  { title: string; description: string; urlPlaceholder: string; urlDescription: string }
> = {
  prometheus: {
    title: 'Prometheus',
    description: 'Span metrics (error rate, hotspots, exception types). Mimir, Thanos and VictoriaMetrics work too.',
    urlPlaceholder: 'http://prometheus:9090',
    urlDescription: 'Base URL; /api/v1/... is appended. For Mimir include the prefix, e.g. http://mimir/prometheus',
  },
  tempo: {
    title: 'Tempo',
    description: 'Error spans with exception events (recent errors, summaries, error groups, stack traces).',
    urlPlaceholder: 'http://tempo:3200',
    urlDescription: 'Base URL of the Tempo HTTP API; /api/... is appended',
  },
};

/** Why a backend URL would be refused by the backend (settings.c check_url), or undefined. */
export function urlProblem(url: string | undefined): string | undefined {
  if (!url) {
    return undefined;
  }
  if (!/^https?:\/\//.test(url)) {
    return 'Must start with http:// or https://';
  }
  if (/[\s\u0000-\u001f\u007f]/.test(url)) {
    return 'Must not contain spaces';
  }
  const host = url.replace(/^https?:\/\//, '').split('/')[0];
  if (host.includes('@')) {
    return 'Do not put credentials in the URL; use the authentication settings';
  }
  if (!host) {
    return 'The URL has no host';
  }
  return undefined;
}

function intProblem(text: string, min: number, max: number): string | undefined {
  if (text === '') {
    return undefined;
  }
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? undefined : `A whole number from ${min} to ${max}`;
}

function Section(props: { title: string; description?: string; children: React.ReactNode }) {
  return (
    <Stack direction="column" gap={1}>
      <Text element="h3">{props.title}</Text>
      {props.description && (
        <Text color="secondary" element="p">
          {props.description}
        </Text>
      )}
      <div>{props.children}</div>
    </Stack>
  );
}

/**
 * The metric and label names the backend resolved from the saved settings (GET metrics-schema),
 * so "Detect" can be checked without writing PromQL.
 */
function NamesInUse({ uid }: { uid: string }) {
  const [state, setState] = useState<{ loading?: boolean; names?: Record<string, unknown>; error?: string }>({});
  const load = async () => {
    setState({ loading: true });
    try {
      const names = await getBackendSrv().get<Record<string, unknown>>(
        `/api/datasources/uid/${encodeURIComponent(uid)}/resources/metrics-schema`,
        undefined,
        undefined,
        { showErrorAlert: false }
      );
      setState({ names });
    } catch (err) {
      setState({ error: errorMessage(err) });
    }
  };
  return (
    <Field label="Names in use" description="What the backend uses with the saved settings: save first, then look">
      <Stack direction="column" gap={1} alignItems="flex-start">
        <Button
          id="et-names-in-use"
          variant="secondary"
          size="sm"
          icon={state.loading ? 'spinner' : 'search'}
          onClick={load}
        >
          Show names in use
        </Button>
        {state.error && (
          <Alert severity="error" title="Could not read the names">
            {state.error}
          </Alert>
        )}
        {state.names && (
          <div
            id="et-names"
            style={{ display: 'grid', gridTemplateColumns: 'max-content auto', columnGap: 16, rowGap: 2 }}
          >
            {Object.entries(state.names).map(([key, value]) => (
              <React.Fragment key={key}>
                <Text color="secondary">{key}</Text>
                <Text variant="code">{typeof value === 'string' ? value || '(none)' : JSON.stringify(value)}</Text>
              </React.Fragment>
            ))}
          </div>
        )}
      </Stack>
    </Field>
  );
}

export function ConfigEditor(props: Props) {
  const { options, onOptionsChange } = props;
  const jsonData = options.jsonData ?? {};
  const secureJsonFields = options.secureJsonFields ?? {};
  const secureJsonData = (options.secureJsonData ?? {}) as ErrorTriageSecureJsonData;

  /**
   * One change of the settings. Several parts change at once (e.g. auth kind + cleared
   * secrets) because `options` only updates after onOptionsChange: two calls in a row would
   * lose the first. Keys set to undefined are removed from jsonData.
   */
  const change = (json: JsonPatch, secrets: Partial<Record<SecretKey, string>> = {}, reset: SecretKey[] = []) => {
    const nextJson: Record<string, unknown> = { ...jsonData, ...json };
    for (const [k, v] of Object.entries(json)) {
      if (v === undefined) {
        delete nextJson[k];
      }
    }
    const nextFields = { ...secureJsonFields };
    const nextSecrets: Record<string, string | undefined> = { ...secureJsonData, ...secrets };
    for (const key of reset) {
      nextFields[key] = false;
      nextSecrets[key] = '';
    }
    onOptionsChange({
      ...options,
      jsonData: nextJson as ErrorTriageOptions,
      secureJsonFields: nextFields,
      secureJsonData: nextSecrets as ErrorTriageSecureJsonData,
    });
  };

  const isSet = (key: SecretKey) => Boolean(secureJsonFields[key]) || Boolean(secureJsonData[key]);

  const secretInput = (key: SecretKey, id: string, placeholder: string) => (
    <SecretInput
      id={id}
      width={INPUT_WIDTH}
      placeholder={placeholder}
      isConfigured={Boolean(secureJsonFields[key])}
      value={secureJsonData[key] ?? ''}
      onChange={(e) => change({}, { [key]: e.currentTarget.value })}
      onReset={() => change({}, {}, [key])}
    />
  );

  const textInput = (key: keyof ErrorTriageOptions & string, id: string, placeholder: string) => (
    <Input
      id={id}
      width={INPUT_WIDTH}
      placeholder={placeholder}
      value={(jsonData[key] as string | undefined) ?? ''}
      onChange={(e) => change({ [key]: e.currentTarget.value || undefined })}
    />
  );

  /** The auth kind as the backend sees it: explicit, or implied by a stored token/password. */
  const authKind = (b: Backend): AuthKind => {
    const explicit = jsonData[`${b}Auth`];
    if (explicit) {
      return explicit;
    }
    if (isSet(`${b}Token`)) {
      return 'bearer';
    }
    return isSet(`${b}Password`) ? 'basic' : 'none';
  };

  const onAuthChange = (b: Backend, kind: AuthKind) => {
    // A stored secret of another kind would still be sent (the backend treats a token as bearer
    // auth), so switching kinds clears the secrets that no longer apply.
    const stale: SecretKey[] = [];
    if (kind !== 'basic') {
      stale.push(`${b}Password`);
    }
    if (kind !== 'bearer') {
      stale.push(`${b}Token`);
    }
    change({ [`${b}Auth`]: kind, ...(kind === 'basic' ? {} : { [`${b}User`]: undefined }) }, {}, stale.filter(isSet));
  };

  /** Extra header slots in use: a name in jsonData (possibly still empty) or a stored value. */
  const headerSlots = (b: Backend): number[] => {
    const slots: number[] = [];
    for (let i = 1; i <= MAX_EXTRA_HEADERS; i++) {
      if (jsonData[`${b}HttpHeaderName${i}`] !== undefined || secureJsonFields[`${b}HttpHeaderValue${i}`]) {
        slots.push(i);
      }
    }
    return slots;
  };

  const backendSection = (b: Backend, extra?: React.ReactNode) => {
    const info = BACKEND_INFO[b];
    const urlKey = `${b}Url` as const;
    const problem = urlProblem(jsonData[urlKey]);
    const kind = authKind(b);
    const slots = headerSlots(b);
    const free = Array.from({ length: MAX_EXTRA_HEADERS }, (_, i) => i + 1).find((i) => !slots.includes(i));
    return (
      <Section title={info.title} description={info.description}>
        <Field label="URL" description={info.urlDescription} invalid={!!problem} error={problem}>
          {textInput(urlKey, `et-${b}-url`, info.urlPlaceholder)}
        </Field>
        <Field label="Authentication">
          <RadioButtonGroup<AuthKind>
            id={`et-${b}-auth`}
            aria-label={`${info.title} authentication`}
            options={AUTH_OPTIONS}
            value={kind}
            onChange={(v) => onAuthChange(b, v)}
          />
        </Field>
        {kind === 'basic' && (
          <>
            <Field label="User">{textInput(`${b}User`, `et-${b}-user`, 'user')}</Field>
            <Field label="Password">{secretInput(`${b}Password`, `et-${b}-password`, 'password')}</Field>
          </>
        )}
        {kind === 'bearer' && (
          <Field label="Token" description="Sent as Authorization: Bearer <token>">
            {secretInput(`${b}Token`, `et-${b}-token`, 'token')}
          </Field>
        )}
        {extra}
        <Field label="Extra headers" description="Sent with every request to this backend; values are stored encrypted">
          <Stack direction="column" gap={1}>
            {slots.map((i) => {
              const nameKey = `${b}HttpHeaderName${i}` as const;
              const valueKey = `${b}HttpHeaderValue${i}` as const;
              const name = jsonData[nameKey] ?? '';
              const nameProblem = name !== '' && !/^[A-Za-z0-9_-]+$/.test(name);
              return (
                <Stack key={i} direction="row" gap={1} alignItems="center">
                  <Input
                    id={`et-${b}-header-name-${i}`}
                    aria-label={`Header ${i} name`}
                    width={24}
                    placeholder="X-Header-Name"
                    invalid={nameProblem}
                    value={name}
                    onChange={(e) => change({ [nameKey]: e.currentTarget.value })}
                  />
                  <SecretInput
                    id={`et-${b}-header-value-${i}`}
                    aria-label={`Header ${i} value`}
                    width={32}
                    placeholder="value"
                    isConfigured={Boolean(secureJsonFields[valueKey])}
                    value={secureJsonData[valueKey] ?? ''}
                    onChange={(e) => change({}, { [valueKey]: e.currentTarget.value })}
                    onReset={() => change({}, {}, [valueKey])}
                  />
                  <IconButton
                    name="trash-alt"
                    tooltip="Remove header"
                    onClick={() => change({ [nameKey]: undefined }, {}, isSet(valueKey) ? [valueKey] : [])}
                  />
                </Stack>
              );
            })}
            {free !== undefined && (
              <div>
                <Button
                  id={`et-${b}-add-header`}
                  variant="secondary"
                  size="sm"
                  icon="plus"
                  onClick={() => change({ [`${b}HttpHeaderName${free}`]: '' })}
                >
                  Add header
                </Button>
              </div>
            )}
          </Stack>
        </Field>
      </Section>
    );
  };

  const schema = jsonData.metricsSchema ?? 'auto';
  const timeout = jsonData.timeoutSeconds === undefined ? '' : String(jsonData.timeoutSeconds);
  const concurrency = jsonData.maxConcurrentRequests === undefined ? '' : String(jsonData.maxConcurrentRequests);
  const cacheMiB = jsonData.traceCacheBytes === undefined ? '' : String(Math.round(jsonData.traceCacheBytes / 1048576));
  const numberPatch = (key: 'timeoutSeconds' | 'maxConcurrentRequests', text: string) =>
    change({ [key]: text.trim() === '' ? undefined : Number(text) });

  return (
    <Stack direction="column" gap={2}>
      {backendSection('prometheus')}
      <Divider />
      {backendSection(
        'tempo',
        <>
          <Field
            label="Tempo datasource for trace links"
            description="Trace IDs in the results open this datasource's trace view"
          >
            <DataSourcePicker
              inputId="et-tempo-datasource"
              type="tempo"
              noDefault
              width={INPUT_WIDTH}
              placeholder="Choose a Tempo datasource"
              current={jsonData.tempoDatasourceUid ?? null}
              onChange={(ds: DataSourceInstanceSettings) =>
                change({ tempoDatasourceUid: ds.uid, tempoDatasourceName: ds.name })
              }
              onClear={() => change({ tempoDatasourceUid: undefined, tempoDatasourceName: undefined })}
            />
          </Field>
          <Field label="Tempo search" description="How exception details are read from Tempo">
            <Select<TempoSearchMode>
              inputId="et-tempo-search-mode"
              width={INPUT_WIDTH}
              options={SEARCH_MODE_OPTIONS}
              value={jsonData.tempoSearchMode ?? 'auto'}
              onChange={(v) => change({ tempoSearchMode: v.value === 'auto' ? undefined : v.value })}
            />
          </Field>
        </>
      )}
      <Divider />

      <Section
        title="Span metrics naming"
        description="Which metric and label names the span metrics in Prometheus use"
      >
        <Field label="Metrics schema">
          <Select<MetricsSchema>
            inputId="et-metrics-schema"
            width={INPUT_WIDTH}
            options={SCHEMA_OPTIONS}
            value={schema}
            onChange={(v) => change({ metricsSchema: v.value ?? 'auto' })}
          />
        </Field>
        {schema === 'custom' &&
          CUSTOM_NAMES.map((n) => (
            <Field key={n.key} label={n.label} description={n.description}>
              {textInput(n.key, `et-${n.key}`, n.placeholder)}
            </Field>
          ))}
        {options.uid && <NamesInUse uid={options.uid} />}
      </Section>
      <Divider />

      <Section title="Requests">
        <Field
          label="Tenant ID"
          description="Sent as X-Scope-OrgID to Prometheus and Tempo (Mimir, Tempo multi-tenancy)"
        >
          {textInput('tenantId', 'et-tenant-id', 'tenant')}
        </Field>
        <Field
          label="Timeout (seconds)"
          description="Per backend request (default 30)"
          invalid={!!intProblem(timeout, 1, 600)}
          error={intProblem(timeout, 1, 600)}
        >
          <Input
            id="et-timeout"
            type="number"
            width={20}
            placeholder="30"
            value={timeout}
            onChange={(e) => numberPatch('timeoutSeconds', e.currentTarget.value)}
          />
        </Field>
        <Field
          label="Max concurrent requests"
          description="Parallel backend requests per query, e.g. trace fetches (default 8)"
          invalid={!!intProblem(concurrency, 1, 64)}
          error={intProblem(concurrency, 1, 64)}
        >
          <Input
            id="et-max-concurrent"
            type="number"
            width={20}
            placeholder="8"
            value={concurrency}
            onChange={(e) => numberPatch('maxConcurrentRequests', e.currentTarget.value)}
          />
        </Field>
        <Field
          label="Trace cache (MiB)"
          description="Memory for parsed traces shared by all queries (default 64; 0 turns it off)"
        >
          <Input
            id="et-trace-cache"
            type="number"
            width={20}
            placeholder="64"
            min={0}
            value={cacheMiB}
            onChange={(e) => {
              const t = e.currentTarget.value.trim();
              if (t === '' || (Number.isInteger(Number(t)) && Number(t) >= 0)) {
                change({ traceCacheBytes: t === '' ? undefined : Number(t) * 1048576 });
              }
            }}
          />
        </Field>
      </Section>
      <Divider />

      <Section title="TLS" description="Applies to both Prometheus and Tempo">
        <Field label="Skip certificate verification" description="Insecure: accept any server certificate">
          <Switch
            id="et-tls-skip-verify"
            value={jsonData.tlsSkipVerify ?? false}
            onChange={(e) => change({ tlsSkipVerify: e.currentTarget.checked || undefined })}
          />
        </Field>
        <Field
          label="Server name"
          description="Expected name in the server certificate, if it differs from the URL's host"
        >
          {textInput('tlsServerName', 'et-tls-server-name', 'prometheus.internal')}
        </Field>
        <Field label="Verify with a CA certificate">
          <Switch
            id="et-tls-ca"
            value={jsonData.tlsAuthWithCACert ?? false}
            onChange={(e) => change({ tlsAuthWithCACert: e.currentTarget.checked || undefined })}
          />
        </Field>
        {jsonData.tlsAuthWithCACert && (
          <Field label="CA certificate" description="PEM">
            <SecretTextArea
              id="et-tls-ca-cert"
              cols={60}
              rows={6}
              placeholder="-----BEGIN CERTIFICATE-----"
              isConfigured={Boolean(secureJsonFields.tlsCACert)}
              value={secureJsonData.tlsCACert ?? ''}
              onChange={(e) => change({}, { tlsCACert: e.currentTarget.value })}
              onReset={() => change({}, {}, ['tlsCACert'])}
            />
          </Field>
        )}
        <Field label="Use a client certificate" description="Present a client certificate to the server (mutual TLS)">
          <Switch
            id="et-tls-client"
            value={jsonData.tlsAuth ?? false}
            onChange={(e) => change({ tlsAuth: e.currentTarget.checked || undefined })}
          />
        </Field>
        {jsonData.tlsAuth && (
          <>
            <Field label="Client certificate" description="PEM">
              <SecretTextArea
                id="et-tls-client-cert"
                cols={60}
                rows={6}
                placeholder="-----BEGIN CERTIFICATE-----"
                isConfigured={Boolean(secureJsonFields.tlsClientCert)}
                value={secureJsonData.tlsClientCert ?? ''}
                onChange={(e) => change({}, { tlsClientCert: e.currentTarget.value })}
                onReset={() => change({}, {}, ['tlsClientCert'])}
              />
            </Field>
            <Field label="Client key" description="PEM">
              <SecretTextArea
                id="et-tls-client-key"
                cols={60}
                rows={6}
                placeholder="-----BEGIN PRIVATE KEY-----"
                isConfigured={Boolean(secureJsonFields.tlsClientKey)}
                value={secureJsonData.tlsClientKey ?? ''}
                onChange={(e) => change({}, { tlsClientKey: e.currentTarget.value })}
                onReset={() => change({}, {}, ['tlsClientKey'])}
              />
            </Field>
          </>
        )}
      </Section>
    </Stack>
  );
}
