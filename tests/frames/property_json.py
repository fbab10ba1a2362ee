#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Property check, JSON side: every random frame's JSON encoding (p<i>.json),
read back the way Grafana's Go reader does (times = ms + nanos, entities ->
NaN/+Inf/-Inf), must equal the expected canonical form the generator wrote
(p<i>.expect.json). Integers are compared exactly (Python ints); floats by
their bits, except that every NaN counts as the same NaN (JSON keeps only
"NaN"); raw JSON values by their parsed content.

  property_json.py <property_gen out dir>
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import json_golden  # noqa: E402  (canon_frame, first_difference)

NAN_BITS = re.compile(r"^(7ff|fff)[0-9a-f]{13}$|^(7f|ff)[89a-f][0-9a-f]{5}$")


def is_nan_bits(bits):
    if len(bits) == 16:
        v = int(bits, 16)
        return (v >> 52) & 0x7FF == 0x7FF and v & ((1 << 52) - 1) != 0
    if len(bits) == 8:
        v = int(bits, 16)
        return (v >> 23) & 0xFF == 0xFF and v & ((1 << 23) - 1) != 0
    return False


def normalise(canon):
    """Drop what JSON frames cannot carry (row/batch/null counts), collapse NaN
    payloads, and parse raw JSON values."""
    canon = json.loads(json.dumps(canon))
    for key in ("rows", "batches"):
        canon.pop(key, None)
    for field in canon["fields"]:
        field.pop("nullCount", None)
        values = field["values"]
        for i, v in enumerate(values):
            if v is None:
                continue
            if field["type"] in ("float32", "float64") and is_nan_bits(v):
                values[i] = "nan"
            elif field["type"] == "binary":
                values[i] = json.loads(bytes.fromhex(v).decode("utf-8"))
    return canon


def parse_go_json(text):
    # "-0" must stay a negative zero (Go writes it for float -0).
    return json.loads(text, parse_int=lambda s: -0.0 if s == "-0" else int(s))


def main():
    out_dir = sys.argv[1]
    names = sorted(n for n in os.listdir(out_dir) if re.fullmatch(r"p\d+\.json", n))
    failures = 0
    for name in names:
        stem = name[: -len(".json")]
        with open(os.path.join(out_dir, stem + ".expect.json"), encoding="utf-8") as fp:
            expect = normalise(json.load(fp))
        try:
            with open(os.path.join(out_dir, name), encoding="utf-8") as fp:
                ours = normalise(json_golden.canon_frame(parse_go_json(fp.read())))
            diff = json_golden.first_difference(expect, ours)
        except (ValueError, KeyError) as e:
            diff = f"not a readable JSON frame: {e}"
        if diff:
            failures += 1
            if failures <= 10:
                print(f"FAIL {stem}: {diff}")
    print(f"{len(names) - failures} of {len(names)} random JSON frames read back as expected")
    return 1 if failures or not names else 0


if __name__ == "__main__":
    sys.exit(main())
