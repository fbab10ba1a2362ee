"""The fault matrix and hostile requests (issue 8 acceptance, issue 3 item 4).

Starts the backends once: a real Prometheus (Debian package) backfilled with
promtool from the example span metrics, the Tempo-compatible test server over
the example traces, and fault_server.py (a misbehaving Prometheus or Tempo per
mode). Then matrix.mjs launches the plugin executable the way Grafana does and,
for every fault mode x backend x query type, sends ONE QueryData with the query
aimed at the faulty backend (F), a query using only the other, healthy backend
(H) and a malformed query (M), followed by a CheckHealth; then the hostile
requests of hostile.mjs. This file checks matrix.mjs's report:

  * F: an error with a status code, errorSource "downstream", a message that
    names the backend, says what happened, quotes the backend's message
    trimmed and cut, and contains no secret;
  * H: exactly the answer of the same query on a healthy datasource, which is
    itself checked against the example traces (independently of the plugin);
  * M: status 400, errorSource plugin;
  * the process survives: CheckHealth after every cell, a clean shutdown;
  * memory: VmHWM of the plugin stays under RSS_BOUND_MB for the whole run,
    including 100 MB bodies, 10^6 items and a gzip bomb (run BIG_CONCURRENCY at
    a time);
  * timing: the timeout cells (timeoutSeconds 2) answer within a few seconds.

  python3 test_faults.py --plugin dist/gpx_errortriage_linux_amd64 [-v]
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "tempo"))
import corpus  # noqa: E402
from tempo_server import ServerProcess  # noqa: E402

TRACES = os.path.join(ROOT, "examples", "traces")
CORPUS_END = 1741773600          # the example traces end at 2025-03-12 10:00:00 UTC
FROM_S, TO_S = CORPUS_END - 3600, CORPUS_END
TIMEOUT_SECONDS = 2              # matrix.mjs sets timeoutSeconds 2 on timeout/drip cells

# Peak resident memory (VmHWM) of the plugin over the whole run. Measured on 2
# cores: idle 15 MB, peak 180 MB (the gzip bomb and 100 MB bodies hit the
# 48/64 MiB body caps; a 44 MB search answer of 10^6 traces peaks at ~145 MB).
# Before the fixes in this change it was 940 MB-1.7 GB. Figures are printed at
# the end of every run.
RSS_BOUND_MB = 300
BIG_CONCURRENCY = 1

SECRETS = {
    "prometheusToken": "prom-TOKEN-7f3a9c-do-not-leak",
    "tempoPassword": "tempo-PASSWORD-41b2e8-do-not-leak",
    "prometheusHttpHeaderValue1": "prom-HEADER-c0ffee-do-not-leak",
    "tempoHttpHeaderValue1": "tempo-HEADER-decade-do-not-leak",
}

# What the query aimed at the faulty backend must get, per mode.
EXPECTED_STATUS = {
    "refused": {502}, "dns": {502}, "timeout": {504}, "drip": {504},
    "401": {401}, "403": {403}, "404": {404}, "429": {429}, "500": {500}, "502": {502},
    "503": {503}, "truncated": {502}, "disconnect": {502}, "nonjson": {502},
    "wrongshape": {502}, "jsonarray": {502}, "empty": {502}, "badgzip": {502},
    "big": {502}, "gzipbomb": {502},
    "million": None,  # a clear downstream error, or an answer (10^6 valid items)
}
# Words the message must contain (regex, case-insensitive), beyond the backend's name.
EXPECTED_TEXT = {
    "refused": r"refused|connect", "dns": r"resolve", "timeout": r"in time|timed? ?out",
    "drip": r"in time|timed? ?out", "truncated": r"JSON|truncat|unexpected|end",
    "disconnect": r"closed|partial|transfer|bytes remaining|failed",
    "nonjson": r"not (valid )?(the Prometheus API )?JSON|HTML|<html|<!DOCTYPE",
    "wrongshape": r"JSON|shape|expected|unexpected|not a|must be",
    "jsonarray": r"JSON|object", "empty": r"empty|JSON",
    "badgzip": r"decod|gzip|unencod|encoding|failed",
    "big": r"too large", "gzipbomb": r"too large",
}
# The backend's own message, which must be quoted (trimmed).
BACKEND_TEXT = {
    ("401", "prometheus"): "authentication required", ("401", "tempo"): "no org id",
    ("403", "prometheus"): "access denied", ("403", "tempo"): "access denied",
    ("404", "prometheus"): "not found", ("404", "tempo"): "404 page not found",
    ("429", "prometheus"): "rate limit", ("429", "tempo"): "job queue full",
    ("500", "prometheus"): "query processing failed", ("500", "tempo"): "query processing failed",
    ("502", "prometheus"): "502 Bad Gateway", ("502", "tempo"): "502 Bad Gateway",
    ("503", "prometheus"): "shutting down", ("503", "tempo"): "unable to process request",
}
MAX_MESSAGE = 1023

REPORT = None
ELAPSED = None
ARGS = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    """A real Prometheus over the example span metrics (backfilled with promtool)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="et-faults-prom-")
        self.proc = None
        self.port = None

    def start(self):
        om = os.path.join(self.dir, "spanmetrics.om")
        subprocess.run([sys.executable, os.path.join(ROOT, "examples", "spanmetrics.py"),
                        "--traces", TRACES, "--shift", "0", "-o", om], check=True,
                       capture_output=True)
        tsdb = os.path.join(self.dir, "tsdb")
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", om,
                        tsdb], check=True, capture_output=True)
        os.unlink(om)
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 15s\n")
        for _ in range(5):
            self.port = free_port()
            log = open(os.path.join(self.dir, "prometheus.log"), "w")
            self.proc = subprocess.Popen(
                ["prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + tsdb,
                 "--web.listen-address=127.0.0.1:%d" % self.port,
                 "--storage.tsdb.retention.time=100y"], stdout=log, stderr=subprocess.STDOUT)
            if self._ready():
                return self
            self.stop()
        raise RuntimeError("Prometheus did not start; see %s/prometheus.log" % self.dir)

    def _ready(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % self.port,
                                            timeout=1) as r:
                    if r.status == 200:
                        return True
            except OSError:
                time.sleep(0.1)
        return False

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class FaultServer:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fault_server.py"),
                                      "--port", "0", "--parent-pid", str(os.getpid())],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"^listening on ([\d.]+):(\d+)$", line.strip())
        if not m:
            raise RuntimeError("fault_server did not start: %r %s" % (line, self.proc.stderr.read()))
        self.url = "http://%s:%s" % (m.group(1), m.group(2))

    def stats(self):
        with urllib.request.urlopen(self.url + "/__stats", timeout=10) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_matrix():
    global REPORT, ELAPSED
    started = time.time()
    prom = Prometheus()
    tempo = fault = None
    refused = socket.socket()  # bound, never listening: connections are refused
    refused.bind(("127.0.0.1", 0))
    work = tempfile.mkdtemp(prefix="et-faults-")
    try:
        threads = [threading.Thread(target=prom.start)]
        threads[0].start()
        tempo = ServerProcess(corpus=TRACES, version="2.9.0")
        fault = FaultServer()
        threads[0].join()
        if not prom.proc or prom.proc.poll() is not None:
            raise RuntimeError("Prometheus did not start")
        newest = corpus.recent_errors(CORPUS, FROM_S, TO_S, limit=1)[0]
        cfg = {
            "binary": ARGS.plugin, "protoDir": os.path.join(ROOT, "proto"),
            "prometheus": prom.url, "tempo": tempo.url, "faultBase": fault.url,
            "refusedUrl": "http://127.0.0.1:%d" % refused.getsockname()[1],
            "dnsHost": "errortriage-fault.invalid", "from": FROM_S * 1000, "to": TO_S * 1000,
            "traceId": newest.trace_id, "bigConcurrency": BIG_CONCURRENCY, "secrets": SECRETS,
        }
        if os.environ.get("ET_FAULTS_PLUGIN_ENV"):  # debugging: extra environment, k=v;k=v
            cfg["env"] = dict(kv.split("=", 1) for kv in
                              os.environ["ET_FAULTS_PLUGIN_ENV"].split(";"))
        if ARGS.modes:  # debugging: some modes only (the completeness test then fails)
            cfg["modes"] = ARGS.modes.split(",")
            cfg["noHostile"] = ARGS.no_hostile
        cfg_path = os.path.join(work, "config.json")
        report_path = os.path.join(work, "report.json")
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)
        setup_s = time.time() - started
        t = time.time()
        p = subprocess.run(["node", os.path.join(HERE, "matrix.mjs"), cfg_path, report_path],
                           capture_output=True, text=True, timeout=900)
        if p.returncode != 0 or not os.path.exists(report_path):
            sys.exit("matrix.mjs failed (%d): %s %s" % (p.returncode, p.stdout[-3000:],
                                                        p.stderr[-3000:]))
        with open(report_path) as f:
            REPORT = json.load(f)
        REPORT["fault_stats"] = fault.stats()
        REPORT["setup_s"] = setup_s
        REPORT["matrix_s"] = time.time() - t
        if ARGS.keep_report:
            shutil.copy(report_path, ARGS.keep_report)
    finally:
        refused.close()
        if fault:
            fault.stop()
        if tempo:
            tempo.stop()
        prom.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    ELAPSED = time.time() - started


CORPUS = None


def rows_of(entry):
    return [r for f in entry.get("frames", []) for r in f.get("rows", [])]


def all_text(obj):
    return json.dumps(obj, ensure_ascii=False)


class Matrix(unittest.TestCase):
    def cells(self, **kw):
        return [c for c in REPORT["cells"] if all(c[k] == v for k, v in kw.items())]

    def test_00_no_fatal_error_and_every_cell_ran(self):
        self.assertNotIn("fatal", REPORT, REPORT.get("fatal"))
        modes = set(EXPECTED_STATUS)
        ran = {(c["mode"], c["backend"], c["queryType"]) for c in REPORT["cells"]}
        self.assertEqual(len(ran), len(modes) * 10, "every mode x backend x query type once")

    def test_healthy_baselines_match_the_example_traces(self):
        # recent-errors (Tempo): the newest error spans, newest first
        rows = rows_of(REPORT["baseline"]["tempo"])
        want = corpus.recent_errors(CORPUS, FROM_S, TO_S, limit=5)
        self.assertEqual(len(rows), 5)
        self.assertEqual(rows[0]["traceID"], want[0].trace_id)
        errors = {(o.trace_id, o.span_id) for o in corpus.recent_errors(CORPUS, FROM_S, TO_S,
                                                                         limit=None)}
        for r in rows:
            self.assertIn((r["traceID"], r["spanID"]), errors)
        # hotspots (Prometheus over the span metrics of the same traces)
        counts = {}
        for s in CORPUS.spans():
            if (s.is_error and s.kind in (corpus.KIND_SERVER, corpus.KIND_CONSUMER) and
                    FROM_S <= s.end_ns / 1e9 < TO_S):
                key = (corpus.service(s), s.get("http.route") or s.name)
                counts[key] = counts.get(key, 0) + 1
        rows = rows_of(REPORT["baseline"]["prometheus"])
        self.assertEqual(len(rows), 5)
        top = max(counts, key=lambda k: counts[k])
        self.assertEqual((rows[0]["service"], rows[0]["route"]), top)
        for r in rows:
            want_n = counts.get((r["service"], r["route"]), 0)
            self.assertLessEqual(abs(r["errors"] - want_n), max(1, 0.05 * want_n), (r, want_n))

    def test_faulty_query_gets_a_clear_downstream_error(self):
        problems = []
        for c in REPORT["cells"]:
            where = "%s/%s/%s" % (c["mode"], c["backend"], c["queryType"])
            if "rpcError" in c["res"]:
                problems.append("%s: QueryData failed: %s" % (where, c["res"]["rpcError"]))
                continue
            f = c["res"].get("F")
            if not f:
                problems.append("%s: no answer for F" % where)
                continue
            if (c["mode"], c["backend"], c["queryType"]) == ("404", "tempo", "trace-exceptions"):
                # Tempo answers 404 for a trace it does not have: an empty answer with a
                # warning that says so, not an error
                notices = [n for fr in f["frames"] for n in (fr.get("meta") or {}).get("notices", [])]
                if f["status"] != 200 or not any("not found" in n["text"] for n in notices):
                    problems.append("%s: want 200 with a 'not found' notice: %s" % (where, f))
                continue
            want = EXPECTED_STATUS[c["mode"]]
            if want is None and f["status"] == 200:
                continue  # million: a valid answer is acceptable (checked for memory and time)
            msg = f["error"]
            name = "Prometheus" if c["backend"] == "prometheus" else "Tempo"
            checks = [
                (f["status"] in (want or range(400, 600)), "status %s, want %s" % (f["status"], want)),
                (f["errorSource"] == "downstream", "errorSource %r" % f["errorSource"]),
                (bool(msg) and name.lower() in msg.lower(), "message does not name %s" % name),
                (len(msg) <= MAX_MESSAGE, "message is %d bytes" % len(msg)),
                (msg == msg.strip() and "\n" not in msg and "\r" not in msg,
                 "message not trimmed to one line"),
                (not f["frames"], "frames with an error"),
            ]
            if c["mode"] in EXPECTED_TEXT:
                checks.append((re.search(EXPECTED_TEXT[c["mode"]], msg, re.I) is not None,
                               "message does not say %r" % EXPECTED_TEXT[c["mode"]]))
            bt = BACKEND_TEXT.get((c["mode"], c["backend"]))
            if bt:
                checks.append((bt.lower() in msg.lower(), "backend text %r not quoted" % bt))
            for ok, why in checks:
                if not ok:
                    problems.append("%s: %s: %r" % (where, why, msg[:300]))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_healthy_query_answers_exactly_as_on_a_healthy_datasource(self):
        problems = []
        for c in REPORT["cells"]:
            if not c["withHealthy"] or "rpcError" in c["res"]:
                continue
            h = c["res"].get("H", {})
            base = REPORT["baseline"]["tempo" if c["backend"] == "prometheus" else "prometheus"]
            if h.get("status") != 200 or rows_of(h) != rows_of(base):
                problems.append("%s/%s/%s: H status %s %s" % (
                    c["mode"], c["backend"], c["queryType"], h.get("status"), h.get("error")))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_malformed_query_gets_400(self):
        problems = []
        for c in REPORT["cells"]:
            m = c["res"].get("M", {})
            if m.get("status") != 400 or m.get("errorSource") != "plugin" or \
                    "invalid query JSON" not in m.get("error", ""):
                problems.append("%s/%s/%s: %s" % (c["mode"], c["backend"], c["queryType"], m))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_process_survives_every_cell(self):
        bad = [h for h in REPORT["healthChecks"] if h["status"] != "OK"]
        self.assertEqual(bad, [])
        self.assertEqual(len(REPORT["healthChecks"]), len(REPORT["cells"]) + 2)
        self.assertEqual(REPORT["shutdown"].get("code"), 0, REPORT["shutdown"])

    def test_timeouts_answer_in_time_and_run_concurrently(self):
        slow = [(c["mode"], c["backend"], c["queryType"], c["ms"]) for c in REPORT["cells"]
                if c["mode"] in ("timeout", "drip") and c["ms"] > (3 * TIMEOUT_SECONDS + 4) * 1000]
        self.assertEqual(slow, [])
        # nothing else should take long either (big bodies included)
        slow = [(c["mode"], c["backend"], c["queryType"], c["ms"]) for c in REPORT["cells"]
                if c["ms"] > 30000]
        self.assertEqual(slow, [])
        # the fault server saw the plugin hang up: no connection held past the timeout
        self.assertLess(REPORT["fault_stats"]["max_hold_s"], 3 * TIMEOUT_SECONDS + 4)

    def test_memory_stays_bounded(self):
        peak_mb = max(REPORT["rss"]["peakKb"], REPORT["final"]["hwm"]) / 1024
        self.assertLess(peak_mb, RSS_BOUND_MB, "VmHWM %.0f MB" % peak_mb)

    def test_no_secret_anywhere(self):
        text = all_text(REPORT["cells"]) + all_text(REPORT["hostile"]) + REPORT["logs"]
        for k, v in SECRETS.items():
            self.assertNotIn(v, text, k)


class Hostile(unittest.TestCase):
    def test_each_hostile_query_gets_its_own_answer(self):
        problems = []
        for h in REPORT["hostile"]:
            if "rpcError" in h["res"]:
                problems.append("%s: QueryData failed: %s" % (h["name"], h["res"]["rpcError"]))
                continue
            self.assertEqual(len(h["res"]), h["nQueries"], h["name"])
            for ref, r in h["res"].items():
                exp = h["expect"].get(ref, 200)
                where = "%s: %s" % (h["name"], ref[:40])
                if exp == 200:
                    if r["status"] != 200:
                        problems.append("%s: want 200, got %s %s" % (where, r["status"],
                                                                   r["error"][:200]))
                elif exp == "ok-or-4xx":
                    if r["status"] != 200 and not (400 <= r["status"] < 500 and r["error"]):
                        problems.append("%s: want 200 or a 4xx, got %s %s" % (
                            where, r["status"], r["error"][:200]))
                else:
                    if r["status"] != 400 or r["errorSource"] != "plugin" or \
                            not re.search(exp["mentions"], r["error"]) or \
                            len(r["error"]) > MAX_MESSAGE:
                        problems.append("%s: want 400 mentioning %r, got %s %s %r" % (
                            where, exp["mentions"], r["status"], r["errorSource"],
                            r["error"][:200]))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_healthy_queries_in_hostile_requests_answer_correctly(self):
        for h in REPORT["hostile"]:
            if "rpcError" in h["res"]:
                continue
            self.assertEqual(rows_of(h["res"]["H1"]), rows_of(REPORT["baseline"]["prometheus"]),
                             h["name"])
            self.assertEqual(rows_of(h["res"]["H2"]), rows_of(REPORT["baseline"]["tempo"]),
                             h["name"])


def print_figures():
    r = REPORT
    phases = r["rss"]["phases"]
    print("\nfault matrix: %d cells, %d hostile requests" % (len(r["cells"]), len(r["hostile"])))
    print("  plugin idle RSS %.1f MB; peak RSS %.1f MB (bound %d MB); VmHWM at the end %.1f MB" % (
        (r["idle"] or {}).get("rss", 0) / 1024, r["rss"]["peakKb"] / 1024, RSS_BOUND_MB,
        r["final"]["hwm"] / 1024))
    for name, p in phases.items():
        print("  phase %-9s peak RSS %6.1f MB, VmHWM %6.1f MB, threads <= %d" % (
            name, p["peakRssKb"] / 1024, p["hwmKb"] / 1024, p["maxThreads"]))
    print("  time: setup %.1f s, small+timeout cells %.1f s, big cells %.1f s, hostile %.1f s, "
          "whole test %.1f s" % (r["setup_s"], r["smallMs"] / 1000, r["bigMs"] / 1000,
                                 r["hostileMs"] / 1000, ELAPSED))
    big = sorted(((c["hwmAfterKb"] or 0, c["mode"], c["backend"], c["queryType"], c["ms"])
                  for c in r["cells"] if c["mode"] in ("big", "million", "gzipbomb")), reverse=True)
    for hwm, mode, backend, qt, ms in big[:5]:
        print("  %-8s %-10s %-16s %5d ms, VmHWM after %.0f MB" % (mode, backend, qt, ms, hwm / 1024))


def main():
    global ARGS, CORPUS
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", default=os.environ.get("ET_PLUGIN_BINARY"))
    ap.add_argument("--keep-report", help="copy matrix.mjs's JSON report here")
    ap.add_argument("--modes", help="debugging: run only these fault modes (comma-separated)")
    ap.add_argument("--no-hostile", action="store_true", help="debugging: with --modes, skip "
                    "the hostile requests")
    ap.add_argument("-v", action="store_true")
    ARGS, rest = ap.parse_known_args()
    if not ARGS.plugin or not os.access(ARGS.plugin, os.X_OK):
        sys.exit("--plugin PATH (the built gpx_errortriage executable) is required")
    CORPUS = corpus.load([TRACES])
    run_matrix()
    result = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    print_figures()
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
