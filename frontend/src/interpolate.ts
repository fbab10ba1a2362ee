// Template-variable expansion for Error Triage queries. Filter lists become JSON arrays of
// literal strings (multi-value and "All" aware); the backend escapes every value where it enters
// PromQL, TraceQL or a URL, so nothing here escapes list values. Only `labelFilter`, which the
// backend parses as `name op "value"` text, gets values escaped for its quoted strings.
import { ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

/** Values that mean "no filter": Grafana's All value, and the usual custom all values. */
const ALL_MARKERS = new Set(['$__all', '*', 'All']);

/** A text that is exactly one variable reference: $name, ${name}, ${name:fmt}, [[name]]. */
const SINGLE_VARIABLE = /^(?:\$(\w+)|\$\{(\w+)(?:\.[^:}]+)?(?::[^}]*)?\}|\[\[(\w+)(?::\w+)?\]\])$/;
const MARK = '\u0000';
const MARK_RE = /\u0000(\d+)\u0000/;

function toStrings(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map((v) => String(v));
  }
  return value === undefined || value === null ? [] : [String(value)];
}

function singleVariableName(text: string): string | undefined {
  const m = SINGLE_VARIABLE.exec(text);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

function isAllSelected(srv: TemplateSrv, name: string, scopedVars?: ScopedVars): boolean {
  const scoped = scopedVars?.[name];
  let value: unknown;
  if (scoped) {
    value = scoped.value;
  } else {
    const variable = srv.getVariables().find((v) => v.name === name) as { current?: { value?: unknown } } | undefined;
    value = variable?.current?.value;
  }
  return value === '$__all' || (Array.isArray(value) && value.includes('$__all'));
}

/** Every combination of the captured variable values in `template` (usually just one variable). */
function expandTemplate(template: string, parts: string[][]): string[] {
  const m = MARK_RE.exec(template);
  if (!m) {
    return [template];
  }
  const head = template.slice(0, m.index);
  const tails = expandTemplate(template.slice(m.index + m[0].length), parts);
  const out: string[] = [];
  for (const value of parts[Number(m[1])] ?? []) {
    for (const tail of tails) {
      out.push(head + value + tail);
    }
  }
  return out;
}

/**
 * Expand a filter list: each element may be a literal or contain template variables.
 * A multi-value variable contributes one element per value; a variable set to "All" (or a
 * custom all value such as `*`) turns the whole list into [] = no filter. Values are kept
 * verbatim (quotes, commas, regex characters), de-duplicated in order.
 */
export function expandList(
  srv: TemplateSrv,
  values: string[] | string | undefined,
  scopedVars?: ScopedVars
): string[] | undefined {
  if (values === undefined || values === null) {
    return undefined;
  }
  const seen = new Set<string>();
  for (const raw of Array.isArray(values) ? values : [values]) {
    const item = String(raw);
    const single = singleVariableName(item);
    if (single && isAllSelected(srv, single, scopedVars)) {
      return [];
    }
    // An explicit format (${service:csv}) would win over ours and glue the values into one
    // string; a lone variable stands for its values, so the format is dropped.
    const text = single
      ? item.replace(/^\$\{([^:}]+):[^}]*\}$/, '${$1}').replace(/^\[\[(\w+):\w+\]\]$/, '[[$1]]')
      : item;
    const parts: string[][] = [];
    const template = srv.replace(text, scopedVars, (value: unknown) => {
      parts.push(toStrings(value));
      return MARK + (parts.length - 1) + MARK;
    });
    for (const value of expandTemplate(template, parts)) {
      if (ALL_MARKERS.has(value)) {
        return [];
      }
      if (value !== '') {
        seen.add(value);
      }
    }
  }
  return [...seen];
}

/** A single-valued text field (trace ID): a multi-value variable contributes its first value. */
export function expandSingle(srv: TemplateSrv, text: string | undefined, scopedVars?: ScopedVars): string | undefined {
  if (text === undefined) {
    return undefined;
  }
  return srv.replace(text, scopedVars, (value: unknown) => toStrings(value)[0] ?? '').trim();
}

/** Escape a value for a quoted string in `labelFilter` (the backend accepts \\ \" \' \n \t). */
export function escapeLabelString(value: string): string {
  return value
    .replace(/[\\"']/g, (c) => '\\' + c)
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t');
}

/** Escape RE2 metacharacters so a value matches literally inside a regex matcher. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.^$*+?()[\]{}|]/g, (c) => '\\' + c);
}

/**
 * `labelFilter` text: variables are expanded inside quoted matcher values. Multi-value and
 * include-All variables become a regex alternation of literal values (use them with =~ or !~),
 * as Grafana's Prometheus datasource does; single values are inserted literally.
 */
export function expandLabelFilter(
  srv: TemplateSrv,
  text: string | undefined,
  scopedVars?: ScopedVars
): string | undefined {
  if (text === undefined) {
    return undefined;
  }
  return srv.replace(text, scopedVars, (value: unknown, variable?: { multi?: boolean; includeAll?: boolean }) => {
    const values = toStrings(value);
    if (Array.isArray(value) || variable?.multi || variable?.includeAll) {
      const alternation = values.map(escapeRegex).join('|');
      return escapeLabelString(values.length === 1 ? alternation : `(${alternation})`);
    }
    return escapeLabelString(values[0] ?? '');
  });
}
