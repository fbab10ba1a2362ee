"""Tests of the corpus helper library (corpus.py), the Go-compatible encoder
(tempo_json.py) and the committed corpus itself: loading every accepted
shape, expected-row helpers on documents written by hand, the documented
timeline of the corpus, and that both generators reproduce the committed
files byte for byte."""

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import corpus as C  # noqa: E402
import tempo_json as TJ  # noqa: E402

T0 = 1741766400
TID = "0000000000000000000000000000abcd"


def doc_otlp(spans, service="svc", ils=False, resource_extra=()):
    """A Collector file-exporter line, hex IDs (written out by hand)."""
    key, skey = ("instrumentationLibrarySpans", "instrumentationLibrary") if ils else \
        ("scopeSpans", "scope")
    return {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}] +
                     list(resource_extra)},
        key: [{skey: {"name": "lib", "version": "1"}, "spans": spans}]}]}


def otlp_span(span_id, name, start, end, parent="", status=None, attrs=(), events=()):
    d = {"traceId": TID, "spanId": span_id, "name": name, "kind": 2,
         "startTimeUnixNano": str(start), "endTimeUnixNano": str(end),
         "attributes": list(attrs), "events": list(events), "status": status or {}}
    if parent:
        d["parentSpanId"] = parent
    return d


def ev(t, etype, msg, stack="", name="exception"):
    attrs = [{"key": "exception.type", "value": {"stringValue": etype}},
             {"key": "exception.message", "value": {"stringValue": msg}}]
    if stack:
        attrs.append({"key": "exception.stacktrace", "value": {"stringValue": stack}})
    return {"timeUnixNano": str(t), "name": name, "attributes": attrs}


def sattr(k, v):
    return {"key": k, "value": {"stringValue": v}}


class LoaderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tempo-corpus-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)

    def test_shapes_ids_and_merging(self):
        s = 1_700_000_000_000_000_000
        # line 1: root span in OTLP/JSON (hex IDs, enums as integers)
        line1 = doc_otlp([otlp_span("00000000000000a1", "GET /a", s, s + 5_000_000,
                                    attrs=[sattr("http.route", "/a")])], "front")
        # line 2, pre-0.18 shape: a child of the root in another service
        line2 = doc_otlp([otlp_span("00000000000000b2", "query", s + 1000, s + 2000,
                                    parent="00000000000000a1",
                                    status={"code": 2, "message": "boom"},
                                    events=[ev(s + 1500, "E1", "one"), ev(s + 1600, "E2", "two")])],
                         "db", ils=True)
        self.write("a.jsonl", json.dumps(line1) + "\n" + json.dumps(line2) + "\n")
        # a Tempo v1 body with base64 IDs, enum names, and a duplicate of the root span
        v1 = {"batches": [{"resource": {"attributes": [sattr("service.name", "front")]},
                           "scopeSpans": [{"scope": {"name": "lib", "version": "1"}, "spans": [
                               {"traceId": "AAAAAAAAAAAAAAAAAACrzQ==", "spanId": "AAAAAAAAAKE=",
                                "name": "GET /a", "kind": "SPAN_KIND_SERVER",
                                "startTimeUnixNano": str(s), "endTimeUnixNano": str(s + 5_000_000),
                                "attributes": [sattr("http.route", "/a")], "status": {}},
                               {"traceId": "AAAAAAAAAAAAAAAAAACrzQ==", "spanId": "AAAAAAAAAMM=",
                                "parentSpanId": "AAAAAAAAAKE=", "name": "cache",
                                "kind": "SPAN_KIND_CLIENT", "startTimeUnixNano": str(s + 10),
                                "endTimeUnixNano": str(s + 20),
                                "attributes": [{"key": "n", "value": {"intValue": "7"}},
                                               {"key": "r", "value": {"doubleValue": "NaN"}},
                                               {"key": "b", "value": {"boolValue": False}}],
                                "status": {"code": "STATUS_CODE_OK"}}]}]}]}
        self.write("b.json", json.dumps(v1, indent=2))
        c = C.load(self.dir)
        self.assertEqual(list(c.traces), [TID])
        t = c.trace("abcd")                       # leading zeros may be missing
        spans = {s.span_id: s for s in t.spans}
        self.assertEqual(sorted(spans), ["00000000000000a1", "00000000000000b2", "00000000000000c3"])
        self.assertEqual(len(t.spans), 3)         # the duplicated root was merged away
        db = spans["00000000000000b2"]
        self.assertEqual((db.kind, db.status_code, db.status_message, db.parent_span_id),
                         (C.KIND_SERVER, C.STATUS_ERROR, "boom", "00000000000000a1"))
        self.assertEqual(C.service(db), "db")
        self.assertEqual(db.scope.name, "lib")
        cache = spans["00000000000000c3"]
        self.assertEqual((cache.kind, cache.status_code), (C.KIND_CLIENT, C.STATUS_OK))
        self.assertEqual(cache.get("n"), 7)
        self.assertNotEqual(cache.get("r"), cache.get("r"))       # NaN
        self.assertIs(cache.get("b"), False)
        self.assertEqual(t.root.span_id, "00000000000000a1")
        self.assertEqual((t.start_ns, t.end_ns), (s, s + 5_000_000))

    def test_bad_input_is_reported(self):
        self.write("bad.jsonl", '{"resourceSpans": []}\n{not json\n')
        with self.assertRaises(C.CorpusError) as e:
            C.load(self.dir)
        self.assertIn("bad.jsonl:2", str(e.exception))

    def test_time_shift(self):
        s = 1_700_000_000_000_000_000
        self.write("a.jsonl", json.dumps(doc_otlp([otlp_span("00000000000000a1", "x", s, s + 10,
                                                             events=[ev(s + 5, "E", "m")])])))
        c = C.load(self.dir, time_shift_ns=1000)
        (sp,) = c.spans()
        self.assertEqual((sp.start_ns, sp.end_ns, sp.events[0].time_ns), (s + 1000, s + 1010, s + 1005))


class HelperTest(unittest.TestCase):
    """Expected rows on a corpus written by hand; expectations by hand too."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="tempo-helper-")
        s = T0 * 10**9
        env_new = [sattr("deployment.environment.name", "prod")]
        env_old = [sattr("deployment.environment", "staging")]
        lines = [
            # trace 1 (T0+10 s): api SERVER error with two exceptions, a db CLIENT
            # error without exception, an OK span with a handled exception
            doc_otlp([otlp_span("0000000000000001", "POST /pay", s + 10 * 10**9, s + 11 * 10**9,
                                status={"code": 2},
                                attrs=[sattr("http.route", "/pay"), sattr("http.request.method", "POST")],
                                events=[ev(s + 10_500_000_000, "Retry", "first try"),
                                        ev(s + 10_900_000_000, "PayFailed", "gave up", "Stack\n at x")]),
                      otlp_span("0000000000000002", "SELECT", s + 10_100_000_000, s + 10_200_000_000,
                                parent="0000000000000001", status={"code": 2, "message": "timeout"},
                                attrs=[sattr("url.path", "/ignored-for-db")]),
                      otlp_span("0000000000000003", "cache", s + 10_300_000_000, s + 10_400_000_000,
                                parent="0000000000000001",
                                events=[ev(s + 10_350_000_000, "Miss", "handled")])],
                     "api", resource_extra=env_new),
            # trace 2 (T0+100 s): worker error, route from http.target
            {"resourceSpans": [{"resource": {"attributes": [sattr("service.name", "worker")] + env_old},
                                "scopeSpans": [{"scope": {}, "spans": [dict(
                                    otlp_span("0000000000000004", "job", s + 100 * 10**9,
                                              s + 101 * 10**9, status={"code": 2},
                                              attrs=[sattr("http.target", "/jobs/7?x=1"),
                                                     sattr("http.method", "GET")],
                                              events=[ev(s + 100_500_000_000, "PayFailed", "again")]),
                                    traceId="00000000000000000000000000000002")]}]}]},
        ]
        with open(os.path.join(cls.dir, "c.jsonl"), "w") as f:
            f.write("\n".join(json.dumps(x) for x in lines) + "\n")
        cls.c = C.load(cls.dir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_semconv_helpers(self):
        spans = {s.span_id[-1]: s for s in self.c.spans()}
        self.assertEqual([C.route(spans[k]) for k in "1234"], ["/pay", "/ignored-for-db", "cache", "/jobs/7"])
        self.assertEqual(C.http_method(spans["1"]), "POST")
        self.assertEqual(C.http_method(spans["4"]), "GET")
        self.assertEqual(C.environment(spans["1"]), "prod")
        self.assertEqual(C.environment(spans["4"]), "staging")

    def test_error_occurrences_per_span_and_per_event(self):
        per_span = [(o.span_id[-1], o.exception_type, o.message)
                    for o in C.error_occurrences(self.c, T0, T0 + 200)]
        self.assertEqual(per_span, [("1", "PayFailed", "gave up"), ("2", "(no exception)", "timeout"),
                                    ("4", "PayFailed", "again")])
        per_event = [(o.span_id[-1], o.exception_type)
                     for o in C.error_occurrences(self.c, T0, T0 + 200, per="event")]
        self.assertEqual(per_event, [("1", "Retry"), ("1", "PayFailed"), ("2", "(no exception)"),
                                     ("4", "PayFailed")])

    def test_range_filters_whole_traces(self):
        self.assertEqual([o.span_id[-1] for o in C.error_occurrences(self.c, T0 + 50, T0 + 200)], ["4"])
        self.assertEqual([o.span_id[-1] for o in C.error_occurrences(self.c, T0, T0 + 10)],
                         ["1", "2"])   # trace 1 starts at T0+10 s: still overlapping

    def test_filters(self):
        occ = C.error_occurrences(self.c, T0, T0 + 200, services={"api"}, exception_types={"PayFailed"})
        self.assertEqual([o.span_id[-1] for o in occ], ["1"])
        occ = C.error_occurrences(self.c, T0, T0 + 200, environments={"staging"})
        self.assertEqual([o.span_id[-1] for o in occ], ["4"])

    def test_trace_limit_samples_the_newest_error_traces(self):
        self.assertEqual([t.trace_id[-1] for t in C.error_traces(self.c, T0, T0 + 200)], ["2", "d"])
        occ = C.error_occurrences(self.c, T0, T0 + 200, trace_limit=1)
        self.assertEqual([o.span_id[-1] for o in occ], ["4"])

    def test_recent_errors(self):
        rows = C.recent_errors(self.c, T0, T0 + 200, limit=2)
        self.assertEqual([(r.span_id[-1], r.service, r.route) for r in rows],
                         [("4", "worker", "/jobs/7"), ("2", "api", "/ignored-for-db")])

    def test_error_summary(self):
        rows = C.error_summary(self.c, T0, T0 + 200)
        got = [(r.service, r.exception_type, r.count, r.first_seen_ns // 10**9 - T0,
                r.example.span_id[-1]) for r in rows]
        self.assertEqual(got, [("api", "(no exception)", 1, 10, "2"), ("api", "PayFailed", 1, 10, "1"),
                               ("worker", "PayFailed", 1, 100, "4")])

    def test_trace_exceptions(self):
        occ = C.trace_exceptions(self.c, "abcd")
        self.assertEqual([(o.span_id[-1], o.exception_type, o.stacktrace) for o in occ],
                         [("1", "Retry", ""), ("1", "PayFailed", "Stack\n at x"), ("3", "Miss", "")])
        self.assertEqual(C.trace_exceptions(self.c, "ffff"), [])

    def test_cli(self):
        out = subprocess.run([sys.executable, os.path.join(HERE, "corpus.py"), "summary", "--corpus",
                              self.dir, "--start", str(T0), "--end", str(T0 + 200), "--json"],
                             capture_output=True, text=True, check=True).stdout
        rows = json.loads(out)
        self.assertEqual([(r["service"], r["exceptionType"], r["count"]) for r in rows],
                         [("api", "(no exception)", 1), ("api", "PayFailed", 1), ("worker", "PayFailed", 1)])


class EncodingTest(unittest.TestCase):
    def test_go_float_text(self):
        # values as Go's encoding/json prints them (strconv 'f'/'e', -1)
        cases = {0.25: "0.25", 1e-7: "1e-7", 1e21: "1e+21", 1.0: "1", 1e16: "10000000000000000",
                 1e-5: "0.00001", 123.456: "123.456", -2.5: "-2.5", 1e20: "100000000000000000000"}
        for f, want in cases.items():
            self.assertEqual(TJ.go_float_text(f), want, f)

    def test_dumps_escapes_like_go(self):
        self.assertEqual(TJ.dumps({"a": "<b>&\u2028é", "d": TJ.go_double(1e-7),
                                   "n": TJ.go_double(float("inf"))}),
                         '{"a":"\\u003cb\\u003e\\u0026\\u2028é","d":1e-7,"n":"Infinity"}')

    def test_any_values(self):
        self.assertEqual(TJ.any_value(0), {"intValue": "0"})
        self.assertEqual(TJ.any_value(""), {"stringValue": ""})
        self.assertEqual(TJ.any_value(False), {"boolValue": False})
        self.assertEqual(TJ.any_value(b"\x01\x02"), {"bytesValue": "AQI="})
        self.assertEqual(TJ.any_value(C.ArrayValue([1, "x"])),
                         {"arrayValue": {"values": [{"intValue": "1"}, {"stringValue": "x"}]}})

    @unittest.skipUnless(shutil.which("go"), "go not installed")
    def test_floats_and_strings_match_go_encoding_json(self):
        values = [0.1, 1e-7, 3.0, 1e21, 123456789.125, 2.5e-300, 5e-324, 1.7976931348623157e308]
        strings = ["<a href=\"x\">&</a>", "tab\tnl\ncr\r", "\u2028\u2029", "é ü 日本", "\x01\x1f"]
        prog = ("package main\nimport (\"encoding/json\"; \"fmt\")\nfunc main() {\n"
                "f := []float64{%s}\ns := []string{%s}\nb, _ := json.Marshal(f); fmt.Println(string(b))\n"
                "b, _ = json.Marshal(s); fmt.Println(string(b))\n}\n"
                % (", ".join(repr(v) for v in values), ", ".join(json.dumps(x) for x in strings)))
        d = tempfile.mkdtemp(prefix="tempo-go-")
        try:
            with open(os.path.join(d, "main.go"), "w") as f:
                f.write(prog)
            env = dict(os.environ, GOCACHE=os.path.join(d, "cache"), GOFLAGS="-mod=mod",
                       GO111MODULE="off", GOPATH=os.path.join(d, "gopath"))
            r = subprocess.run(["go", "run", "main.go"], cwd=d, capture_output=True, text=True,
                               env=env, timeout=300)
            if r.returncode != 0:
                self.skipTest("go run failed: " + r.stderr[-300:])
            go_floats, go_strings = r.stdout.splitlines()
        finally:
            shutil.rmtree(d, ignore_errors=True)
        self.assertEqual(TJ.dumps([TJ.go_double(v) for v in values]), go_floats)
        # Go before 1.22 writes \b and \f as \u0008 and \u000c; none are used here
        self.assertEqual(TJ.dumps(strings), go_strings)


class CommittedCorpusTest(unittest.TestCase):
    """Facts about tests/tempo/corpus/ that corpus/README.md documents."""

    @classmethod
    def setUpClass(cls):
        cls.c = C.load()

    def test_loads_all_shapes(self):
        names = sorted(os.path.relpath(f, C.DEFAULT_CORPUS) for f in self.c.files)
        self.assertIn("otel-sdk-frontend.jsonl", names)
        self.assertIn("handbuilt.jsonl", names)
        self.assertIn("handbuilt-ils.jsonl", names)
        self.assertEqual(sum(n.startswith("tempo-bodies/") for n in names), 3)
        services = {C.service(s) for s in self.c.spans()}
        self.assertEqual(services, {"frontend", "checkout", "payment", "inventory", "shipping",
                                    "refunds", "invoicing"})
        self.assertTrue(all(T0 * 10**9 <= t.start_ns and t.end_ns <= (T0 + 7200) * 10**9
                            for t in self.c.traces.values()))

    def test_languages_and_stack_formats(self):
        stacks = [e.get("exception.stacktrace") or "" for s in self.c.spans() for e in s.events]
        markers = {
            "python": "Traceback (most recent call last):",
            "java caused by": "\nCaused by: ",
            "go panic": "goroutine ",
            "node": "\n    at ",
            ".NET inner": " ---> System.",
            "ruby": ":in '",
            "ruby < 3.4": ":in `",
            "php native": "PHP Fatal error:  Uncaught",
            "php otel": "\tat {main}(index.php",
        }
        for name, marker in markers.items():
            self.assertTrue(any(marker in st for st in stacks), name)

    def test_real_sdk_spans(self):
        sdk = [s for s in self.c.spans() if s.resource.get("telemetry.sdk.version") == "2.12.1"]
        self.assertTrue(sdk)
        types = {e.get("exception.type") for s in sdk for e in s.events}
        self.assertTrue({"TypeError", "TimeoutError", "AggregateError", "ECONNREFUSED",
                         "ValidationError"} <= types, types)
        self.assertTrue(any(s.flags == 257 for s in sdk))

    def test_semantic_convention_variants(self):
        keys = {k for s in self.c.spans() for k, _ in s.attributes}
        rkeys = {k for s in self.c.spans() for k, _ in s.resource.attributes}
        self.assertTrue({"http.route", "url.path", "http.target", "http.method",
                         "http.request.method"} <= keys)
        self.assertTrue({"deployment.environment", "deployment.environment.name"} <= rkeys)

    def test_error_spans_without_exceptions_and_handled_exceptions(self):
        spans = list(self.c.spans())
        self.assertTrue(any(s.is_error and not C.exception_events(s) for s in spans))
        self.assertTrue(any(not s.is_error and C.exception_events(s) for s in spans))
        self.assertTrue(any(s.is_error and len(C.exception_events(s)) >= 3 for s in spans))

    def test_spike_window(self):
        spike = (T0 + 80 * 60, T0 + 95 * 60)
        def gateway(lo, hi):
            return sum(1 for o in C.error_occurrences(self.c, lo, hi, window="span")
                       if o.exception_type == "Acme.Payments.PaymentGatewayTimeoutException")
        self.assertEqual(gateway(T0, spike[0] - 1), 0)
        self.assertGreaterEqual(gateway(*spike), 10)
        self.assertEqual(gateway(spike[1] + 60, T0 + 7200), 0)

    def test_new_groups_only_in_the_second_hour(self):
        rows = {(r.service, r.exception_type): r for r in C.error_summary(self.c, T0, T0 + 7200)}
        for key, after in ((("shipping", "runtime.errorString"), T0 + 70 * 60),
                           (("frontend", "AggregateError"), T0 + 65 * 60)):
            self.assertIn(key, rows)
            self.assertGreaterEqual(rows[key].first_seen_ns, after * 10**9)
        first_half = {(r.service, r.exception_type) for r in C.error_summary(self.c, T0, T0 + 3600)}
        self.assertNotIn(("shipping", "runtime.errorString"), first_half)

    def test_missing_root_and_leading_zero_ids(self):
        self.assertTrue(any(t.root is None for t in self.c.traces.values()))
        self.assertTrue(any(tid.startswith("0000") for tid in self.c.traces))


class GeneratorTest(unittest.TestCase):
    """Both generators reproduce the committed corpus exactly."""

    def test_handbuilt_generator_is_deterministic(self):
        d = tempfile.mkdtemp(prefix="tempo-gen-")
        try:
            subprocess.run([sys.executable, os.path.join(HERE, "gen", "handbuilt.py"), "--out", d],
                           check=True, capture_output=True)
            for name in ("handbuilt.jsonl", "handbuilt-ils.jsonl"):
                self.assertTrue(filecmp.cmp(os.path.join(d, name),
                                            os.path.join(C.DEFAULT_CORPUS, name), shallow=False), name)
            self.assertEqual(sorted(os.listdir(os.path.join(d, "tempo-bodies"))),
                             sorted(os.listdir(os.path.join(C.DEFAULT_CORPUS, "tempo-bodies"))))
            for name in os.listdir(os.path.join(d, "tempo-bodies")):
                self.assertTrue(filecmp.cmp(os.path.join(d, "tempo-bodies", name),
                                            os.path.join(C.DEFAULT_CORPUS, "tempo-bodies", name),
                                            shallow=False), name)
        finally:
            shutil.rmtree(d)

    @unittest.skipUnless(shutil.which("node") and
                         os.path.isdir(os.path.join(HERE, "..", "node_modules", "@opentelemetry")),
                         "node or tests/node_modules not available")
    def test_sdk_generator_is_deterministic(self):
        d = tempfile.mkdtemp(prefix="tempo-gen-")
        try:
            out = os.path.join(d, "sdk.jsonl")
            subprocess.run(["node", os.path.join(HERE, "gen", "otel-corpus.mjs"), "--out", out],
                           check=True, capture_output=True, timeout=120)
            with open(out) as f:
                got = f.read()
            with open(os.path.join(C.DEFAULT_CORPUS, "otel-sdk-frontend.jsonl")) as f:
                want = f.read()
            self.assertEqual(got, want)
        finally:
            shutil.rmtree(d)


if __name__ == "__main__":
    unittest.main()
