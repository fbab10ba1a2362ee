// A multi-value filter for the query editor. Its options are the dashboard's template variables
// and, when it has a resource, the values the backend lists for it (GET services, routes,
// exception-types, span-names), fetched each time the menu opens for the current time range and
// services. Typed values are accepted too, so a filter never depends on the list being complete.
import React, { useEffect, useRef, useState } from 'react';

import { SelectableValue, TimeRange } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { InlineField, MultiSelect } from '@grafana/ui';

import { DataSource, ValuesResource } from '../datasource';

interface Props {
  id: string;
  label: string;
  /** Label width in multiples of 8 px (the first field of a row aligns with the others). */
  labelWidth?: number | 'auto';
  tooltip: string;
  /** Where the options come from; without one only variables and typed values are offered. */
  resource?: ValuesResource;
  datasource: DataSource;
  range?: TimeRange;
  /** Narrows the listed values to these services (may hold template variables). */
  services?: string[];
  value: string[];
  onChange: (values: string[]) => void;
}

interface LoadState {
  loading: boolean;
  values: string[];
  error?: string;
}

/** The message of a failed resource call (FetchError with the backend's {"error": "..."} body, or Error). */
export function errorMessage(err: unknown): string {
  const e = err as {
    data?: { error?: string; message?: string };
    message?: string;
    statusText?: string;
    status?: number;
  };
  return (
    e?.data?.error ||
    e?.data?.message ||
    e?.message ||
    e?.statusText ||
    `request failed${e?.status ? ` (${e.status})` : ''}`
  );
}

function variableOptions(): Array<SelectableValue<string>> {
  return getTemplateSrv()
    .getVariables()
    .map((v) => ({ label: `$${v.name}`, value: `$${v.name}`, description: 'Template variable' }));
}

export function ValuesSelect(props: Props) {
  const { id, label, labelWidth = 18, tooltip, resource, datasource, range, services, value, onChange } = props;
  const [state, setState] = useState<LoadState>({ loading: false, values: [] });
  const request = useRef(0);
  useEffect(() => () => void (request.current = -1), []); // unmounted: drop late answers

  const load = async () => {
    if (!resource) {
      return;
    }
    const seq = ++request.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    try {
      const values = await datasource.getValues(resource, services, range);
      if (seq === request.current) {
        setState({ loading: false, values });
      }
    } catch (err) {
      if (seq === request.current) {
        setState({ loading: false, values: [], error: errorMessage(err) });
      }
    }
  };

  const options = [...variableOptions(), ...state.values.map((v) => ({ label: v, value: v }))];
  const selected = value.map((v) => ({ label: v, value: v }));

  return (
    <InlineField
      label={label}
      labelWidth={labelWidth}
      tooltip={tooltip}
      invalid={!!state.error}
      error={state.error && `Could not load values: ${state.error}`}
    >
      <MultiSelect<string>
        inputId={id}
        width={30}
        placeholder="All"
        options={options}
        value={selected}
        isLoading={state.loading}
        allowCustomValue
        createOptionPosition="first"
        noOptionsMessage={state.error ? 'No values: loading failed' : 'No values in this time range'}
        onOpenMenu={load}
        onChange={(items: Array<SelectableValue<string>>) =>
          onChange(items.map((i) => i.value).filter((v): v is string => typeof v === 'string' && v !== ''))
        }
      />
    </InlineField>
  );
}
