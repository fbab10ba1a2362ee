#!/usr/bin/env python3
"""Span metrics for the example traces, as the Collector's spanmetrics connector writes them.

Reads the example traces (OTLP JSON, the same files the demo's Tempo-compatible
server serves) and writes OpenMetrics text for `promtool tsdb
create-blocks-from openmetrics`, so Prometheus and Tempo tell one consistent
story in the demo:

  traces_span_metrics_calls_total{service_name, span_name, span_kind, status_code,
                                  http_route, http_request_method,
                                  http_response_status_code, deployment_environment_name}
  traces_span_metrics_events_total{... the same ..., exception_type}

exactly as examples/otel-collector.yaml configures the connector: dimensions
are looked up in span then resource attributes and left out when absent;
every span event is counted, keyed by its `exception.type` when it has one.

The example setup tail-samples traces (every error trace is kept, 1 in
`ok_sampling_ratio` successful ones) and the connector sits before the sampler,
so successful calls are scaled back up and spread evenly over the window;
error calls and exception events are counted one for one. Settings:
examples/traffic.json.

Usage:
  spanmetrics.py --traces DIR [--shift SECONDS] [--settings traffic.json] -o out.om [--summary s.json]
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "tempo"))
import corpus as corpus_mod  # noqa: E402  (the demo's trace loader)

KINDS = corpus_mod.KIND_NAMES
STATUSES = corpus_mod.STATUS_NAMES


def attr(span, key):
    v = span.get(key)
    if v is None and span.resource is not None:
        v = span.resource.get(key)
    if v is None or isinstance(v, (list, dict)):
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def label_name(dim):
    return "".join(c if c.isalnum() else "_" for c in dim)


def series_labels(span, dims):
    labels = [("service_name", corpus_mod.service(span)), ("span_name", span.name),
              ("span_kind", KINDS[span.kind] if 0 <= span.kind < len(KINDS) else KINDS[0]),
              ("status_code", STATUSES[span.status_code])]
    for d in dims:
        v = attr(span, d)
        if v not in (None, ""):
            labels.append((label_name(d), v))
    return tuple(labels)


def esc(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def labelstr(labels):
    return "{" + ",".join('%s="%s"' % (k, esc(v)) for k, v in labels) + "}"


class Counters:
    """Per-series increments per step, then cumulative values with an optional reset."""

    def __init__(self, start, end, step):
        self.start, self.end, self.step = start, end, step
        self.n = (end - start) // step
        self.incs = {}

    def add(self, key, t_s, amount=1.0):
        i = int((t_s - self.start) // self.step) + 1  # sample at the end of its step
        if i < 1 or i > self.n:
            return
        arr = self.incs.setdefault(key, [0.0] * (self.n + 1))
        arr[i] += amount

    def spread(self, key, total):
        arr = self.incs.setdefault(key, [0.0] * (self.n + 1))
        for i in range(1, self.n + 1):
            arr[i] += total / self.n

    def cumulative(self, key, reset_index):
        out, acc = [], 0.0
        for i, inc in enumerate(self.incs[key]):
            if reset_index is not None and i == reset_index:
                acc = 0.0
            acc += inc
            out.append(acc)
        return out


def build(traces_dirs, shift, settings):
    c = corpus_mod.load(traces_dirs, time_shift_ns=shift * 10**9)
    step = settings["step_seconds"]
    start = (c.start_ns // 10**9) // step * step
    end = ((c.end_ns // 10**9) // step + 1) * step
    dims = settings["dimensions"]
    ratio = settings["ok_sampling_ratio"]
    calls = Counters(start, end, step)
    events = Counters(start, end, step)
    ok_totals = {}
    for span in c.spans():
        labels = series_labels(span, dims)
        t = span.end_ns / 1e9  # the connector counts a span when it ends
        if span.is_error:
            calls.add(labels, t)
        else:
            ok_totals[labels] = ok_totals.get(labels, 0) + ratio
        for ev in span.events:
            etype = ev.get("exception.type") if hasattr(ev, "get") else None
            ev_labels = labels + ((("exception_type", str(etype)),) if etype else ())
            events.add(ev_labels, ev.time_ns / 1e9 if getattr(ev, "time_ns", 0) else t)
    for labels, total in ok_totals.items():
        calls.spread(labels, total)
    return calls, events, start, end


def write(out, calls, events, settings):
    ns = settings["namespace"]
    reset = None
    if settings.get("restart"):
        reset = int(settings["restart"]["at_fraction"] * calls.n)
    times = [calls.start + i * calls.step for i in range(calls.n + 1)]
    for family, counters in ((ns + "_calls", calls), (ns + "_events", events)):
        out.write("# HELP %s span metrics (examples/spanmetrics.py)\n# TYPE %s counter\n"
                  % (family, family))
        for key in sorted(counters.incs):
            ls = labelstr(key)
            for t, v in zip(times, counters.cumulative(key, reset)):
                out.write("%s_total%s %s %d\n" % (family, ls, ("%.3f" % v).rstrip("0").rstrip("."),
                                                 t))
    out.write("# EOF\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--traces", action="append", required=True, help="trace files or folders")
    ap.add_argument("--shift", type=int, default=0, help="seconds added to every trace time")
    ap.add_argument("--settings", default=os.path.join(HERE, "traffic.json"))
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--summary", help="write the window and series counts here (JSON)")
    args = ap.parse_args(argv)
    with open(args.settings) as f:
        settings = json.load(f)
    calls, events, start, end = build(args.traces, args.shift, settings)
    with open(args.output, "w") as out:
        write(out, calls, events, settings)
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump({"start": start, "end": end, "step": calls.step,
                       "calls_series": len(calls.incs), "events_series": len(events.incs)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
