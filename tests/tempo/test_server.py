"""Tests of the Tempo-compatible test server (tempo_server.py).

  - response shapes, field by field, against the recorded Tempo responses of
    ../shared/reference/tempo/ (same key sets at every level for the same
    kind of response, same JSON types, 64-bit integers as strings, base64 IDs
    in trace bodies, hex IDs in search, zero values left out), for the
    version the sample came from;
  - a hand-written schema of every message (from Tempo's protos, notes/tempo.md)
    that all responses must satisfy, in proto field order;
  - search results compared with what corpus.py computes independently;
  - version modes (2.0 .. 2.9), validation errors, fault injection, tenancy.
Servers run as subprocesses on free ports and are stopped at the end.
"""

import base64
import gzip
import http.client
import json
import os
import re
import socket
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import corpus as C  # noqa: E402
from tempo_server import ServerProcess  # noqa: E402

REF = next((os.path.normpath(os.path.join(d, "reference", "tempo"))
            for d in (os.environ.get("ET_SHARED_DIR"), os.path.join(HERE, "..", "..", "..", "shared"),
                      "/work/shared")
            if d and os.path.isdir(os.path.join(d, "reference", "tempo"))),
           os.path.join(HERE, "..", "..", "..", "shared", "reference", "tempo"))
T0 = 1741766400
T_END = T0 + 7200
SPIKE = (T0 + 80 * 60, T0 + 95 * 60)

_servers = {}
_corpus = None


def server(version="2.9", *args):
    key = (version,) + args
    if key not in _servers:
        _servers[key] = ServerProcess(version=version, args=list(args))
    return _servers[key]


def corpus():
    global _corpus
    if _corpus is None:
        _corpus = C.load()
    return _corpus


def tearDownModule():
    for s in _servers.values():
        s.stop()
    _servers.clear()


def _uvarint(buf, i):
    shift = n = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def get_json(srv, path, **params):
    status, headers, body = srv.get(path, **params)
    if status != 200:
        raise AssertionError("%s %s -> %d %r" % (path, params, status, body[:300]))
    assert headers.get("Content-Type") == "application/json", headers
    return json.loads(body)


# ----------------------------------------------------------------------------
# A schema of every Tempo message we serve, written from tempo.proto and
# notes/tempo.md.  Object keys are listed in proto field order.
# ----------------------------------------------------------------------------

def u64(v):
    return isinstance(v, str) and re.fullmatch(r"[0-9]+", v) is not None and v != "0"


def i64(v):
    return isinstance(v, str) and re.fullmatch(r"-?[0-9]+", v) is not None


def u32(v):
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def nzstr(v):
    return isinstance(v, str) and v != ""


def anystr(v):
    return isinstance(v, str)


def hex_stripped(v):
    return isinstance(v, str) and re.fullmatch(r"[1-9a-f][0-9a-f]{0,31}", v) is not None


def hex16(v):
    return isinstance(v, str) and re.fullmatch(r"[0-9a-f]{16}", v) is not None


def b64(n):
    def check(v):
        if not isinstance(v, str):
            return False
        try:
            return len(base64.b64decode(v, validate=True)) == n
        except ValueError:
            return False
    check.__name__ = "base64_%d_bytes" % n
    return check


def enum(*names):
    def check(v):
        return v in names
    check.__name__ = "enum" + repr(names)
    return check


def number(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) or v in ("NaN", "Infinity",
                                                                               "-Infinity")


class Obj:
    def __init__(self, fields, required=(), allow_empty=False):
        self.fields, self.required, self.allow_empty = fields, required, allow_empty


class List:
    def __init__(self, item):
        self.item = item


class Map:
    def __init__(self, value):
        self.value = value


def any_value(v, path, errors):
    if not isinstance(v, dict) or len(v) != 1:
        if v != {}:
            errors.append("%s: AnyValue must have exactly one member: %r" % (path, v))
        return
    (k, x), = v.items()
    ok = {"stringValue": anystr, "boolValue": lambda y: isinstance(y, bool),
          "intValue": i64, "doubleValue": number,
          "bytesValue": lambda y: isinstance(y, str)}.get(k)
    if ok is not None:
        if not ok(x):
            errors.append("%s.%s: bad value %r" % (path, k, x))
    elif k in ("arrayValue", "kvlistValue"):
        if not isinstance(x, dict) or set(x) - {"values"}:
            errors.append("%s.%s: bad %r" % (path, k, x))
        for i, item in enumerate(x.get("values", [])):
            if k == "arrayValue":
                any_value(item, "%s.%s.values[%d]" % (path, k, i), errors)
            else:
                check(item, KEYVALUE, "%s.%s.values[%d]" % (path, k, i), errors)
    else:
        errors.append("%s: unknown AnyValue member %s" % (path, k))


KEYVALUE = Obj({"key": nzstr, "value": any_value}, required=("key", "value"))
SEARCH_SPAN = Obj({"spanID": hex16, "name": nzstr, "startTimeUnixNano": u64, "durationNanos": u64,
                   "attributes": List(KEYVALUE)}, required=("spanID",))
SPANSET = Obj({"spans": List(SEARCH_SPAN), "matched": u32, "attributes": List(KEYVALUE)})
SERVICE_STATS = Obj({"spanCount": u32, "errorCount": u32}, allow_empty=True)
TRACE_MD = Obj({"traceID": hex_stripped, "rootServiceName": nzstr, "rootTraceName": nzstr,
                "startTimeUnixNano": u64, "durationMs": u32, "spanSet": SPANSET,
                "spanSets": List(SPANSET), "serviceStats": Map(SERVICE_STATS)},
               required=("traceID", "rootServiceName", "startTimeUnixNano"))
SEARCH_METRICS = Obj({"inspectedTraces": u32, "inspectedBytes": u64, "inspectedBlocks": u32,
                      "skippedBlocks": u32, "skippedTraces": u32, "totalBlocks": u32,
                      "completedJobs": u32, "totalJobs": u32, "totalBlockBytes": u64,
                      "inspectedSpans": u64, "backendReads": u64, "backendBytes": u64,
                      "additionalMetrics": Map(u64)}, allow_empty=True)
SEARCH_RESPONSE = Obj({"traces": List(TRACE_MD), "metrics": SEARCH_METRICS}, required=("metrics",))
METADATA_METRICS = Obj({"inspectedBytes": u64, "totalJobs": u32, "completedJobs": u32,
                        "totalBlocks": u32, "totalBlockBytes": u64}, allow_empty=True)
TAGS_V1 = Obj({"tagNames": List(nzstr), "metrics": METADATA_METRICS}, allow_empty=True)
TAGS_V2 = Obj({"scopes": List(Obj({"name": enum("resource", "span", "intrinsic", "event", "link",
                                               "instrumentation"),
                                   "tags": List(nzstr)}, required=("name",))),
               "metrics": METADATA_METRICS}, allow_empty=True)
TAG_VALUES_V1 = Obj({"tagValues": List(anystr), "metrics": METADATA_METRICS}, allow_empty=True)
TAG_VALUES_V2 = Obj({"tagValues": List(Obj({"type": enum("string", "int", "float", "bool",
                                                         "duration", "keyword"),
                                            "value": anystr}, required=("type",))),
                     "metrics": METADATA_METRICS}, allow_empty=True)
RESOURCE = Obj({"attributes": List(KEYVALUE), "droppedAttributesCount": u32}, allow_empty=True)
SCOPE = Obj({"name": nzstr, "version": nzstr, "attributes": List(KEYVALUE),
             "droppedAttributesCount": u32}, allow_empty=True)
EVENT = Obj({"timeUnixNano": u64, "name": nzstr, "attributes": List(KEYVALUE),
             "droppedAttributesCount": u32}, allow_empty=True)
LINK = Obj({"traceId": b64(16), "spanId": b64(8), "traceState": nzstr, "attributes": List(KEYVALUE),
            "droppedAttributesCount": u32, "flags": u32})
STATUS = Obj({"message": nzstr, "code": enum("STATUS_CODE_OK", "STATUS_CODE_ERROR")},
             allow_empty=True)
SPAN = Obj({"traceId": b64(16), "spanId": b64(8), "traceState": nzstr, "parentSpanId": b64(8),
            "flags": u32, "name": nzstr,
            "kind": enum("SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
                         "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"),
            "startTimeUnixNano": u64, "endTimeUnixNano": u64, "attributes": List(KEYVALUE),
            "droppedAttributesCount": u32, "events": List(EVENT), "droppedEventsCount": u32,
            "links": List(LINK), "droppedLinksCount": u32, "status": STATUS},
           required=("traceId", "spanId", "status"))
SCOPE_SPANS = Obj({"scope": SCOPE, "spans": List(SPAN), "schemaUrl": nzstr}, required=("scope",))
RESOURCE_SPANS = Obj({"resource": RESOURCE, "scopeSpans": List(SCOPE_SPANS), "schemaUrl": nzstr},
                     required=("resource",))
RESOURCE_SPANS_ILS = Obj({"resource": RESOURCE,
                          "instrumentationLibrarySpans": List(Obj({
                              "instrumentationLibrary": SCOPE, "spans": List(SPAN)},
                              required=("instrumentationLibrary",)))}, required=("resource",))
TRACE_V1 = Obj({"batches": List(RESOURCE_SPANS)}, allow_empty=True)
TRACE_V2 = Obj({"trace": Obj({"resourceSpans": List(RESOURCE_SPANS)}, allow_empty=True),
                "metrics": Obj({"inspectedBytes": u64}, allow_empty=True),
                "status": enum("PARTIAL"), "message": nzstr}, required=("trace",))
SAMPLE = Obj({"timestampMs": i64, "value": number}, required=("timestampMs",))
SERIES = Obj({"labels": List(KEYVALUE), "samples": List(SAMPLE), "exemplars": List(Obj({
    "labels": List(KEYVALUE), "value": number, "timestampMs": i64})), "promLabels": nzstr},
    required=("labels", "samples"))
QUERY_RANGE = Obj({"series": List(SERIES), "metrics": SEARCH_METRICS, "status": enum("PARTIAL"),
                   "message": nzstr}, required=("metrics",))
INSTANT_SERIES = Obj({"labels": List(KEYVALUE), "value": number, "promLabels": nzstr},
                     required=("labels",))
QUERY_INSTANT = Obj({"series": List(INSTANT_SERIES), "metrics": SEARCH_METRICS},
                    required=("metrics",))


def check(v, schema, path="$", errors=None, order=True):
    """Validate v against a schema; returns a list of problems."""
    if errors is None:
        errors = []
    if isinstance(schema, Obj):
        if not isinstance(v, dict):
            errors.append("%s: want object, got %r" % (path, v))
            return errors
        if not v and not schema.allow_empty:
            errors.append("%s: empty object" % path)
        for k in v:
            if k not in schema.fields:
                errors.append("%s: unknown key %r" % (path, k))
        for k in schema.required:
            if k not in v:
                errors.append("%s: missing %r" % (path, k))
        keys = [k for k in v if k in schema.fields]
        if order and keys != [k for k in schema.fields if k in v]:
            errors.append("%s: keys %s not in proto order" % (path, keys))
        for k, sub in schema.fields.items():
            if k in v:
                check(v[k], sub, "%s.%s" % (path, k), errors, order)
    elif isinstance(schema, List):
        if not isinstance(v, list) or not v:
            errors.append("%s: want a non-empty list (empty lists are omitted), got %r" % (path, v))
            return errors
        for i, x in enumerate(v):
            check(x, schema.item, "%s[%d]" % (path, i), errors, order)
    elif isinstance(schema, Map):
        if not isinstance(v, dict) or not v:
            errors.append("%s: want a non-empty map" % path)
            return errors
        if order and list(v) != sorted(v):
            errors.append("%s: map keys not sorted" % path)
        for k, x in v.items():
            check(x, schema.value, "%s[%r]" % (path, k), errors, order)
    elif schema is any_value:
        any_value(v, path, errors)
    else:
        if not schema(v):
            errors.append("%s: %r fails %s" % (path, v, schema.__name__))
    return errors


# ----------------------------------------------------------------------------
# Key sets and JSON types by path (list indices collapsed), to compare a
# server response with a recorded one "of the same kind".
# ----------------------------------------------------------------------------

def _jtype(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    return "null"


def shape(v, path="$", keys=None, types=None):
    if keys is None:
        keys, types = {}, {}
    types.setdefault(path, set()).add(_jtype(v))
    if isinstance(v, dict):
        keys.setdefault(path, set()).update(v)
        for k, x in v.items():
            shape(x, path + "." + k, keys, types)
    elif isinstance(v, list):
        for x in v:
            shape(x, path + "[]", keys, types)
    return keys, types


def compare_shapes(test, ref, got, extra=None, missing=None, skip_under=()):
    """Same key set at every path present in both, same JSON types; `extra`
    maps path -> keys the server may add, `missing` path -> keys the
    reference has that the server may lack."""
    extra, missing = extra or {}, missing or {}
    rk, rt = shape(ref)
    gk, gt = shape(got)
    problems = []
    for path in sorted(set(rk) & set(gk)):
        if any(path.startswith(p) for p in skip_under):
            continue
        add = gk[path] - rk[path] - set(extra.get(path, ()))
        lack = rk[path] - gk[path] - set(missing.get(path, ()))
        if add:
            problems.append("%s: server adds %s" % (path, sorted(add)))
        if lack:
            problems.append("%s: server lacks %s" % (path, sorted(lack)))
    for path in sorted(set(rt) & set(gt)):
        if any(path.startswith(p) for p in skip_under):
            continue
        if rt[path] != gt[path] and not (rt[path] | gt[path]) <= {"number"}:
            problems.append("%s: JSON type %s, recorded %s" % (path, sorted(gt[path]),
                                                              sorted(rt[path])))
    test.assertEqual(problems, [])


def load_ref(name):
    with open(os.path.join(REF, name), encoding="utf-8") as f:
        return json.load(f)


SEARCH_METRIC_KEYS = {"inspectedTraces", "inspectedBytes", "totalBlocks", "completedJobs",
                      "totalJobs", "totalBlockBytes", "inspectedSpans"}


@unittest.skipUnless(os.path.isdir(REF), "shared reference responses not available")
class ReferenceShapeTest(unittest.TestCase):
    """Each recorded response against the server's answer to the same kind of
    request, in the Tempo version the sample documents."""

    def test_every_reference_sample_fits_the_schema(self):
        # keeps the hand-written schema honest: the real samples must pass it
        cases = {
            "search-traceql-select_docs-main_curl.json": SEARCH_RESPONSE,
            "search-traceql-status-error_docs-main_REPAIRED.json": SEARCH_RESPONSE,
            "search-traceql-status-error_docs-v2.0_REPAIRED.json": SEARCH_RESPONSE,
            "search-tags-based_docs-main.json": SEARCH_RESPONSE,
            "search-tags-based_docs-v2.0.json": SEARCH_RESPONSE,
            "search-select-structure_traces-drilldown-fixture.json": SEARCH_RESPONSE,
            "search-tags-v1_docs-v2.0.json": TAGS_V1,
            "search-tags-v1-scope-span_docs-main_REPAIRED.json": TAGS_V1,
            "search-tags-v2_docs-main_REPAIRED.json": TAGS_V2,
            "search-tag-values-v1_docs-main.json": TAG_VALUES_V1,
            "search-tag-values-v1_docs-v2.0.json": TAG_VALUES_V1,
            "search-tag-values-v2_docs-main.json": TAG_VALUES_V2,
            "search-tag-values-v2_docs-v2.0.json": TAG_VALUES_V2,
            "trace-by-id-v2_docs-main_curl.json": TRACE_V2,
        }
        for name, schema in cases.items():
            with self.subTest(name=name):
                ref = load_ref(name)
                if name.startswith("search-select-structure"):
                    ref = dict(ref, metrics={})     # a hand-written fixture without metrics
                # docs examples are hand-edited: check keys and types, not order
                self.assertEqual(check(ref, schema, order=False), [])
        vulture = load_ref("trace-otlp-jsonpb_vulture-testdata.json")
        self.assertEqual(check({"batches": vulture["resourceSpans"]}, TRACE_V1), [])

    def test_traceql_select_search_2_3(self):
        ref = load_ref("search-traceql-select_docs-main_curl.json")
        got = get_json(server("2.3"), "/api/search", q='{resource.service.name="frontend"}',
                       limit=2, start=T0, end=T_END)
        self.assertEqual(check(got, SEARCH_RESPONSE), [])
        compare_shapes(self, ref, got, extra={"$.metrics": SEARCH_METRIC_KEYS})
        # spanSet is spanSets[0]
        for t in got["traces"]:
            self.assertEqual(t["spanSet"], t["spanSets"][0])

    def test_status_error_search_2_0(self):
        ref = load_ref("search-traceql-status-error_docs-v2.0_REPAIRED.json")
        got = get_json(server("2.0"), "/api/search", q="{ status = error }", limit=3,
                       start=T0, end=T_END)
        self.assertEqual(check(got, SEARCH_RESPONSE), [])
        compare_shapes(self, ref, got, extra={
            "$.metrics": {"inspectedTraces", "inspectedBytes", "totalBlockBytes"}})
        self.assertNotIn("spanSets", got["traces"][0])      # 2.0 has only spanSet

    def test_status_error_search_main(self):
        ref = load_ref("search-traceql-status-error_docs-main_REPAIRED.json")
        got = get_json(server("2.9"), "/api/search", q="{ status = error }", limit=3,
                       start=T0, end=T_END)
        self.assertEqual(check(got, SEARCH_RESPONSE), [])
        # the docs example dropped spanSet by hand; serviceStats exist since 2.5
        compare_shapes(self, ref, got, extra={"$.traces[]": {"spanSet", "serviceStats"},
                                              "$.metrics": SEARCH_METRIC_KEYS})

    def test_tag_search(self):
        for name, version in (("search-tags-based_docs-v2.0.json", "2.0"),
                              ("search-tags-based_docs-main.json", "2.9")):
            with self.subTest(version=version):
                ref = load_ref(name)
                got = get_json(server(version), "/api/search", tags="service.name=frontend",
                               minDuration="600ms", limit=2)
                self.assertEqual(check(got, SEARCH_RESPONSE), [])
                compare_shapes(self, ref, got, extra={
                    "$.metrics": SEARCH_METRIC_KEYS | {"inspectedBlocks"}},
                    missing={"$.metrics": {"backendReads", "backendBytes", "additionalMetrics",
                                           "inspectedTraces"}})
                for t in got["traces"]:
                    self.assertGreaterEqual(t["durationMs"], 600)

    def test_select_with_name_like_drilldown(self):
        ref = load_ref("search-select-structure_traces-drilldown-fixture.json")
        got = get_json(server("2.9"), "/api/search",
                       q="{ } | select(status, resource.service.name, name)", limit=2,
                       start=T0, end=T_END)
        self.assertEqual(check(got, SEARCH_RESPONSE), [])
        # a hand-written fixture: no metrics block, nestedSet* integer attributes
        compare_shapes(self, ref, got, extra={"$": {"metrics"},
                                              "$.traces[]": {"spanSet", "serviceStats"}},
                       missing={"$.traces[].spanSets[].spans[].attributes[].value": {"intValue"}})

    def test_tags(self):
        cases = [
            ("search-tags-v1_docs-v2.0.json", "2.0", "/api/search/tags", {}),
            ("search-tags-v1-scope-span_docs-main_REPAIRED.json", "2.9", "/api/search/tags",
             {"scope": "span"}),
            ("search-tags-v2_docs-main_REPAIRED.json", "2.9", "/api/v2/search/tags", {}),
            ("search-tag-values-v1_docs-main.json", "2.9", "/api/search/tag/service.name/values", {}),
            ("search-tag-values-v1_docs-v2.0.json", "2.0", "/api/search/tag/service.name/values", {}),
            ("search-tag-values-v2_docs-main.json", "2.9", "/api/v2/search/tag/.service.name/values",
             {}),
            ("search-tag-values-v2_docs-v2.0.json", "2.0",
             "/api/v2/search/tag/.service.name/values", {}),
        ]
        for name, version, path, params in cases:
            with self.subTest(name=name):
                ref = load_ref(name)
                got = get_json(server(version), path, **params)
                schema = {"tagNames": TAGS_V1, "scopes": TAGS_V2}.get(next(iter(ref)))
                if schema is None:
                    schema = TAG_VALUES_V2 if isinstance(ref["tagValues"][0], dict) else TAG_VALUES_V1
                self.assertEqual(check(got, schema), [])
                compare_shapes(self, ref, got)

    def test_v2_tags_intrinsics_match_recorded_list(self):
        ref = load_ref("search-tags-v2_docs-main_REPAIRED.json")
        got = get_json(server("2.9"), "/api/v2/search/tags")
        want = [s["tags"] for s in ref["scopes"] if s["name"] == "intrinsic"][0]
        have = [s["tags"] for s in got["scopes"] if s["name"] == "intrinsic"][0]
        self.assertEqual(have, want)

    def _trace_id(self):
        # an error trace with events, from the corpus
        for t in corpus().traces.values():
            if any(s.events for s in t.spans) and len(t.groups) > 1:
                return t.trace_id
        raise AssertionError("no suitable trace")

    def test_trace_by_id_v2(self):
        ref = load_ref("trace-by-id-v2_docs-main_curl.json")
        got = get_json(server("2.9"), "/api/v2/traces/" + self._trace_id())
        self.assertEqual(check(got, TRACE_V2), [])
        span_extra = {"parentSpanId", "events", "traceState", "droppedAttributesCount",
                      "droppedEventsCount", "links", "droppedLinksCount"}
        compare_shapes(self, ref, got, extra={
            "$": {"metrics"},                       # TraceByIDMetrics, notes/tempo.md section 3
            "$.trace.resourceSpans[].scopeSpans[].spans[]": span_extra,
            "$.trace.resourceSpans[].scopeSpans[].spans[].status": {"message", "code"},
            "$.trace.resourceSpans[].scopeSpans[].spans[].attributes[].value": {"intValue",
                                                                                 "boolValue",
                                                                                 "doubleValue"},
            "$.trace.resourceSpans[].resource.attributes[].value": {"intValue"}})

    def test_trace_by_id_v1_like_vulture(self):
        ref = load_ref("trace-otlp-jsonpb_vulture-testdata.json")
        ref = {"batches": ref["resourceSpans"]}
        got = get_json(server("2.9"), "/api/traces/" + self._trace_id())
        self.assertEqual(check(got, TRACE_V1), [])
        compare_shapes(self, ref, got, extra={
            "$.batches[].scopeSpans[].scope": {"name", "version"},
            "$.batches[].scopeSpans[].spans[]": {"kind"},
            "$.batches[].scopeSpans[].spans[].events[]": {"name"},
            "$.batches[].scopeSpans[].spans[].status": {"message", "code"},
            "$.batches[].scopeSpans[].spans[].attributes[].value": {"boolValue", "doubleValue"},
            "$.batches[].scopeSpans[].spans[].events[].attributes[].value": {"boolValue"}},
            missing={"$.batches[].scopeSpans[].spans[].events[].attributes[].value": {"intValue"},
                     "$.batches[].resource.attributes[].value": {"intValue"}})


class SchemaTest(unittest.TestCase):
    """Every route's body fits the proto-derived schema, in both modes."""

    QUERIES = ["{ status = error }",
               "{ status = error } | select(event.exception.type, event.exception.stacktrace, "
               "resource.service.name, span.http.route, kind, statusMessage)",
               "{ } | by(resource.service.name)",
               "{ name = \"POST /api/checkout\" }"]

    def test_search_bodies(self):
        for version in ("2.9", "2.5"):
            for q in self.QUERIES:
                if version == "2.5" and "event." in q:
                    continue
                with self.subTest(version=version, q=q):
                    got = get_json(server(version), "/api/search", q=q, limit=50, spss=100,
                                   start=T0, end=T_END)
                    self.assertEqual(check(got, SEARCH_RESPONSE), [])

    def test_trace_bodies_for_every_trace(self):
        srv = server("2.9")
        for tid in list(corpus().traces)[::7]:
            with self.subTest(trace=tid):
                self.assertEqual(check(get_json(srv, "/api/traces/" + tid), TRACE_V1), [])
                self.assertEqual(check(get_json(srv, "/api/v2/traces/" + tid), TRACE_V2), [])

    def test_pre_2_0_uses_instrumentation_library_spans(self):
        tid = next(iter(corpus().traces))
        got = get_json(server("1.5"), "/api/traces/" + tid)
        self.assertEqual(check(got, Obj({"batches": List(RESOURCE_SPANS_ILS)})), [])

    def test_tags_and_values(self):
        srv = server("2.9")
        self.assertEqual(check(get_json(srv, "/api/search/tags"), TAGS_V1), [])
        self.assertEqual(check(get_json(srv, "/api/v2/search/tags"), TAGS_V2), [])
        for ident in ("resource.service.name", "span.http.route", "event.exception.type",
                      "status", "kind", "name", ".http.response.status_code"):
            with self.subTest(ident=ident):
                got = get_json(srv, "/api/v2/search/tag/%s/values" % ident)
                self.assertEqual(check(got, TAG_VALUES_V2), [])

    def test_metrics_bodies(self):
        srv = server("2.9")
        got = get_json(srv, "/api/metrics/query_range",
                       q="{ status = error } | count_over_time() by (resource.service.name)",
                       start=SPIKE[0], end=SPIKE[1], step="60s")
        self.assertEqual(check(got, QUERY_RANGE), [])
        got = get_json(srv, "/api/metrics/query", q="{ status = error } | rate()",
                       start=SPIKE[0], end=SPIKE[1])
        self.assertEqual(check(got, QUERY_INSTANT), [])

    def test_buildinfo(self):
        status, headers, body = server("2.9").get("/api/status/buildinfo")
        self.assertEqual(status, 200)
        self.assertTrue(body.endswith("}\n"))
        info = json.loads(body)
        self.assertEqual(list(info), ["version", "revision", "branch", "buildUser", "buildDate",
                                      "goVersion"])
        self.assertEqual(info["version"], "2.9.0")


def _error_spans_by_trace(start, end):
    out = {}
    for t in corpus().in_range(start, end):
        errs = {s.span_id for s in t.spans if s.is_error}
        if errs:
            out[t.trace_id] = errs
    return out


class SearchSemanticsTest(unittest.TestCase):
    """Search answers checked against corpus.py (independent of the server)."""

    def test_status_error_finds_every_error_span(self):
        for version in ("2.9", "2.5"):
            with self.subTest(version=version):
                got = get_json(server(version), "/api/search", q="{ status = error }",
                               limit=100000, spss=100, start=T0, end=T_END)
                want = _error_spans_by_trace(T0, T_END)
                have = {}
                for t in got["traces"]:
                    tid = C.normalize_trace_id(t["traceID"])
                    ss = t["spanSet"]
                    self.assertEqual(ss["matched"], len(ss["spans"]))
                    have[tid] = {s["spanID"] for s in ss["spans"]}
                self.assertEqual(have, want)

    def test_results_are_newest_first_and_limited(self):
        got = get_json(server("2.9"), "/api/search", q="{ status = error }", limit=5,
                       start=T0, end=T_END)
        starts = sorted(((t.start_ns, t.trace_id) for t in corpus().in_range(T0, T_END)
                         if any(s.is_error for s in t.spans)), reverse=True)[:5]
        self.assertEqual([(int(t["startTimeUnixNano"]), C.normalize_trace_id(t["traceID"]))
                          for t in got["traces"]], starts)

    def test_trace_ids_lose_leading_zeros(self):
        got = get_json(server("2.9"), "/api/search", q="{ }", limit=100000, start=T0, end=T_END)
        ids = [t["traceID"] for t in got["traces"]]
        zero_led = [tid for tid in corpus().traces if tid.startswith("0")]
        self.assertTrue(zero_led, "the corpus should contain trace IDs with leading zeros")
        for tid in zero_led:
            self.assertIn(tid.lstrip("0"), ids)
        self.assertEqual(len(ids), len(corpus().traces))

    def test_spss_limits_spans_but_not_matched(self):
        got = get_json(server("2.9"), "/api/search", q="{ status = error }", limit=100000,
                       start=T0, end=T_END)          # default spss = 3
        want = _error_spans_by_trace(T0, T_END)
        big = [t for t in got["traces"] if t["spanSet"]["matched"] > 3]
        self.assertTrue(big, "the corpus should have traces with more than 3 error spans")
        for t in got["traces"]:
            tid = C.normalize_trace_id(t["traceID"])
            self.assertEqual(t["spanSet"]["matched"], len(want[tid]))
            self.assertEqual(len(t["spanSet"]["spans"]), min(3, len(want[tid])))

    def test_select_returns_the_last_exception_event(self):
        q = ("{ status = error } | select(event.exception.type, event.exception.message, "
             "resource.service.name, span.http.route)")
        got = get_json(server("2.9"), "/api/search", q=q, limit=100000, spss=100,
                       start=T0, end=T_END)
        spans = {s.span_id: s for s in corpus().spans()}
        checked = 0
        for t in got["traces"]:
            for sp in t["spanSet"]["spans"]:
                s = spans[sp["spanID"]]
                attrs = {a["key"]: list(a["value"].values())[0] for a in sp["attributes"]}
                self.assertEqual(attrs.pop("status"), "error")
                self.assertEqual(attrs.pop("service.name"), C.service(s))
                route = s.get("http.route")
                self.assertEqual(attrs.pop("http.route", None), route)
                ev = C.chosen_exception(s)
                if ev is None:
                    self.assertNotIn("exception.type", attrs)
                else:
                    self.assertEqual(attrs.pop("exception.type"), ev.get("exception.type"))
                    self.assertEqual(attrs.pop("exception.message"), ev.get("exception.message"))
                    checked += 1
                self.assertEqual(attrs, {})
        self.assertGreater(checked, 50)

    def test_event_filter(self):
        etype = "Acme.Payments.PaymentGatewayTimeoutException"
        q = '{ event.exception.type = "%s" }' % etype
        got = get_json(server("2.9"), "/api/search", q=q, limit=100000, spss=100,
                       start=T0, end=T_END)
        have = {(C.normalize_trace_id(t["traceID"]), s["spanID"])
                for t in got["traces"] for s in t["spanSet"]["spans"]}
        want = {(s.trace_id, s.span_id) for s in corpus().spans()
                if any(e.name == "exception" and e.get("exception.type") == etype for e in s.events)}
        self.assertTrue(want)
        self.assertEqual(have, want)
        self.assertTrue(all(a["key"] == "exception.type" for t in got["traces"]
                            for s in t["spanSet"]["spans"] for a in s["attributes"]))

    def test_time_range_selects_overlapping_traces(self):
        got = get_json(server("2.9"), "/api/search", q="{ status = error }", limit=100000,
                       start=SPIKE[0], end=SPIKE[1])
        have = {C.normalize_trace_id(t["traceID"]) for t in got["traces"]}
        self.assertEqual(have, set(_error_spans_by_trace(*SPIKE)))

    def test_scoped_and_unscoped_attributes(self):
        srv = server("2.9")
        a = get_json(srv, "/api/search", q='{ resource.service.name = "payment" && status = error }',
                     limit=100000, spss=100, start=T0, end=T_END)
        b = get_json(srv, "/api/search", q='{ .service.name = "payment" && status = error }',
                     limit=100000, spss=100, start=T0, end=T_END)
        ids = lambda r: {s["spanID"] for t in r.get("traces", []) for s in t["spanSet"]["spans"]}
        want = {s.span_id for s in corpus().spans() if s.is_error and C.service(s) == "payment"}
        self.assertEqual(ids(a), want)
        self.assertEqual(ids(b), want)

    def test_by_groups_spansets(self):
        got = get_json(server("2.9"), "/api/search", q="{ status = error } | by(resource.service.name)",
                       limit=100000, spss=100, start=T0, end=T_END)
        spans = {s.span_id: s for s in corpus().spans()}
        for t in got["traces"]:
            for ss in t["spanSets"]:
                (label,) = ss["attributes"]
                self.assertEqual(label["key"], "by(resource.service.name)")
                svc = label["value"]["stringValue"]
                self.assertEqual({C.service(spans[s["spanID"]]) for s in ss["spans"]}, {svc})

    def test_empty_result(self):
        got = get_json(server("2.9"), "/api/search", q='{ name = "no such span" }', start=T0,
                       end=T_END)
        self.assertEqual(list(got), ["metrics"])

    def test_most_recent_hint_and_limit_order(self):
        srv = server("2.9", "--limit-order", "oldest")
        plain = get_json(srv, "/api/search", q="{ status = error }", limit=3, start=T0, end=T_END)
        recent = get_json(srv, "/api/search", q="{ status = error } with(most_recent=true)",
                          limit=3, start=T0, end=T_END)
        errs = sorted((t.start_ns, t.trace_id) for t in corpus().in_range(T0, T_END)
                      if any(s.is_error for s in t.spans))
        ids = lambda r: [C.normalize_trace_id(t["traceID"]) for t in r["traces"]]
        self.assertEqual(ids(plain), [tid for _, tid in reversed(errs[:3])])
        self.assertEqual(ids(recent), [tid for _, tid in reversed(errs[-3:])])


class TraceByIdTest(unittest.TestCase):
    def test_bodies_decode_to_the_corpus(self):
        srv = server("2.9")
        for tid, t in list(corpus().traces.items())[::11]:
            for path in ("/api/traces/", "/api/v2/traces/"):
                with self.subTest(trace=tid, path=path):
                    body = get_json(srv, path + tid.lstrip("0"))
                    got = C.Corpus()
                    got.add_document(body)
                    (gt,) = got.traces.values()
                    want = {(s.span_id, s.parent_span_id, s.name, s.kind, s.start_ns, s.end_ns,
                             s.status_code, s.status_message,
                             tuple(sorted(map(repr, s.attributes))),
                             tuple((e.time_ns, e.name, tuple(map(repr, e.attributes)))
                                   for e in s.events)) for s in t.spans}
                    have = {(s.span_id, s.parent_span_id, s.name, s.kind, s.start_ns, s.end_ns,
                             s.status_code, s.status_message,
                             tuple(sorted(map(repr, s.attributes))),
                             tuple((e.time_ns, e.name, tuple(map(repr, e.attributes)))
                                   for e in s.events)) for s in gt.spans}
                    self.assertEqual(have, want)

    def test_protobuf_when_asked(self):
        """Accept: application/protobuf gives tempopb.Trace (v1) and
        TraceByIDResponse (v2); decoded here with a minimal wire-format reader."""
        def fields(buf):
            out, i = [], 0
            while i < len(buf):
                key, i = _uvarint(buf, i)
                num, wire = key >> 3, key & 7
                if wire == 0:
                    v, i = _uvarint(buf, i)
                elif wire == 1:
                    v, i = int.from_bytes(buf[i:i + 8], "little"), i + 8
                elif wire == 2:
                    n, i = _uvarint(buf, i)
                    v, i = buf[i:i + n], i + n
                elif wire == 5:
                    v, i = int.from_bytes(buf[i:i + 4], "little"), i + 4
                else:
                    raise AssertionError("wire type %d" % wire)
                out.append((num, v))
            return out

        def spans_of(trace_msg):
            got = set()
            for num, rs in fields(trace_msg):
                self.assertEqual(num, 1)                    # ResourceSpans
                for n2, ss in fields(rs):
                    if n2 != 2:
                        continue                            # resource
                    for n3, sp in fields(ss):
                        if n3 != 2:
                            continue                        # scope
                        f = {}
                        for n4, v in fields(sp):
                            f.setdefault(n4, []).append(v)
                        status = dict(fields(f[15][0]))
                        got.add((f[1][0].hex(), f[2][0].hex(), f[5][0].decode(), f[7][0], f[8][0],
                                 status.get(3, 0), len(f.get(11, []))))
            return got

        srv = server("2.9")
        t = next(t for t in corpus().traces.values() if any(s.events for s in t.spans))
        want = {(s.trace_id, s.span_id, s.name, s.start_ns, s.end_ns, s.status_code, len(s.events))
                for s in t.spans}
        for path in ("/api/traces/", "/api/v2/traces/"):
            conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
            conn.request("GET", path + t.trace_id, headers={"Accept": "application/protobuf"})
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            self.assertEqual((resp.status, resp.getheader("Content-Type")),
                             (200, "application/protobuf"))
            if path == "/api/traces/":
                self.assertEqual(spans_of(body), want)
            else:
                top = dict(fields(body))
                self.assertEqual(spans_of(top[1]), want)
                self.assertEqual(dict(fields(top[2]))[1], int(
                    get_json(srv, path + t.trace_id)["metrics"]["inspectedBytes"]))

    def test_go_escaping_and_attribute_order(self):
        # a stack trace with "<anonymous>" and a message with "<script>": Go's
        # encoder writes <, > and & as \\u003c, \\u003e, \\u0026
        tid = next(t.trace_id for t in corpus().traces.values()
                   if any("<" in str(v) for s in t.spans for e in s.events for _, v in e.attributes))
        status, _, body = server("2.9").get("/api/traces/" + tid)
        self.assertEqual(status, 200)
        self.assertNotIn("<", body)
        self.assertIn("\\u003c", body)
        # service.name follows the generic resource attributes (vParquet4 read-back)
        rs = json.loads(body)["batches"][0]["resource"]["attributes"]
        keys = [a["key"] for a in rs]
        self.assertGreater(keys.index("service.name"), keys.index("telemetry.sdk.language"))

    def test_not_found(self):
        missing = "0123456789abcdef0123456789abcdef"
        self.assertEqual(server("2.9").get("/api/traces/" + missing)[::2], (404, ""))
        self.assertEqual(server("2.3").get("/api/traces/" + missing)[::2], (404, "trace not found"))
        got = get_json(server("2.9"), "/api/v2/traces/" + missing)
        self.assertEqual(got["trace"], {})

    def test_time_window(self):
        t = next(iter(corpus().traces.values()))
        srv = server("2.9")
        s, e = t.start_ns // 10**9, t.end_ns // 10**9 + 1
        self.assertEqual(srv.get("/api/traces/" + t.trace_id, start=s, end=e)[0], 200)
        self.assertEqual(srv.get("/api/traces/" + t.trace_id, start=e + 100, end=e + 200)[0], 404)

    def test_oversized_traces(self):
        srv = server("2.9", "--max-trace-bytes", "3000")
        big = max(corpus().traces.values(), key=lambda t: len(t.spans))
        self.assertEqual(srv.get("/api/traces/" + big.trace_id)[::2], (422, "trace exceeds max size"))
        got = get_json(srv, "/api/v2/traces/" + big.trace_id)
        self.assertEqual(got["status"], "PARTIAL")
        self.assertIn("a partial trace is returned", got["message"])
        self.assertEqual(check(got, TRACE_V2), [])


class VersionModeTest(unittest.TestCase):
    def test_event_scope_needs_2_6(self):
        q = '{ status = error && event:name = "exception" }'
        status, headers, body = server("2.5").get("/api/search", q=q)
        self.assertEqual(status, 400)
        self.assertEqual(headers["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(body, "invalid TraceQL query: parse error at line 1, col 21: "
                               "syntax error: unexpected IDENTIFIER")
        self.assertEqual(server("2.9").get("/api/search", q=q)[0], 200)

    def test_v2_trace_route_needs_2_6(self):
        tid = next(iter(corpus().traces))
        self.assertEqual(server("2.5").get("/api/v2/traces/" + tid)[::2], (404, "404 page not found\n"))
        self.assertEqual(server("2.5").get("/api/traces/" + tid)[0], 200)

    def test_buildinfo_needs_2_3(self):
        self.assertEqual(server("2.0").get("/api/status/buildinfo")[0], 404)
        self.assertEqual(json.loads(server("2.5").get("/api/status/buildinfo")[2])["version"], "2.5.0")

    def test_serviceStats_since_2_5(self):
        a = get_json(server("2.3"), "/api/search", q="{ status = error }", limit=1)
        b = get_json(server("2.5"), "/api/search", q="{ status = error }", limit=1)
        self.assertNotIn("serviceStats", a["traces"][0])
        self.assertIn("serviceStats", b["traces"][0])

    def test_echo_and_ready(self):
        for v in ("2.0", "2.9"):
            self.assertEqual(server(v).get("/api/echo")[::2], (200, "echo\n"))
            self.assertEqual(server(v).get("/ready")[::2], (200, "ready\n"))

    def test_switch_version_at_run_time(self):
        srv = server("2.9", "--seed", "7")
        srv.control(version="2.4")
        try:
            self.assertEqual(srv.get("/api/v2/traces/" + next(iter(corpus().traces)))[0], 404)
            self.assertEqual(srv.state()["version"], "2.4.0")
        finally:
            srv.control(version="2.9")


class ValidationTest(unittest.TestCase):
    CASES = [
        ("/api/search", {"q": "{", "limit": 5},
         "invalid TraceQL query: parse error at line 1, col 2: syntax error: unexpected $end"),
        ("/api/search", {"q": "foo"},
         "invalid TraceQL query: parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"),
        ("/api/search", {"q": "{ status = error }", "limit": "0"},
         "invalid limit: must be a positive number"),
        ("/api/search", {"q": "{ status = error }", "limit": "ten"},
         'invalid limit: strconv.Atoi: parsing "ten": invalid syntax'),
        ("/api/search", {"q": "{ status = error }", "start": "1741766400000", "end": "1741773600000"},
         'invalid start: strconv.ParseInt: parsing "1741766400000": value out of range'),
        ("/api/search", {"q": "{ status = error }", "start": str(T_END), "end": str(T0)},
         "http parameter start must be before end. received start=%d end=%d" % (T_END, T0)),
        ("/api/search", {"q": "{ status = error }", "start": str(T0 - 8 * 86400), "end": str(T0)},
         "range specified by start and end exceeds 168h0m0s. received start=%d end=%d"
         % (T0 - 8 * 86400, T0)),
        ("/api/search", {"q": "{ status = error }", "spss": "101"},
         "spans per span set exceeds 100. received 101"),
        ("/api/search", {"q": "{ status = error }", "limit": "300000"},
         "limit 300000 exceeds max limit 262144"),
        ("/api/search", {"q": "{ status = error }", "tags": "service.name=x"},
         "invalid request: can't specify tags and q in the same query"),
        ("/api/search", {"tags": "service.name=x", "minDuration": "fast"},
         'invalid minDuration: time: invalid duration "fast"'),
        ("/api/traces/xyz", {}, "trace IDs can only contain hex characters: invalid character 'x' "
                                "at position 1"),
        ("/api/traces/" + "a" * 33, {}, "trace IDs can't be larger than 128 bits"),
        ("/api/traces/abc", {"start": "20", "end": "10"},
         "http parameter start must be before end. received start=20 end=10"),
        ("/api/search/tags", {"scope": "nope"}, "invalid scope: nope"),
        ("/api/v2/search/tag/app.user.id/values", {},
         "please provide a valid tagName: tag name is not valid intrinsic or scoped attribute: "
         "app.user.id"),
        ("/api/metrics/query_range", {"q": "{", "start": str(T0), "end": str(T0 + 600)},
         "parse error at line 1, col 2: syntax error: unexpected $end"),
        ("/api/metrics/query_range", {"q": "{ status = error } | rate()", "start": str(T0),
                                      "end": str(T0 + 86400)},
         "metrics query time range exceeds the maximum allowed duration of 3h0m0s"),
        ("/api/metrics/query", {"q": "{", "start": str(T0), "end": str(T0 + 600)},
         "compiling query: parse error at line 1, col 2: syntax error: unexpected $end"),
    ]

    def test_bad_requests_get_tempo_messages(self):
        srv = server("2.9")
        for path, params, want in self.CASES:
            with self.subTest(path=path, params=params):
                status, headers, body = srv.get(path, **params)
                self.assertEqual(status, 400)
                self.assertEqual(body, want)
                self.assertEqual(headers["Content-Type"], "text/plain; charset=utf-8")

    def test_semicolon_and_plus_follow_go(self):
        srv = server("2.9")
        # a bare ';' drops the pair, as Go's url.ParseQuery does; '+' is a space
        status, _, body = srv.get("/api/search", raw_query="q={+status+=+error+}&limit=2;x")
        self.assertEqual(status, 200)
        self.assertEqual(len(json.loads(body)["traces"]), 20)      # default limit


class FaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = server("2.9", "--seed", "11")

    def setUp(self):
        self.srv.control(clear_faults=True, latency_ms=0, reset_stats=True)

    def tearDown(self):
        self.srv.control(clear_faults=True, latency_ms=0)

    def test_status_faults_with_tempo_bodies(self):
        for code, body in [(429, "job queue full"), (500, "internal error"),
                           (503, "unable to process request in the configured timeout"),
                           (504, "context deadline exceeded")]:
            self.srv.control(faults=[{"route": "search", "status": code}])
            status, headers, got = self.srv.get("/api/search", q="{ status = error }")
            self.assertEqual((status, got), (code, body))
            self.assertEqual(headers["Content-Type"], "text/plain; charset=utf-8")
        self.srv.control(faults=[{"route": "search", "status": 502}])
        status, headers, got = self.srv.get("/api/search")
        self.assertEqual(status, 502)
        self.assertTrue(got.startswith("<html>"))
        # other routes are untouched
        self.assertEqual(self.srv.get("/api/echo")[0], 200)

    def test_half_of_the_trace_fetches_fail(self):
        self.srv.control(faults=[{"route": "trace", "status": 500, "every": 2}])
        ids = list(corpus().traces)[:20]
        codes = [self.srv.get("/api/traces/" + t)[0] for t in ids]
        self.assertEqual(codes.count(500), 10)
        self.assertEqual(codes.count(200), 10)

    def test_failing_chosen_trace_ids(self):
        ids = list(corpus().traces)[:6]
        self.srv.control(faults=[{"route": "trace", "status": 500, "trace_ids": ids[:2]}])
        self.assertEqual([self.srv.get("/api/v2/traces/" + t.lstrip("0"))[0] for t in ids],
                         [500, 500, 200, 200, 200, 200])

    def test_count_expires_the_rule(self):
        self.srv.control(faults=[{"route": "search", "status": 503, "count": 2}])
        codes = [self.srv.get("/api/search")[0] for _ in range(4)]
        self.assertEqual(codes, [503, 503, 200, 200])
        self.assertEqual(self.srv.state()["faults"], [])

    def test_truncated_body(self):
        tid = next(iter(corpus().traces))
        full = self.srv.get("/api/traces/" + tid)[2]
        self.srv.control(faults=[{"route": "trace", "kind": "truncate", "fraction": 0.5}])
        status, headers, body = self.srv.get("/api/traces/" + tid)
        self.assertEqual(status, 200)
        self.assertEqual(body, full[:len(body)])
        self.assertLess(len(body), len(full))
        with self.assertRaises(ValueError):
            json.loads(body)

    def test_non_json_body(self):
        self.srv.control(faults=[{"route": "*", "kind": "nonjson"}])
        status, headers, body = self.srv.get("/api/search")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        with self.assertRaises(ValueError):
            json.loads(body)

    def test_oversized_body(self):
        self.srv.control(faults=[{"route": "search", "kind": "oversize", "bytes": 3_000_000}])
        status, _, body = self.srv.get("/api/search", q="{ status = error }")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(body), 3_000_000)
        self.assertIn("traces", json.loads(body))

    def test_slow_drip(self):
        self.srv.control(faults=[{"route": "search", "kind": "drip", "chunk": 256,
                                  "interval_ms": 40}])
        t = time.monotonic()
        status, _, body = self.srv.get("/api/search", q="{ status = error }", limit=3)
        took = time.monotonic() - t
        self.assertEqual(status, 200)
        chunks = (len(body.encode()) + 255) // 256
        self.assertGreater(chunks, 3)
        self.assertGreaterEqual(took, 0.04 * (chunks - 1) * 0.9)   # a lower bound only
        self.assertIn("traces", json.loads(body))

    def test_disconnect_mid_body(self):
        self.srv.control(faults=[{"route": "search", "kind": "disconnect"}])
        conn = http.client.HTTPConnection(self.srv.host, self.srv.port, timeout=10)
        conn.request("GET", "/api/search?limit=5")
        resp = conn.getresponse()
        with self.assertRaises(http.client.IncompleteRead):
            resp.read()
        conn.close()

    def test_reset_without_answer(self):
        self.srv.control(faults=[{"route": "search", "kind": "reset"}])
        conn = http.client.HTTPConnection(self.srv.host, self.srv.port, timeout=10)
        conn.request("GET", "/api/search")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        conn.close()

    def test_latency_and_counters(self):
        self.srv.control(latency_ms=150)
        t = time.monotonic()
        self.assertEqual(self.srv.get("/api/echo")[0], 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.14)
        st = self.srv.state()
        self.assertEqual(st["requests"].get("echo"), 1)
        log = self.srv.requests()
        self.assertEqual(log[-1]["path"], "/api/echo")

    def test_concurrency_high_water_mark(self):
        import threading
        self.srv.control(latency_ms=600, reset_stats=True)
        threads = [threading.Thread(target=self.srv.get, args=("/api/echo",)) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.assertGreaterEqual(self.srv.state()["max_in_flight"], 2)

    def test_short_fault_form_at_start(self):
        srv = server("2.9", "--fault", "trace=503/2", "--fault",
                     '{"route": "search", "kind": "status", "status": 429, "count": 1}')
        self.assertEqual(srv.get("/api/search")[0], 429)
        self.assertEqual(srv.get("/api/search")[0], 200)
        tid = next(iter(corpus().traces))
        self.assertEqual([srv.get("/api/traces/" + tid)[0] for _ in range(4)], [200, 503, 200, 503])


class TenancyTest(unittest.TestCase):
    def test_org_id_required(self):
        srv = server("2.9", "--multitenant", "--tenant", "shop")
        self.assertEqual(srv.get("/api/search")[::2], (401, "no org id\n"))
        self.assertEqual(srv.get("/api/echo")[0], 200)
        self.assertEqual(srv.get("/api/status/buildinfo")[0], 200)
        ok = json.loads(srv.get("/api/search", headers={"X-Scope-OrgID": "shop"}, limit=1)[2])
        self.assertEqual(len(ok["traces"]), 1)
        other = json.loads(srv.get("/api/search", headers={"X-Scope-OrgID": "other"})[2])
        self.assertNotIn("traces", other)
        both = json.loads(srv.get("/api/search", headers={"X-Scope-OrgID": "other|shop"},
                                  limit=1)[2])
        self.assertEqual(len(both["traces"]), 1)
        tid = next(iter(corpus().traces))
        self.assertEqual(srv.get("/api/traces/" + tid, headers={"X-Scope-OrgID": "other"})[0], 404)


class TransportTest(unittest.TestCase):
    def test_gzip_when_asked(self):
        srv = server("2.9")
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        conn.request("GET", "/api/search?limit=20", headers={"Accept-Encoding": "gzip"})
        resp = conn.getresponse()
        raw = resp.read()
        self.assertEqual(resp.getheader("Content-Encoding"), "gzip")
        conn.request("GET", "/api/search?limit=20")       # keep-alive: same connection
        plain = conn.getresponse().read()
        conn.close()
        self.assertEqual(gzip.decompress(raw), plain)

    def test_prefix(self):
        srv = server("2.9", "--prefix", "/tempo")
        self.assertEqual(srv.get("/tempo/api/echo")[::2], (200, "echo\n"))
        self.assertEqual(srv.get("/tempo/api/search", limit=1)[0], 200)

    def test_time_shift_moves_the_corpus_to_now(self):
        srv = server("2.9", "--time-shift")
        st = srv.state()
        now = time.time_ns()
        self.assertLessEqual(st["corpus"]["end_ns"], now + 10**9)
        self.assertGreater(st["corpus"]["end_ns"], now - 600 * 10**9)
        start = now // 10**9 - 3600
        got = get_json(srv, "/api/search", q="{ status = error }", start=start,
                       end=now // 10**9 + 1, limit=1)
        self.assertEqual(len(got["traces"]), 1)


class AnswerCacheTest(unittest.TestCase):
    """The answer cache changes no byte: the same requests against a server
    with --no-cache, and twice (miss, then hit) against a caching one."""

    def _raw(self, srv, target, headers):
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
        conn.request("GET", target, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        hdrs = {k: v for k, v in resp.getheaders() if k.lower() != "date"}
        conn.close()
        if hdrs.get("Content-Encoding") == "gzip":
            self.assertEqual(body[4:8] != b"\0\0\0\0", True)    # mtime set, as gzip.compress
            body = body[:4] + b"\0\0\0\0" + body[8:]             # the second may differ
        return resp.status, hdrs, body

    def test_cached_answers_are_identical(self):
        tids = sorted(corpus().traces)[:3]
        q = urllib.parse.quote
        ev = q("{ status = error } | select(event.exception.type, event.exception.stacktrace)")
        targets = [
            ("/api/search?limit=20", {}),
            ("/api/search?q=%s&start=%d&end=%d&limit=50&spss=5" % (ev, T0, T_END), {}),
            ("/api/search?q=%s&start=%d&end=%d&limit=50" % (ev, T0, T_END),
             {"Accept-Encoding": "gzip"}),
            ("/api/search?q=%s&limit=5" % q("{ status = error } | by(resource.service.name)"), {}),
            ("/api/search?q=%s" % q("{ status = "), {}),                       # 400
            ("/api/search?limit=0", {}),                                        # 400
            ("/api/search/tags", {}), ("/api/v2/search/tags?scope=span", {}),
            ("/api/search/tag/service.name/values", {}),
            ("/api/v2/search/tag/resource.service.name/values?q=%s" % q("{ status = error }"), {}),
            ("/api/status/buildinfo", {}), ("/api/echo", {}),
            ("/api/metrics/query_range?q=%s&start=%d&end=%d&step=60s" % (
                q("{ status = error } | count_over_time() by (resource.service.name)"),
                SPIKE[0], SPIKE[1]), {}),
            ("/api/traces/00000000000000000000000000000001", {}),              # 404
            ("/api/traces/xyz", {}),                                            # 400
            ("/no/such/route", {}),
        ]
        for tid in tids:
            targets += [("/api/traces/" + tid, {}), ("/api/v2/traces/" + tid, {}),
                        ("/api/traces/" + tid, {"Accept": "application/protobuf"}),
                        ("/api/v2/traces/" + tid, {"Accept": "application/protobuf"}),
                        ("/api/traces/" + tid, {"Accept-Encoding": "gzip"})]
        cached, plain = server("2.9"), server("2.9", "--no-cache")
        self.assertTrue(cached.state()["cache"]["enabled"])
        self.assertFalse(plain.state()["cache"]["enabled"])
        for target, headers in targets:
            with self.subTest(target=target, headers=headers):
                want = self._raw(plain, target, headers)
                self.assertEqual(self._raw(cached, target, headers), want)
                self.assertEqual(self._raw(cached, target, headers), want)
        self.assertGreaterEqual(cached.state()["cache"]["hits"], len(targets))

    def test_cache_follows_control_changes(self):
        srv = server("2.9", "--seed", "11")
        tid = next(iter(corpus().traces))
        self.assertEqual(srv.get("/api/v2/traces/" + tid)[0], 200)
        srv.control(version="2.5")
        try:
            self.assertEqual(srv.get("/api/v2/traces/" + tid)[0], 404)
        finally:
            srv.control(version="2.9")
        self.assertEqual(srv.get("/api/v2/traces/" + tid)[0], 200)
        srv.control(multitenant=True)
        try:
            self.assertEqual(srv.get("/api/v2/traces/" + tid)[0], 401)
        finally:
            srv.control(multitenant=False)

    def test_metrics_without_end_are_not_cached(self):
        srv = server("2.9", "--seed", "12")
        before = srv.state()["cache"]["answers"]
        path = "/api/metrics/query_range?q=" + urllib.parse.quote("{ status = error } | rate()")
        for _ in range(2):
            self.assertEqual(srv.get(path)[0], 200)
        self.assertEqual(srv.state()["cache"]["answers"], before)


class MetricsTest(unittest.TestCase):
    def _expected(self, step, right_closed):
        lo, hi = SPIKE[0] * 10**9, SPIKE[1] * 10**9
        step_ns = step * 10**9
        a_lo = lo - lo % step_ns - (step_ns if right_closed else 0)
        a_hi = hi if hi % step_ns == 0 else hi + step_ns - hi % step_ns
        want = {}
        for t in corpus().traces.values():
            for s in t.spans:
                if not s.is_error:
                    continue
                ts = s.start_ns
                if right_closed:
                    if not a_lo < ts <= a_hi:
                        continue
                    bucket_end = -(-ts // step_ns) * step_ns
                    key_ts = bucket_end
                else:
                    if not a_lo <= ts < a_hi:
                        continue
                    key_ts = ts - ts % step_ns
                key = (C.service(s), key_ts // 10**6)
                want[key] = want.get(key, 0) + 1
        return want

    def test_count_over_time_by_service(self):
        for version, right_closed in (("2.9", True), ("2.5", False)):
            with self.subTest(version=version):
                got = get_json(server(version), "/api/metrics/query_range",
                               query="{ status = error } | count_over_time() by (resource.service.name)",
                               start=SPIKE[0], end=SPIKE[1], step="60s")
                have = {}
                for s in got["series"]:
                    (label,) = s["labels"]
                    self.assertEqual(label["key"], "resource.service.name")
                    for smp in s["samples"]:
                        self.assertEqual(int(smp["timestampMs"]) % 60000, 0)
                        if "value" in smp:
                            have[(label["value"]["stringValue"], int(smp["timestampMs"]))] = \
                                smp["value"]
                    self.assertEqual("promLabels" in s, version == "2.5")
                self.assertEqual(have, self._expected(60, right_closed))

    def test_rate_is_per_second(self):
        got = get_json(server("2.9"), "/api/metrics/query_range", q="{ status = error } | rate()",
                       start=SPIKE[0], end=SPIKE[1], step="120")
        (series,) = got["series"]
        self.assertEqual(series["labels"], [{"key": "__name__", "value": {"stringValue": "rate"}}])
        total = sum(smp.get("value", 0) * 120 for smp in series["samples"])
        want = sum(self._expected(120, True).values())
        self.assertAlmostEqual(total, want, places=6)


if __name__ == "__main__":
    unittest.main()
