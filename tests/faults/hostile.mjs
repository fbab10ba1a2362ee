// SPDX-License-Identifier: Apache-2.0
//
// Hostile QueryData requests (issue 3 item 4), sent by matrix.mjs to a
// datasource with both backends healthy. Each request mixes the hostile
// queries with healthy ones; `expect` says, per refId, what must come back:
//   400            status 400, errorSource plugin, the message names `mentions`
//   200            a normal answer
//   'ok-or-4xx'    a normal answer or a clear 4xx error (ranges that are legal but absurd)
// Refs without an entry must answer 200.

const KINDS_WITH_LIMIT = {
  hotspots: 1000, 'top-types': 1000, variable: 10000, 'recent-errors': 1000, 'error-summary': 10000, 'error-groups': 10000,
};

export function hostileRequests({ range, healthy, rawQuery, dataQuery, traceId }) {
  const out = [];
  const H = () => [dataQuery('H1', healthy.tempo, range), dataQuery('H2', healthy.prometheus, range)];
  const bad = (mentions) => ({ status: 400, mentions });

  // 1. One request with 1,000 queries.
  {
    const queries = [];
    const expect = {};
    for (let i = 0; i < 1000; i++) {
      const ref = `q${String(i).padStart(4, '0')}`;
      switch (i % 4) {
        case 0: queries.push(dataQuery(ref, { queryType: 'variable', variable: ['services', 'routes', 'span-names'][i % 3] }, range)); expect[ref] = 200; break;
        case 1: queries.push(rawQuery(ref, `{"queryType":"hotspots","limit":${i}`, 'hotspots')); expect[ref] = bad('invalid query JSON'); break;
        case 2: queries.push(dataQuery(ref, { queryType: `no-such-type-${i}` }, range)); expect[ref] = bad('unknown queryType'); break;
        default: queries.push(dataQuery(ref, { queryType: 'hotspots', limit: -i }, range)); expect[ref] = bad('limit'); break;
      }
    }
    out.push({ name: '1000 queries in one request', queries: [...queries, ...H()], expect });
  }

  // 2. Query JSON of about 1 MB.
  {
    const mb = 1 << 20;
    const manyServices = Array.from({ length: 150000 }, (_, i) => `s${i}`);
    out.push({
      name: '1 MB query JSON',
      queries: [
        dataQuery('LIST', { queryType: 'hotspots', services: manyServices }, range),
        dataQuery('VALUE', { queryType: 'hotspots', services: ['x'.repeat(mb)] }, range),
        dataQuery('LABELS', { queryType: 'error-rate', labelFilter: 'k8s_namespace="shop",'.repeat(mb / 21) }, range),
        dataQuery('LABELVALUE', { queryType: 'error-rate', labelFilter: `region="${'e'.repeat(mb)}"` }, range),
        dataQuery('TRACEID', { queryType: 'trace-exceptions', traceId: 'a'.repeat(mb) }, range),
        dataQuery('TYPE', { queryType: 'h'.repeat(mb) }, range),
        // unknown fields are ignored by design (Grafana adds its own): a padded query still answers
        dataQuery('PADDED', { queryType: 'hotspots', limit: 3, padding: 'p'.repeat(mb) }, range),
        ...H(),
      ],
      expect: {
        LIST: bad('more than 1000 values'), VALUE: bad('longer than 4096 bytes'), LABELS: bad('labelFilter'),
        LABELVALUE: bad('labelFilter'), TRACEID: bad('traceId'), TYPE: bad('unknown queryType'), PADDED: 200,
      },
    });
  }

  // 3. Deeply nested JSON (100,000 levels).
  {
    const n = 100000;
    out.push({
      name: 'nested JSON, 100k levels',
      queries: [
        rawQuery('ARRAYS', '['.repeat(n) + ']'.repeat(n), 'hotspots'),
        rawQuery('OBJECTS', '{"a":'.repeat(n) + '1' + '}'.repeat(n), 'hotspots'),
        rawQuery('INFIELD', `{"queryType":"hotspots","services":${'['.repeat(n)}"a"${']'.repeat(n)}}`, 'hotspots'),
        rawQuery('UNCLOSED', `{"queryType":"hotspots","x":${'['.repeat(n)}`, 'hotspots'),
        ...H(),
      ],
      expect: { ARRAYS: bad('invalid query JSON'), OBJECTS: bad('invalid query JSON'), INFIELD: bad('invalid query JSON'), UNCLOSED: bad('invalid query JSON') },
    });
  }

  // 4. Absurd time ranges and intervals.
  {
    const Y9999 = 253402300799999;
    const hour = 3600000;
    const q = (ref, model, r, extra) => rawQuery(ref, JSON.stringify(model), '', r, extra);
    const hs = { queryType: 'hotspots', limit: 3 };
    const er = { queryType: 'error-rate' };
    const re = { queryType: 'recent-errors', limit: 3 };
    out.push({
      name: 'absurd time ranges',
      queries: [
        q('BACKWARDS', hs, { from: range.to, to: range.from }),
        q('EMPTY', er, { from: range.from, to: range.from }),
        q('NEGATIVE', hs, { from: -hour, to: range.to }),
        q('PAST9999', re, { from: Y9999 - hour, to: Y9999 + hour }),
        q('FROM10000', er, { from: Y9999 + hour, to: Y9999 + 2 * hour }),
        q('HUGE', hs, { from: 0, to: '9223372036854775807' }),
        q('Y1970', hs, { from: 0, to: hour }),
        q('Y1970RE', re, { from: 0, to: hour }),
        q('Y9999', er, { from: Y9999 - hour, to: Y9999 }),
        q('ALLTIME', er, { from: 0, to: Y9999 }),
        q('ALLTIMEHS', hs, { from: 0, to: Y9999 }),
        q('ALLTIMERE', re, { from: 0, to: Y9999 }),
        q('ALLTIMEGROUPS', { queryType: 'error-groups', limit: 50, buckets: 200 }, { from: 0, to: Y9999 }),
        q('TINYSTEP', er, range, { intervalMs: 1, maxDataPoints: 1e9 }),
        q('ZEROSTEP', er, range, { intervalMs: 0, maxDataPoints: 0 }),
        q('HUGESTEP', er, range, { intervalMs: '9223372036854775807', maxDataPoints: 1 }),
        q('NEGSTEP', er, range, { intervalMs: -15000 }),
        q('NEGPOINTS', er, range, { maxDataPoints: -1 }),
        ...H(),
      ],
      expect: {
        BACKWARDS: bad('time range'), EMPTY: bad('time range'), NEGATIVE: bad('time range'), PAST9999: bad('time range'),
        FROM10000: bad('time range'), HUGE: bad('time range'), Y1970: 200, Y1970RE: 'ok-or-4xx', Y9999: 'ok-or-4xx',
        ALLTIME: 'ok-or-4xx', ALLTIMEHS: 'ok-or-4xx', ALLTIMERE: 'ok-or-4xx', ALLTIMEGROUPS: 'ok-or-4xx',
        TINYSTEP: 200, ZEROSTEP: 200, HUGESTEP: 'ok-or-4xx', NEGSTEP: bad('intervalMs'), NEGPOINTS: bad('maxDataPoints'),
      },
    });
  }

  // 5. Negative, zero, huge and fractional limits (and buckets).
  {
    const queries = [];
    const expect = {};
    let n = 0;
    const add = (type, field, value, exp) => {
      const ref = `L${n++}`;
      const json = `{"queryType":"${type}","${field}":${value}${type === 'variable' ? ',"variable":"services"' : ''}}`;
      queries.push(rawQuery(ref, json, '', range));
      expect[ref] = exp;
    };
    for (const [type, max] of Object.entries(KINDS_WITH_LIMIT)) {
      for (const v of ['-1', '0', '-9223372036854775808', '9223372036854775807', '1e9', '1e30', '-1e30', '1.5',
        String(max + 1), '2147483648', '4294967297', '"abc"', '"12abc"', '""', '"-5"', '"99999999999999999999"'])
        add(type, 'limit', v, bad('limit'));
      add(type, 'limit', '99999999999999999999999', bad('limit|invalid query JSON'));
      for (const v of ['1', String(max), '"7"', '2.0']) add(type, 'limit', v, 200);
    }
    for (const v of ['-1', '0', '1', '201', '1e9', '"many"', '-9223372036854775808']) add('error-groups', 'buckets', v, bad('buckets'));
    add('error-groups', 'buckets', '2', 200);
    out.push({ name: 'negative and huge limits', queries: [...queries, ...H()], expect });
  }

  // 6. Wrong JSON types for every field.
  {
    const queries = [];
    const expect = {};
    let n = 0;
    const base = {
      queryType: 'hotspots', services: null, routes: null, exceptionTypes: null, environment: null, labelFilter: null,
    };
    const fields = {
      queryType: ['5', 'true', '{}', '[]', '["hotspots"]'],
      services: ['5', 'true', '{}', '[1]', '[["a"]]', '[{"a":1}]', '[true]', '[null]'],
      routes: ['5', 'false', '{"a":"b"}', '[2.5]'],
      exceptionTypes: ['5', 'true', '{}', '[[]]'],
      environment: ['-1', 'true', '{}', '[0]'],
      labelFilter: ['5', 'true', '[]', '{"a":"b"}', '["a=\\"b\\""]'],
      groupBy: ['5', 'true', '[]', '{}', '["service"]', '"everything"'],
      mode: ['1', 'false', '[]', '{}', '"percent"'],
      spanKinds: ['"server"', '5', '{}', '[5]', '[["server"]]', '["sever"]', 'true'],
      variable: ['5', 'true', '["services"]', '{}', '"users"'],
      sort: ['1', 'true', '[]', '{}', '"random"'],
      compareTo: ['1', 'true', '[]', '{}', '"yesterday"'],
      buckets: ['"x"', 'true', '[]', '{}', '2.5'],
      traceView: ['"true"', '1', '[]', '{}', '"yes"'],
      limit: ['true', '[]', '{}', '"x"', '[5]'],
      traceId: ['5', 'true', '[]', '{}', '["abc"]', '"xyz"', '"   "', '"0123456789abcdef0123456789abcdef0"'],
    };
    const typeFor = (field) => ({
      groupBy: 'error-rate', mode: 'error-rate', spanKinds: 'error-rate', variable: 'variable', sort: 'error-groups',
      compareTo: 'error-groups', buckets: 'error-groups', traceView: 'trace-exceptions', traceId: 'trace-exceptions',
    })[field] || 'hotspots';
    for (const [field, values] of Object.entries(fields)) {
      for (const v of values) {
        const ref = `T${n++}`;
        const model = { ...base, queryType: typeFor(field) };
        if (field === 'traceView') model.traceId = traceId;
        let json = JSON.stringify(model);
        json = `${json.slice(0, -1)},"${field}":${v}}`;
        queries.push(rawQuery(ref, json, '', range));
        expect[ref] = bad(field === 'queryType' ? 'queryType' : field);
      }
    }
    // the query JSON itself of the wrong type
    for (const v of ['"hotspots"', '5', 'null', '[]', 'true', '""', '   ', '']) {
      const ref = `T${n++}`;
      queries.push(rawQuery(ref, v, 'hotspots', range));
      expect[ref] = v === '' ? 200 : bad('invalid query JSON'); // no JSON at all: queryType from the DataQuery
    }
    // hostile DataQuery.queryType and refIds
    queries.push(rawQuery('QT', '{}', 'x'.repeat(100000), range));
    expect.QT = bad('unknown queryType');
    // protobuf-c hands strings over NUL-terminated: this arrives as "hotspots" (harmless)
    queries.push(rawQuery('QT2', '{}', 'hotspots\u0000; DROP', range));
    expect.QT2 = 'ok-or-4xx';
    const longRef = 'R'.repeat(10000);
    queries.push(dataQuery(longRef, { queryType: 'hotspots', limit: 2 }, range));
    expect[longRef] = 200;
    queries.push(dataQuery('ref "with" \n<quotes> ✓', { queryType: 'hotspots', limit: 2 }, range));
    expect['ref "with" \n<quotes> ✓'] = 200;
    out.push({ name: 'wrong JSON types for every field', queries: [...queries, ...H()], expect });
  }
  return out;
}
