// Query editor of the Error Triage datasource (also used for query variables): a query type
// picker, filters whose dropdowns are filled from the backend's resource routes, and the options
// that apply to the chosen type only (docs/queries.md). Selections run the query at once; text
// fields commit on blur.
import React, { useEffect, useState } from 'react';

import { QueryEditorProps, SelectableValue } from '@grafana/data';
import {
  InlineField,
  InlineFieldRow,
  InlineSwitch,
  Input,
  MultiSelect,
  RadioButtonGroup,
  Select,
  Stack,
  Text,
} from '@grafana/ui';

import { DataSource, ValuesResource } from '../datasource';
import {
  CompareTo,
  DEFAULT_QUERY,
  ErrorTriageOptions,
  ErrorTriageQuery,
  GroupBy,
  GroupsSort,
  LIST_FIELDS,
  QUERY_TYPES,
  QueryType,
  queryTypeInfo,
  RateMode,
  SpanKind,
  TRACE_ID_RE,
  VARIABLE_KINDS,
  VariableKind,
} from '../types';
import { ValuesSelect } from './ValuesSelect';

export type Props = QueryEditorProps<DataSource, ErrorTriageQuery, ErrorTriageOptions>;

/** Label width of the first field in each row (multiples of 8 px); later fields size to their label. */
const LABEL_WIDTH = 18;

const TYPE_OPTIONS: Array<SelectableValue<QueryType>> = QUERY_TYPES.map((t) => ({
  value: t.value,
  label: t.label,
  description: `${t.description} (${t.source})`,
}));

const MODE_OPTIONS: Array<SelectableValue<RateMode>> = [
  { value: 'ratio', label: 'Ratio', description: 'Errors / calls (percent)' },
  { value: 'rate', label: 'Rate', description: 'Errors per second' },
  { value: 'count', label: 'Count', description: 'Errors per step' },
];

const GROUP_OPTIONS: Array<SelectableValue<GroupBy>> = [
  { value: 'service', label: 'Service' },
  { value: 'route', label: 'Endpoint' },
  { value: 'service_route', label: 'Service + endpoint' },
];

const SPAN_KIND_OPTIONS: Array<SelectableValue<SpanKind>> = [
  { value: 'server', label: 'Server' },
  { value: 'consumer', label: 'Consumer' },
  { value: 'client', label: 'Client' },
  { value: 'producer', label: 'Producer' },
  { value: 'internal', label: 'Internal' },
  { value: 'all', label: 'All kinds' },
];

const SORT_OPTIONS: Array<SelectableValue<GroupsSort>> = [
  { value: 'count', label: 'Most errors' },
  { value: 'new', label: 'New first' },
];

const COMPARE_OPTIONS: Array<SelectableValue<CompareTo>> = [
  { value: 'none', label: 'None' },
  { value: 'previous-range', label: 'Previous range', description: 'Adds previous count, change and status' },
];

const VARIABLE_OPTIONS: Array<SelectableValue<VariableKind>> = VARIABLE_KINDS.map((k) => ({ ...k }));

/** A number field that commits on blur; empty means "backend default". */
function NumberField(props: {
  id: string;
  labelWidth?: number | 'auto';
  label: string;
  tooltip: string;
  value?: number;
  min: number;
  max: number;
  placeholder: string;
  onCommit: (value: number | undefined) => void;
}) {
  const { id, label, tooltip, value, min, max, placeholder, onCommit, labelWidth = LABEL_WIDTH } = props;
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => setText(value === undefined ? '' : String(value)), [value]);
  const trimmed = text.trim();
  const parsed = Number(trimmed);
  const valid = trimmed === '' || (Number.isInteger(parsed) && parsed >= min && parsed <= max);
  return (
    <InlineField
      label={label}
      labelWidth={labelWidth}
      tooltip={tooltip}
      invalid={!valid}
      error={valid ? undefined : `A whole number from ${min} to ${max}`}
    >
      <Input
        id={id}
        type="number"
        width={12}
        min={min}
        max={max}
        placeholder={placeholder}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          const next = trimmed === '' ? undefined : parsed;
          if (valid && next !== value) {
            onCommit(next);
          }
        }}
      />
    </InlineField>
  );
}

/** A text field that commits on blur (and on Enter). */
function TextField(props: {
  id: string;
  labelWidth?: number | 'auto';
  label: string;
  tooltip: string;
  value?: string;
  placeholder: string;
  width: number;
  validate?: (value: string) => string | undefined;
  onCommit: (value: string) => void;
}) {
  const { id, label, tooltip, value, placeholder, width, validate, onCommit, labelWidth = LABEL_WIDTH } = props;
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  const error = validate?.(text.trim());
  const commit = () => {
    if (!error && text.trim() !== (value ?? '')) {
      onCommit(text.trim());
    }
  };
  return (
    <InlineField label={label} labelWidth={labelWidth} tooltip={tooltip} invalid={!!error} error={error}>
      <Input
        id={id}
        width={width}
        placeholder={placeholder}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            commit();
          }
        }}
      />
    </InlineField>
  );
}

/** Which type-specific options a query type keeps when the type changes. */
const OPTION_GROUP: Partial<Record<QueryType, 'error' | 'variable' | 'trace' | 'groups'>> = {
  'error-rate': 'error',
  variable: 'variable',
  'trace-exceptions': 'trace',
  'error-groups': 'groups',
};

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

function validateTraceId(value: string): string | undefined {
  if (value === '' || value.includes('$') || TRACE_ID_RE.test(value)) {
    return undefined;
  }
  return 'A trace ID is 1 to 32 hexadecimal digits';
}

export function QueryEditor(props: Props) {
  const { query, onChange, onRunQuery, datasource, range } = props;
  const type: QueryType = queryTypeInfo(query.queryType)?.value ?? (DEFAULT_QUERY.queryType as QueryType);
  const info = queryTypeInfo(type)!;
  const has = (filter: string) => info.filters.some((f) => f === filter);

  const update = (patch: Partial<ErrorTriageQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };

  const onTypeChange = (v: SelectableValue<QueryType>) => {
    const next = v.value ?? 'error-rate';
    // Options and filters the new type does not have are dropped, so the saved query is what the
    // editor shows. A limit means something else for another type (rows vs. sampled spans).
    const { mode, groupBy, spanKinds, variable, traceId, traceView, sort, compareTo, buckets, limit, ...rest } = query;
    const group = OPTION_GROUP[next];
    const kept: Partial<ErrorTriageQuery> =
      group === 'error'
        ? { mode, groupBy, spanKinds }
        : group === 'variable'
          ? { variable: variable ?? 'services' }
          : group === 'trace'
            ? { traceId, traceView }
            : group === 'groups'
              ? { sort, compareTo, buckets }
              : {};
    const nextLimit = queryTypeInfo(next)?.limit?.max === info.limit?.max ? limit : undefined;
    const shown = queryTypeInfo(next)?.filters ?? [];
    const filters = Object.fromEntries(
      [...LIST_FIELDS, 'labelFilter' as const].map((f) => [f, shown.includes(f) ? query[f] : undefined])
    );
    onChange(dropUndefined({ ...rest, ...filters, ...kept, limit: nextLimit, queryType: next }));
    onRunQuery();
  };

  const services = query.services ?? [];
  // The filters this type applies, two to a row; the first of a row aligns with the labels above.
  type Render = (labelWidth: number | 'auto') => React.ReactNode;
  const valuesFilter =
    (
      id: string,
      label: string,
      tooltip: string,
      field: 'services' | 'routes' | 'exceptionTypes' | 'environment',
      resource?: ValuesResource
    ): Render =>
    (labelWidth) => (
      <ValuesSelect
        id={id}
        label={label}
        labelWidth={labelWidth}
        tooltip={tooltip}
        resource={resource}
        datasource={datasource}
        range={range}
        services={field === 'services' ? undefined : services}
        value={query[field] ?? []}
        onChange={(v) => update({ [field]: v })}
      />
    );
  const filters: Render[] = [];
  if (has('services')) {
    filters.push(valuesFilter('et-services', 'Service', 'Only these services (empty: all)', 'services', 'services'));
  }
  if (has('routes')) {
    filters.push(
      valuesFilter(
        'et-routes',
        'Endpoint',
        'Only these endpoints: http.route, or the span name where there is no route',
        'routes',
        'routes'
      )
    );
  }
  if (has('exceptionTypes')) {
    filters.push(
      valuesFilter(
        'et-exception-types',
        'Exception type',
        'Only these exception types',
        'exceptionTypes',
        'exception-types'
      )
    );
  }
  if (has('environment')) {
    filters.push(
      valuesFilter(
        'et-environment',
        'Environment',
        'Only these deployment.environment values; type a value and press Enter',
        'environment'
      )
    );
  }
  if (has('labelFilter')) {
    filters.push((labelWidth) => (
      <TextField
        id="et-label-filter"
        labelWidth={labelWidth}
        label="Label filter"
        tooltip='Extra Prometheus label matchers, e.g. k8s_namespace_name="shop", region=~"eu-.*". Prometheus queries only.'
        placeholder='namespace="shop"'
        width={40}
        value={query.labelFilter}
        onCommit={(v) => update({ labelFilter: v || undefined })}
      />
    ));
  }

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={LABEL_WIDTH} tooltip="What to ask the backend (docs/queries.md)">
          <Select<QueryType>
            inputId="et-query-type"
            width={28}
            options={TYPE_OPTIONS}
            value={type}
            onChange={onTypeChange}
          />
        </InlineField>
        <Stack alignItems="center" height={4}>
          <Text color="secondary" variant="bodySmall" element="span">
            {info.description} · {info.source}
          </Text>
        </Stack>
      </InlineFieldRow>

      {type === 'variable' && (
        <InlineFieldRow>
          <InlineField label="Values" labelWidth={LABEL_WIDTH} tooltip="Which values the variable lists">
            <Select<VariableKind>
              inputId="et-variable"
              width={28}
              options={VARIABLE_OPTIONS}
              value={query.variable ?? 'services'}
              onChange={(v) => update({ variable: v.value ?? 'services' })}
            />
          </InlineField>
        </InlineFieldRow>
      )}

      {chunk(filters, 2).map((row, i) => (
        <InlineFieldRow key={i}>
          {row.map((render, j) => (
            <React.Fragment key={j}>{render(j === 0 ? LABEL_WIDTH : 'auto')}</React.Fragment>
          ))}
        </InlineFieldRow>
      ))}

      {type === 'error-rate' && (
        <InlineFieldRow>
          <InlineField
            label="Mode"
            labelWidth={LABEL_WIDTH}
            tooltip="Ratio of failed calls, errors per second, or errors per step"
          >
            <RadioButtonGroup<RateMode>
              id="et-mode"
              options={MODE_OPTIONS}
              value={query.mode ?? 'ratio'}
              onChange={(v) => update({ mode: v })}
            />
          </InlineField>
          <InlineField label="Group by" labelWidth="auto">
            <RadioButtonGroup<GroupBy>
              id="et-group-by"
              options={GROUP_OPTIONS}
              value={query.groupBy ?? 'service'}
              onChange={(v) => update({ groupBy: v })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {type === 'error-rate' && (
        <InlineFieldRow>
          <InlineField
            label="Span kinds"
            labelWidth={LABEL_WIDTH}
            tooltip="Which spans count as calls (default: server and consumer)"
          >
            <MultiSelect<SpanKind>
              inputId="et-span-kinds"
              width={32}
              placeholder="server, consumer"
              options={SPAN_KIND_OPTIONS}
              value={query.spanKinds ?? []}
              onChange={(v: Array<SelectableValue<SpanKind>>) => {
                // "All kinds" replaces the individual kinds; picking a kind afterwards replaces "all".
                const kinds = v.map((x) => x.value!);
                const next = kinds[kinds.length - 1] === 'all' ? ['all' as const] : kinds.filter((k) => k !== 'all');
                update({ spanKinds: next.length ? next : undefined });
              }}
            />
          </InlineField>
        </InlineFieldRow>
      )}

      {type === 'error-groups' && (
        <InlineFieldRow>
          <InlineField label="Sort" labelWidth={LABEL_WIDTH}>
            <RadioButtonGroup<GroupsSort>
              id="et-sort"
              options={SORT_OPTIONS}
              value={query.sort ?? 'count'}
              onChange={(v) => update({ sort: v })}
            />
          </InlineField>
          <InlineField
            label="Compare to"
            labelWidth="auto"
            tooltip="Compare each group with the range just before this one"
          >
            <RadioButtonGroup<CompareTo>
              id="et-compare-to"
              options={COMPARE_OPTIONS}
              value={query.compareTo ?? 'none'}
              onChange={(v) => update({ compareTo: v })}
            />
          </InlineField>
          <NumberField
            id="et-buckets"
            labelWidth="auto"
            label="Trend buckets"
            tooltip="Points in each group's trend over the range (2 to 200)"
            value={query.buckets}
            min={2}
            max={200}
            placeholder="20"
            onCommit={(v) => update({ buckets: v })}
          />
        </InlineFieldRow>
      )}

      {info.limit && (
        <InlineFieldRow>
          <NumberField
            id="et-limit"
            label={info.limit.label}
            tooltip={`${info.limit.tooltip} (default ${info.limit.default}, at most ${info.limit.max})`}
            value={query.limit}
            min={1}
            max={info.limit.max}
            placeholder={String(info.limit.default)}
            onCommit={(v) => update({ limit: v })}
          />
        </InlineFieldRow>
      )}

      {type === 'trace-exceptions' && (
        <InlineFieldRow>
          <TextField
            id="et-trace-id"
            label="Trace ID"
            tooltip="Hex trace ID, or a variable such as $trace_id"
            placeholder="4bf92f3577b34da6a3ce929d0e0e4736"
            width={40}
            value={query.traceId}
            validate={validateTraceId}
            onCommit={(v) => update({ traceId: v })}
          />
          <InlineField
            label="Trace view"
            labelWidth="auto"
            tooltip="Also return the whole trace for Grafana's trace view"
          >
            <InlineSwitch
              id="et-trace-view"
              value={query.traceView ?? false}
              onChange={(e) => update({ traceView: e.currentTarget.checked })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </Stack>
  );
}
