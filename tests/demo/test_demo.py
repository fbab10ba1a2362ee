"""The demo command on the example data (issue 7, acceptance 1).

Runs `scripts/demo` (packages already installed) and checks that its output
shows the triage: the spike's start on the error-rate panel, the top exception
types with counts, the hotspot endpoint, recent errors with stack-trace lines
and trace IDs, the new error group flagged as new, and a clean shutdown — each
compared with expectations computed here from the example traces, independently
of the plugin.
"""

import os
import re
import subprocess
import sys
import time
import unittest
from datetime import datetime, timezone

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "tempo"))
import corpus  # noqa: E402

SERVICES = {"payment", "checkout", "shipping"}
OUT = None
ELAPSED = None


def parse_utc(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def section(title):
    """Lines of the demo output under the panel whose header contains `title`."""
    lines = OUT.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("\u25b6 ") and title in line:
            out = []
            for l in lines[i + 1:]:
                if l.startswith("\u25b6 ") or l.startswith("GRPCController"):
                    break
                out.append(l)
            return out
    raise AssertionError("no panel %r in the demo output" % title)


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.shift = int(re.search(r"example data shifted by (\d+) s", OUT).group(1))
        m = re.search(r"time range: (\d+) \.\. (\d+)", OUT)
        cls.start, cls.end = int(m.group(1)) / 1000, int(m.group(2)) / 1000
        cls.corpus = corpus.load([os.path.join(ROOT, "examples", "traces")], cls.shift * 10**9)

    def spans_in_range(self, start=None, end=None):
        start = self.start if start is None else start
        end = self.end if end is None else end
        for s in self.corpus.spans():
            if corpus.service(s) in SERVICES and start <= s.end_ns / 1e9 < end:
                yield s

    def test_finishes_fast_and_shuts_the_plugin_down(self):
        self.assertIn("handshake OK", OUT)
        self.assertRegex(OUT, r"Save & test: OK")
        self.assertRegex(OUT, r"plugin exited with 0 in \d+ ms")
        seconds = int(re.search(r"done in (\d+) s", OUT).group(1))
        self.assertLess(seconds, 120)

    def test_spike_start_on_error_rate(self):
        # the incident: the first payment gateway timeout in the range
        first = min(ev.time_ns / 1e9 for s in self.spans_in_range() if s.is_error
                    for ev in corpus.exception_events(s)
                    if ev.get("exception.type") == "Acme.Payments.PaymentGatewayTimeoutException")
        lines = section("Error rate")
        m = next(re.search(r"payment: errors rising since (\S+ \S+) UTC", l) for l in lines
                 if "payment: errors rising since" in l)
        self.assertLessEqual(abs(parse_utc(m.group(1)) - first), 120, (m.group(1), first))

    def test_top_exception_types_with_counts(self):
        counts = {}
        for s in self.spans_in_range():
            if not s.is_error:
                continue
            for ev in s.events:
                t = ev.get("exception.type")
                if t and self.start <= ev.time_ns / 1e9 < self.end:
                    key = (corpus.service(s), t)
                    counts[key] = counts.get(key, 0) + 1
        rows = [l.split() for l in section("Top exception types")[2:] if l.startswith("  ") and
                not l.strip().startswith(("info:", "\u2500"))]
        got = {(r[0], r[1]): int(r[2]) for r in rows if len(r) == 3 and not r[1].endswith("\u2026")}
        top_key = max(counts, key=lambda k: counts[k])
        self.assertEqual((rows[0][0], rows[0][1]), top_key)
        for key, n in got.items():
            self.assertLessEqual(abs(n - counts[key]), max(1, 0.05 * counts[key]), (key, n, counts[key]))

    def test_hotspot_endpoint(self):
        errors = {}
        for s in self.spans_in_range():
            if s.is_error and s.kind in (corpus.KIND_SERVER, corpus.KIND_CONSUMER):
                route = s.get("http.route") or s.name
                errors[(corpus.service(s), route)] = errors.get((corpus.service(s), route), 0) + 1
        top = max(errors, key=lambda k: errors[k])
        first_row = section("Hotspots")[2].split()
        self.assertEqual(first_row[0], top[0])
        self.assertEqual(" ".join(first_row[1:-3]), top[1])
        self.assertLessEqual(abs(int(first_row[-3]) - errors[top]), 1)

    def test_recent_errors_have_trace_ids_and_stack_lines(self):
        rows = [l for l in section("Recent errors")[2:] if re.search(r"\b[0-9a-f]{32}\b", l)]
        self.assertGreaterEqual(len(rows), 10)
        newest = max((s for s in self.spans_in_range() if s.is_error), key=lambda s: s.start_ns)
        self.assertIn(newest.trace_id, rows[0])
        self.assertTrue(any(re.search(r"  at [A-Za-z][\w$]*(\.[\w$]+)+", r) for r in rows), "Java/.NET stack lines")
        stack = OUT[OUT.index("stack trace of the first exception:"):]
        self.assertRegex(stack, r"\n\s+\tat [\w.$]+\([\w.]+\.java:\d+\)")

    def test_new_error_group_is_flagged(self):
        rows = [l for l in section("Error groups") if l.startswith("  yes ") or l.startswith("  no ")]
        new_types = {l.split()[1] for l in rows if l.startswith("  yes ")}
        self.assertIn("runtime.errorString", new_types)
        prev = [s for s in self.spans_in_range(self.start - 3600, self.start) if s.is_error]
        prev_types = {corpus.chosen_exception(s).get("exception.type") for s in prev
                      if corpus.chosen_exception(s)}
        self.assertNotIn("runtime.errorString", prev_types, "shipping's panic is new in this hour")
        shipping = next(l for l in rows if "runtime.errorString" in l)
        self.assertIn("shipping", shipping)
        self.assertTrue(shipping.startswith("  yes "))


def main():
    global OUT, ELAPSED
    env = dict(os.environ, ET_SKIP_APT="1", ET_SKIP_FRONTEND="1")
    started = time.time()
    p = subprocess.run([os.path.join(ROOT, "scripts", "demo")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    ELAPSED = time.time() - started
    OUT = p.stdout
    if p.returncode != 0:
        print(p.stdout[-4000:], p.stderr[-4000:])
        sys.exit("scripts/demo exited with %d" % p.returncode)
    result = unittest.main(argv=[sys.argv[0]], exit=False, verbosity=2).result
    if not result.wasSuccessful():
        print(OUT)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
