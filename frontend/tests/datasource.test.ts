// Unit tests of the datasource's browser side: template-variable expansion into literal lists
// (multi-value, All, custom all values, quotes/commas/regex characters), labelFilter escaping,
// filterQuery, defaults, variable support and the resource calls behind the editor dropdowns.
import { dateTime, VariableSupportType } from '@grafana/data';
import { setTemplateSrv } from '@grafana/runtime';
import { beforeEach, describe, expect, it } from 'vitest';

import { DataSource, interpolateQuery } from '../src/datasource';
import { expandLabelFilter, expandList } from '../src/interpolate';
import { ErrorTriageQuery } from '../src/types';
import { FakeTemplateSrv, instanceSettings, makeDataSource } from './fakes';

const TRICKY = ['say "hi"', 'a,b', 'GET /api/v1/items/{id}', 'x.*|(y)', 'back\\slash', "it's"];

function srv() {
  return new FakeTemplateSrv([
    {
      name: 'service',
      value: ['checkout', 'cart'],
      multi: true,
      includeAll: true,
      options: ['checkout', 'cart', 'ads'],
    },
    { name: 'one', value: 'payments' },
    { name: 'tricky', value: TRICKY, multi: true, includeAll: true, options: TRICKY },
    { name: 'all', value: ['$__all'], multi: true, includeAll: true, options: ['a', 'b', 'c'] },
    { name: 'allcustom', value: '$__all', multi: true, includeAll: true, allValue: '.*', options: ['a', 'b'] },
    { name: 'star', value: '$__all', multi: true, includeAll: true, allValue: '*', options: ['a', 'b'] },
    { name: 'empty', value: [], multi: true },
    { name: 'env', value: ['prod', 'staging'], multi: true },
    { name: 'trace_id', value: '4BF92F3577B34DA6A3CE929D0E0E4736' },
    { name: 'region', value: ['eu-west', 'us.east'], multi: true, includeAll: true },
    { name: 'ns', value: 'shop"floor' },
  ]);
}

describe('expandList', () => {
  it('keeps literals and expands multi-value variables in every syntax', () => {
    const s = srv();
    expect(expandList(s, ['literal'])).toEqual(['literal']);
    expect(expandList(s, ['$service'])).toEqual(['checkout', 'cart']);
    expect(expandList(s, ['${service}'])).toEqual(['checkout', 'cart']);
    expect(expandList(s, ['[[service]]'])).toEqual(['checkout', 'cart']);
    expect(expandList(s, ['$one', 'extra'])).toEqual(['payments', 'extra']);
  });

  it('ignores an explicit format on a lone variable (values stay separate)', () => {
    expect(expandList(srv(), ['${service:csv}'])).toEqual(['checkout', 'cart']);
    expect(expandList(srv(), ['${tricky:regex}'])).toEqual(TRICKY);
  });

  it('keeps quotes, commas, regex characters and backslashes literal', () => {
    const out = expandList(srv(), ['$tricky']);
    expect(out).toEqual(TRICKY);
    // Survives the JSON round trip to the backend unchanged.
    expect(JSON.parse(JSON.stringify(out))).toEqual(TRICKY);
  });

  it('turns All into no filter, with or without a custom all value', () => {
    const s = srv();
    expect(expandList(s, ['$all'])).toEqual([]);
    expect(expandList(s, ['$allcustom'])).toEqual([]);
    expect(expandList(s, ['$star'])).toEqual([]);
    expect(expandList(s, ['$all', 'literal'])).toEqual([]);
    expect(expandList(s, ['*'])).toEqual([]);
  });

  it('uses scoped vars (repeated panels) before dashboard variables', () => {
    const scoped = { service: { text: 'ads', value: 'ads' } };
    expect(expandList(srv(), ['$service'], scoped)).toEqual(['ads']);
    expect(expandList(srv(), ['$service'], { service: { text: 'All', value: '$__all' } })).toEqual([]);
  });

  it('expands variables inside text into every combination and drops empties', () => {
    expect(expandList(srv(), ['svc-$env'])).toEqual(['svc-prod', 'svc-staging']);
    expect(expandList(srv(), ['$empty'])).toEqual([]);
    expect(expandList(srv(), ['$service', 'checkout'])).toEqual(['checkout', 'cart']);
  });

  it('leaves unknown variables literal and accepts a single string', () => {
    expect(expandList(srv(), ['$nope'])).toEqual(['$nope']);
    expect(expandList(srv(), '$service' as unknown as string[])).toEqual(['checkout', 'cart']);
    expect(expandList(srv(), undefined)).toBeUndefined();
  });
});

describe('expandLabelFilter', () => {
  it('escapes single values for the quoted string and regex-escapes multi values', () => {
    const s = srv();
    expect(expandLabelFilter(s, 'k8s_namespace_name="$ns"')).toBe('k8s_namespace_name="shop\\"floor"');
    expect(expandLabelFilter(s, 'region=~"$region"')).toBe('region=~"(eu-west|us\\\\.east)"');
    expect(expandLabelFilter(s, undefined)).toBeUndefined();
  });
});

describe('DataSource', () => {
  let templateSrv: FakeTemplateSrv;
  beforeEach(() => {
    templateSrv = srv();
    setTemplateSrv(templateSrv);
  });

  it('applyTemplateVariables fills every list and the trace ID', () => {
    const ds = new DataSource(instanceSettings());
    const query: ErrorTriageQuery = {
      refId: 'A',
      queryType: 'recent-errors',
      services: ['$service'],
      routes: ['$tricky'],
      exceptionTypes: ['$all'],
      environment: ['$env'],
      labelFilter: 'ns="$ns"',
      limit: 20,
    };
    expect(ds.applyTemplateVariables(query, {})).toEqual({
      refId: 'A',
      queryType: 'recent-errors',
      services: ['checkout', 'cart'],
      routes: TRICKY,
      exceptionTypes: [],
      environment: ['prod', 'staging'],
      labelFilter: 'ns="shop\\"floor"',
      limit: 20,
    });
    const trace = ds.applyTemplateVariables({ refId: 'B', queryType: 'trace-exceptions', traceId: ' $trace_id ' }, {});
    expect(trace.traceId).toBe('4BF92F3577B34DA6A3CE929D0E0E4736');
  });

  it('does not add fields the query did not have', () => {
    const out = interpolateQuery(templateSrv, { refId: 'A', queryType: 'error-rate' });
    expect(out).toEqual({ refId: 'A', queryType: 'error-rate' });
  });

  it('interpolateVariablesInQueries (Explore) uses the same expansion', () => {
    const ds = new DataSource(instanceSettings());
    const [q] = ds.interpolateVariablesInQueries([{ refId: 'A', queryType: 'hotspots', services: ['$service'] }], {});
    expect(q.services).toEqual(['checkout', 'cart']);
  });

  it('filterQuery drops hidden, untyped and incomplete queries', () => {
    const ds = new DataSource(instanceSettings());
    expect(ds.filterQuery({ refId: 'A', queryType: 'error-rate' })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', queryType: 'error-rate', hide: true })).toBe(false);
    expect(ds.filterQuery({ refId: 'A' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: 'nonsense' as never })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: 'trace-exceptions' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: 'trace-exceptions', traceId: '  ' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: 'trace-exceptions', traceId: 'abc123' })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', queryType: 'trace-exceptions', traceId: '$trace_id' })).toBe(true);
    templateSrv.vars.find((v) => v.name === 'trace_id')!.value = '';
    expect(ds.filterQuery({ refId: 'A', queryType: 'trace-exceptions', traceId: '$trace_id' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: 'variable' })).toBe(true);
  });

  it('has a default query and datasource variable support with its own default', () => {
    const ds = new DataSource(instanceSettings());
    expect(ds.getDefaultQuery!('panel-editor' as never)).toEqual({
      queryType: 'error-rate',
      mode: 'ratio',
      groupBy: 'service',
    });
    expect(ds.variables!.getType()).toBe(VariableSupportType.Datasource);
    expect(ds.variables!.getDefaultQuery!()).toEqual({ queryType: 'variable', variable: 'services' });
  });

  it('getValues asks the resource routes with services and the time range', async () => {
    const { ds, calls } = makeDataSource({ routes: ['POST /pay', 'GET /cart'], services: ['a'] });
    const range = { from: dateTime(1000), to: dateTime(5000), raw: { from: 'now-1h', to: 'now' } };
    expect(await ds.getValues('routes', ['$service'], range)).toEqual(['POST /pay', 'GET /cart']);
    expect(calls[0]).toEqual({ path: 'routes', params: { service: ['checkout', 'cart'], from: '1000', to: '5000' } });
    await ds.getValues('services', ['x']);
    expect(calls[1]).toEqual({ path: 'services', params: {} });
    await expect(ds.getValues('span-names')).rejects.toMatchObject({ data: { error: 'no span-names here' } });
  });

  it('getValues rejects answers that are not string lists', async () => {
    const { ds } = makeDataSource({ services: { error: 'x' } as unknown as string[] });
    await expect(ds.getValues('services')).rejects.toThrow('unexpected answer');
  });

  it('describes queries for history and collapsed rows', () => {
    const ds = new DataSource(instanceSettings());
    expect(ds.getQueryDisplayText({ refId: 'A', queryType: 'hotspots', services: ['a', 'b'] })).toBe(
      'Hotspots · services: a, b'
    );
    expect(ds.getQueryDisplayText({ refId: 'A', queryType: 'variable', variable: 'routes' })).toBe(
      'Variable values · Endpoints'
    );
  });
});
