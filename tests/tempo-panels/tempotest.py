"""Helpers for the Tempo panel tests: run queries through the C driver
(exec_run_query), read its frames, and compute the rows each query should
return from the corpus through tests/tempo/corpus.py, never through the
plugin's code.

The expectations follow the rules documented in src/tempo/tempo_errors.h and
docs/queries.md, restated here in Python:
  - an occurrence is an ERROR span, represented by its last exception event
    (with an exception-type filter: the last event whose type is in it), or
    of type "(no exception)" with the status message when it has none;
  - a search returns the traces overlapping [start, end] (seconds) and every
    matching span in them;
  - recent-errors: newest span start first, then trace ID, span ID;
  - error-summary: by (service, type): count, first/last span start, the
    example is the latest occurrence (ties: smaller trace ID); sorted by
    count, then last seen (latest first), service, type;
  - trace-exceptions: every exception event of every span, plus one
    "(no exception)" row per ERROR span without one, by event time, span ID,
    event order.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPO_TESTS = os.path.join(os.path.dirname(HERE), "tempo")
sys.path.insert(0, TEMPO_TESTS)

import corpus as C  # noqa: E402
from tempo_server import ServerProcess  # noqa: E402,F401

NO_EXC = C.NO_EXCEPTION
DRIVER = None
TEMPO_UID = "tempo-ds-uid"


# ---------------------------------------------------------------------------
# Running queries
# ---------------------------------------------------------------------------

def settings(url, **extra):
    s = {"tempoUrl": url, "tempoDatasourceUid": TEMPO_UID, "tempoDatasourceName": "Tempo",
         "timeoutSeconds": 20}
    s.update(extra)
    return s


def run(settings_obj, queries, *args, timeout=300):
    """Run queries (list of dicts: refId, from, to, query) through the driver.
    Returns (results, stderr): one dict per query and round."""
    cmd = [DRIVER] + list(args) + [json.dumps(settings_obj), json.dumps(queries)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("driver failed (%d): %s" % (p.returncode, p.stderr))
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()], p.stderr


def query(url, qtype, start_s, end_s, extra_settings=None, **model):
    """One query; returns its result dict."""
    model = dict(model)
    model["queryType"] = qtype
    res, _ = run(settings(url, **(extra_settings or {})),
                 [{"refId": "A", "from": start_s * 1000, "to": end_s * 1000, "query": model}])
    return res[0]


def frame_fields(frame):
    return [f["name"] for f in frame["schema"]["fields"]]


def frame_rows(frame):
    """Rows as dicts; time fields as integer nanoseconds."""
    fields = frame["schema"]["fields"]
    values = frame["data"]["values"]
    nanos = frame["data"].get("nanos") or [None] * len(fields)
    cols = []
    for i, f in enumerate(fields):
        col = values[i]
        if f["type"] == "time":
            extra = nanos[i] or [0] * len(col)
            col = [None if v is None else v * 10**6 + extra[j] for j, v in enumerate(col)]
        cols.append(col)
    n = len(cols[0]) if cols else 0
    return [{f["name"]: cols[i][r] for i, f in enumerate(fields)} for r in range(n)]


def notices(frame):
    return [n["text"] for n in frame["schema"].get("meta", {}).get("notices", [])]


def executed(frame):
    return frame["schema"].get("meta", {}).get("executedQueryString", "")


# ---------------------------------------------------------------------------
# Expected values from the corpus
# ---------------------------------------------------------------------------

def etype(ev):
    t = ev.get("exception.type")
    return t if isinstance(t, str) and t else "(unknown)"


def occurrences(corp, start_s, end_s, services=(), routes=(), types=(), envs=(), traces=None):
    """Expected occurrences of a search over [start_s, end_s] (see the module
    comment). `traces`: only these trace IDs (partial-failure tests)."""
    out = []
    for t in corp.in_range(start_s, end_s):
        if traces is not None and t.trace_id not in traces:
            continue
        for s in t.spans:
            if not s.is_error:
                continue
            if services and C.service(s) not in services:
                continue
            if routes and C.route(s) not in routes:
                continue
            if envs and C.environment(s) not in envs:
                continue
            evs = C.exception_events(s)
            if types:
                cand = [e for e in evs if etype(e) in types]
                if cand:
                    ev = cand[-1]
                elif not evs and NO_EXC in types:
                    ev = None
                else:
                    continue
            else:
                ev = evs[-1] if evs else None
            out.append(C._occurrence(s, ev))
    return out


def recent(occ, limit):
    return sorted(occ, key=lambda o: (-o.time_ns, o.trace_id, o.span_id))[:limit]


def recent_limited(corp, start_s, end_s, limit, **filters):
    """recent-errors when the search's trace limit bites: Tempo keeps the
    `limit` newest matching traces (trace start), the panel the newest spans
    of those."""
    occ = occurrences(corp, start_s, end_s, **filters)
    by_trace = {}
    for o in occ:
        by_trace.setdefault(o.trace_id, []).append(o)
    newest = sorted(by_trace, key=lambda tid: -corp.trace(tid).start_ns)[:limit]
    kept = [o for tid in newest for o in by_trace[tid]]
    return recent(kept, limit)


def summary(occ):
    groups = {}
    for o in occ:
        groups.setdefault((o.service, o.exception_type), []).append(o)
    rows = []
    for (svc, typ), lst in groups.items():
        example = max(lst, key=lambda o: (o.time_ns, [-ord(c) for c in o.trace_id]))
        rows.append({"service": svc, "exceptionType": typ, "count": len(lst),
                     "firstSeen": min(o.time_ns for o in lst),
                     "lastSeen": max(o.time_ns for o in lst), "traceID": example.trace_id,
                     "message": example.message, "stacktrace": example.stacktrace})
    rows.sort(key=lambda r: (-r["count"], -r["lastSeen"], r["service"], r["exceptionType"]))
    return rows


def trace_exception_rows(corp, trace_id):
    t = corp.trace(trace_id)
    rows = []
    for s in t.spans:
        evs = C.exception_events(s)
        for i, ev in enumerate(evs):
            o = C._occurrence(s, ev)
            rows.append(((o.event_time_ns, s.span_id, i), o))
        if not evs and s.is_error:
            o = C._occurrence(s, None)
            rows.append(((o.event_time_ns, s.span_id, 0), o))
    rows.sort(key=lambda r: r[0])
    return [o for _, o in rows]


def error_traces(corp, start_s, end_s):
    return [t for t in corp.in_range(start_s, end_s) if any(s.is_error for s in t.spans)]
