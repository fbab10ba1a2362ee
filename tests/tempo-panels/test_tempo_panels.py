#!/usr/bin/env python3
"""The Tempo panels against the Tempo-compatible test server (issue 4 and
issue 5 item 3 acceptance).

Every expected row is computed from the corpus by tests/tempo/corpus.py (and
the rules restated in tempotest.py), or from the labels of the error-groups
corpus (groups_corpus.py); nothing comes from the plugin's code. Each query
type runs against a server behaving like Tempo 2.5 (no event scope: fetch
mode, v1 traces) and like Tempo 2.9 (select mode, v2 traces), and the rows
must be the same.

Run: python3 test_tempo_panels.py --driver PATH/et_tempo_driver
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import unittest
import urllib.parse

import groups_corpus as G
import tempotest as T
from tempotest import C, ServerProcess, frame_rows, notices, executed

sys.path.insert(0, T.TEMPO_TESTS)
import traceql  # noqa: E402

FULL = (1741766400, 1741773600)  # the whole default corpus (2025-03-12 08:00-10:00)
MODES = {"fetch": "2.5.0", "select": "2.9.0"}

SERVERS = {}
GSERVERS = {}
CORPUS = None
GCORPUS = None
GOCC = None
TMP = None


def setUpModule():
    global CORPUS, GCORPUS, GOCC, TMP
    CORPUS = C.load()
    TMP = tempfile.mkdtemp(prefix="tempo-panels-")
    gdir = os.path.join(TMP, "groups")
    GOCC = G.build(gdir)
    GCORPUS = C.load(gdir)
    for mode, version in MODES.items():
        SERVERS[mode] = ServerProcess(version=version)
        GSERVERS[mode] = ServerProcess(corpus=gdir, version=version)


def tearDownModule():
    for s in list(SERVERS.values()) + list(GSERVERS.values()):
        s.stop()
    if TMP:
        shutil.rmtree(TMP, ignore_errors=True)


def ok(testcase, res):
    testcase.assertEqual(res["status"], 200, res.get("error"))
    return res["frames"]


def one_frame(testcase, res):
    frames = ok(testcase, res)
    testcase.assertEqual(len(frames), 1)
    return frames[0]


def occ_row(o, fields):
    m = {"time": o.time_ns, "traceID": o.trace_id, "spanID": o.span_id, "service": o.service,
         "route": o.route, "exceptionType": o.exception_type, "message": o.message,
         "stacktrace": o.stacktrace, "spanName": o.span_name}
    return {k: m[k] for k in fields}


# ---------------------------------------------------------------------------
# Every query type equals the corpus, in both modes
# ---------------------------------------------------------------------------

class PanelsMatchCorpus(unittest.TestCase):
    def each_mode(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                yield mode, SERVERS[mode].url

    def test_mode_detected_and_reported(self):
        for mode, url in self.each_mode():
            f = one_frame(self, T.query(url, "error-summary", *FULL))
            text = executed(f)
            self.assertIn("%s mode" % mode, text)
            self.assertIn("{ status = error", text)
            if mode == "select":
                self.assertIn("select(", text)
                self.assertIn("event.exception.type", text)
            else:
                self.assertIn("read %d traces by ID" % len(T.error_traces(CORPUS, *FULL)),
                              text)
                self.assertIn("/api/traces/<id>", text)

    def test_error_summary_equals_corpus(self):
        expected = T.summary(T.occurrences(CORPUS, *FULL))
        self.assertGreater(len(expected), 15)
        for mode, url in self.each_mode():
            rows = frame_rows(one_frame(self, T.query(url, "error-summary", *FULL)))
            got = [{k: r[k] for k in expected[0]} for r in rows]
            self.assertEqual(got, expected)

    def test_error_summary_filters(self):
        svc = ["checkout", "payment"]
        cases = [
            ({"services": svc}, {"services": svc}),
            ({"exceptionTypes": ["TypeError", "(no exception)"]},
             {"types": ["TypeError", "(no exception)"]}),
            ({"exceptionTypes": ["psycopg2.OperationalError"]},
             {"types": ["psycopg2.OperationalError"]}),
            ({"environment": ["production"]}, {"envs": ["production"]}),
            ({"environment": ["staging"]}, {"envs": ["staging"]}),
        ]
        # routes from every semantic convention present in the corpus
        routes = sorted({o.route for o in T.occurrences(CORPUS, *FULL)})
        cases.append(({"routes": routes[:6]}, {"routes": routes[:6]}))
        sub = (FULL[0] + 1800, FULL[0] + 5400)
        for model, filters in cases:
            expected = T.summary(T.occurrences(CORPUS, *sub, **filters))
            self.assertTrue(expected or "staging" in str(model), model)
            for mode, url in self.each_mode():
                with self.subTest(model=model):
                    rows = frame_rows(one_frame(self, T.query(url, "error-summary", *sub,
                                                              **model)))
                    got = [{k: r[k] for k in ("service", "exceptionType", "count", "firstSeen",
                                              "lastSeen", "traceID", "message", "stacktrace")}
                           for r in rows]
                    self.assertEqual(got, expected)

    def test_recent_errors_equal_corpus(self):
        fields = ["time", "traceID", "spanID", "service", "route", "exceptionType", "message",
                  "stacktrace"]
        expected = T.recent(T.occurrences(CORPUS, *FULL), 1000)
        self.assertGreater(len(expected), 200)
        for mode, url in self.each_mode():
            f = one_frame(self, T.query(url, "recent-errors", *FULL, limit=1000))
            rows = frame_rows(f)
            self.assertEqual([{k: r[k] for k in fields} for r in rows],
                             [occ_row(o, fields) for o in expected])
            for r, o in zip(rows, expected):
                self.assertAlmostEqual(r["duration"], o.duration_ns / 1e6, places=6)
                if o.stacktrace:  # a line (Go: function + file lines) of the trace
                    top, stack = " ".join(r["stackTop"].split()), " ".join(o.stacktrace.split())
                    self.assertTrue(top and top in stack, (r["stackTop"], o.stacktrace[:200]))
                else:
                    self.assertEqual(r["stackTop"], "")

    def test_recent_errors_limit_keeps_newest(self):
        fields = ["time", "traceID", "spanID", "exceptionType"]
        for limit in (5, 20):
            expected = T.recent_limited(CORPUS, *FULL, limit)
            for mode, url in self.each_mode():
                f = one_frame(self, T.query(url, "recent-errors", *FULL, limit=limit))
                rows = frame_rows(f)
                self.assertEqual([{k: r[k] for k in fields} for r in rows],
                                 [occ_row(o, fields) for o in expected])
                self.assertTrue(any("capped" in n for n in notices(f)), notices(f))

    def test_trace_exceptions_of_every_error_trace(self):
        fields = ["time", "traceID", "spanID", "service", "spanName", "route", "exceptionType",
                  "message", "stacktrace"]
        traces = T.error_traces(CORPUS, *FULL)
        queries = [{"refId": "T%d" % i, "from": FULL[0] * 1000, "to": FULL[1] * 1000,
                    "query": {"queryType": "trace-exceptions", "traceId": t.trace_id}}
                   for i, t in enumerate(traces)]
        for mode, url in self.each_mode():
            results, _ = T.run(T.settings(url), queries)
            self.assertEqual(len(results), len(traces))
            for res, t in zip(results, traces):
                rows = frame_rows(one_frame(self, res))
                expected = T.trace_exception_rows(CORPUS, t.trace_id)
                got = [{k: r[k] for k in fields} for r in rows]
                want = [occ_row(o, fields) for o in expected]
                for w, o in zip(want, expected):
                    w["time"] = o.event_time_ns
                self.assertEqual(got, want, t.trace_id)
                esc = [r["escaped"] for r in rows]
                self.assertEqual(esc, [o.escaped if o.escaped is None else bool(o.escaped)
                                       for o in expected])

    def test_trace_view_frame_and_short_ids(self):
        t = max(T.error_traces(CORPUS, *FULL), key=lambda t: len(t.spans))
        short = [x for x in CORPUS.traces if x.startswith("0")][0]
        for mode, url in self.each_mode():
            frames = ok(self, T.query(url, "trace-exceptions", *FULL, traceId=t.trace_id,
                                      traceView=True))
            self.assertEqual([f["schema"]["name"] for f in frames], ["trace-exceptions", "Trace"])
            view = frames[1]
            self.assertEqual(view["schema"]["meta"]["preferredVisualisationType"], "trace")
            rows = {r["spanID"]: r for r in frame_rows(view)}
            self.assertEqual(set(rows), {s.span_id for s in t.spans})
            for s in t.spans:
                r = rows[s.span_id]
                self.assertEqual(r["traceID"], t.trace_id)
                self.assertEqual(r["parentSpanID"], s.parent_span_id or None)
                self.assertEqual(r["operationName"], s.name)
                self.assertEqual(r["serviceName"], C.service(s))
                self.assertAlmostEqual(r["startTime"], s.start_ns / 1e6, delta=1e-3)
                self.assertAlmostEqual(r["duration"], s.duration_ns / 1e6, delta=1e-3)
                self.assertEqual(r["statusCode"], s.status_code)
                self.assertEqual(len(r["logs"]), len(s.events))
                tags = {kv["key"]: kv["value"] for kv in r["tags"]}
                for k, v in s.attributes:
                    if isinstance(v, (str, bool, int)):
                        self.assertEqual(tags[k], v)
            # the leading zeros Tempo strips from search IDs are optional
            res = T.query(url, "trace-exceptions", *FULL, traceId=short.lstrip("0"))
            rows = frame_rows(one_frame(self, res))
            self.assertEqual(len(rows), len(T.trace_exception_rows(CORPUS, short)))
            self.assertTrue(all(r["traceID"] == short for r in rows))

    def test_trace_not_found_is_a_notice(self):
        for mode, url in self.each_mode():
            f = one_frame(self, T.query(url, "trace-exceptions", *FULL, traceId="ab" * 16))
            self.assertEqual(frame_rows(f), [])
            self.assertTrue(any("not found" in n for n in notices(f)), notices(f))

    def test_trace_id_link_opens_trace_view(self):
        for mode, url in self.each_mode():
            for qtype, model in (("recent-errors", {}), ("error-summary", {}),
                                 ("error-groups", {}),
                                 ("trace-exceptions",
                                  {"traceId": T.error_traces(CORPUS, *FULL)[0].trace_id})):
                f = one_frame(self, T.query(url, qtype, *FULL, **model))
                field = [x for x in f["schema"]["fields"] if x["name"] == "traceID"][0]
                cfg = field["config"]
                self.assertEqual(cfg["displayNameFromDS"], "Trace ID")
                link = cfg["links"][0]
                self.assertEqual(link["internal"]["datasourceUid"], T.TEMPO_UID)
                self.assertEqual(link["internal"]["datasourceName"], "Tempo")
                self.assertEqual(link["internal"]["query"],
                                 {"query": "${__value.raw}", "queryType": "traceql"})
                self.assertNotIn("url", link)

    def test_top_types_from_tempo(self):
        expected = T.summary(T.occurrences(CORPUS, *FULL))
        for mode, url in self.each_mode():
            f = one_frame(self, T.query(url, "top-types", *FULL, limit=1000))
            rows = [(r["service"], r["exceptionType"], r["count"]) for r in frame_rows(f)]
            self.assertEqual(rows, [(e["service"], e["exceptionType"], e["count"])
                                    for e in expected])
            self.assertTrue(any("Source: Tempo" in n for n in notices(f)), notices(f))

    def test_variables_from_tempo_tags(self):
        spans = [s for t in CORPUS.in_range(*FULL) for s in t.spans]
        services = sorted({C.service(s) for s in spans})
        routes = sorted({s.get("http.route") for s in spans if s.get("http.route")})
        checkout_routes = sorted({s.get("http.route") for s in spans
                                  if s.get("http.route") and C.service(s) == "checkout"})
        for mode, url in self.each_mode():
            def values(**model):
                f = one_frame(self, T.query(url, "variable", *FULL, **model))
                rows = frame_rows(f)
                self.assertTrue(all(r["text"] == r["value"] for r in rows))
                return [r["value"] for r in rows]
            self.assertEqual(values(variable="services"), services)
            self.assertEqual(values(variable="routes"), routes)
            self.assertEqual(values(variable="routes", services=["checkout"]), checkout_routes)
            types = values(variable="exception-types")
            if mode == "select":  # event.exception.type tag values: every exception event
                want = sorted({T.etype(e) for s in spans for e in C.exception_events(s)}
                              - {"(unknown)"})
            else:  # sampled from the error spans (no event scope before 2.6)
                want = sorted({o.exception_type for o in T.occurrences(CORPUS, *FULL)}
                              - {"(no exception)", "(unknown)"})
            self.assertEqual(types, want)

    def test_error_groups_account_for_every_error(self):
        half = (FULL[0] + 3600, FULL[1])
        prev = (FULL[0], FULL[0] + 3600)
        current = T.occurrences(CORPUS, *half)
        before = T.occurrences(CORPUS, *prev)
        for mode, url in self.each_mode():
            f = one_frame(self, T.query(url, "error-groups", *half,
                                        compareTo="previous-range"))
            rows = frame_rows(f)
            self.assertEqual(sum(r["count"] for r in rows), len(current))
            self.assertEqual(sum(r["previousCount"] for r in rows), len(before))
            traces = {o.trace_id for o in current + before}
            for r in rows:
                self.assertIn(r["traceID"], traces)
                self.assertEqual(r["new"], r["previousCount"] == 0 and r["count"] > 0)
                self.assertEqual(sum(json.loads(r["trend"]) if isinstance(r["trend"], str)
                                     else r["trend"]), r["count"])
            self.assertEqual({s for r in rows for s in r["services"].split(", ")},
                             {o.service for o in current + before})
            self.assertTrue(any("Grouped %d error spans" % len(current) in n
                                for n in notices(f)), notices(f))


# ---------------------------------------------------------------------------
# Error groups over a corpus whose bugs are labelled by hand
# ---------------------------------------------------------------------------

SHOWN = (G.T0 + G.HOUR, G.T0 + 2 * G.HOUR)
BUCKETS = 6


def expected_groups(compare):
    """label -> expected row, from the generator's labels only."""
    out = {}
    for label in G.BUGS:
        occ = [o for o in GOCC if o.label == label]
        cur = [o for o in occ if o.time_ns >= SHOWN[0] * G.NS]
        base = [o for o in occ if o.time_ns < SHOWN[0] * G.NS]
        if not cur and not compare:
            continue
        rep_pool = cur or base
        sample = max(rep_pool, key=lambda o: (o.time_ns, [-ord(c) for c in o.trace_id]))
        trend = [0] * BUCKETS
        width = (SHOWN[1] - SHOWN[0]) * G.NS / BUCKETS
        for o in cur:
            trend[int((o.time_ns - SHOWN[0] * G.NS) // width)] += 1
        row = {"exceptionType": occ[0].exception_type, "count": len(cur),
               "firstSeen": min(o.time_ns for o in occ), "lastSeen": max(o.time_ns for o in occ),
               "traceID": sample.trace_id, "new": bool(cur) and not base,
               "services": occ[0].service, "routes": occ[0].route, "trend": trend}
        if compare:
            row["previousCount"] = len(base)
            row["change"] = len(cur) / len(base) if base else None
            row["status"] = "new" if not base else "ongoing" if cur else "resolved"
        out[label] = row
    return out


class ErrorGroupsLabelled(unittest.TestCase):
    def rows(self, url, **model):
        f = one_frame(self, T.query(url, "error-groups", *SHOWN, buckets=BUCKETS,
                                    services=sorted({b[0] for b in G.BUGS.values()}), **model))
        return frame_rows(f), f

    def check(self, rows, expected):
        by_trace = {o.trace_id: o.label for o in GOCC}
        got = {}
        for r in rows:
            label = by_trace[r["traceID"]]
            self.assertNotIn(label, got, "two groups for one bug: %s" % label)
            r = dict(r)
            r["trend"] = json.loads(r["trend"]) if isinstance(r["trend"], str) else r["trend"]
            got[label] = {k: r[k] for k in next(iter(expected.values()))}
        self.assertEqual(got, expected)

    def test_one_group_per_bug_with_trend_and_new(self):
        expected = expected_groups(compare=False)
        for mode in MODES:
            with self.subTest(mode=mode):
                rows, f = self.rows(GSERVERS[mode].url)
                self.check(rows, expected)
                counts = [r["count"] for r in rows]
                self.assertEqual(counts, sorted(counts, reverse=True))
                for r in rows:
                    self.assertEqual(len(r["fingerprint"]), 12)
                    self.assertEqual(len(r["sparkline"]), BUCKETS)

    def test_compare_previous_range_lists_resolved(self):
        expected = expected_groups(compare=True)
        self.assertIn("resolved", {r["status"] for r in expected.values()})
        for mode in MODES:
            with self.subTest(mode=mode):
                rows, _ = self.rows(GSERVERS[mode].url, compareTo="previous-range")
                self.check(rows, expected)

    def test_sort_by_new_puts_new_groups_first(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                rows, _ = self.rows(GSERVERS[mode].url, sort="new")
                flags = [r["new"] for r in rows]
                self.assertEqual(flags, sorted(flags, reverse=True))
                self.assertTrue(flags[0] and not flags[-1])


# ---------------------------------------------------------------------------
# Injection: hostile values match literally
# ---------------------------------------------------------------------------

def go_quote(s):
    """A TraceQL (Go) string literal, written independently of the plugin."""
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class Injection(unittest.TestCase):
    def received_traceql(self, srv):
        qs = [r for r in srv.requests() if r.get("path", "").endswith("/api/search")]
        self.assertTrue(qs)
        raw = qs[-1].get("query", "")
        return urllib.parse.parse_qs(raw)["q"][0]

    def check_filter(self, key, values, field, label_prefix):
        for mode in MODES:
            srv = GSERVERS[mode]
            for v in values:
                with self.subTest(mode=mode, value=v):
                    srv.requests(clear=True)
                    f = one_frame(self, T.query(srv.url, "recent-errors", *SHOWN, limit=1000,
                                                **{key: [v]}))
                    rows = frame_rows(f)
                    want = sorted(o.trace_id for o in GOCC if o.label == label_prefix + v)
                    self.assertEqual(sorted(r["traceID"] for r in rows), want)
                    self.assertTrue(all(r[field] == v for r in rows))
                    q = self.received_traceql(srv)
                    if key != "exceptionTypes" or mode == "select":  # event scope: 2.6+
                        self.assertIn(go_quote(v), q)
                    traceql.parse(q, traceql.parse_version(MODES[mode]))

    def test_services(self):
        self.check_filter("services", G.HOSTILE_SERVICES, "service", "svc:")

    def test_routes(self):
        self.check_filter("routes", G.HOSTILE_ROUTES, "route", "route:")

    def test_exception_types(self):
        self.check_filter("exceptionTypes", G.HOSTILE_TYPES, "exceptionType", "type:")

    def test_several_hostile_values_at_once(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                res = T.query(GSERVERS[mode].url, "error-summary", *SHOWN,
                              services=G.HOSTILE_SERVICES, routes=["/plain"],
                              exceptionTypes=["KeyError"])
                rows = frame_rows(one_frame(self, res))
                self.assertEqual(sorted(r["service"] for r in rows), sorted(G.HOSTILE_SERVICES))
                self.assertTrue(all(r["count"] == 1 for r in rows))


# ---------------------------------------------------------------------------
# Faults, cancellation, partial failure
# ---------------------------------------------------------------------------

class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fetch = ServerProcess(version="2.5.0")
        cls.select = ServerProcess(version="2.9.0")

    @classmethod
    def tearDownClass(cls):
        cls.fetch.stop()
        cls.select.stop()

    def setUp(self):
        for s in (self.fetch, self.select):
            s.control(clear_faults=True, latency_ms=0)
            s.requests(clear=True)

    def tearDown(self):
        self.setUp()

    def fails(self, res, status=None, source="downstream", contains=None):
        self.assertNotEqual(res["status"], 200, res)
        if status:
            self.assertEqual(res["status"], status, res["error"])
        self.assertEqual(res["errorSource"], source, res["error"])
        self.assertEqual(res["frames"], [])
        if contains:
            self.assertIn(contains, res["error"])

    def test_server_down(self):
        with ServerProcess(version="2.9.0") as s:
            url = s.url
        res = T.query(url, "error-summary", *FULL)
        self.fails(res, 502, contains="request failed")

    def test_traceql_error_comes_back_verbatim(self):
        body = "invalid TraceQL query: parse error at line 1, col 9: syntax error: unexpected }"
        for srv in (self.fetch, self.select):
            srv.control(faults=[{"route": "search", "status": 400, "body": body + "\n"}])
            self.fails(T.query(srv.url, "recent-errors", *FULL), 400)
            self.assertEqual(T.query(srv.url, "recent-errors", *FULL)["error"], body)

    def test_http_errors_are_clear(self):
        cases = [(401, "credentials"), (403, "credentials"), (429, "overloaded"),
                 (500, "internal error"), (503, "unable to process"), (504, "deadline")]
        for status, text in cases:
            with self.subTest(status=status):
                self.select.control(faults=[{"route": "search", "status": status}])
                res = T.query(self.select.url, "error-summary", *FULL)
                self.fails(res, status, contains=text)

    def test_bad_bodies(self):
        for kind in ("truncate", "nonjson", "disconnect", "reset"):
            with self.subTest(kind=kind):
                self.select.control(faults=[{"route": "search", "kind": kind}])
                res = T.query(self.select.url, "error-summary", *FULL)
                self.fails(res, 502)

    def test_oversized_trace_is_one_failed_read(self):
        tid = T.error_traces(CORPUS, *FULL)[0].trace_id
        self.fetch.control(faults=[{"route": "trace", "kind": "oversize", "bytes": 40 << 20,
                                    "trace_ids": [tid]}])
        res = T.query(self.fetch.url, "error-summary", *FULL)
        f = one_frame(self, res)
        self.assertTrue(any("1 of" in n and "too large" in n for n in notices(f)), notices(f))
        rows = frame_rows(f)
        others = {t.trace_id for t in T.error_traces(CORPUS, *FULL)} - {tid}
        self.assertEqual(sum(r["count"] for r in rows),
                         len(T.occurrences(CORPUS, *FULL, traces=others)))

    def test_half_the_trace_reads_fail(self):
        self.fetch.control(faults=[{"route": "trace", "status": 500, "every": 2}])
        res = T.query(self.fetch.url, "error-summary", *FULL)
        f = one_frame(self, res)
        log = [r for r in self.fetch.requests() if "/traces/" in r.get("path", "")]
        failed = {C.normalize_trace_id(r["path"].rsplit("/", 1)[1]) for r in log
                  if r["status"] == 500}
        ok_ids = {C.normalize_trace_id(r["path"].rsplit("/", 1)[1]) for r in log
                  if r["status"] == 200}
        n = len(T.error_traces(CORPUS, *FULL))
        self.assertEqual(len(failed), n // 2)
        self.assertTrue(any("%d of %d trace reads failed" % (len(failed), n) in x
                            for x in notices(f)), notices(f))
        rows = frame_rows(f)
        self.assertEqual([{k: r[k] for k in ("service", "exceptionType", "count")} for r in rows],
                         [{k: e[k] for k in ("service", "exceptionType", "count")} for e in
                          T.summary(T.occurrences(CORPUS, *FULL, traces=ok_ids))])

    def test_every_trace_read_failing_is_an_error(self):
        self.fetch.control(faults=[{"route": "trace", "status": 503}])
        res = T.query(self.fetch.url, "error-summary", *FULL)
        self.fails(res, 503, contains="every trace read failed")

    def test_a_failing_query_does_not_affect_the_others(self):
        tid = T.error_traces(CORPUS, *FULL)[3].trace_id
        self.select.control(faults=[{"route": "trace", "status": 500, "trace_ids": [tid]}])
        queries = [
            {"refId": "BAD", "from": FULL[0] * 1000, "to": FULL[1] * 1000,
             "query": {"queryType": "trace-exceptions", "traceId": tid}},
            {"refId": "GOOD", "from": FULL[0] * 1000, "to": FULL[1] * 1000,
             "query": {"queryType": "error-summary"}},
            {"refId": "INVALID", "from": FULL[0] * 1000, "to": FULL[1] * 1000,
             "query": {"queryType": "trace-exceptions", "traceId": "xyz"}},
        ]
        results, _ = T.run(T.settings(self.select.url), queries, "--parallel")
        by = {r["refId"]: r for r in results}
        self.assertEqual(by["BAD"]["status"], 500)
        self.assertEqual(by["INVALID"]["status"], 400)
        self.assertEqual(by["INVALID"]["errorSource"], "plugin")
        rows = frame_rows(one_frame(self, by["GOOD"]))
        self.assertEqual(sum(r["count"] for r in rows), len(T.occurrences(CORPUS, *FULL)))

    def test_slow_past_the_timeout(self):
        self.select.control(latency_ms=4000)
        res = T.query(self.select.url, "error-summary", *FULL,
                      extra_settings={"timeoutSeconds": 1})
        self.fails(res, 504, contains="did not answer in time")

    def test_cancellation_stops_everything(self):
        self.fetch.control(latency_ms=10000)
        queries = [{"refId": r, "from": FULL[0] * 1000, "to": FULL[1] * 1000,
                    "query": {"queryType": q}}
                   for r, q in (("A", "error-summary"), ("B", "recent-errors"),
                                ("C", "error-groups"))]
        t0 = time.monotonic()
        results, _ = T.run(T.settings(self.fetch.url, timeoutSeconds=60), queries, "--parallel",
                           "--cancel-after-ms", "300")
        self.assertLess(time.monotonic() - t0, 9.0, "cancellation must not wait for Tempo")
        for r in results:
            self.assertEqual(r["status"], 499, r)
            self.assertEqual(r["frames"], [])

    def test_tenant_header(self):
        with ServerProcess(version="2.9.0", args=["--multitenant", "--tenant", "shop"]) as s:
            res = T.query(s.url, "error-summary", *FULL, extra_settings={"tenantId": "shop"})
            rows = frame_rows(one_frame(self, res))
            self.assertEqual(sum(r["count"] for r in rows), len(T.occurrences(CORPUS, *FULL)))
            res = T.query(s.url, "error-summary", *FULL)
            self.fails(res, 401, contains="no org id")


# ---------------------------------------------------------------------------
# Detection, modes, cache, health
# ---------------------------------------------------------------------------

class DetectionAndCache(unittest.TestCase):
    def test_versions_and_forced_modes_give_the_same_rows(self):
        expected = T.summary(T.occurrences(CORPUS, *FULL))
        cases = [("2.0.0", {}, "fetch mode", "probed"), ("2.6.0", {}, "select mode", "build info"),
                 ("3.0.3", {}, "select mode", "build info"),
                 ("2.9.0", {"tempoSearchMode": "fetch"}, "fetch mode (set", "build info"),
                 ("2.6.0", {"tempoSearchMode": "select"}, "select mode (set", "build info")]
        for version, extra, mode_text, how in cases:
            with self.subTest(version=version, extra=extra):
                with ServerProcess(version=version) as s:
                    f = one_frame(self, T.query(s.url, "error-summary", *FULL,
                                                extra_settings=extra))
                    self.assertIn(mode_text, executed(f))
                    self.assertIn(how, executed(f))
                    got = [{k: r[k] for k in expected[0]} for r in frame_rows(f)]
                    self.assertEqual(got, expected)

    def test_cold_instance_asks_build_info_beside_its_first_search(self):
        """A new datasource instance does not wait for the build info: its first
        search assumes the newest Tempo and runs beside it; only a server that
        turns out to need another query gets a second search, built for it."""
        expected = T.summary(T.occurrences(CORPUS, *FULL))
        # version, query type, searches sent, event scope and most_recent in
        # the last one, how the version was found
        cases = [("2.9.0", "error-summary", 1, True, False, "build info"),
                 ("2.9.0", "recent-errors", 1, True, True, "build info"),
                 ("2.6.0", "error-summary", 1, True, False, "build info"),
                 ("2.6.0", "recent-errors", 2, True, False, "build info"),
                 ("2.5.0", "error-summary", 2, False, False, "build info"),
                 ("2.0.0", "error-summary", 2, False, False, "probed")]
        for version, qtype, n_searches, events, recent, how in cases:
            with self.subTest(version=version, query=qtype):
                with ServerProcess(version=version) as s:
                    f = one_frame(self, T.query(s.url, qtype, *FULL, limit=1000))
                    log = s.requests()
                    searches = [urllib.parse.parse_qs(r.get("query", ""))["q"][0]
                                for r in log if r.get("path", "").endswith("/api/search")]
                    infos = [r for r in log if r.get("path", "").endswith("/buildinfo")]
                    self.assertEqual(len(infos), 1)
                    self.assertEqual(len(searches), n_searches, searches)
                    # the guess: the newest Tempo (event scope, most_recent when asked)
                    self.assertIn("event.exception.type", searches[0])
                    self.assertEqual("most_recent" in searches[0], qtype == "recent-errors")
                    self.assertEqual("event." in searches[-1], events, searches[-1])
                    self.assertEqual("most_recent" in searches[-1], recent, searches[-1])
                    self.assertIn(how, executed(f))
                    self.assertIn(searches[-1], executed(f))
                    rows = frame_rows(f)
                    if qtype == "error-summary":
                        got = [{k: r[k] for k in expected[0]} for r in rows]
                        self.assertEqual(got, expected)
                    else:
                        self.assertEqual(len(rows), len(T.occurrences(CORPUS, *FULL)))

    def test_health(self):
        for mode, url in ((m, SERVERS[m].url) for m in MODES):
            with self.subTest(mode=mode):
                out, _ = T.run(T.settings(url), [], "--health")
                h = out[0]
                self.assertEqual(h["health"], "ok", h)
                d = h["details"]["tempo"]
                self.assertEqual(d["version"], MODES[mode])
                self.assertEqual(d["searchMode"], mode)
                self.assertIn("Tempo OK", h["message"])
        with ServerProcess(version="2.9.0") as s:
            url = s.url
        out, _ = T.run(T.settings(url), [], "--health")
        self.assertEqual(out[0]["health"], "error")
        self.assertIn("Tempo FAILED", out[0]["message"])

    def test_trace_cache_serves_repeated_panels(self):
        with ServerProcess(version="2.5.0") as s:
            q = [{"refId": "A", "from": FULL[0] * 1000, "to": FULL[1] * 1000,
                  "query": {"queryType": "error-summary"}}]
            out, _ = T.run(T.settings(s.url), q, "--repeat", "2")
            n = len(T.error_traces(CORPUS, *FULL))
            first, second = executed(out[0]["frames"][0]), executed(out[1]["frames"][0])
            self.assertIn("0 from cache, %d with" % n, first)
            self.assertIn("%d from cache, 0 with" % n, second)
            reads = [r for r in s.requests() if "/traces/" in r.get("path", "")]
            self.assertEqual(len(reads), n)
            self.assertEqual(frame_rows(out[0]["frames"][0]), frame_rows(out[1]["frames"][0]))
            # a cache too small for any trace keeps nothing and changes nothing
            out, _ = T.run(T.settings(s.url, traceCacheBytes=1024), q, "--repeat", "2")
            self.assertIn("0 from cache", executed(out[1]["frames"][0]))

    def test_path_prefix(self):
        with ServerProcess(version="2.9.0", args=["--prefix", "/tempo"]) as s:
            res = T.query(s.url + "/tempo", "error-summary", *FULL)
            rows = frame_rows(one_frame(self, res))
            self.assertEqual(sum(r["count"] for r in rows), len(T.occurrences(CORPUS, *FULL)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    args, rest = ap.parse_known_args()
    T.DRIVER = os.path.abspath(args.driver)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
