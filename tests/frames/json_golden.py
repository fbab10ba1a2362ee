#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every JSON-frame golden must equal our JSON frame writer's output as JSON.

  json_golden.py <reference/frames dir> <spec_encode> <golden_build out dir> <work dir>

1. Hand-built frames: golden_build's manifest names, per frame, the JSON golden
   (file and frame index) that our frame_write_json() output must equal.
2. Every frame of every JSON golden (sdk all_types, derived/*.json, dataplane
   examples, the .jsonc responses of the SDK and of Grafana's Jaeger backend)
   is turned into the canonical frame form (frame_spec.h): times from ms plus
   `nanos`, NaN/Inf from `entities`, raw JSON values as bytes. spec_encode
   rebuilds it through the C API and writes our JSON, which must equal the
   golden frame.

Equality is JSON equality: objects compare without key order, numbers by
value (Python ints are exact, so int64/uint64 are compared exactly), and a
bool never equals a number. Exit 0 when all are equal, 1 otherwise, 77 when
the reference directory is missing.
"""
import json
import os
import struct
import subprocess
import sys

GO_NAN64 = 0x7FF8000000000001
NAN32 = 0x7FC00000
TSTYPE = {"bool": "boolean", "string": "string", "time.Time": "time",
          "json.RawMessage": "other", "enum": "enum"}
CANON_TYPE = {"string": "utf8", "time.Time": "timestamp:3:", "json.RawMessage": "binary",
              "enum": "uint16", "bool": "bool"}


def load_golden(path):
    with open(path, encoding="utf-8") as fp:
        text = fp.read()
    if path.endswith(".jsonc"):
        text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("//"))
    return json.loads(text)


def frames_of(doc):
    if isinstance(doc, list):
        return doc
    if "frames" in doc:
        return doc["frames"]
    return [doc]


def float_bits(value, frame_type, special):
    if frame_type == "float32":
        if special is not None:
            return "%08x" % {"NaN": NAN32, "Inf": 0x7F800000, "NegInf": 0xFF800000}[special]
        return "%08x" % struct.unpack("<I", struct.pack("<f", value))[0]
    if special is not None:
        return "%016x" % {"NaN": GO_NAN64, "Inf": 0x7FF0000000000000,
                          "NegInf": 0xFFF0000000000000}[special]
    return "%016x" % struct.unpack("<Q", struct.pack("<d", float(value)))[0]


def canon_value(value, frame_type, special, nano):
    if frame_type in ("float32", "float64"):
        return float_bits(value if value is not None else 0.0, frame_type, special)
    if frame_type == "json.RawMessage" and value is None:
        return b"null".hex()  # the JSON value null in a non-nullable json column
    if value is None:
        return None
    if frame_type == "time.Time":
        return str(value * 1000000 + nano)
    if frame_type == "bool":
        return bool(value)
    if frame_type == "string":
        return value.encode("utf-8").hex()
    if frame_type == "json.RawMessage":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8").hex()
    return str(int(value))


def zero_value(frame_type):
    return {"bool": False, "string": "", "time.Time": 0}.get(frame_type, 0)


def canon_field(field, values, entities, nanos):
    type_info = field["typeInfo"]
    frame_type = type_info["frame"]
    nullable = bool(type_info.get("nullable", False))
    specials = {}
    for key, rows in (entities or {}).items():
        for row in rows:
            specials[row] = key
    out = []
    for row, value in enumerate(values):
        special = specials.get(row)
        if value is None and special is None:
            if nullable:
                out.append(None)
                continue
            if frame_type != "json.RawMessage":
                value = zero_value(frame_type)
        nano = nanos[row] if nanos else 0
        out.append(canon_value(value, frame_type, special, nano))
    metadata = {"tstype": TSTYPE.get(frame_type, "number")}
    if "labels" in field:
        metadata["labels"] = field["labels"]
    if "config" in field:
        metadata["config"] = field["config"]
    return {"name": field.get("name", ""), "type": CANON_TYPE.get(frame_type, frame_type),
            "nullable": nullable, "metadata": metadata, "values": out}


def with_go_empty_columns(frame):
    """The Go SDK writes one (empty) array per field for a frame without rows
    (derived/derived-zero-rows.json); some hand-written dataplane examples
    write `"values": []` instead, which Go reads the same way. Compare in the
    SDK's form."""
    fields = frame.get("schema", {}).get("fields", [])
    data = frame.get("data")
    if fields and isinstance(data, dict) and data.get("values") == []:
        frame = json.loads(json.dumps(frame))
        frame["data"]["values"] = [[] for _ in fields]
    return frame


def with_go_field_types(frame, label):
    """Go reads a field's type from typeInfo only and writes `type` from it; a
    hand-written example whose `type` disagrees (dataplane timeseries-long
    "city": type string, typeInfo float64) is compared in Go's form, with a note."""
    for field in frame.get("schema", {}).get("fields", []):
        frame_type = field.get("typeInfo", {}).get("frame")
        go_type = TSTYPE.get(frame_type, "number")
        if frame_type and field.get("type") != go_type:
            print(f"note {label}: field {field.get('name')!r} has type {field.get('type')!r} "
                  f"but typeInfo {frame_type!r}; Go writes {go_type!r}")
            field["type"] = go_type
    return frame


def canon_frame(frame):
    schema, data = frame["schema"], frame.get("data", {})
    values = data.get("values", [])
    entities = data.get("entities") or []
    nanos = data.get("nanos") or []
    fields = []
    for i, field in enumerate(schema.get("fields", [])):
        fields.append(canon_field(field, values[i] if i < len(values) else [],
                                  entities[i] if i < len(entities) else None,
                                  nanos[i] if i < len(nanos) else None))
    metadata = {"name": schema.get("name", ""), "refId": schema.get("refId", "")}
    if "meta" in schema:
        metadata["meta"] = schema["meta"]
    return {"metadata": metadata, "fields": fields}


def first_difference(a, b, path="$"):
    if isinstance(a, bool) or isinstance(b, bool):
        return None if a is b else f"{path}: {a!r} != {b!r}"
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return None if a == b else f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: present on one side only"
            diff = first_difference(a[key], b[key], f"{path}.{key}")
            if diff:
                return diff
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            diff = first_difference(x, y, f"{path}[{i}]")
            if diff:
                return diff
        return None
    return None if type(a) is type(b) and a == b else f"{path}: {a!r} != {b!r}"


def json_goldens(ref_dir):
    found = []
    for root, _, files in os.walk(ref_dir):
        for name in files:
            if name.endswith((".json", ".jsonc")) and name != "frame.schema.json":
                found.append(os.path.join(root, name))
    return sorted(found)


def main():
    ref_dir, spec_encode, golden_out, work_dir = sys.argv[1:5]
    if not os.path.isdir(ref_dir):
        print(f"reference directory {ref_dir} is missing: skipped")
        return 77
    os.makedirs(work_dir, exist_ok=True)
    failures = checked = 0

    def report(label, diff):
        nonlocal failures, checked
        checked += 1
        if diff:
            failures += 1
            print(f"FAIL {label}: {diff}")
        else:
            print(f"ok   {label}")

    with open(os.path.join(golden_out, "manifest.json"), encoding="utf-8") as fp:
        manifest = json.load(fp)
    for entry in manifest:
        if not entry.get("json_golden"):
            continue
        golden = frames_of(load_golden(os.path.join(ref_dir, entry["json_golden"])))
        frame = golden[max(entry["json_frame"], 0)]
        with open(os.path.join(golden_out, entry["name"] + ".json"), encoding="utf-8") as fp:
            ours = json.load(fp)
        report(f"{entry['json_golden']}[{entry['json_frame']}] (hand-built {entry['name']})",
               first_difference(frame, ours))

    for path in json_goldens(ref_dir):
        rel = os.path.relpath(path, ref_dir)
        frames = frames_of(load_golden(path))
        stem = os.path.join(work_dir, rel.replace("/", "_"))
        with open(stem + ".spec.json", "w", encoding="utf-8") as fp:
            json.dump({"frames": [canon_frame(f) for f in frames]}, fp)
        run = subprocess.run([spec_encode, stem + ".spec.json", stem], check=False)
        if run.returncode != 0:
            report(rel, f"spec_encode exited with {run.returncode}")
            continue
        for i, frame in enumerate(frames):
            with open(f"{stem}.{i}.json", encoding="utf-8") as fp:
                ours = json.load(fp)
            report(f"{rel}[{i}]", first_difference(
                with_go_field_types(with_go_empty_columns(frame), f"{rel}[{i}]"), ours))

    print(f"{checked - failures} of {checked} JSON frames equal")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
