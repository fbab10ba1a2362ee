// The Error Triage datasource in the browser. Queries run in the backend (DataSourceWithBackend
// POSTs them to /api/ds/query); this class expands template variables, drops incomplete queries,
// supplies defaults and variable support, and reads the editor's dropdown values from the
// backend's resource routes (services, routes, exception-types, span-names, metrics-schema).
import { CoreApp, DataSourceInstanceSettings, DataSourceVariableSupport, ScopedVars, TimeRange } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv, TemplateSrv } from '@grafana/runtime';

import { expandLabelFilter, expandList, expandSingle } from './interpolate';
import {
  DEFAULT_QUERY,
  DEFAULT_VARIABLE_QUERY,
  ErrorTriageOptions,
  ErrorTriageQuery,
  LIST_FIELDS,
  queryTypeInfo,
  VARIABLE_KINDS,
} from './types';

/** Resource routes that list values (src/query/resources.h). */
export type ValuesResource = 'services' | 'routes' | 'exception-types' | 'span-names';

export class ErrorTriageVariableSupport extends DataSourceVariableSupport<
  DataSource,
  ErrorTriageQuery,
  ErrorTriageOptions
> {
  getDefaultQuery(): Partial<ErrorTriageQuery> {
    return DEFAULT_VARIABLE_QUERY;
  }
}

export class DataSource extends DataSourceWithBackend<ErrorTriageQuery, ErrorTriageOptions> {
  readonly tempoDatasourceUid?: string;

  constructor(instanceSettings: DataSourceInstanceSettings<ErrorTriageOptions>) {
    super(instanceSettings);
    this.tempoDatasourceUid = instanceSettings.jsonData?.tempoDatasourceUid;
    this.variables = new ErrorTriageVariableSupport();
  }

  getDefaultQuery(_app: CoreApp): Partial<ErrorTriageQuery> {
    return DEFAULT_QUERY;
  }

  /** Skip hidden queries and queries the backend would reject as incomplete. */
  filterQuery(query: ErrorTriageQuery): boolean {
    if (query.hide) {
      return false;
    }
    const info = queryTypeInfo(query.queryType);
    if (!info) {
      return false;
    }
    if (info.value === 'trace-exceptions') {
      // The trace ID usually comes from a dashboard variable that is empty until a trace is picked.
      return (expandSingle(getTemplateSrv(), query.traceId) ?? '') !== '';
    }
    return true;
  }

  applyTemplateVariables(query: ErrorTriageQuery, scopedVars: ScopedVars): ErrorTriageQuery {
    return interpolateQuery(getTemplateSrv(), query, scopedVars);
  }

  /** Short text for query history and collapsed query rows. */
  getQueryDisplayText(query: ErrorTriageQuery): string {
    const info = queryTypeInfo(query.queryType);
    const parts = [info?.label ?? query.queryType ?? 'Error Triage'];
    if (query.queryType === 'variable') {
      parts.push(VARIABLE_KINDS.find((k) => k.value === (query.variable ?? 'services'))?.label ?? '');
    }
    if (query.queryType === 'trace-exceptions' && query.traceId) {
      parts.push(query.traceId);
    }
    for (const field of LIST_FIELDS) {
      const values = query[field];
      if (values?.length) {
        parts.push(`${field}: ${values.join(', ')}`);
      }
    }
    return parts.filter(Boolean).join(' · ');
  }

  /**
   * Values for an editor dropdown from the backend's resource routes. `services` narrows routes,
   * exception types and span names; template variables in it are expanded first.
   */
  async getValues(resource: ValuesResource, services: string[] = [], range?: TimeRange): Promise<string[]> {
    const params: Record<string, string | string[]> = {};
    const expanded = expandList(getTemplateSrv(), services) ?? [];
    if (expanded.length && resource !== 'services') {
      params.service = expanded;
    }
    if (range) {
      params.from = String(range.from.valueOf());
      params.to = String(range.to.valueOf());
    }
    const result = await this.getResource<unknown>(resource, params);
    if (!Array.isArray(result)) {
      throw new Error(`unexpected answer from resource ${resource}`);
    }
    return result.filter((v): v is string => typeof v === 'string');
  }

  /** The metric and label names the backend resolved (GET metrics-schema). */
  getMetricsSchema(): Promise<Record<string, unknown>> {
    return this.getResource('metrics-schema');
  }
}

/** applyTemplateVariables without the class, for tests and reuse. */
export function interpolateQuery(srv: TemplateSrv, query: ErrorTriageQuery, scopedVars?: ScopedVars): ErrorTriageQuery {
  const out: ErrorTriageQuery = { ...query };
  for (const field of LIST_FIELDS) {
    const values = expandList(srv, query[field], scopedVars);
    if (values !== undefined) {
      out[field] = values;
    }
  }
  if (query.traceId !== undefined) {
    out.traceId = expandSingle(srv, query.traceId, scopedVars);
  }
  if (query.labelFilter !== undefined) {
    out.labelFilter = expandLabelFilter(srv, query.labelFilter, scopedVars);
  }
  return out;
}
