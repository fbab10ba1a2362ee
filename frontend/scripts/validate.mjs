// Static checks of what the plugin ships: plugin.json and dashboards/error-triage.json against
// Grafana's JSON schemas (../shared/reference/grafana/), every panel and variable query type
// against docs/queries.md and the backend's list, every query field against the documented
// fields, every variable used is defined, the datasource uid matches provisioning, and the built
// dist/ is complete. Prints one line per check and "N passed, N failed"; exit 1 on any failure,
// 77 (ctest: skipped) when only the schema checks could not run because the schemas are absent.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(frontend, '..');
const dist = process.env.ET_DIST_DIR ? resolve(process.env.ET_DIST_DIR) : join(root, 'dist');
const PLUGIN_ID = 'errortriage-otel-datasource';
const EXECUTABLE = 'gpx_errortriage';

let passed = 0;
let failed = 0;
let skipped = 0;
function check(name, problems) {
  const list = (Array.isArray(problems) ? problems : [problems]).filter(Boolean);
  if (list.length === 0) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}`);
    for (const p of list) {
      console.log(`    ${p}`);
    }
  }
}
function skip(name, why) {
  skipped++;
  console.log(`skip - ${name}: ${why}`);
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
// The files under test; the overrides let tests/validate.test.ts feed broken copies.
const plugin = readJson(process.env.ET_PLUGIN_JSON ?? join(root, 'plugin.json'));
const dashboardPath = process.env.ET_DASHBOARD_FILE ?? join(root, 'dashboards', 'error-triage.json');
const dashboard = readJson(dashboardPath);
const provisionedDs = parseYaml(readFileSync(join(root, 'provisioning', 'datasources', 'errortriage.yaml'), 'utf8'));
const provisionedDash = parseYaml(readFileSync(join(root, 'provisioning', 'dashboards', 'errortriage.yaml'), 'utf8'));
const queriesDoc = readFileSync(join(root, 'docs', 'queries.md'), 'utf8');
const configDoc = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');

// ---- schemas -----------------------------------------------------------------------------
const schemaDir = [
  process.env.ET_SHARED_DIR && join(process.env.ET_SHARED_DIR, 'reference', 'grafana'),
  join(root, '..', 'shared', 'reference', 'grafana'),
]
  .filter(Boolean)
  .find((d) => existsSync(join(d, 'plugin.schema.json')));

function ajvErrors(validate, data) {
  return validate(data)
    ? []
    : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

if (schemaDir) {
  // The plugin schema uses `\-` in patterns, which unicode regexps reject.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const pluginSchema = ajv.compile(readJson(join(schemaDir, 'plugin.schema.json')));
  check('plugin.json is valid against plugin.schema.json', ajvErrors(pluginSchema, plugin));
  if (existsSync(join(dist, 'plugin.json'))) {
    check(
      'dist/plugin.json is valid against plugin.schema.json',
      ajvErrors(pluginSchema, readJson(join(dist, 'plugin.json')))
    );
  }
  // Two documented relaxations of the generated dashboard schema, in memory only:
  // (a) export metadata (__inputs, __requires, __elements) is allowed at the top level;
  // (b) an object-valued variable query may hold any values (it is the datasource's query model).
  const dashSchema = readJson(join(schemaDir, 'dashboard.schema.json'));
  for (const key of ['__inputs', '__requires', '__elements']) {
    dashSchema.definitions.Dashboard.properties[key] = {};
  }
  dashSchema.definitions.VariableModel.properties.query = { oneOf: [{ type: 'string' }, { type: 'object' }] };
  const validateDash = ajv.compile(dashSchema);
  check('dashboards/error-triage.json is valid against dashboard.schema.json', ajvErrors(validateDash, dashboard));
} else {
  skip('plugin.json and dashboard against the Grafana schemas', 'no ../shared/reference/grafana/ (set ET_SHARED_DIR)');
}

// ---- plugin.json -------------------------------------------------------------------------
check('plugin.json declares the backend datasource', [
  plugin.id !== PLUGIN_ID && `id is ${plugin.id}, expected ${PLUGIN_ID}`,
  plugin.type !== 'datasource' && 'type must be datasource',
  plugin.backend !== true && 'backend must be true',
  plugin.executable !== EXECUTABLE && `executable is ${plugin.executable}, expected ${EXECUTABLE}`,
  plugin.metrics !== true && 'metrics must be true (panels can use it)',
  plugin.alerting !== true && 'alerting must be true (the backend answers numeric frames)',
  !plugin.dependencies?.grafanaDependency && 'dependencies.grafanaDependency is missing',
  !(plugin.info?.keywords?.length > 0) && 'info.keywords is empty',
]);
check(
  'plugin.json logos and includes exist in the sources',
  [plugin.info.logos.small, plugin.info.logos.large]
    .filter((p) => !existsSync(join(frontend, 'src', p)))
    .map((p) => `logo ${p} is not in frontend/src/`)
    .concat(
      (plugin.includes ?? [])
        .filter((i) => !existsSync(join(root, i.path)))
        .map((i) => `include ${i.path} does not exist`),
      (plugin.includes ?? []).some((i) => i.type === 'dashboard' && i.path === 'dashboards/error-triage.json')
        ? []
        : ['includes does not bundle dashboards/error-triage.json']
    )
);
const cmakeVersion = /project\(\s*errortriage\s+VERSION\s+([0-9.]+)/.exec(
  readFileSync(join(root, 'CMakeLists.txt'), 'utf8')
)?.[1];
const packageVersion = readJson(join(frontend, 'package.json')).version;
check(
  'frontend/package.json version matches the CMake project version',
  cmakeVersion && cmakeVersion !== packageVersion
    ? `package.json ${packageVersion}, CMakeLists.txt ${cmakeVersion}`
    : []
);

// ---- query types and fields --------------------------------------------------------------
const docTypes = [...queriesDoc.matchAll(/^## `([a-z-]+)`/gm)].map((m) => m[1]);
const backendSource = join(root, 'src', 'query', 'query.c');
const backendTypes = existsSync(backendSource)
  ? [...readFileSync(backendSource, 'utf8').matchAll(/\[QUERY_[A-Z_]+\]\s*=\s*"([a-z-]+)"/g)].map((m) => m[1])
  : undefined;
check('docs/queries.md lists the query types', docTypes.length >= 8 ? [] : `only found ${docTypes.join(', ')}`);
// Query fields: first cells of the field tables, and `name` followed by ( = or : in the prose,
// leaving out the "Answer:" paragraphs (those name frame fields, not query fields).
const docFields = new Set(
  queriesDoc
    .split(/\n\s*\n/)
    .flatMap((paragraph) => paragraph.split('Answer:')[0].split('\n'))
    .flatMap((line) =>
      line.startsWith('|')
        ? [...line.matchAll(/^\| `([a-zA-Z]+)`/g)].map((m) => m[1])
        : [...line.matchAll(/`([a-zA-Z]+)` ?[(=:]/g)].map((m) => m[1])
    )
);
const BASE_FIELDS = new Set(['refId', 'datasource', 'queryType', 'hide', 'key']);

const targets = []; // { where, query }
for (const panel of dashboard.panels ?? []) {
  for (const t of panel.targets ?? []) {
    targets.push({ where: `panel "${panel.title}" ${t.refId}`, query: t, panel });
  }
}
for (const v of dashboard.templating?.list ?? []) {
  if (v.type === 'query' && typeof v.query === 'object') {
    targets.push({ where: `variable ${v.name}`, query: v.query });
  }
}
check(
  'every query type is documented in docs/queries.md and known to the backend',
  targets.flatMap(({ where, query }) => [
    !docTypes.includes(query.queryType) && `${where}: queryType ${query.queryType} is not in docs/queries.md`,
    backendTypes &&
      !backendTypes.includes(query.queryType) &&
      `${where}: queryType ${query.queryType} is not in src/query/query.c`,
  ])
);
check(
  'every query field is documented',
  targets.flatMap(({ where, query }) =>
    Object.keys(query)
      .filter((k) => !BASE_FIELDS.has(k) && !docFields.has(k))
      .map((k) => `${where}: field ${k} is not in docs/queries.md`)
  )
);

// ---- variables ---------------------------------------------------------------------------
const defined = new Set((dashboard.templating?.list ?? []).map((v) => v.name));
const used = new Map(); // name -> first place
function collectVariables(value, where) {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\$(\w+)|\$\{(\w+)(?:[.:][^}]*)?\}|\[\[(\w+)(?::\w+)?\]\]/g)) {
      const name = m[1] ?? m[2] ?? m[3];
      if (!name.startsWith('__') && !used.has(name)) {
        used.set(name, where);
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((v) => collectVariables(v, where));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k !== 'current' && k !== 'options') {
        collectVariables(v, where);
      }
    }
  }
}
for (const panel of dashboard.panels ?? []) {
  collectVariables(panel, `panel "${panel.title}"`);
}
for (const v of dashboard.templating?.list ?? []) {
  collectVariables(v.query, `variable ${v.name}`);
  collectVariables(v.datasource, `variable ${v.name}`);
}
check(
  'every variable used is defined',
  [...used].filter(([name]) => !defined.has(name)).map(([name, where]) => `$${name} (used in ${where}) is not defined`)
);
const filterVars = ['service', 'route', 'exception_type'];
check(
  'variables service, route, exception_type are multi-value query variables on this datasource with All',
  filterVars.map((name) => {
    const v = dashboard.templating.list.find((x) => x.name === name);
    if (!v) {
      return `${name} is missing`;
    }
    return v.type !== 'query' || !v.multi || !v.includeAll || v.datasource?.type !== PLUGIN_ID
      ? `${name} must be a multi, include-All query variable of ${PLUGIN_ID}`
      : undefined;
  })
);
check(
  'every panel is filtered by the template variables',
  (dashboard.panels ?? []).flatMap((panel) =>
    (panel.targets ?? []).flatMap((t) => {
      if (t.queryType === 'trace-exceptions') {
        return t.traceId?.includes('trace_id') ? [] : [`panel "${panel.title}": trace-exceptions must use $trace_id`];
      }
      const text = JSON.stringify([t.services, t.routes, t.exceptionTypes]);
      return ['service', 'route']
        .filter((name) => !text.includes(`$${name}`))
        .map((name) => `panel "${panel.title}": does not filter by $${name}`);
    })
  )
);

// ---- panels ------------------------------------------------------------------------------
const byType = (qt) => (dashboard.panels ?? []).filter((p) => (p.targets ?? []).some((t) => t.queryType === qt));
check('the triage panels are present', [
  !byType('error-rate').some((p) => p.type === 'timeseries' && p.fieldConfig?.defaults?.unit === 'percentunit') &&
    'error rate over time (%) as a timeseries',
  !byType('top-types').some((p) => p.type === 'table') && 'top exception types as a table',
  !byType('hotspots').some((p) => p.type === 'bargauge') && 'hotspots as a bar gauge',
  !byType('recent-errors').some((p) => p.type === 'table') && 'recent errors as a table',
  !byType('error-groups').some((p) => p.type === 'table') && 'error groups as a table',
  !byType('trace-exceptions').some((p) => p.type === 'table') && 'stack traces of the selected trace',
]);
const linkUrls = (panel) => (panel.fieldConfig?.defaults?.links ?? []).map((l) => l.url).join(' ');
check('panels link to each other', [
  !byType('recent-errors').some((p) => linkUrls(p).includes('var-trace_id=')) &&
    'recent errors must link to the stack-trace panel (var-trace_id)',
  !byType('error-groups').some((p) => linkUrls(p).includes('var-trace_id=')) &&
    'error groups must link to the stack-trace panel (var-trace_id)',
  !byType('hotspots').some((p) => linkUrls(p).includes('var-route=')) &&
    'hotspots must filter the dashboard by endpoint (var-route)',
]);
const ids = (dashboard.panels ?? []).map((p) => p.id);
check('panel ids are unique', ids.length === new Set(ids).size ? [] : `duplicate ids in ${ids.join(', ')}`);

// ---- datasource references and provisioning ----------------------------------------------
const ds = provisionedDs.datasources?.[0];
check('provisioning/datasources/errortriage.yaml provisions this plugin with a fixed uid', [
  ds?.type !== PLUGIN_ID && `type is ${ds?.type}, expected ${PLUGIN_ID}`,
  !ds?.uid && 'uid is missing',
  ...Object.keys(ds?.jsonData ?? {})
    .filter((k) => !configDoc.includes(`\`${k}\``))
    .map((k) => `jsonData.${k} is not in docs/configuration.md`),
  ...Object.keys(ds?.secureJsonData ?? {})
    .filter((k) => !configDoc.includes(`\`${k}\``))
    .map((k) => `secureJsonData.${k} is not in docs/configuration.md`),
]);
const dsVariable = dashboard.templating.list.find((v) => v.type === 'datasource' && v.query === PLUGIN_ID);
const refs = [];
(function walk(value, where) {
  if (Array.isArray(value)) {
    value.forEach((v) => walk(v, where));
  } else if (value && typeof value === 'object') {
    if (value.datasource && typeof value.datasource === 'object' && value.datasource.type === PLUGIN_ID) {
      refs.push({ where, ref: value.datasource });
    }
    for (const [k, v] of Object.entries(value)) {
      walk(v, k === 'panels' || k === 'list' ? where : `${where}/${k}`);
    }
  }
})(dashboard, 'dashboard');
check(
  'datasource references resolve to the provisioned uid',
  [
    refs.length === 0 && 'no references to the datasource',
    dsVariable &&
      dsVariable.current?.value !== ds?.uid &&
      `variable ${dsVariable.name} defaults to ${dsVariable.current?.value}, provisioning uses ${ds?.uid}`,
  ].concat(
    refs
      .filter(
        ({ ref }) =>
          !(
            ref.uid === ds?.uid ||
            (dsVariable && (ref.uid === `\${${dsVariable.name}}` || ref.uid === `$${dsVariable.name}`))
          )
      )
      .map(({ where, ref }) => `${where}: uid ${ref.uid} is neither ${ds?.uid} nor the datasource variable`)
  )
);
const provider = provisionedDash.providers?.[0];
check('provisioning/dashboards/errortriage.yaml is a file provider', [
  provider?.type !== 'file' && 'type must be file',
  !provider?.options?.path && 'options.path is missing',
]);

// ---- the built plugin --------------------------------------------------------------------
if (existsSync(join(dist, 'module.js'))) {
  const moduleJs = readFileSync(join(dist, 'module.js'), 'utf8');
  const deps = /^define\(\[([^\]]*)\]/.exec(moduleJs)?.[1];
  const builtPlugin = existsSync(join(dist, 'plugin.json')) ? readJson(join(dist, 'plugin.json')) : undefined;
  const allowed = /^"(exports|react|react-dom|rxjs|@grafana\/(data|ui|runtime))"$/;
  check('dist/ holds an AMD module.js using only Grafana-shared modules, and plugin.json', [
    deps === undefined && 'module.js does not start with define([...])',
    ...(deps ?? '')
      .split(',')
      .filter((d) => d && !allowed.test(d))
      .map((d) => `module.js imports ${d}, which Grafana does not share`),
    !builtPlugin && 'dist/plugin.json is missing',
    builtPlugin && JSON.stringify(builtPlugin).includes('%') && 'dist/plugin.json still has %VERSION% or %TODAY%',
    builtPlugin &&
      builtPlugin.info.version !== packageVersion &&
      `dist/plugin.json version ${builtPlugin.info.version}, expected ${packageVersion}`,
    ...[plugin.info.logos.small, ...(plugin.includes ?? []).map((i) => i.path)]
      .filter((p) => !existsSync(join(dist, p)))
      .map((p) => `dist/${p} is missing`),
  ]);
} else {
  skip('dist/ contents', `${join(dist, 'module.js')} not built (npm run build)`);
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : skipped ? 77 : 0);
