#!/usr/bin/env python3
"""Command-line tests of gpx_errortriage (issue 7): `query` and `triage`.

Runs the real executable and checks exit statuses and messages for bad
arguments (exit 2 with a usage hint), unreachable servers (exit 1 with a
clear message) and malformed trace files (exit 1, "FILE:LINE: ..."), and
checks `triage` answers against tests/tempo/corpus.py, which reads the
example traces without any of the plugin's code. The Collector file
exporter format is tested with files this test writes itself (a converter
from Tempo bodies, and a generated 100,000-line file).

Run: python3 tests/cli/test_cli.py --bin build/src/plugin/gpx_errortriage
"""

import argparse
import base64
import collections
import glob
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "tempo"))
import corpus  # noqa: E402  (tests/tempo/corpus.py: independent of the plugin)
from tempo_server import ServerProcess  # noqa: E402

BIN = None
CORPUS_DIR = os.path.join(ROOT, "examples", "traces")
CORPUS_FILES = sorted(glob.glob(os.path.join(CORPUS_DIR, "*.jsonl")) +
                      glob.glob(os.path.join(CORPUS_DIR, "tempo-bodies", "*.json")))
# The corpus: 2025-03-12 08:00 - 10:00 UTC.
T0, T_MID, T_END = 1741766400, 1741770000, 1741773600
S = 10**9


def run(args, stdin=None, timeout=300, env=None):
    p = subprocess.run([BIN] + list(args), input=stdin, capture_output=True, timeout=timeout,
                       env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def frames_of(stdout):
    """{frame name: [row dict]} from `--format json` output; times in ns."""
    doc = json.loads(stdout)
    out = {}
    for fr in doc["results"]["A"]["frames"]:
        names = [f["name"] for f in fr["schema"]["fields"]]
        values = fr["data"]["values"]
        nanos = fr["data"].get("nanos") or [None] * len(names)
        types = [f["type"] for f in fr["schema"]["fields"]]
        rows = []
        for i in range(len(values[0]) if values else 0):
            row = {}
            for j, n in enumerate(names):
                v = values[j][i]
                if types[j] == "time" and v is not None:
                    v = v * 10**6 + ((nanos[j] or [0] * (i + 1))[i] if nanos[j] else 0)
                row[n] = v
            rows.append(row)
        out[fr["schema"]["name"]] = {"rows": rows, "schema": fr["schema"]}
    return out


def triage(files, *extra, stdin=None):
    rc, out, err = run(["triage", "--format", "json"] + list(extra) + list(files), stdin=stdin)
    if rc != 0:
        raise AssertionError("triage failed (%d): %s" % (rc, err))
    return frames_of(out)


def summary_key(rows):
    return {(r["service"], r["exceptionType"]): (r["count"], r["firstSeen"], r["lastSeen"])
            for r in rows}


def expected_summary(occurrences):
    exp = {}
    for o in occurrences:
        c, lo, hi = exp.get((o.service, o.exception_type), (0, None, None))
        exp[(o.service, o.exception_type)] = (c + 1, o.time_ns if lo is None else min(lo, o.time_ns),
                                              o.time_ns if hi is None else max(hi, o.time_ns))
    return exp


CORPUS = None


def occurrences(lo_ns=None, hi_ns=None, hi_open=False, services=None):
    """One occurrence per ERROR span of the corpus (corpus.py's rules), by span start."""
    out = []
    for o in corpus.error_occurrences(CORPUS, per="span", services=services):
        if lo_ns is not None and o.time_ns < lo_ns:
            continue
        if hi_ns is not None and (o.time_ns >= hi_ns if hi_open else o.time_ns > hi_ns):
            continue
        out.append(o)
    return out


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ----------------------------------------------------------------------------------------------
# triage: answers


class TriageAnswers(unittest.TestCase):
    def test_whole_files_summary_equals_corpus(self):
        f = triage(CORPUS_FILES)
        rows = f["error-summary"]["rows"]
        occ = occurrences()
        self.assertEqual(len(occ), 306)  # corpus README: 306 ERROR spans
        self.assertEqual(summary_key(rows), expected_summary(occ))
        counts = [r["count"] for r in rows]
        self.assertEqual(counts, sorted(counts, reverse=True))
        newest = {}
        for o in occ:
            k = (o.service, o.exception_type)
            if k not in newest or o.time_ns > newest[k][0]:
                newest[k] = (o.time_ns, set())
            if o.time_ns == newest[k][0]:
                newest[k][1].add(o.trace_id)
        for r in rows:  # the example is the latest occurrence
            self.assertIn(r["traceID"], newest[(r["service"], r["exceptionType"])][1])

    def test_whole_files_groups_partition_the_errors(self):
        f = triage(CORPUS_FILES)
        groups = f["error-groups"]["rows"]
        occ = occurrences()
        self.assertEqual(sum(g["count"] for g in groups), len(occ))
        by_type = collections.Counter(o.exception_type for o in occ)
        got = collections.Counter()
        for g in groups:
            got[g["exceptionType"]] += g["count"]
            self.assertFalse(g["new"])
            self.assertEqual(sum(g["trend"]), g["count"])
        self.assertEqual(got, by_type)
        fields = [x["name"] for x in f["error-groups"]["schema"]["fields"]]
        self.assertNotIn("status", fields)  # no baseline: no comparison columns
        notices = f["error-groups"]["schema"]["meta"]["notices"]
        self.assertTrue(any("No baseline" in n["text"] and "--from" in n["text"] for n in notices))
        for g in groups:  # services of a group are those of its events
            svcs = {o.service for o in occ if o.exception_type == g["exceptionType"]}
            self.assertTrue(set(g["services"].split(", ")) <= svcs, g)

    def test_range_uses_previous_range_as_baseline(self):
        f = triage(CORPUS_FILES, "--from", str(T_MID), "--to", str(T_END))
        cur = occurrences(T_MID * S, T_END * S)
        base = occurrences(T0 * S, T_MID * S, hi_open=True)
        self.assertEqual(summary_key(f["error-summary"]["rows"]), expected_summary(cur))
        groups = f["error-groups"]["rows"]
        cur_types = collections.Counter(o.exception_type for o in cur)
        base_types = collections.Counter(o.exception_type for o in base)
        got_cur, got_base = collections.Counter(), collections.Counter()
        first = {}
        for g in groups:
            t = g["exceptionType"]
            got_cur[t] += g["count"]
            got_base[t] += g["previousCount"]
            first[t] = min(first.get(t, g["firstSeen"]), g["firstSeen"])
            if t not in base_types:  # nothing of this type before: every group of it is new
                self.assertTrue(g["new"], g)
                self.assertEqual(g["status"], "new")
            if t not in cur_types:
                self.assertEqual(g["status"], "resolved")
                self.assertEqual(g["count"], 0)
            if g["new"]:
                self.assertEqual(g["previousCount"], 0)
        self.assertEqual(got_cur, cur_types)
        self.assertEqual(got_base, base_types)
        for t in cur_types:  # first seen reaches back into the baseline
            self.assertEqual(first[t], min(o.time_ns for o in cur + base if o.exception_type == t))
        # corpus README: shipping's nil-pointer panics are a new group from 09:10
        self.assertTrue(any(g["exceptionType"] == "runtime.errorString" and g["new"]
                            for g in groups))
        self.assertFalse(any(g["exceptionType"] == "psycopg2.OperationalError" and g["new"]
                             for g in groups))
        notices = " ".join(n["text"] for n in f["error-groups"]["schema"]["meta"]["notices"])
        self.assertIn("%d error spans" % len(cur), notices)
        self.assertIn("%d in the baseline" % len(base), notices)

    def test_baseline_files(self):
        first_half = os.path.join(self.tmp, "first.jsonl")
        second_half = os.path.join(self.tmp, "second.jsonl")
        with open(os.path.join(CORPUS_DIR, "handbuilt.jsonl")) as f:
            lines = f.read().splitlines()
        with open(first_half, "w") as f:
            f.write("\n".join(lines[:24]) + "\n")
        with open(second_half, "w") as f:
            f.write("\n".join(lines[24:]) + "\n")
        f = triage([second_half], "--baseline", first_half)
        groups = f["error-groups"]["rows"]
        self.assertTrue(any(g["status"] in ("ongoing", "resolved") for g in groups))
        for g in groups:
            self.assertEqual(g["new"], g["previousCount"] == 0 and g["count"] > 0)
        both = triage([first_half, second_half])
        self.assertEqual(sum(g["count"] + g["previousCount"] for g in groups),
                         sum(g["count"] for g in both["error-groups"]["rows"]))

    def test_service_filter(self):
        f = triage(CORPUS_FILES, "--service", "checkout", "--service", "payment")
        occ = occurrences(services={"checkout", "payment"})
        self.assertEqual(summary_key(f["error-summary"]["rows"]), expected_summary(occ))
        self.assertEqual({r["service"] for r in f["error-summary"]["rows"]},
                         {"checkout", "payment"})

    def test_limit(self):
        f = triage(CORPUS_FILES, "--limit", "3")
        self.assertEqual(len(f["error-summary"]["rows"]), 3)
        self.assertEqual(len(f["error-groups"]["rows"]), 3)
        notices = [n["text"] for n in f["error-summary"]["schema"]["meta"]["notices"]]
        self.assertTrue(any("first 3 of" in n for n in notices))

    def test_collector_lines_from_tempo_bodies(self):
        """Tempo bodies (base64 IDs, enum names, v1/v2/bare) converted to the Collector's file
        exporter format (hex IDs, enum numbers, one {"resourceSpans"} per line) answer the same."""
        bodies = sorted(glob.glob(os.path.join(CORPUS_DIR, "tempo-bodies", "*.json")))
        path = os.path.join(self.tmp, "collector.jsonl")
        with open(path, "w") as out:
            for b in bodies:
                with open(b) as f:
                    lines = list(to_collector_lines(json.load(f)))
                for line in lines:
                    out.write(line + "\n\n")
        with open(path) as f:
            self.assertNotIn("==", f.read())  # no base64 left
        a, b = triage(bodies), triage([path])
        self.assertEqual(a["error-summary"]["rows"], b["error-summary"]["rows"])
        self.assertEqual(a["error-groups"]["rows"], b["error-groups"]["rows"])
        self.assertGreater(len(a["error-summary"]["rows"]), 0)

    def test_pretty_printed_documents_equal_lines(self):
        src = os.path.join(CORPUS_DIR, "handbuilt-ils.jsonl")
        pretty = os.path.join(self.tmp, "pretty.json")
        with open(src) as f, open(pretty, "w") as out:
            for line in f:
                if line.strip():
                    out.write(json.dumps(json.loads(line), indent=2) + "\n")
        self.assertEqual(triage([src])["error-summary"]["rows"],
                         triage([pretty])["error-summary"]["rows"])

    def test_stdin(self):
        src = os.path.join(CORPUS_DIR, "otel-sdk-frontend.jsonl")
        with open(src, "rb") as f:
            data = f.read()
        self.assertEqual(triage(["-"], stdin=data)["error-summary"]["rows"],
                         triage([src])["error-summary"]["rows"])

    def test_100k_lines_streamed(self):
        path = os.path.join(self.tmp, "big.jsonl")
        n, types = 100000, ["E%d" % i for i in range(7)]
        expect = collections.Counter()
        with open(path, "w") as out:
            for i in range(n):
                svc, typ = "svc%d" % (i % 3), types[i % 7]
                if i % 10 != 9:
                    expect[(svc, typ)] += 1
                out.write(collector_line(i, svc, typ, error=i % 10 != 9) + "\n")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8").lstrip(":")
        rc, out, err = run(["triage", "--format", "json", path], env=env)
        self.assertEqual(rc, 0, err)
        rows = frames_of(out)["error-summary"]["rows"]
        self.assertEqual({(r["service"], r["exceptionType"]): r["count"] for r in rows},
                         dict(expect))
        size_kb = os.path.getsize(path) // 1024
        rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if rss_kb > before:  # this child set the maximum: bounded well below the file size
            self.assertLess(rss_kb, size_kb, "max RSS %d kB for a %d kB file" % (rss_kb, size_kb))

    def test_table_and_arrow_output(self):
        rc, out, err = run(["triage", CORPUS_FILES[0]])
        self.assertEqual(rc, 0, err)
        self.assertIn("exceptionType", out)
        self.assertIn("fingerprint", out)
        self.assertIn("No baseline", out)
        rc, out, err = run(["triage", "--format", "arrow", "--output", self.tmp, CORPUS_FILES[0]])
        self.assertEqual(rc, 0, err)
        for i in range(2):
            with open(os.path.join(self.tmp, "frame%d.arrow" % i), "rb") as f:
                self.assertEqual(f.read(6), b"ARROW1")

    def test_help(self):
        rc, out, err = run(["triage", "--help"])
        self.assertEqual(rc, 0)
        self.assertIn("usage: gpx_errortriage triage", out)
        rc, out, err = run(["help"])
        self.assertEqual(rc, 0)
        self.assertIn("triage", out)

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()


def hex_id(v, nbytes):
    if not v:
        return v
    if len(v) == 2 * nbytes:
        try:
            bytes.fromhex(v)
            return v
        except ValueError:
            pass
    return base64.b64decode(v).hex()


def to_collector_lines(body):
    """A Tempo trace body as the Collector's file exporter would write it."""
    if "batches" in body:
        rss = body["batches"]
    elif "trace" in body:
        rss = body["trace"].get("resourceSpans", [])
    else:
        rss = body["resourceSpans"]
    for rs in rss:
        scopes = []
        for ss in rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []:
            spans = []
            for sp in ss.get("spans", []):
                sp = dict(sp)
                for k, n in (("traceId", 16), ("spanId", 8), ("parentSpanId", 8)):
                    if k in sp:
                        sp[k] = hex_id(sp[k], n)
                if isinstance(sp.get("kind"), str):
                    sp["kind"] = corpus.KIND_NAMES.index(sp["kind"])
                st = dict(sp.get("status") or {})
                if isinstance(st.get("code"), str):
                    st["code"] = corpus.STATUS_NAMES.index(st["code"])
                if st:
                    sp["status"] = st
                sp["flags"] = 257
                spans.append(sp)
            scopes.append({"scope": ss.get("scope") or ss.get("instrumentationLibrary") or {},
                           "spans": spans})
        yield json.dumps({"resourceSpans": [{"resource": rs.get("resource", {}),
                                              "scopeSpans": scopes}]}, separators=(",", ":"))


def collector_line(i, service, exc_type, error=True):
    t = (T0 * S) + i * 10**6
    span = {"traceId": "%032x" % (i + 1), "spanId": "%016x" % (i + 1), "name": "GET /x",
            "kind": 2, "startTimeUnixNano": str(t), "endTimeUnixNano": str(t + 5 * 10**6),
            "status": {"code": 2 if error else 0},
            "events": [{"timeUnixNano": str(t + 10**6), "name": "exception", "attributes": [
                {"key": "exception.type", "value": {"stringValue": exc_type}},
                {"key": "exception.message", "value": {"stringValue": "boom %d" % i}},
                {"key": "exception.stacktrace",
                 "value": {"stringValue": "%s: boom\n    at f (/app/x.js:%d:1)" % (exc_type, i % 5)}}]}]}
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": service}},
        {"key": "telemetry.sdk.language", "value": {"stringValue": "nodejs"}}]},
        "scopeSpans": [{"scope": {"name": "t"}, "spans": [span]}]}]}, separators=(",", ":"))


# ----------------------------------------------------------------------------------------------
# triage: malformed input (exit 1, FILE:LINE)


class TriageMalformedInput(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def assertInputError(self, args, where, stdin=None):
        rc, out, err = run(["triage"] + args, stdin=stdin)
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertIn(where, err)
        return err

    def test_bad_json_line_names_its_line(self):
        with open(os.path.join(CORPUS_DIR, "handbuilt-ils.jsonl")) as f:
            lines = f.read().splitlines()
        lines.insert(2, "")  # a blank line counts as a line
        lines[4] = lines[4][: len(lines[4]) // 2]  # cut in the middle
        path = self.write("cut.jsonl", "\n".join(lines) + "\n")
        err = self.assertInputError([path], "%s:5: not JSON" % path)
        self.assertEqual(err.count("\n"), 1)  # one line, no usage text

    def test_line_that_is_not_a_trace(self):
        path = self.write("shape.jsonl", '{"resourceSpans":[]}\n{"spans":[]}\n')
        self.assertInputError([path], "%s:2: not an OTLP trace" % path)
        path = self.write("scalar.jsonl", '{"resourceSpans":[]}\n\n42\n')
        self.assertInputError([path], "%s:3: not JSON" % path)

    def test_pretty_printed_document_names_the_failing_line(self):
        with open(glob.glob(os.path.join(CORPUS_DIR, "tempo-bodies", "v1-*.json"))[0]) as f:
            body = json.load(f)
        lines = json.dumps(body, indent=2).splitlines()
        k = next(i for i, l in enumerate(lines) if '"name"' in l and i > 20)
        lines[k] = lines[k].replace('"name":', '"name"')  # drop the colon on line k+1
        path = self.write("pretty.json", "\n".join(lines) + "\n")
        self.assertInputError([path], "%s:%d: not JSON" % (path, k + 1))

    def test_truncated_document(self):
        path = self.write("trunc.json", '{\n  "batches": [\n    {"resource": {}\n')
        self.assertInputError([path], "%s:3: not JSON" % path)

    def test_second_file_is_named(self):
        bad = self.write("bad.jsonl", '{"resourceSpans":[]}\n{"resourceSpans":[}\n')
        self.assertInputError([CORPUS_FILES[0], bad], "%s:2:" % bad)

    def test_stdin_is_named(self):
        self.assertInputError(["-"], "<stdin>:2: not JSON", stdin=b'{"batches":[]}\n{x}\n')

    def test_missing_file_and_directory(self):
        self.assertInputError([os.path.join(self.tmp, "nope.jsonl")], "cannot open")
        self.assertInputError([self.tmp], "%s: read error" % self.tmp)

    def test_empty_file_is_not_an_error(self):
        path = self.write("empty.jsonl", "\n\n")
        rc, out, err = run(["triage", path])
        self.assertEqual(rc, 0, err)


# ----------------------------------------------------------------------------------------------
# bad arguments (exit 2, usage on stderr)


class BadArguments(unittest.TestCase):
    def assertUsage(self, args, message, hint="help' for usage"):
        rc, out, err = run(args)
        self.assertEqual(rc, 2, "%s: %s" % (args, err))
        self.assertEqual(out, "", args)
        self.assertIn(message, err, args)
        self.assertIn(hint, err, args)

    def test_triage(self):
        f = CORPUS_FILES[0]
        hint = "triage --help' for usage"
        for args, message in [
            ([], "no trace file given"),
            (["--limit", "0", f], "--limit must be"),
            (["--limit", "many", f], "--limit must be"),
            (["--format", "xml", f], "--format must be table, json or arrow"),
            (["--format", "arrow", f], "--output DIR"),
            (["--output", "/tmp", f], "--output goes with --format arrow"),
            (["--from", "yesterday", f], "--from: cannot read time 'yesterday'"),
            (["--from", str(T_END), "--to", str(T0), f], "must be after --from"),
            (["--from", str(T_END + 3600), f], "the range is empty"),
            (["--sort", "oldest", f], "--sort must be count or new"),
            (["--bogus", f], "unknown option '--bogus'"),
            (["--from"], "option --from needs a value"),
            (["-", "-"], "may be given only once"),
        ]:
            self.assertUsage(["triage"] + args, message, hint)

    def test_query(self):
        tempo = ["--tempo", "http://127.0.0.1:1"]
        for args, message in [
            (["query"] + tempo, "query needs --type"),
            (["query", "--type", "error-rate"], "no backend"),
            (["query", "--type", "hotspots", "--format", "xml"] + tempo, "--format must be"),
            (["query", "--type", "hotspots", "--from", "soon"] + tempo, "--from: cannot read"),
            (["query", "--type", "hotspots", "--timeout", "0"] + tempo, "--timeout must be"),
            (["query", "--type", "hotspots", "--limit", "-1"] + tempo, "--limit must be"),
            (["query", "--type", "hotspots", "--json", "[1]"] + tempo, "--json is not a JSON object"),
            (["query", "--nope"] + tempo, "unknown option '--nope'"),
            (["query", "--type"], "option --type needs a value"),
            (["health"], "no backend"),
        ]:
            self.assertUsage(args, message)
        self.assertUsage(["query", "--datasource", "/nonexistent/ds.yaml", "--type", "hotspots"],
                         "cannot open datasource file /nonexistent/ds.yaml", hint="")
        # Not a command: a usage error (exit 2); the executable also explains it is a
        # Grafana plugin (docs/install.md, "How it runs").
        rc, out, err = run(["frobnicate"])
        self.assertEqual(rc, 2)
        self.assertIn("unknown command 'frobnicate'", err)

    def test_query_unknown_type_is_the_query_error(self):
        # The query model is validated by the same code as Grafana's QueryData: a 400 answer.
        # A refused query is the caller's mistake: exit 2, with the model's message.
        rc, out, err = run(["query", "--type", "nope", "--tempo", "http://127.0.0.1:1"])
        self.assertEqual(rc, 2, err)
        self.assertIn('unknown queryType "nope"', err)
        rc, out, err = run(["query", "--type", "recent-errors", "--json", '{"limit":"many"}',
                            "--tempo", "http://127.0.0.1:1"])
        self.assertEqual(rc, 2, err)
        self.assertIn("limit", err)


# ----------------------------------------------------------------------------------------------
# unreachable servers (exit 1, clear message)


class SilentServer:
    """Accepts connections and never answers (a hung backend)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


class UnreachableServers(unittest.TestCase):
    def assertFails(self, args, *fragments):
        rc, out, err = run(args, timeout=60)
        self.assertEqual(rc, 1, "%s: %s" % (args, err))
        for f in fragments:
            self.assertIn(f, err + out, args)
        return err + out

    def test_connection_refused(self):
        url = "http://127.0.0.1:%d" % closed_port()
        self.assertFails(["query", "--type", "error-summary", "--tempo", url],
                         "query failed (status 502, downstream)", "connect", url)
        self.assertFails(["query", "--type", "error-rate", "--prometheus", url],
                         "query failed (status 502, downstream)", "prometheus request failed", url)
        self.assertFails(["query", "--type", "recent-errors", "--tempo", url, "--format", "json"],
                         '"status":502', '"errorSource":"downstream"')
        self.assertFails(["health", "--tempo", url, "--prometheus", url], "ERROR", url)

    def test_unknown_host(self):
        self.assertFails(["query", "--type", "hotspots", "--prometheus",
                          "http://errortriage-test.invalid", "--timeout", "5"],
                         "query failed", "errortriage-test.invalid")

    def test_hung_server_times_out(self):
        srv = SilentServer()
        try:
            err = self.assertFails(["query", "--type", "error-summary", "--tempo",
                                    "http://127.0.0.1:%d" % srv.port, "--timeout", "1"],
                                   "query failed")
            self.assertRegex(err.lower(), "in time|timed? ?out")
        finally:
            srv.close()


# ----------------------------------------------------------------------------------------------
# query against the Tempo-compatible test server, and triage's frames next to query's


class QueryAndTriageAgree(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = ServerProcess(corpus=[CORPUS_DIR])

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def query(self, qtype, start, end, *extra):
        rc, out, err = run(["query", "--type", qtype, "--tempo", self.srv.url, "--from", str(start),
                            "--to", str(end), "--format", "json"] + list(extra), timeout=120)
        self.assertEqual(rc, 0, err)
        frames = json.loads(out)["results"]["A"]["frames"]
        return {fr["schema"]["name"]: fr for fr in frames}

    @staticmethod
    def schema(frame):
        return [(f["name"], f["type"]) for f in frame["schema"]["fields"]]

    def test_same_frames_and_summary(self):
        q = self.query("error-summary", T0, T_END)["error-summary"]
        t = triage(CORPUS_FILES, "--from", str(T0), "--to", str(T_END))
        self.assertEqual(self.schema(q), [(f["name"], f["type"])
                                          for f in t["error-summary"]["schema"]["fields"]])
        q_rows = frames_of(json.dumps({"results": {"A": {"frames": [q]}}}))["error-summary"]["rows"]
        self.assertEqual(summary_key(q_rows), summary_key(t["error-summary"]["rows"]))

    def test_same_group_frames(self):
        t = triage(CORPUS_FILES, "--from", str(T_MID), "--to", str(T_END))
        q = self.query("error-groups", T_MID, T_END, "--compare", "previous-range")["error-groups"]
        self.assertEqual(self.schema(q), [(f["name"], f["type"])
                                          for f in t["error-groups"]["schema"]["fields"]])
        q_rows = frames_of(json.dumps({"results": {"A": {"frames": [q]}}}))["error-groups"]["rows"]
        # the same fingerprints (Tempo's search window is whole traces, so counts may differ
        # at the edges of the range, not the groups' identity)
        self.assertEqual({r["fingerprint"] for r in q_rows if r["count"]},
                         {r["fingerprint"] for r in t["error-groups"]["rows"] if r["count"]})


def main():
    global BIN, CORPUS
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="the gpx_errortriage executable")
    args, rest = ap.parse_known_args()
    BIN = os.path.abspath(args.bin)
    CORPUS = corpus.load([CORPUS_DIR])
    result = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    ok = result.wasSuccessful()
    print("%d passed, %d failed" % (result.testsRun - len(result.failures) - len(result.errors),
                                    len(result.failures) + len(result.errors)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
