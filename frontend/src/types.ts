// The query model, datasource settings and static metadata of the Error Triage datasource.
// Field names and defaults follow docs/queries.md and docs/configuration.md, the backend contract.
import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

export const PLUGIN_ID = 'errortriage-otel-datasource';

export type QueryType =
  | 'error-rate'
  | 'top-types'
  | 'hotspots'
  | 'recent-errors'
  | 'error-summary'
  | 'error-groups'
  | 'trace-exceptions'
  | 'variable';

export type GroupBy = 'service' | 'route' | 'service_route';
export type RateMode = 'ratio' | 'rate' | 'count';
export type SpanKind = 'server' | 'client' | 'internal' | 'producer' | 'consumer' | 'all';
export type VariableKind = 'services' | 'routes' | 'exception-types' | 'span-names';
export type GroupsSort = 'count' | 'new';
export type CompareTo = 'none' | 'previous-range';

export interface ErrorTriageQuery extends DataQuery {
  queryType?: QueryType;
  /** Filters: empty or missing means "no filter". Values are literal strings. */
  services?: string[];
  routes?: string[];
  exceptionTypes?: string[];
  environment?: string[];
  /** Extra Prometheus label matchers, e.g. `k8s_namespace_name="shop"` (Prometheus queries only). */
  labelFilter?: string;
  groupBy?: GroupBy;
  mode?: RateMode;
  spanKinds?: SpanKind[];
  limit?: number;
  variable?: VariableKind;
  traceId?: string;
  traceView?: boolean;
  sort?: GroupsSort;
  compareTo?: CompareTo;
  buckets?: number;
}

/** The filter lists of a query that template variables may expand into. */
export const LIST_FIELDS = ['services', 'routes', 'exceptionTypes', 'environment'] as const;
export type ListField = (typeof LIST_FIELDS)[number];

export type Backend = 'prometheus' | 'tempo';
export type MetricsSchema = 'auto' | 'otel' | 'otel-legacy' | 'tempo' | 'custom';
export type AuthKind = 'none' | 'basic' | 'bearer';
export type TempoSearchMode = 'auto' | 'select' | 'fetch';

/** jsonData, see docs/configuration.md. Extra headers are `<backend>HttpHeaderName<N>`. */
export interface ErrorTriageOptions extends DataSourceJsonData {
  prometheusUrl?: string;
  tempoUrl?: string;
  tempoDatasourceUid?: string;
  tempoDatasourceName?: string;
  metricsSchema?: MetricsSchema;
  callsMetric?: string;
  eventsMetric?: string;
  serviceLabel?: string;
  routeLabel?: string;
  spanNameLabel?: string;
  spanKindLabel?: string;
  statusCodeLabel?: string;
  statusErrorValue?: string;
  exceptionTypeLabel?: string;
  environmentLabel?: string;
  tenantId?: string;
  timeoutSeconds?: number;
  maxConcurrentRequests?: number;
  tempoSearchMode?: TempoSearchMode;
  traceCacheBytes?: number;
  prometheusAuth?: AuthKind;
  prometheusUser?: string;
  tempoAuth?: AuthKind;
  tempoUser?: string;
  tlsSkipVerify?: boolean;
  tlsServerName?: string;
  tlsAuthWithCACert?: boolean;
  tlsAuth?: boolean;
  [extraHeaderName: `${Backend}HttpHeaderName${number}`]: string | undefined;
}

/** secureJsonData: write-only from the browser; Grafana encrypts it and only reports which keys are set. */
export interface ErrorTriageSecureJsonData {
  prometheusPassword?: string;
  prometheusToken?: string;
  tempoPassword?: string;
  tempoToken?: string;
  tlsCACert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
  [extraHeaderValue: `${Backend}HttpHeaderValue${number}`]: string | undefined;
}

/** Extra headers per backend the backend reads (settings.c MAX_EXTRA_HEADERS). */
export const MAX_EXTRA_HEADERS = 16;

export type FilterName = ListField | 'labelFilter';

export interface QueryTypeInfo {
  value: QueryType;
  label: string;
  description: string;
  source: 'Prometheus' | 'Tempo' | 'Prometheus or Tempo';
  /** Filters the backend applies for this type. */
  filters: FilterName[];
  /** `limit` default and maximum, when the type has a limit. */
  limit?: { default: number; max: number; label: string; tooltip: string };
}

const SPAN_FILTERS: FilterName[] = ['services', 'routes', 'exceptionTypes', 'environment'];

export const QUERY_TYPES: QueryTypeInfo[] = [
  {
    value: 'error-rate',
    label: 'Error rate',
    description: 'Error ratio, rate or count over time per service or endpoint (span metrics)',
    source: 'Prometheus',
    filters: ['services', 'routes', 'environment', 'labelFilter'],
  },
  {
    value: 'top-types',
    label: 'Top exception types',
    description: 'Exception types by count over the time range',
    source: 'Prometheus or Tempo',
    filters: [...SPAN_FILTERS, 'labelFilter'],
    limit: { default: 10, max: 1000, label: 'Limit', tooltip: 'Number of exception types to return' },
  },
  {
    value: 'hotspots',
    label: 'Hotspots',
    description: 'Endpoints with the most errors over the time range',
    source: 'Prometheus',
    filters: ['services', 'routes', 'environment', 'labelFilter'],
    limit: { default: 10, max: 1000, label: 'Limit', tooltip: 'Number of endpoints to return' },
  },
  {
    value: 'recent-errors',
    label: 'Recent errors',
    description: 'Newest error spans with exception, stack trace and trace link',
    source: 'Tempo',
    filters: SPAN_FILTERS,
    limit: { default: 50, max: 1000, label: 'Limit', tooltip: 'Number of error spans to return' },
  },
  {
    value: 'error-summary',
    label: 'Error summary',
    description: 'Errors by service and exception type with first and last seen',
    source: 'Tempo',
    filters: SPAN_FILTERS,
    limit: { default: 1000, max: 10000, label: 'Sample', tooltip: 'Error spans to sample from Tempo' },
  },
  {
    value: 'error-groups',
    label: 'Error groups',
    description: 'Errors grouped by stack-trace fingerprint, with new groups and trends',
    source: 'Tempo',
    filters: SPAN_FILTERS,
    limit: { default: 1000, max: 10000, label: 'Sample', tooltip: 'Error spans to sample per time range' },
  },
  {
    value: 'trace-exceptions',
    label: 'Trace exceptions',
    description: 'Every exception of one trace, with stack traces',
    source: 'Tempo',
    filters: [],
  },
  {
    value: 'variable',
    label: 'Variable values',
    description: 'Values for template variables: services, endpoints, exception types, span names',
    source: 'Prometheus or Tempo',
    filters: ['services', 'environment', 'labelFilter'],
  },
];

export function queryTypeInfo(type: string | undefined): QueryTypeInfo | undefined {
  return QUERY_TYPES.find((t) => t.value === type);
}

export const VARIABLE_KINDS: Array<{ value: VariableKind; label: string }> = [
  { value: 'services', label: 'Services' },
  { value: 'routes', label: 'Endpoints' },
  { value: 'exception-types', label: 'Exception types' },
  { value: 'span-names', label: 'Span names' },
];

export const DEFAULT_QUERY: Partial<ErrorTriageQuery> = {
  queryType: 'error-rate',
  mode: 'ratio',
  groupBy: 'service',
};

export const DEFAULT_VARIABLE_QUERY: Partial<ErrorTriageQuery> = {
  queryType: 'variable',
  variable: 'services',
};

/** Trace IDs: 1..32 hex digits (the backend left-pads shorter ones). */
export const TRACE_ID_RE = /^[0-9a-fA-F]{1,32}$/;
