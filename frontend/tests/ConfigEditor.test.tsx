// Unit tests of the settings page: URLs and numbers into jsonData, secrets into secureJsonData,
// reset of stored secrets, clearing secrets when the auth kind changes, extra headers, the Tempo
// datasource picker, custom metric names and TLS.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';
import { DataSourceSettings } from '@grafana/data';
import { BackendSrv, setBackendSrv, setDataSourceSrv } from '@grafana/runtime';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { ConfigEditor, urlProblem } from '../src/components/ConfigEditor';
import { ErrorTriageOptions, ErrorTriageSecureJsonData } from '../src/types';
import { FakeDataSourceSrv, settingsOf } from './fakes';

type Options = DataSourceSettings<ErrorTriageOptions, ErrorTriageSecureJsonData>;

function settings(jsonData: ErrorTriageOptions = {}, secureJsonFields: Record<string, boolean> = {}): Options {
  return {
    id: 1,
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
    jsonData,
    secureJsonFields,
  } as Options;
}

function setup(initial: Options) {
  const onOptionsChange = vi.fn();
  function Host() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(o) => {
          onOptionsChange(o);
          setOptions(o);
        }}
      />
    );
  }
  render(<Host />);
  const last = (): Options => onOptionsChange.mock.calls[onOptionsChange.mock.calls.length - 1][0];
  return { onOptionsChange, last, user: userEvent.setup() };
}

describe('ConfigEditor', () => {
  beforeEach(() =>
    setDataSourceSrv(
      new FakeDataSourceSrv([
        settingsOf('prom', 'Prometheus', 'prometheus', true),
        settingsOf('tempo-uid', 'Tempo prod', 'tempo'),
        settingsOf('tempo-2', 'Tempo staging', 'tempo'),
      ])
    )
  );

  it('writes URLs and flags URLs the backend would refuse', async () => {
    const { last, user } = setup(settings());
    await user.type(screen.getByLabelText(/^URL/, { selector: '#et-prometheus-url' }), 'http://prom:9090');
    await user.type(screen.getByLabelText(/^URL/, { selector: '#et-tempo-url' }), 'http://user:pw@tempo:3200');
    expect(last().jsonData).toMatchObject({ prometheusUrl: 'http://prom:9090', tempoUrl: 'http://user:pw@tempo:3200' });
    expect(screen.getByText(/Do not put credentials in the URL/)).toBeInTheDocument();
    expect(urlProblem('ftp://x')).toMatch(/http/);
    expect(urlProblem('http://')).toMatch(/no host/);
    expect(urlProblem('https://mimir/prometheus')).toBeUndefined();
  });

  it('stores basic-auth and bearer secrets in secureJsonData only', async () => {
    const { last, user } = setup(settings());
    await user.click(within(screen.getByRole('radiogroup', { name: /prometheus/i })).getByText('Basic auth'));
    await user.type(screen.getByPlaceholderText('user'), 'grafana');
    await user.type(document.getElementById('et-prometheus-password')!, 's3cr"et');
    await user.click(within(screen.getByRole('radiogroup', { name: /tempo/i })).getByText('Bearer token'));
    await user.type(document.getElementById('et-tempo-token')!, 'tok');
    const o = last();
    expect(o.jsonData).toMatchObject({ prometheusAuth: 'basic', prometheusUser: 'grafana', tempoAuth: 'bearer' });
    expect(o.secureJsonData).toEqual({ prometheusPassword: 's3cr"et', tempoToken: 'tok' });
    expect(JSON.stringify(o.jsonData)).not.toContain('s3cr');
  });

  it('resets a stored secret', async () => {
    const { last, user } = setup(settings({ tempoAuth: 'bearer' }, { tempoToken: true }));
    const token = document.getElementById('et-tempo-token') as HTMLInputElement;
    expect(token).toBeDisabled();
    expect(token.value).toBe('configured');
    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonFields.tempoToken).toBe(false);
    expect(last().secureJsonData).toMatchObject({ tempoToken: '' });
  });

  it('clears secrets that no longer apply when the auth kind changes', async () => {
    const { last, user } = setup(settings({}, { prometheusToken: true, prometheusPassword: true }));
    // Without an explicit kind, a stored token means bearer (as the backend reads it).
    expect(document.getElementById('et-prometheus-token')).toBeInTheDocument();
    await user.click(within(screen.getByRole('radiogroup', { name: /prometheus/i })).getByText('No auth'));
    const o = last();
    expect(o.jsonData.prometheusAuth).toBe('none');
    expect(o.secureJsonFields).toMatchObject({ prometheusToken: false, prometheusPassword: false });
    expect(o.secureJsonData).toMatchObject({ prometheusToken: '', prometheusPassword: '' });
  });

  it('adds and removes extra headers without renumbering stored ones', async () => {
    const { last, user } = setup(settings({ tempoHttpHeaderName1: 'X-Scope' }, { tempoHttpHeaderValue1: true }));
    await user.click(document.getElementById('et-tempo-add-header')!);
    await user.type(document.getElementById('et-tempo-header-name-2')!, 'X-Team');
    await user.type(document.getElementById('et-tempo-header-value-2')!, 'blue');
    expect(last().jsonData).toMatchObject({ tempoHttpHeaderName1: 'X-Scope', tempoHttpHeaderName2: 'X-Team' });
    expect(last().secureJsonData).toMatchObject({ tempoHttpHeaderValue2: 'blue' });
    await user.click(screen.getAllByRole('button', { name: 'Remove header' })[0]);
    const o = last();
    expect(o.jsonData.tempoHttpHeaderName1).toBeUndefined();
    expect('tempoHttpHeaderName1' in o.jsonData).toBe(false);
    expect(o.secureJsonFields.tempoHttpHeaderValue1).toBe(false);
    expect(o.jsonData.tempoHttpHeaderName2).toBe('X-Team');
  });

  it('picks the Tempo datasource for trace links (Tempo datasources only)', async () => {
    const { last, user } = setup(settings());
    await user.click(screen.getByLabelText(/^Tempo datasource for trace links/));
    expect(await screen.findByText('Tempo staging')).toBeInTheDocument();
    expect(screen.queryByText('Prometheus (default)')).not.toBeInTheDocument();
    await user.click(screen.getByText('Tempo prod'));
    expect(last().jsonData).toMatchObject({ tempoDatasourceUid: 'tempo-uid', tempoDatasourceName: 'Tempo prod' });
  });

  it('shows custom metric names only for the custom schema', async () => {
    const { last, user } = setup(settings());
    expect(screen.queryByLabelText('Calls counter')).not.toBeInTheDocument();
    await user.click(screen.getByLabelText('Metrics schema'));
    await user.click(await screen.findByText('Custom names'));
    await user.type(screen.getByLabelText('Calls counter'), 'my_calls_total');
    await user.type(screen.getByLabelText('Service label'), 'svc');
    expect(last().jsonData).toMatchObject({
      metricsSchema: 'custom',
      callsMetric: 'my_calls_total',
      serviceLabel: 'svc',
    });
  });

  it('writes numbers as numbers and validates their range', async () => {
    const { last, user } = setup(settings());
    await user.type(screen.getByLabelText(/^Timeout \(seconds\)/), '45');
    await user.type(screen.getByLabelText(/^Max concurrent requests/), '100');
    await user.type(screen.getByLabelText(/^Tenant ID/), 'team-a');
    await user.type(screen.getByLabelText(/^Trace cache \(MiB\)/), '128');
    expect(last().jsonData).toMatchObject({
      timeoutSeconds: 45,
      maxConcurrentRequests: 100,
      tenantId: 'team-a',
      traceCacheBytes: 128 * 1048576,
    });
    expect(screen.getByText('A whole number from 1 to 64')).toBeInTheDocument();
  });

  it('shows TLS certificate fields when enabled and stores them as secrets', async () => {
    const { last, user } = setup(settings());
    expect(document.getElementById('et-tls-ca-cert')).not.toBeInTheDocument();
    await user.click(document.getElementById('et-tls-ca')!);
    await user.type(document.getElementById('et-tls-ca-cert')!, '-----BEGIN CERTIFICATE-----');
    await user.click(document.getElementById('et-tls-skip-verify')!);
    expect(last().jsonData).toMatchObject({ tlsAuthWithCACert: true, tlsSkipVerify: true });
    expect(last().secureJsonData).toMatchObject({ tlsCACert: '-----BEGIN CERTIFICATE-----' });
  });

  it('shows the metric names the backend uses, or why it cannot', async () => {
    const get = vi.fn(async (url: string) => {
      if (get.mock.calls.length > 1) {
        throw { status: 400, data: { error: 'no Prometheus URL in the datasource settings' } };
      }
      return { schema: 'otel', callsMetric: 'traces_span_metrics_calls_total', eventsMetric: '', url };
    });
    setBackendSrv({ get } as unknown as BackendSrv);
    const { user } = setup(settings());
    await user.click(screen.getByRole('button', { name: /Show names in use/ }));
    expect(await screen.findByText('traces_span_metrics_calls_total')).toBeInTheDocument();
    expect(screen.getByText('(none)')).toBeInTheDocument();
    expect(get.mock.calls[0][0]).toBe('/api/datasources/uid/errortriage/resources/metrics-schema');
    await user.click(screen.getByRole('button', { name: /Show names in use/ }));
    expect(await screen.findByText('no Prometheus URL in the datasource settings')).toBeInTheDocument();
  });
});
