"""Trace corpus for the Tempo benchmark: N error traces (each a frontend
SERVER span calling a backend whose SERVER span fails with an exception
event and a realistic stack trace) and N/2 healthy traces, spread over the
50 minutes before END_S, written as OTLP JSON lines (the Collector file
exporter's shape, read by tests/tempo/tempo_server.py).

  bench_corpus.py DIR N
"""

import json
import os
import random
import sys

END_S = 1750000000            # fixed: the benchmark points every client at it
SPREAD_S = 50 * 60
NS = 10**9

SERVICES = [("checkout", "java"), ("payment", "dotnet"), ("inventory", "python"),
            ("shipping", "go"), ("cart", "nodejs")]


def stack(lang, rng):
    n = rng.randint(100, 999)
    if lang == "java":
        return ("java.lang.IllegalStateException", "order %d is not payable" % n,
                "java.lang.IllegalStateException: order %d is not payable\n" % n +
                "".join("\tat com.acme.checkout.step%d.Handler.run(Handler.java:%d)\n" % (i, 20 + i)
                        for i in range(12)) +
                "\tat org.springframework.web.servlet.FrameworkServlet.service("
                "FrameworkServlet.java:885)\n")
    if lang == "dotnet":
        return ("System.TimeoutException", "gateway timeout after %d ms" % n,
                "System.TimeoutException: gateway timeout after %d ms\n" % n +
                "".join("   at Acme.Payments.Step%d.Run() in /src/Payments/Step%d.cs:line %d\n"
                        % (i, i, 30 + i) for i in range(10)))
    if lang == "python":
        return ("KeyError", "'sku-%d'" % n,
                "Traceback (most recent call last):\n" +
                "".join('  File "/srv/app/inventory/step%d.py", line %d, in run\n    step()\n'
                        % (i, 10 + i) for i in range(10)) + "KeyError: 'sku-%d'\n" % n)
    if lang == "go":
        return ("*errors.errorString", "carrier %d unavailable" % n,
                "goroutine %d [running]:\n" % n +
                "".join("main.step%d(...)\n\t/src/shipping/step%d.go:%d +0x1d\n" % (i, i, 40 + i)
                        for i in range(10)))
    return ("TypeError", "Cannot read properties of undefined (reading 'qty')",
            "TypeError: Cannot read properties of undefined (reading 'qty')\n" +
            "".join("    at step%d (/app/src/step%d.js:%d:7)\n" % (i, i, 12 + i)
                    for i in range(10)))


def hexid(rng, nbytes):
    return "%0*x" % (2 * nbytes, rng.getrandbits(8 * nbytes) | 1)


def trace(rng, t_ns, failing):
    svc, lang = rng.choice(SERVICES)
    tid, root, client, server = hexid(rng, 16), hexid(rng, 8), hexid(rng, 8), hexid(rng, 8)

    def span(sid, parent, name, kind, start, dur, attrs, status=None, events=None):
        s = {"traceId": tid, "spanId": sid, "name": name, "kind": kind,
             "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + dur),
             "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attrs],
             "status": status or {}}
        if parent:
            s["parentSpanId"] = parent
        if events:
            s["events"] = events
        return s

    def res(name, language):
        return {"attributes": [{"key": "service.name", "value": {"stringValue": name}},
                               {"key": "telemetry.sdk.language",
                                "value": {"stringValue": language}}]}

    route = "/api/%s/{id}" % svc
    front = [span(root, None, "GET " + route, 2, t_ns, 80 * 10**6, [("http.route", route)],
                  {"code": 2} if failing else None),
             span(client, root, "GET", 3, t_ns + 10**6, 70 * 10**6, [("url.full", "http://x")],
                  {"code": 2} if failing else None)]
    events = None
    if failing:
        etype, msg, st = stack(lang, rng)
        events = [{"timeUnixNano": str(t_ns + 60 * 10**6), "name": "exception", "attributes": [
            {"key": "exception.type", "value": {"stringValue": etype}},
            {"key": "exception.message", "value": {"stringValue": msg}},
            {"key": "exception.stacktrace", "value": {"stringValue": st}}]}]
    back = [span(server, client, "GET " + route, 2, t_ns + 2 * 10**6, 65 * 10**6,
                 [("http.route", route)], {"code": 2, "message": "failed"} if failing else None,
                 events)]
    return {"resourceSpans": [
        {"resource": res("frontend", "nodejs"), "scopeSpans": [{"scope": {"name": "b"},
                                                                "spans": front}]},
        {"resource": res(svc, lang), "scopeSpans": [{"scope": {"name": "b"}, "spans": back}]}]}


def build(directory, n_errors, seed=1):
    rng = random.Random(seed)
    os.makedirs(directory, exist_ok=True)
    total = n_errors + n_errors // 2
    with open(os.path.join(directory, "bench.jsonl"), "w") as f:
        for i in range(total):
            t = (END_S - SPREAD_S) * NS + (i * SPREAD_S * NS) // total + rng.randint(0, 10**6)
            f.write(json.dumps(trace(rng, t, failing=(i % 3 != 2))) + "\n")


if __name__ == "__main__":
    build(sys.argv[1], int(sys.argv[2]))
