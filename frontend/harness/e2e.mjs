// Real-browser test of the built plugin: Debian's Chromium (playwright-core) opens the harness
// page, which loads <repo>/dist/module.js through SystemJS + AMD as Grafana does, against the
// stub backend of harness/serve.mjs. It drives the query editor and the config editor, checks
// the query JSON they emit, the resource calls, the body POSTed to /api/ds/query (template
// variables expanded by the bundle) and secureJsonData, and saves screenshots.
// Usage: node harness/e2e.mjs  (env: CHROMIUM, ET_FRONTEND_OUT, MODES=amd,src)
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { buildHarness, outDir as harnessDist } from './build.mjs';
import { startServer } from './serve.mjs';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(frontend, '..');
const dist = process.env.ET_DIST_DIR ? resolve(process.env.ET_DIST_DIR) : join(root, 'dist');
const out = resolve(process.env.ET_FRONTEND_OUT ?? join(frontend, 'test-output'));
const shots = join(out, 'screenshots');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const modes = (process.env.MODES ?? 'amd,src').split(',');
const TRICKY = ['say "hi"', 'a,b', 'x.*|(y)']; // harness/main.tsx: the values of $tricky

let passed = 0;
let failed = 0;

class CheckError extends Error {}
/** Thrown by check() after it has reported a failure, to end the scenario. */
class Reported extends Error {}
function expect(ok, message) {
  if (!ok) {
    throw new CheckError(message);
  }
}
function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  expect(a === e, `${what}: expected ${e}, got ${a}`);
}

/** Polls `condition` (a server-side fact) until it holds; generous limit, no timing claims. */
async function waitUntil(condition, what, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    expect(Date.now() < end, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs one check; a failed check ends its scenario (the later steps build on it). */
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed++;
    console.log(
      `not ok - ${name}\n    ${String(err instanceof CheckError ? err.message : (err.stack ?? err)).replace(/\n/g, '\n    ')}`
    );
    throw new Reported(name);
  }
}

async function openPage(context, base, mode) {
  const page = await context.newPage();
  // Generous limits: on a loaded 2-core CI machine the first page load
  // (SystemJS, the AMD bundle, React) alone has taken over 15 s.
  page.setDefaultTimeout(30000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} for ${r.url()}`));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/?mode=${mode}&bundle=/dist/module.js`, { timeout: 120000 });
  await page.waitForFunction(() => window.harness.ready || window.harness.error, null, { timeout: 120000 });
  const error = await page.evaluate(() => window.harness.error);
  expect(!error, `harness failed to start: ${error}`);
  return { page, problems };
}

const queryJson = async (page) => JSON.parse(await page.locator('#query-json').textContent());
const optionsJson = async (page) => JSON.parse(await page.locator('#options-json').textContent());
const menu = (page) => page.getByLabel('Select options menu');

async function pickOption(page, inputSelector, optionText) {
  await page.click(inputSelector);
  await menu(page).getByText(optionText, { exact: true }).click();
}

async function queryEditorScenario(context, server, mode) {
  const { page, problems } = await openPage(context, server.url, mode);
  const posts = () => server.requests.filter((r) => r.path === '/api/ds/query');
  const resourceCalls = (name) => server.requests.filter((r) => r.path.endsWith(`/resources/${name}`));

  await check(`[${mode}] plugin loads and the query editor starts with the default query`, async () => {
    const via = await page.evaluate(() => window.harness.loadedVia);
    expect(mode !== 'amd' || via.includes('SystemJS'), `loaded via ${via}`);
    await page.locator('#et-query-type').waitFor();
    const q = await queryJson(page);
    equal([q.queryType, q.mode, q.groupBy], ['error-rate', 'ratio', 'service'], 'default query');
    expect(await page.getByText('Ratio', { exact: true }).isVisible(), 'error-rate mode options are shown');
  });

  await check(`[${mode}] query type picker switches to recent errors and its options`, async () => {
    await pickOption(page, '#et-query-type', 'Recent errors');
    equal((await queryJson(page)).queryType, 'recent-errors', 'queryType');
    expect(await page.locator('#et-limit').isVisible(), 'limit is shown for recent errors');
    expect(!(await page.locator('#et-label-filter').count()), 'label filter (Prometheus only) is hidden');
    expect(!(await page.getByText('Ratio', { exact: true }).count()), 'error-rate options are hidden');
  });

  await check(`[${mode}] service dropdown is filled from GET resources/services`, async () => {
    await page.click('#et-services');
    for (const s of ['cart', 'checkout', 'payments', '$service', '$tricky']) {
      await menu(page).getByText(s, { exact: true }).waitFor();
    }
    expect(resourceCalls('services').length >= 1, 'resources/services was called');
    await page.screenshot({ path: join(shots, `${mode}-query-editor-services-menu.png`), fullPage: false });
    await menu(page).getByText('checkout', { exact: true }).click();
    await pickOption(page, '#et-services', '$tricky');
    equal((await queryJson(page)).services, ['checkout', '$tricky'], 'services in the query');
  });

  await check(`[${mode}] endpoint dropdown is narrowed to the chosen services`, async () => {
    await page.keyboard.press('Escape');
    await page.click('#et-routes');
    await menu(page).getByText('POST /api/checkout', { exact: true }).waitFor();
    expect(
      !(await menu(page).getByText('GET /api/cart', { exact: true }).count()),
      'routes of other services are not offered'
    );
    const call = resourceCalls('routes').at(-1);
    equal(call.query.getAll('service'), ['checkout', ...TRICKY], 'service parameters of resources/routes');
    expect(call.query.has('from') && call.query.has('to'), 'routes call carries the time range');
    await menu(page).getByText('POST /api/checkout', { exact: true }).click();
    equal((await queryJson(page)).routes, ['POST /api/checkout'], 'routes in the query');
  });

  await check(`[${mode}] limit commits on blur and the query runs with variables expanded`, async () => {
    await page.keyboard.press('Escape');
    await page.fill('#et-limit', '25');
    await page.locator('#et-limit').blur();
    equal((await queryJson(page)).limit, 25, 'limit');
    await waitUntil(() => posts().some((p) => p.body.queries[0]?.limit === 25), 'the query with limit 25');
    const sent = posts().at(-1).body;
    const q = sent.queries[0];
    equal(
      { queryType: q.queryType, services: q.services, routes: q.routes, limit: q.limit, uid: q.datasource.uid },
      {
        queryType: 'recent-errors',
        services: ['checkout', ...TRICKY],
        routes: ['POST /api/checkout'],
        limit: 25,
        uid: 'errortriage',
      },
      'query POSTed to /api/ds/query'
    );
    expect(Number(sent.to) > Number(sent.from), 'time range is sent');
  });

  await check(`[${mode}] trace exceptions without a trace ID are not sent; with one they are`, async () => {
    const before = posts().length;
    await pickOption(page, '#et-query-type', 'Trace exceptions');
    expect(await page.locator('#et-trace-id').isVisible(), 'trace ID field is shown');
    expect(!(await page.locator('#et-services').count()), 'filters are hidden for trace exceptions');
    // The run happened (filterQuery, then query() answered without a request: 0 frames).
    await page.waitForFunction(() => document.querySelector('#run-result')?.textContent === '0 frame(s)');
    equal(posts().length, before, 'queries sent for an incomplete trace-exceptions query');
    await page.fill('#et-trace-id', '4bf92f3577b34da6a3ce929d0e0e4736');
    await page.keyboard.press('Enter');
    await waitUntil(() => posts().length > before, 'the trace query to be sent');
    const q = posts().at(-1).body.queries[0];
    equal([q.queryType, q.traceId], ['trace-exceptions', '4bf92f3577b34da6a3ce929d0e0e4736'], 'trace query sent');
    await page.locator('#query-section').screenshot({ path: join(shots, `${mode}-query-editor-trace.png`) });
  });

  await check(`[${mode}] error groups show sort and compare options`, async () => {
    await pickOption(page, '#et-query-type', 'Error groups');
    // Grafana's radio buttons lay the (transparent) input over the label: click the radio.
    await page.getByRole('radio', { name: 'New first' }).click();
    await page.getByRole('radio', { name: 'Previous range' }).click();
    const q = await queryJson(page);
    equal([q.queryType, q.sort, q.compareTo], ['error-groups', 'new', 'previous-range'], 'error-groups options');
    await page.locator('#query-section').screenshot({ path: join(shots, `${mode}-query-editor-error-groups.png`) });
  });

  await check(`[${mode}] no page errors, console errors or failed requests`, async () => {
    equal(problems, [], 'problems');
  });
  await page.close();
}

async function configEditorScenario(context, server, mode) {
  const { page, problems } = await openPage(context, server.url, mode);

  await check(`[${mode}] config editor writes URLs and basic auth, password as a secret`, async () => {
    await page.fill('#et-prometheus-url', 'https://mimir.example/prometheus');
    await page
      .getByRole('radiogroup', { name: 'Prometheus authentication' })
      .getByRole('radio', { name: 'Basic auth' })
      .click();
    await page.fill('#et-prometheus-user', 'grafana');
    await page.fill('#et-prometheus-password', 'p@ss "word"');
    const o = await optionsJson(page);
    equal(
      [o.jsonData.prometheusUrl, o.jsonData.prometheusAuth, o.jsonData.prometheusUser],
      ['https://mimir.example/prometheus', 'basic', 'grafana'],
      'jsonData'
    );
    equal(o.secureJsonData.prometheusPassword, 'p@ss "word"', 'secureJsonData.prometheusPassword');
    expect(!JSON.stringify(o.jsonData).includes('p@ss'), 'the password is not in jsonData');
  });

  await check(`[${mode}] a stored Tempo token shows as configured and resets`, async () => {
    const token = page.locator('#et-tempo-token');
    equal([await token.inputValue(), await token.isDisabled()], ['configured', true], 'stored token field');
    await page.getByRole('button', { name: 'Reset' }).click();
    let o = await optionsJson(page);
    equal([o.secureJsonFields.tempoToken, o.secureJsonData.tempoToken], [false, ''], 'after reset');
    await page.fill('#et-tempo-token', 'new-token');
    o = await optionsJson(page);
    equal(o.secureJsonData.tempoToken, 'new-token', 'new token');
  });

  await check(`[${mode}] Tempo datasource picker offers Tempo datasources and stores uid and name`, async () => {
    await page.click('#et-tempo-datasource');
    await menu(page).getByText('Tempo prod', { exact: true }).waitFor();
    expect(
      !(await menu(page)
        .getByText(/Prometheus/)
        .count()),
      'non-Tempo datasources are not offered'
    );
    await menu(page).getByText('Tempo staging', { exact: true }).click();
    const o = await optionsJson(page);
    equal(
      [o.jsonData.tempoDatasourceUid, o.jsonData.tempoDatasourceName],
      ['tempo-staging', 'Tempo staging'],
      'tempo datasource'
    );
  });

  await check(`[${mode}] custom metric names, tenant, timeout and extra header`, async () => {
    await pickOption(page, '#et-metrics-schema', 'Custom names');
    await page.fill('#et-callsMetric', 'my_calls_total');
    await page.fill('#et-tenant-id', 'team-a');
    await page.fill('#et-timeout', '45');
    await page.click('#et-prometheus-add-header');
    await page.fill('#et-prometheus-header-name-1', 'X-Team');
    await page.fill('#et-prometheus-header-value-1', 'blue');
    const o = await optionsJson(page);
    equal(
      [
        o.jsonData.metricsSchema,
        o.jsonData.callsMetric,
        o.jsonData.tenantId,
        o.jsonData.timeoutSeconds,
        o.jsonData.prometheusHttpHeaderName1,
      ],
      ['custom', 'my_calls_total', 'team-a', 45, 'X-Team'],
      'jsonData'
    );
    equal(o.secureJsonData.prometheusHttpHeaderValue1, 'blue', 'header value is a secret');
    await page.click('#et-names-in-use');
    await page.locator('#et-names').getByText('traces_span_metrics_calls_total', { exact: true }).waitFor();
    await page.screenshot({ path: join(shots, `${mode}-config-editor.png`), fullPage: true });
  });

  await check(`[${mode}] config editor: no page errors, console errors or failed requests`, async () => {
    equal(problems, [], 'problems');
  });
  await page.close();
}

async function main() {
  const started = Date.now();
  if (!existsSync(join(dist, 'module.js'))) {
    console.error(`e2e: ${join(dist, 'module.js')} is missing; run npm run build first`);
    process.exit(1);
  }
  if (!existsSync(executablePath)) {
    console.error(`e2e: no Chromium at ${executablePath} (install Debian's chromium or set CHROMIUM)`);
    process.exit(1);
  }
  mkdirSync(shots, { recursive: true });
  await buildHarness();
  const server = await startServer({ harnessDist, dist });
  const profile = mkdtempSync(join(tmpdir(), 'et-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    for (const mode of modes) {
      for (const scenario of [queryEditorScenario, configEditorScenario]) {
        await scenario(context, server, mode).catch((err) => {
          if (!(err instanceof Reported)) {
            // Not from a check (those report themselves), e.g. the page did not start.
            failed++;
            console.log(`not ok - [${mode}] ${scenario.name}: ${err.stack ?? err}`);
          }
        });
      }
    }
  } finally {
    await context?.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`screenshots: ${shots}`);
  console.log(`${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.exit(failed || passed === 0 ? 1 : 0);
}

await main();
