// The static validator (scripts/validate.mjs) passes on the shipped files and fails on broken
// copies of them: an unknown query type, an undocumented field, an undefined variable, a
// datasource uid that is not the provisioned one, a plugin.json the schema rejects.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const frontend = resolve(__dirname, '..');
const root = resolve(frontend, '..');
const dashboard = JSON.parse(readFileSync(join(root, 'dashboards', 'error-triage.json'), 'utf8'));
const plugin = JSON.parse(readFileSync(join(root, 'plugin.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'et-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validate(env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(frontend, 'scripts', 'validate.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

function withDashboard(change: (d: any) => void) {
  const copy = structuredClone(dashboard);
  change(copy);
  const path = join(dir, `dash-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(copy));
  return validate({ ET_DASHBOARD_FILE: path });
}

const panelOf = (d: any, queryType: string) => d.panels.find((p: any) => p.targets?.[0]?.queryType === queryType);

describe('scripts/validate.mjs', () => {
  it('passes on the shipped plugin.json, dashboard and provisioning', () => {
    const r = validate();
    expect(r.out).toMatch(/\d+ passed, 0 failed/);
    expect([0, 77]).toContain(r.status);
  });

  it('fails on a query type the backend does not know', () => {
    const r = withDashboard((d) => (panelOf(d, 'hotspots').targets[0].queryType = 'hot-spots'));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/queryType hot-spots is not in docs\/queries.md/);
  });

  it('fails on an undocumented query field', () => {
    const r = withDashboard((d) => (panelOf(d, 'recent-errors').targets[0].exceptionType = ['$exception_type']));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/field exceptionType is not in docs\/queries.md/);
  });

  it('fails on a variable that is not defined', () => {
    const r = withDashboard((d) => (panelOf(d, 'error-groups').targets[0].services = ['$svc']));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/\$svc \(used in panel "Error groups"\) is not defined/);
  });

  it('fails when a datasource reference is not the provisioned uid', () => {
    const r = withDashboard((d) => (panelOf(d, 'top-types').datasource.uid = 'P1234'));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/uid P1234 is neither errortriage nor the datasource variable/);
  });

  it('fails when a panel ignores the service filter', () => {
    const r = withDashboard((d) => delete panelOf(d, 'error-rate').targets[0].services);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/does not filter by \$service/);
  });

  it('fails on a plugin.json the schema rejects', () => {
    const path = join(dir, 'plugin.json');
    writeFileSync(path, JSON.stringify({ ...plugin, id: 'errortriage-otel-thing', unknownKey: true }));
    const r = validate({ ET_PLUGIN_JSON: path });
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/not ok - plugin.json declares the backend datasource/);
    if (!r.out.includes('skip - plugin.json and dashboard')) {
      expect(r.out).toMatch(/not ok - plugin.json is valid against plugin.schema.json/);
    }
  });
});
