// Unit tests of the query editor: type picker, type-specific options, filters filled from the
// backend's resource routes (through the datasource), commit-on-blur fields and validation.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';
import { setTemplateSrv } from '@grafana/runtime';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { QueryEditor } from '../src/components/QueryEditor';
import { DataSource } from '../src/datasource';
import { ErrorTriageQuery } from '../src/types';
import { FakeTemplateSrv, makeDataSource } from './fakes';

/** Renders the editor the way Grafana does: it owns the query and re-renders on onChange. */
function setup(initial: ErrorTriageQuery, ds?: DataSource) {
  const datasource =
    ds ??
    makeDataSource({ services: ['checkout', 'cart'], routes: ['POST /pay'], 'exception-types': ['ValueError'] }).ds;
  const onChange = vi.fn();
  const onRunQuery = vi.fn();
  function Host() {
    const [query, setQuery] = useState(initial);
    return (
      <QueryEditor
        datasource={datasource}
        query={query}
        onChange={(q) => {
          onChange(q);
          setQuery(q);
        }}
        onRunQuery={onRunQuery}
      />
    );
  }
  render(<Host />);
  const last = (): ErrorTriageQuery => onChange.mock.calls[onChange.mock.calls.length - 1][0];
  return { onChange, onRunQuery, last, user: userEvent.setup() };
}

async function pick(user: ReturnType<typeof userEvent.setup>, label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  await user.click(await screen.findByText(option, { exact: true }));
}

describe('QueryEditor', () => {
  beforeEach(() => setTemplateSrv(new FakeTemplateSrv([{ name: 'service', value: ['checkout'] }])));

  it('shows error-rate options by default and runs when an option changes', async () => {
    const { onRunQuery, last, user } = setup({ refId: 'A' });
    expect(screen.getByText('Ratio')).toBeInTheDocument();
    expect(screen.getByLabelText('Span kinds')).toBeInTheDocument();
    expect(screen.queryByLabelText('Limit')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Trace ID')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Exception type')).not.toBeInTheDocument();
    await user.click(screen.getByText('Rate'));
    expect(last()).toMatchObject({ refId: 'A', mode: 'rate' });
    await user.click(screen.getByText('Service + endpoint'));
    expect(last()).toMatchObject({ mode: 'rate', groupBy: 'service_route' });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('switches type and shows only the options that apply', async () => {
    const { last, user } = setup({ refId: 'A', queryType: 'error-rate', mode: 'rate', services: ['cart'], limit: 5 });
    await pick(user, 'Query type', 'Error groups');
    // Options of the old type go, filters stay.
    expect(last()).toEqual({ refId: 'A', queryType: 'error-groups', services: ['cart'] });
    expect(screen.getByText('New first')).toBeInTheDocument();
    expect(screen.getByText('Previous range')).toBeInTheDocument();
    expect(screen.getByLabelText('Sample')).toBeInTheDocument();
    expect(screen.getByLabelText('Exception type')).toBeInTheDocument();
    expect(screen.queryByLabelText('Label filter')).not.toBeInTheDocument();
    await user.click(screen.getByText('New first'));
    await user.click(screen.getByText('Previous range'));
    expect(last()).toMatchObject({ queryType: 'error-groups', sort: 'new', compareTo: 'previous-range' });

    await pick(user, 'Query type', 'Trace exceptions');
    expect(last()).toEqual({ refId: 'A', queryType: 'trace-exceptions' });
    expect(screen.getByLabelText('Trace ID')).toBeInTheDocument();
    expect(screen.queryByLabelText('Service')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Sample')).not.toBeInTheDocument();
  });

  it('fills the service filter from the backend and offers template variables', async () => {
    const { ds, calls } = makeDataSource({ services: ['checkout', 'cart'], routes: ['POST /pay'] });
    const { last, onRunQuery, user } = setup({ refId: 'A', queryType: 'hotspots' }, ds);
    await user.click(screen.getByLabelText('Service'));
    expect(await screen.findByText('cart')).toBeInTheDocument();
    expect(screen.getByText('$service')).toBeInTheDocument();
    await user.click(screen.getByText('cart'));
    expect(last().services).toEqual(['cart']);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(calls[0].path).toBe('services');

    // Endpoints are narrowed to the chosen services.
    await pick(user, 'Endpoint', 'POST /pay');
    expect(calls[1]).toMatchObject({ path: 'routes', params: { service: ['cart'] } });
    expect(last()).toMatchObject({ services: ['cart'], routes: ['POST /pay'] });
  });

  it('accepts typed values and shows backend errors', async () => {
    const { ds } = makeDataSource({});
    const { last, user } = setup({ refId: 'A', queryType: 'recent-errors' }, ds);
    await user.click(screen.getByLabelText('Exception type'));
    expect(await screen.findByText(/Could not load values: no exception-types here/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Exception type'), 'java.lang.IllegalStateException{enter}');
    expect(last().exceptionTypes).toEqual(['java.lang.IllegalStateException']);
  });

  it('commits the limit on blur and refuses out-of-range values', async () => {
    const { onChange, last, user } = setup({ refId: 'A', queryType: 'recent-errors' });
    const limit = screen.getByLabelText('Limit');
    expect(limit).toHaveAttribute('placeholder', '50');
    await user.type(limit, '5000');
    await user.tab();
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.getByText('A whole number from 1 to 1000')).toBeInTheDocument();
    await user.clear(limit);
    await user.type(limit, '25');
    await user.tab();
    expect(last().limit).toBe(25);
  });

  it('validates the trace ID but accepts variables, and toggles the trace view', async () => {
    const { onChange, last, user } = setup({ refId: 'A', queryType: 'trace-exceptions' });
    const input = screen.getByLabelText('Trace ID');
    await user.type(input, 'not-hex');
    await user.tab();
    expect(screen.getByText('A trace ID is 1 to 32 hexadecimal digits')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, '$trace_id');
    await user.tab();
    expect(last().traceId).toBe('$trace_id');
    await user.click(screen.getByLabelText('Trace view'));
    expect(last()).toMatchObject({ traceId: '$trace_id', traceView: true });
  });

  it('keeps "All kinds" exclusive among span kinds', async () => {
    const { last, user } = setup({ refId: 'A', queryType: 'error-rate', spanKinds: ['server', 'client'] });
    await pick(user, 'Span kinds', 'All kinds');
    expect(last().spanKinds).toEqual(['all']);
    await pick(user, 'Span kinds', 'Producer');
    expect(last().spanKinds).toEqual(['producer']);
  });

  it('edits variable queries: which values, narrowed by service', async () => {
    const { last, user } = setup({ refId: 'A', queryType: 'variable', variable: 'services' });
    await pick(user, 'Values', 'Exception types');
    expect(last()).toMatchObject({ queryType: 'variable', variable: 'exception-types' });
    expect(screen.getByLabelText('Service')).toBeInTheDocument();
  });

  it('commits the label filter on Enter', async () => {
    const { last, user } = setup({ refId: 'A', queryType: 'hotspots' });
    await user.type(screen.getByLabelText('Label filter'), 'k8s_namespace_name="shop"{enter}');
    await waitFor(() => expect(last().labelFilter).toBe('k8s_namespace_name="shop"'));
  });
});
