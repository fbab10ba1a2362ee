"""Shared fixtures for the Prometheus integration tests.

Starts a real Prometheus (Debian package) on a free loopback port over a TSDB
backfilled with promtool from span-metrics OpenMetrics data, and runs the
plugin's command line (the same code path as Data.QueryData) against it.

The data comes from the team's span-metrics generator in ../shared/notes
(`spanmetrics-gen.py`), which also gives the independent expectations: the
tests import it and compute totals from its raw counters, never from the
plugin. Extra series with hostile service names are appended so escaping can
be tested for literal matches.
"""

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from argparse import Namespace

END = 1767225600  # 2026-01-01T00:00:00Z, fixed so the data is reproducible
DURATION = 7200
STEP = 15
START = END - DURATION

# Service names that must match literally: quotes, backslashes, braces,
# pipes, regex metacharacters, a newline and unicode.
WEIRD_SERVICES = ['we"ird\\svc}|.*', "s\u00e9rvice \u2713 \u670d\u52a1", "new\nline"]
WEIRD_ERRORS_PER_STEP = 1
WEIRD_CALLS_PER_STEP = 10


def shared_dir():
    """The team's shared reference folder (tests may read it for cross-checks)."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("ET_SHARED_DIR"),
                  os.path.join(here, "..", "..", "..", "shared"),
                  "/work/shared"]
    for c in candidates:
        if c and os.path.exists(os.path.join(c, "notes", "spanmetrics-gen.py")):
            return os.path.abspath(c)
    raise RuntimeError("cannot find the shared folder with notes/spanmetrics-gen.py "
                       "(set ET_SHARED_DIR)")


def load_generator():
    path = os.path.join(shared_dir(), "notes", "spanmetrics-gen.py")
    spec = importlib.util.spec_from_file_location("spanmetrics_gen", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def om_escape(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def weird_series_text(calls_family, service_label):
    """OpenMetrics lines for WEIRD_SERVICES (server spans, one route each)."""
    lines = []
    times = list(range(START, END + 1, STEP))
    for svc in WEIRD_SERVICES:
        for status, per_step in (("STATUS_CODE_ERROR", WEIRD_ERRORS_PER_STEP),
                                 ("STATUS_CODE_UNSET", WEIRD_CALLS_PER_STEP - WEIRD_ERRORS_PER_STEP)):
            labels = '%s="%s",span_name="GET /weird",span_kind="SPAN_KIND_SERVER",' \
                     'status_code="%s",http_route="/weird"' % (service_label, om_escape(svc), status)
            for i, t in enumerate(times):
                lines.append("%s_total{%s} %d %d" % (calls_family, labels, i * per_step, t))
    return "\n".join(lines) + "\n"


class Prometheus:
    """A real Prometheus over generated data; use as a context manager."""

    def __init__(self, schemes, weird=True):
        self.schemes = schemes
        self.weird = weird
        self.dir = tempfile.mkdtemp(prefix="et-prom-")
        self.port = None
        self.proc = None
        self.summary = None

    def __enter__(self):
        gen = os.path.join(shared_dir(), "notes", "spanmetrics-gen.py")
        om = os.path.join(self.dir, "data.om")
        summary = os.path.join(self.dir, "summary.json")
        subprocess.run(["python3", gen, "--end", str(END), "--schemes", ",".join(self.schemes),
                        "-o", om, "--summary", summary], check=True, capture_output=True)
        if self.weird:
            with open(om) as f:
                text = f.read()
            assert text.endswith("# EOF\n")
            extra = ""
            for scheme in self.schemes:
                family = {"otel": "traces_span_metrics_calls", "otel-legacy": "calls",
                          "tempo": "traces_spanmetrics_calls"}[scheme]
                label = "service" if scheme == "tempo" else "service_name"
                extra += weird_series_text(family, label)
            with open(om, "w") as f:
                f.write(text[:-len("# EOF\n")] + extra + "# EOF\n")
        with open(summary) as f:
            self.summary = json.load(f)
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
                 "--storage.tsdb.retention.time=100y"],
                stdout=log, stderr=subprocess.STDOUT)
            if self._wait_ready():
                return self
            self.proc.kill()
            self.proc.wait()
        raise RuntimeError("Prometheus did not start; see %s/prometheus.log" % self.dir)

    def _wait_ready(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % self.port,
                                            timeout=1) as r:
                    if r.status == 200:
                        return True
            except OSError:
                time.sleep(0.05)
        return False

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def __exit__(self, *exc):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_cli(cli, *args, check_status=True):
    """Run `cli query ... --format json`; returns (exit code, parsed JSON or None, stderr)."""
    p = subprocess.run([cli] + list(args), capture_output=True, text=True, timeout=120)
    out = None
    if p.stdout.strip():
        out = json.loads(p.stdout)
    return p.returncode, out, p.stderr


def frame_rows(frame):
    """JSON frame → list of dicts keyed by field name."""
    names = [f.get("name", "") for f in frame["schema"]["fields"]]
    cols = frame["data"]["values"]
    n = len(cols[0]) if cols else 0
    return [{names[c]: cols[c][r] for c in range(len(names))} for r in range(n)]


def frame_labels(frame, field_index=1):
    return frame["schema"]["fields"][field_index].get("labels", {})


# ---- independent expectations from the generator's raw counters -----------------------

def reset_aware_delta(vals):
    total = 0
    for i in range(1, len(vals)):
        d = vals[i] - vals[i - 1]
        total += d if d >= 0 else vals[i]
    return total


class Expected:
    """Exact totals computed from the generator's simulation (not from the plugin)."""

    def __init__(self):
        gen = load_generator()
        args = Namespace(end=END, duration=DURATION, step=STEP, seed=42, restart=True,
                         schemes=["otel"], otel_namespace="traces_span_metrics",
                         histograms=False, collector_instance_id=False)
        gen.OPTS = args
        self.gen = gen
        self.times, self.calls, self.excs, self.handled = gen.simulate(args)
        self.endpoints = gen.ENDPOINTS

    def endpoint_name(self, ep):
        return ep["route"] if ep.get("route") else self.gen.span_name(ep)

    def hotspots(self, kinds=("SPAN_KIND_SERVER", "SPAN_KIND_CONSUMER")):
        """(service, route or span name) -> [errors, calls] over the whole range."""
        out = {}
        for (ei, oi), vals in self.calls.items():
            ep = self.endpoints[ei]
            if ep["kind"] not in kinds:
                continue
            key = (ep["service"], self.endpoint_name(ep))
            row = out.setdefault(key, [0, 0])
            d = reset_aware_delta(vals)
            row[1] += d
            if ep["outcomes"][oi][1] == "STATUS_CODE_ERROR":
                row[0] += d
        return out

    def exception_types(self):
        """(service, exception type) -> count of exception events on error spans."""
        out = {}
        for (ei, oi, et), vals in self.excs.items():
            key = (self.endpoints[ei]["service"], et)
            out[key] = out.get(key, 0) + reset_aware_delta(vals)
        return out

    def services(self):
        return sorted({ep["service"] for ep in self.endpoints})

    def routes_of(self, service):
        return sorted({self.endpoint_name(ep) for ep in self.endpoints
                       if ep["service"] == service and ep["kind"] in
                       ("SPAN_KIND_SERVER", "SPAN_KIND_CONSUMER")})
