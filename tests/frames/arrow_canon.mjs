// SPDX-License-Identifier: Apache-2.0
//
// Decodes an Arrow IPC file with the npm apache-arrow reader (the independent
// decoder for our encoder's tests) into the canonical frame JSON described in
// tests/frames/frame_spec.h: exact values (int64 and times as decimal
// strings, floats as hex IEEE bits, bytes as hex), schema and field metadata
// (`meta`, `config` and `labels` parsed as JSON), types, nullability, null
// counts, batch count. Two frames are equal when their canonical forms are.
import { RecordBatchFileReader, Type } from '../node_modules/apache-arrow/Arrow.node.mjs';

const JSON_KEYS = new Set(['meta', 'config', 'labels']);

function metadataObject(map) {
  const out = {};
  for (const [k, v] of map) {
    if (JSON_KEYS.has(k)) {
      try {
        out[k] = JSON.parse(v);
      } catch (e) {
        out[k] = { unparsable: v };
      }
    } else {
      out[k] = v;
    }
  }
  return out;
}

function typeName(type) {
  switch (type.typeId) {
    case Type.Int:
      return (type.isSigned ? 'int' : 'uint') + type.bitWidth;
    case Type.Float:
      return 'float' + [16, 32, 64][type.precision];
    case Type.Bool:
      return 'bool';
    case Type.Utf8:
      return 'utf8';
    case Type.Binary:
      return 'binary';
    case Type.Timestamp:
      return `timestamp:${type.unit}:${type.timezone ?? ''}`;
    default:
      return 'unsupported:' + type.typeId;
  }
}

const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

function rawValue(data, type, i) {
  const v = data.values;
  switch (type.typeId) {
    case Type.Int:
    case Type.Timestamp:
      return String(v[i]);
    case Type.Float: {
      const size = v.BYTES_PER_ELEMENT;
      const view = new DataView(v.buffer, v.byteOffset + i * size, size);
      return size === 8
        ? view.getBigUint64(0, true).toString(16).padStart(16, '0')
        : size === 4
          ? view.getUint32(0, true).toString(16).padStart(8, '0')
          : view.getUint16(0, true).toString(16).padStart(4, '0');
    }
    case Type.Bool:
      return Boolean((v[(data.offset + i) >> 3] >> ((data.offset + i) & 7)) & 1);
    case Type.Utf8:
    case Type.Binary: {
      const o = data.valueOffsets;
      return hex(v.subarray(o[i], o[i + 1]));
    }
    default:
      return null;
  }
}

function isValid(data, i) {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0) return true;
  const at = data.offset + i;
  return Boolean((bitmap[at >> 3] >> (at & 7)) & 1);
}

// Canonical form of the Arrow file in `bytes` (Buffer or Uint8Array). Columns
// are taken by position from each record batch's children: apache-arrow's
// Table API matches columns by *name*, which mixes up frames with duplicate
// field names (legal in Grafana, e.g. all_types' two "timestamps").
export function canonFromArrow(bytes) {
  const reader = RecordBatchFileReader.from(bytes);
  reader.open();
  const schema = reader.schema;
  const batches = [];
  for (let b = 0; b < reader.numRecordBatches; b++) batches.push(reader.readRecordBatch(b));
  const fields = schema.fields.map((field, index) => {
    const values = [];
    let nullCount = 0;
    for (const batch of batches) {
      const data = batch.data.children[index];
      for (let i = 0; i < data.length; i++) {
        if (!isValid(data, i)) {
          values.push(null);
          nullCount++;
        } else {
          values.push(rawValue(data, field.type, i));
        }
      }
    }
    return {
      name: field.name,
      type: typeName(field.type),
      nullable: field.nullable,
      nullCount,
      metadata: metadataObject(field.metadata),
      values,
    };
  });
  return {
    rows: batches.reduce((n, b) => n + b.numRows, 0),
    batches: batches.length,
    metadata: metadataObject(schema.metadata),
    fields,
  };
}

// JSON text with object keys sorted, for deep comparison.
export function stableStringify(value) {
  if (Array.isArray(value)) return '[' + value.map(stableStringify).join(',') + ']';
  if (value && typeof value === 'object') {
    return (
      '{' +
      Object.keys(value)
        .sort()
        .map((k) => JSON.stringify(k) + ':' + stableStringify(value[k]))
        .join(',') +
      '}'
    );
  }
  return JSON.stringify(value);
}

// First difference between two canonical frames as a path string, or null.
export function firstDifference(a, b, path = '$') {
  if (stableStringify(a) === stableStringify(b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} != ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}
