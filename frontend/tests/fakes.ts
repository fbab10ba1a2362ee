// Test doubles for Grafana's services: a TemplateSrv that interpolates like Grafana's own
// (variable syntaxes, explicit formats winning over the caller's, multi values, All with and
// without a custom all value, scoped vars), and a DataSourceSrv listing a few datasources.
import { DataSourceInstanceSettings, ScopedVars, TypedVariableModel } from '@grafana/data';
import { DataSourceSrv, TemplateSrv } from '@grafana/runtime';

import { DataSource } from '../src/datasource';
import { ErrorTriageOptions } from '../src/types';

export interface FakeVariable {
  name: string;
  value: string | string[];
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  options?: string[];
}

const VARIABLE_RE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
type Format = string | ((value: unknown, variable?: unknown) => string) | undefined;

function formatValue(value: string | string[], format: Format, variable?: FakeVariable): string {
  if (typeof format === 'function') {
    return format(value, variable);
  }
  const values = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'json':
      return JSON.stringify(value);
    case 'csv':
    case 'raw':
      return values.join(',');
    case 'pipe':
      return values.join('|');
    case 'queryparam':
      return values.map((v) => `var-${variable?.name}=${encodeURIComponent(v)}`).join('&');
    default:
      // Grafana's default for multi values is the glob format.
      return values.length > 1 ? `{${values.join(',')}}` : (values[0] ?? '');
  }
}

export class FakeTemplateSrv implements TemplateSrv {
  constructor(public vars: FakeVariable[] = []) {}

  getVariables(): TypedVariableModel[] {
    return this.vars.map((v) => ({
      name: v.name,
      type: 'query',
      multi: v.multi,
      includeAll: v.includeAll,
      current: { value: v.value, text: v.value },
    })) as unknown as TypedVariableModel[];
  }

  containsTemplate(target?: string): boolean {
    return (
      !!target &&
      [...target.matchAll(VARIABLE_RE)].some((m) => this.vars.some((v) => v.name === (m[1] ?? m[2] ?? m[4])))
    );
  }

  updateTimeRange(): void {}

  replace(target?: string, scopedVars?: ScopedVars, format?: Format): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(VARIABLE_RE, (match, var1, var2, fmt2, var3, _path, fmt3) => {
      const name: string = var1 || var2 || var3;
      const fmt: Format = fmt2 || fmt3 || format;
      const scoped = scopedVars?.[name];
      if (scoped && scoped.value !== undefined && scoped.value !== null) {
        return formatValue(scoped.value, fmt);
      }
      const variable = this.vars.find((v) => v.name === name);
      if (!variable) {
        return match;
      }
      let value = variable.value;
      const isAll = value === '$__all' || (Array.isArray(value) && value.includes('$__all'));
      if (isAll) {
        if (variable.allValue && fmt !== 'text' && fmt !== 'percentencode') {
          return this.replace(variable.allValue);
        }
        value = variable.options ?? [];
      }
      return formatValue(value, fmt, variable);
    });
  }
}

export function instanceSettings(
  overrides: Partial<DataSourceInstanceSettings<ErrorTriageOptions>> = {}
): DataSourceInstanceSettings<ErrorTriageOptions> {
  return {
    id: 1,
    uid: 'errortriage',
    type: 'errortriage-otel-datasource',
    name: 'Error Triage',
    access: 'proxy',
    readOnly: false,
    jsonData: {},
    meta: { id: 'errortriage-otel-datasource', info: { logos: { small: '', large: '' } } },
    ...overrides,
  } as unknown as DataSourceInstanceSettings<ErrorTriageOptions>;
}

export function makeDataSource(values: Record<string, string[]> = {}) {
  const ds = new DataSource(instanceSettings());
  const calls: Array<{ path: string; params?: Record<string, unknown> }> = [];
  ds.getResource = (async (path: string, params?: Record<string, unknown>) => {
    calls.push({ path, params });
    if (!(path in values)) {
      throw { status: 502, data: { error: `no ${path} here` } };
    }
    return values[path];
  }) as DataSource['getResource'];
  return { ds, calls };
}

/** Datasource settings as Grafana's DataSourceSrv returns them. */
export function settingsOf(uid: string, name: string, type: string, isDefault = false): DataSourceInstanceSettings {
  return {
    id: uid.length,
    uid,
    name,
    type,
    isDefault,
    access: 'proxy',
    readOnly: false,
    jsonData: {},
    meta: { id: type, name: type, type: 'datasource', info: { logos: { small: '', large: '' } } },
  } as unknown as DataSourceInstanceSettings;
}

export class FakeDataSourceSrv implements DataSourceSrv {
  constructor(public list: DataSourceInstanceSettings[]) {}
  get(): never {
    throw new Error('not used');
  }
  getList(filters: { type?: string | string[] } = {}): DataSourceInstanceSettings[] {
    const types = filters.type === undefined ? undefined : ([] as string[]).concat(filters.type);
    return this.list.filter((d) => !types || types.includes(d.type));
  }
  getInstanceSettings(ref?: string | { uid?: string } | null): DataSourceInstanceSettings | undefined {
    if (ref === null || ref === undefined) {
      return this.list.find((d) => d.isDefault);
    }
    const key = typeof ref === 'string' ? ref : ref.uid;
    return this.list.find((d) => d.uid === key || d.name === key);
  }
  reload(): Promise<void> {
    return Promise.resolve();
  }
  registerRuntimeDataSource(): void {}
}
