"""Injection (issue 8, suite 1): every user value that reaches PromQL,
TraceQL or a URL, with hostile text.

The plugin runs as Grafana runs it (driver.mjs over gRPC) against recording
stand-ins for Prometheus and Tempo (hostile.StandIn). For every value and
every place it enters a query, the requests the stand-ins received are read
back with a tokenizer written here (hostile.tokenize, Go string-literal rules)
and compared with the requests for the harmless value "abc": the same
requests, the same tokens outside string literals, and the value back — byte
for byte — from its literal (as an escaped regex literal where the operator
is =~). Values that cannot be represented (NUL) must be a 400 for that query
with nothing sent. Trace IDs that are not hex are a 400 and never reach a
URL. Finally the values run once against a real Prometheus (Debian package)
for what only the real parser can tell: it accepts every literal the plugin
writes and matches it literally, for the fields the Prometheus panel suite
does not cover (routes, exception types, environment, labelFilter).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402

VALUES = [
    '"', "\\", '\\"', 'a"b', "a'b", "`", '"}) or vector(1) #', 'x"} or {__name__=~".+', "{", "}",
    "{}", "a}b", "|", "a|b", ".*", ".+", "(", ")", "[", "]", "a[b-c]", "^$", "?", "$", "a.b",
    "\n", "a\r\nb", "\t", "\x01\x1f\x7f", "#comment", "é", "日本語", "שלום", "مرحبا",
    "\u202eevil\u202c", "🔥💥", "👨‍👩‍👧", "e\u0301", "\u2028\u2029", "\ufeff",
    "&& true", "|| true", "} || { true", '") || (name = "x', '" && status = ok && name = "',
    "' OR 1=1 --", "${service}", "%2F%00%22", "/api/v1/../admin", " spaced out ", "a,b",
    "x" * 4096,
]
NUL_VALUES = ["a\x00b", "\x00"]

NUL_ERRORS = set()


def esc_label_filter(v):
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def model_for(field, qtype, value):
    m = {"queryType": qtype}
    if qtype == "variable":
        m["variable"] = "services" if field == "routes" else "routes"
    if qtype == "error-rate":
        m["groupBy"] = "service_route"
    if field == "labelFilter":
        m["labelFilter"] = 'k8s_namespace_name="%s", region=~"%s"' % (esc_label_filter(value),
                                                                     esc_label_filter(value))
    else:
        m[field] = [value]
    return m


# (context, field) → query types the field reaches
PROM_TYPES = ["error-rate", "hotspots", "top-types", "variable"]
TEMPO_TYPES = ["recent-errors", "error-summary", "error-groups"]
CASES = [
    ("both", "services", PROM_TYPES + TEMPO_TYPES),
    ("tempo", "services", ["variable"]),
    ("both", "routes", ["error-rate", "hotspots", "variable"] + TEMPO_TYPES),
    ("both", "exceptionTypes", ["top-types", "recent-errors", "error-summary", "error-groups"]),
    ("both", "environment", ["error-rate", "hotspots", "top-types"] + TEMPO_TYPES),
    ("tempo", "environment", ["variable"]),
    ("both", "labelFilter", PROM_TYPES),
]
QUERY_PARAMS = ("query", "match[]", "q")


class Env:
    prom = tempo = driver = None
    ctx = {}


def run_query(ctx_name, model):
    res = Env.driver.query(Env.ctx[ctx_name], model)
    reqs = Env.prom.take() + Env.tempo.take()
    return res["responses"]["A"], reqs


def params_of(req):
    p = dict(req["query"])
    p.update(req["form"])
    return p


def request_key(r):
    """Requests of one query may run in parallel: pair them by what they ask
    (path, the query's tokens outside literals, the other parameters)."""
    p = params_of(r)
    sig = []
    for name in QUERY_PARAMS:
        for v in p.get(name, []):
            try:
                sig.append(" ".join(t[1] for t in H.tokenize(v) if t[0] != "str"))
            except H.LexError:
                sig.append("?")
    rest = sorted((k, v) for k, vs in p.items() if k not in QUERY_PARAMS for v in vs)
    return (r["method"], r["path"], sig, rest)


def compare_requests(test, base_reqs, reqs, value, user_regex=False, what=""):
    base_reqs = sorted(base_reqs, key=request_key)
    reqs = sorted(reqs, key=request_key)
    test.assertEqual([(r["method"], r["path"]) for r in reqs],
                     [(r["method"], r["path"]) for r in base_reqs], what)
    literals = 0
    for b, h in zip(base_reqs, reqs):
        pb, ph = params_of(b), params_of(h)
        test.assertEqual(sorted(pb), sorted(ph), what)
        for name in pb:
            test.assertEqual(len(pb[name]), len(ph[name]), what)
            for vb, vh in zip(pb[name], ph[name]):
                if name in QUERY_PARAMS and "abc" in vb:
                    msg = H.same_structure(vb, vh, value, user_regex=user_regex)
                    test.assertIsNone(msg, "%s: %s" % (what, msg))
                    literals += 1
                else:
                    test.assertEqual(vh, vb, "%s: parameter %s" % (what, name))
    return literals


class Checker(unittest.TestCase):
    """The read-back itself: it must catch what it is there to catch."""

    def test_catches_broken_literals_and_smuggled_syntax(self):
        base = 'm{a="x",s="abc"}'
        self.assertIsNone(H.same_structure(base, 'm{a="x",s="\\"\\\\"}', '"\\'))
        for bad, value in (('m{a="x",s=""} or vector(1) #"}', '"} or vector(1) #'),
                           ('m{a="x",s="a"b"}', 'a"b'),
                           ('m{a="x",s="x",s="y"}', 'x",s="y'),
                           ('m{a="x",s="abd"}', "abc"),
                           ('m{a="y",s="v"}', "v")):
            self.assertIsNotNone(H.same_structure(base, bad, value), bad)
        re_base = 'm{s=~"abc|zzz"}'
        self.assertIsNone(H.same_structure(re_base, 'm{s=~"\\\\.\\\\*|zzz"}', ".*"))
        self.assertIsNotNone(H.same_structure(re_base, 'm{s=~".*|zzz"}', ".*"))
        tq = '{ status = error && (resource.service.name = "abc") }'
        self.assertIsNotNone(H.same_structure(
            tq, '{ status = error && (resource.service.name = "") || (true) }', '") || (true'))


class Injection(unittest.TestCase):
    def test_every_value_in_every_field_is_one_literal(self):
        checked = 0
        for ctx_name, field, types in CASES:
            for qtype in types:
                base, base_reqs = run_query(ctx_name, model_for(field, qtype, "abc"))
                self.assertEqual(base["status"], 200, (ctx_name, field, qtype, base["error"]))
                self.assertTrue(any("abc" in v for r in base_reqs for k, vs in params_of(r).items()
                                    if k in QUERY_PARAMS for v in vs),
                                "the harmless value reaches no query: %s %s %s" % (ctx_name, field, qtype))
                for value in VALUES:
                    what = "%s/%s/%s value %r" % (ctx_name, field, qtype, value[:40])
                    res, reqs = run_query(ctx_name, model_for(field, qtype, value))
                    self.assertEqual(res["status"], 200, "%s: %s" % (what, res["error"]))
                    n = compare_requests(self, base_reqs, reqs, value,
                                         user_regex=field == "labelFilter", what=what)
                    self.assertGreater(n, 0, what)
                    checked += n
        print("\n  %d query literals read back and compared" % checked, file=sys.stderr)

    def test_nul_is_a_400_and_nothing_is_sent(self):
        for ctx_name, field, types in CASES:
            for qtype in types:
                for value in NUL_VALUES:
                    what = "%s/%s/%s %r" % (ctx_name, field, qtype, value)
                    res, reqs = run_query(ctx_name, model_for(field, qtype, value))
                    self.assertEqual(res["status"], 400, what)
                    self.assertEqual(res["errorSource"], "plugin", what)
                    self.assertTrue(any(w in res["error"] for w in ("NUL", "\\u0000", "control character")),
                                    "%s: %s" % (what, res["error"]))
                    NUL_ERRORS.add(res["error"][:60])
                    self.assertEqual(reqs, [], what)

    def test_lone_surrogates_and_oversized_values_are_400(self):
        # lone surrogates (JSON \\ud800): not text, the query JSON is invalid
        for value in ("\ud800", "a\udc00b"):
            res, reqs = run_query("both", {"queryType": "hotspots", "services": [value]})
            self.assertEqual(res["status"], 400, (value, res["error"]))
            self.assertEqual(reqs, [], value)
        for model in ({"queryType": "hotspots", "services": ["x" * 4097]},
                      {"queryType": "hotspots", "services": ["v%d" % i for i in range(1001)]},
                      {"queryType": "hotspots", "labelFilter": 'a="\\0"'},
                      {"queryType": "hotspots", "labelFilter": 'a="b"}) or vector(1'},
                      {"queryType": "hotspots", "labelFilter": 'a-b="x"'},
                      {"queryType": "hotspots", "labelFilter": '"a"="x"'},
                      {"queryType": "hotspots", "labelFilter": 'a="x" or b="y"'},
                      {"queryType": "hotspots", "labelFilter": 'a="x"\nb="y"'},
                      {"queryType": "hotspots", "labelFilter": 'a=x'},
                      {"queryType": "hotspots", "labelFilter": 'a="unterminated'}):
            res, reqs = run_query("both", model)
            self.assertEqual(res["status"], 400, (model, res["error"]))
            self.assertEqual(reqs, [], model)

    def test_multi_value_lists_are_exact_alternations(self):
        for value in VALUES:
            res, reqs = run_query("both", {"queryType": "hotspots", "services": [value, "zzz"]})
            self.assertEqual(res["status"], 200, res["error"])
            for r in reqs:
                toks = H.tokenize(params_of(r)["query"][0])
                i = next(k for k, t in enumerate(toks) if t == ("word", "service_name")
                         and toks[k + 1][0] == "op" and "=" in toks[k + 1][1])
                self.assertEqual(toks[i + 1], ("op", "=~"))
                parts = [H.regex_unescape(p) for p in H.split_alternation(toks[i + 2][1])]
                self.assertEqual(sorted(parts), sorted([value.encode(), b"zzz"]), repr(value))
            res, reqs = run_query("both", {"queryType": "recent-errors", "services": [value, "zzz"]})
            self.assertEqual(res["status"], 200, res["error"])
            toks = H.tokenize(params_of(reqs[0])["q"][0])
            lits = [toks[k + 2][1] for k, t in enumerate(toks)
                    if t == ("word", "resource.service.name") and toks[k + 1] == ("op", "=")]
            self.assertEqual(sorted(lits), sorted([value.encode(), b"zzz"]), repr(value))
        # Grafana's "{a,b}" multi-value string: split on commas, each part literal
        res, reqs = run_query("both", {"queryType": "hotspots", "services": '{.*,a"b}'})
        toks = H.tokenize(params_of(reqs[0])["query"][0])
        i = next(k for k, t in enumerate(toks) if t == ("word", "service_name")
                 and toks[k + 1][0] == "op" and "=" in toks[k + 1][1])
        parts = [H.regex_unescape(p) for p in H.split_alternation(toks[i + 2][1])]
        self.assertEqual(sorted(parts), [b'.*', b'a"b'])

    def test_trace_ids(self):
        # distinct IDs: a trace already read comes from the plugin's cache
        good = {H.TRACE_ID: H.TRACE_ID, "1" * 16 + "ABCDEF0123456789": "1" * 16 + "abcdef0123456789",
                "abc": "0" * 29 + "abc", "  %s  " % ("2" * 32): "2" * 32,
                "abd\n": "0" * 29 + "abd"}
        for tid, norm in good.items():
            res, reqs = run_query("both", {"queryType": "trace-exceptions", "traceId": tid})
            self.assertEqual(res["status"], 200, (tid, res["error"]))
            self.assertEqual([r["raw_path"] for r in reqs], ["/api/v2/traces/" + norm], tid)
        bad = ["../../api/echo", "abc/def", H.TRACE_ID + "0", "zz", "12 34", "%2e%2e", "abc?x=1",
               "abc#x", "ab\ncd", "ab\x00cd", "'", "\u0661\u0662", "\uff41\uff42", "0x1234", "",
               "abc&limit=1", "{}", ".*", "a" * 5000, "é"]
        for tid in bad:
            res, reqs = run_query("both", {"queryType": "trace-exceptions", "traceId": tid})
            self.assertEqual(res["status"], 400, (tid, res["error"]))
            # NUL is refused by the JSON parser (\u0000), before the field is read
            self.assertTrue("traceId" in res["error"] or "\\u0000" in res["error"], res["error"])
            self.assertEqual(reqs, [], tid)
        # a trace ID of the wrong JSON type
        res, reqs = run_query("both", {"queryType": "trace-exceptions", "traceId": ["abc"]})
        self.assertEqual(res["status"], 400)
        self.assertEqual(reqs, [])

    def resource(self, ctx_name, url):
        r = Env.driver.call({"op": "resource", "ctx": Env.ctx[ctx_name], "url": url})
        return r, Env.prom.take() + Env.tempo.take()

    def test_resource_route_parameters(self):
        span = "&from=%d&to=%d" % (H.FROM_MS, H.TO_MS)
        values = VALUES + ["\udcff\udcfe"]  # invalid UTF-8 (percent-encoded 0xff 0xfe)
        for ctx_name in ("both", "tempo"):
            for route in ("services", "routes", "exception-types", "span-names"):
                if ctx_name == "tempo" and route == "span-names":
                    continue
                base, base_reqs = self.resource(ctx_name, "/%s?service=abc%s" % (route, span))
                self.assertEqual(base["code"], 200, base)
                if not any("abc" in v for r in base_reqs for vs in params_of(r).values() for v in vs):
                    continue  # this route is not narrowed by service here
                for value in values:
                    enc = urllib.parse.quote(value.encode("utf-8", "surrogateescape"), safe="")
                    what = "%s /%s service=%r" % (ctx_name, route, value[:40])
                    r, reqs = self.resource(ctx_name, "/%s?service=%s%s" % (route, enc, span))
                    self.assertEqual(r["code"], 200, "%s: %s" % (what, r["body"]))
                    self.assertGreater(compare_requests(self, base_reqs, reqs, value, what=what), 0)
                for value in NUL_VALUES:
                    enc = urllib.parse.quote(value, safe="")
                    r, reqs = self.resource(ctx_name, "/%s?service=%s%s" % (route, enc, span))
                    self.assertEqual(r["code"], 400, (ctx_name, route, value, r))
                    self.assertIn("NUL", json.loads(r["body"])["error"])
                    self.assertEqual(reqs, [])

    def test_resource_paths_and_numbers(self):
        for path in ("/services/../metrics-schema", "/%2e%2e/services", "/../../etc/passwd",
                     "/SERVICES", "/services%00", "/services\n", "/metrics-schema/x", "/",
                     "/services;x", "//services//x"):
            r, reqs = self.resource("both", path)
            self.assertEqual(r["code"], 404, (path, r))
            self.assertEqual(reqs, [], path)
        for q in ("from=1e99&to=2", "from=-5&to=abc", "from=99999999999999999999999&to=1",
                  "from=%00&to=%0a", "from=1&from=2&to=3"):
            r, reqs = self.resource("both", "/services?" + q)
            self.assertEqual(r["code"], 200, (q, r))
            for req in reqs:
                for k in ("start", "end"):
                    for v in params_of(req).get(k, []):
                        float(v)  # a number, whatever came in
        r = Env.driver.call({"op": "resource", "ctx": Env.ctx["both"], "url": "/services",
                             "method": "POST"})
        self.assertEqual(r["code"], 405)


# ---- the real Prometheus -------------------------------------------------------------------------

END = 1767225600
START = END - 3600
REAL_FIELDS = {"routes": "http_route", "exceptionTypes": "exception_type",
               "environment": "deployment_environment", "labelFilter": "k8s_namespace_name"}


def json_rows(frame):
    names = [f["name"] for f in frame["schema"]["fields"]]
    cols = frame["data"]["values"]
    return [dict(zip(names, vals)) for vals in zip(*cols)] if cols else []


def om_escape(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class RealPrometheus:
    """A Prometheus (Debian package) over a TSDB backfilled with one series per
    hostile value in each of the label(s) that REAL_FIELDS filter on."""

    def __init__(self, values):
        self.values = values
        self.dir = tempfile.mkdtemp(prefix="et-hostile-prom-")

    def __enter__(self):
        lines = ["# TYPE traces_span_metrics_calls counter", "# TYPE traces_span_metrics_events counter"]
        for i, v in enumerate(self.values):
            e = om_escape(v)
            base = ('service_name="svc",span_name="op%d",span_kind="SPAN_KIND_SERVER",'
                    'status_code="STATUS_CODE_ERROR",http_route="%s",deployment_environment="%s",'
                    'k8s_namespace_name="%s"' % (i, e, e, e))
            for t in range(START - 600, END + 1, 60):
                lines.append('traces_span_metrics_calls_total{%s} %d %d' % (base, (t - START) // 60 + 10, t))
            for t in range(START - 600, END + 1, 60):
                lines.append('traces_span_metrics_events_total{%s,exception_type="%s"} %d %d'
                             % (base, e, (t - START) // 60 + 10, t))
        # the two families must not interleave in OpenMetrics: sort by family
        calls = [l for l in lines[2:] if l.startswith("traces_span_metrics_calls_total")]
        events = [l for l in lines[2:] if l.startswith("traces_span_metrics_events_total")]
        om = os.path.join(self.dir, "data.om")
        with open(om, "w") as f:
            f.write("# TYPE traces_span_metrics_calls counter\n" + "\n".join(calls) + "\n"
                    "# TYPE traces_span_metrics_events counter\n" + "\n".join(events) + "\n# EOF\n")
        tsdb = os.path.join(self.dir, "tsdb")
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", om, tsdb],
                       check=True, capture_output=True)
        with open(os.path.join(self.dir, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 15s\n")
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            ["prometheus", "--config.file=" + os.path.join(self.dir, "prometheus.yml"),
             "--storage.tsdb.path=" + tsdb, "--web.listen-address=127.0.0.1:%d" % self.port,
             "--storage.tsdb.retention.time=100y"], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("Prometheus did not start: %s" % self.dir)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@unittest.skipUnless(shutil.which("prometheus") and shutil.which("promtool"), "no Prometheus package")
class RealPrometheusLiterals(unittest.TestCase):
    """Fields the Prometheus panel suite does not cover, against the real parser."""

    def test_real_parser_accepts_and_matches_literally(self):
        values = [v for v in VALUES if len(v) < 200] + ["abc"]
        with RealPrometheus(values) as prom:
            ctx = {"jsonData": {"prometheusUrl": prom.url, "scrapeIntervalSeconds": 60},
                   "uid": "real-prom"}
            checked = 0
            for field, label in REAL_FIELDS.items():
                for value in values:
                    model = {"queryType": "top-types" if field == "exceptionTypes" else "hotspots",
                             "limit": 1000}
                    if field == "labelFilter":
                        model["labelFilter"] = 'k8s_namespace_name="%s"' % esc_label_filter(value)
                    else:
                        model[field] = [value]
                    # JSON frames: apache-arrow's TextDecoder would drop a leading BOM
                    res = Env.driver.query(ctx, model, from_ms=START * 1000, to_ms=END * 1000,
                                           fmt="JSON")["responses"]["A"]
                    what = "%s=%r" % (field, value)
                    self.assertEqual(res["status"], 200, "%s: %s" % (what, res["error"]))
                    rows = json_rows(res["frames"][0])
                    self.assertEqual(len(rows), 1, "%s matched %d series" % (what, len(rows)))
                    if field == "routes":
                        self.assertEqual(rows[0]["route"], value)
                    if field == "exceptionTypes":
                        self.assertEqual(rows[0]["exceptionType"], value)
                    checked += 1
            # several values at once: the alternation matches exactly those
            res = Env.driver.query(ctx, {"queryType": "hotspots", "routes": [".*", "a|b", "(", "abc"],
                                         "limit": 1000}, from_ms=START * 1000, to_ms=END * 1000)
            rows = res["responses"]["A"]["frames"][0]["rows"]
            self.assertEqual(sorted(r["route"] for r in rows), sorted([".*", "a|b", "(", "abc"]))
            print("\n  real Prometheus: %d hostile literals accepted and matched literally" % checked,
                  file=sys.stderr)


def main():
    Env.prom = H.StandIn("prometheus")
    Env.tempo = H.StandIn("tempo")
    Env.driver = H.Driver()
    Env.ctx = {
        "both": {"jsonData": {"prometheusUrl": Env.prom.url, "tempoUrl": Env.tempo.url}, "uid": "both"},
        "tempo": {"jsonData": {"tempoUrl": Env.tempo.url}, "uid": "tempo-only"},
    }
    # warm the per-datasource caches (span-metrics naming, Tempo version)
    for name in Env.ctx:
        Env.driver.query(Env.ctx[name], {"queryType": "recent-errors"})
        if name == "both":
            Env.driver.query(Env.ctx[name], {"queryType": "hotspots"})
    Env.prom.take()
    Env.tempo.take()
    started = time.time()
    try:
        result = unittest.main(argv=[sys.argv[0]], exit=False, verbosity=2).result
    finally:
        out = Env.driver.close()
        Env.prom.close()
        Env.tempo.close()
    print("injection suite: %.1f s; NUL answers: %s" % (time.time() - started, sorted(NUL_ERRORS)))
    ok = result.wasSuccessful() and out is not None and out.get("code") == 0
    if out is None or out.get("code") != 0:
        print("plugin did not exit cleanly: %r" % (out,))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
