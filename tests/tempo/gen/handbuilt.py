#!/usr/bin/env python3
"""Generator of the hand-built part of the Tempo test corpus.

Simulates two hours (2025-03-12 08:00-10:00 UTC) of a small shop: frontend
(Node.js), checkout (Java), payment (.NET), inventory (Python), shipping (Go),
refunds (Ruby) and invoicing (PHP), with realistic span structure, old and new
OpenTelemetry semantic conventions, exception events whose stack traces follow
each language's format (see stacks.py), an error spike and a new error group
in the second hour.  The output is deterministic (fixed seed, fixed times).

  gen/handbuilt.py                      rewrite tests/tempo/corpus/handbuilt*
  gen/handbuilt.py --out DIR --scale 10 a ten times bigger corpus (benchmarks)
  gen/handbuilt.py --out DIR --error-traces 1000   exactly 1,000 traces with errors

Files written (OTLP JSON lines as the OpenTelemetry Collector's file exporter
writes them, hex IDs):
  handbuilt.jsonl       every service except refunds
  handbuilt-ils.jsonl   refunds spans, in the pre-OTLP-0.18 shape
                        (instrumentationLibrarySpans/instrumentationLibrary)
  tempo-bodies/*.json   three traces stored as Tempo answered them (base64
                        IDs): a v1 {"batches":...}, a v2 {"trace":...} and a
                        bare {"resourceSpans":...} Tempo trace body
The timeline (spike, deploy, outages) is documented in corpus/README.md.
"""

import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import stacks  # noqa: E402
import tempo_json as tj  # noqa: E402
from corpus import (KIND_CLIENT, KIND_CONSUMER, KIND_INTERNAL, KIND_PRODUCER,  # noqa: E402
                    KIND_SERVER, STATUS_ERROR, STATUS_OK, STATUS_UNSET, Event, Resource, Scope,
                    Span, Trace)

T0 = 1741766400                       # 2025-03-12T08:00:00Z
MINUTES = 120
MIN = 60
SPIKE = (T0 + 80 * MIN, T0 + 95 * MIN)          # payment gateway times out
SHIPPING_DEPLOY = T0 + 70 * MIN                 # shipping 1.8.0: nil-pointer panic
INVENTORY_OUTAGE = (T0 + 40 * MIN, T0 + 43 * MIN)  # inventory database unreachable
REFUNDS_DOWN = (T0 + 100 * MIN, T0 + 103 * MIN)    # refunds pods restarting
REFUNDS_RUBY34 = T0 + 30 * MIN                  # refunds redeployed on Ruby 3.4
NS = 10**9
MS = 10**6

# -- services -----------------------------------------------------------------

SDK = {
    "nodejs": [("telemetry.sdk.language", "nodejs"), ("telemetry.sdk.name", "opentelemetry"),
               ("telemetry.sdk.version", "1.30.1")],
    "java": [("telemetry.sdk.language", "java"), ("telemetry.sdk.name", "opentelemetry"),
             ("telemetry.sdk.version", "1.46.0"),
             ("telemetry.distro.name", "opentelemetry-java-instrumentation"),
             ("telemetry.distro.version", "2.12.0")],
    "dotnet": [("telemetry.sdk.language", "dotnet"), ("telemetry.sdk.name", "opentelemetry"),
               ("telemetry.sdk.version", "1.11.2")],
    "python": [("telemetry.sdk.language", "python"), ("telemetry.sdk.name", "opentelemetry"),
               ("telemetry.sdk.version", "1.29.0")],
    "go": [("telemetry.sdk.language", "go"), ("telemetry.sdk.name", "opentelemetry"),
           ("telemetry.sdk.version", "1.28.0")],
    "ruby": [("telemetry.sdk.language", "ruby"), ("telemetry.sdk.name", "opentelemetry"),
             ("telemetry.sdk.version", "1.6.0")],
    "php": [("telemetry.sdk.language", "php"), ("telemetry.sdk.name", "opentelemetry"),
            ("telemetry.sdk.version", "1.1.2")],
}


def resource(name, lang, version, pod, env="production", new_env=False, extra=()):
    attrs = [("service.name", name), ("service.namespace", "shop"), ("service.version", version),
             ("deployment.environment.name" if new_env else "deployment.environment", env)]
    attrs += SDK[lang]
    attrs += [("k8s.namespace.name", "shop" if env == "production" else "shop-staging"),
              ("k8s.pod.name", pod), ("host.name", pod)]
    attrs += list(extra)
    return Resource(attrs)


R = {
    "frontend": resource("frontend", "nodejs", "3.4.1", "frontend-7d9c5b6f4-x2x7q", new_env=True,
                         extra=[("process.runtime.name", "nodejs"),
                                ("process.runtime.version", "20.18.1")]),
    "checkout": resource("checkout", "java", "2.14.0", "checkout-5f6b8c9d7-kq2lp",
                         extra=[("process.runtime.name", "OpenJDK Runtime Environment"),
                                ("process.runtime.version", "21.0.5+11-LTS")]),
    "checkout-staging": resource("checkout", "java", "2.15.0-rc.1", "checkout-6c7d9e0f1-zz9aa",
                                 env="staging",
                                 extra=[("process.runtime.name", "OpenJDK Runtime Environment"),
                                        ("process.runtime.version", "21.0.5+11-LTS")]),
    "payment": resource("payment", "dotnet", "1.9.2", "payment-84b7d6c5f-m4n7v", new_env=True,
                        extra=[("process.runtime.name", ".NET"),
                               ("process.runtime.version", "8.0.11")]),
    "inventory": resource("inventory", "python", "5.2.0", "inventory-6d5c4b3a2-p8r2t",
                          extra=[("process.runtime.name", "cpython"),
                                 ("process.runtime.version", "3.12.8")]),
    "shipping-1.7.3": resource("shipping", "go", "1.7.3", "shipping-7c8d9e6f5-a1b2c"),
    "shipping-1.8.0": resource("shipping", "go", "1.8.0", "shipping-9a8b7c6d5-d3e4f"),
    "refunds-4.0.2": resource("refunds", "ruby", "4.0.2", "refunds-5d4c3b2a1-r5s6t",
                              extra=[("process.runtime.name", "ruby"),
                                     ("process.runtime.version", "3.2.6")]),
    "refunds-4.1.0": resource("refunds", "ruby", "4.1.0", "refunds-8e7d6c5b4-u7v8w",
                              extra=[("process.runtime.name", "ruby"),
                                     ("process.runtime.version", "3.4.1")]),
    "invoicing": resource("invoicing", "php", "2.3.5", "invoicing-4c3b2a1d0-h9j0k", new_env=True,
                          extra=[("process.runtime.name", "cli"),
                                 ("process.runtime.version", "8.3.14")]),
}

S = {
    "node-http": Scope("@opentelemetry/instrumentation-http", "0.57.2"),
    "node-app": Scope("frontend", "3.4.1"),
    "java-tomcat": Scope("io.opentelemetry.tomcat-10.0", "2.12.0-alpha"),
    "java-grpc": Scope("io.opentelemetry.grpc-1.6", "2.12.0-alpha"),
    "java-http": Scope("io.opentelemetry.apache-httpclient-5.2", "2.12.0-alpha"),
    "java-kafka": Scope("io.opentelemetry.kafka-clients-2.6", "2.12.0-alpha"),
    "dotnet-aspnet": Scope("Microsoft.AspNetCore", ""),
    "dotnet-http": Scope("System.Net.Http", ""),
    "py-flask": Scope("opentelemetry.instrumentation.flask", "0.50b0"),
    "py-grpc": Scope("opentelemetry.instrumentation.grpc", "0.50b0"),
    "py-app": Scope("inventory.reservations", ""),
    "go-kafka": Scope("github.com/IBM/sarama/otelsarama", "0.53.0"),
    "go-app": Scope("github.com/acme/fulfil/internal/shipment", ""),
    "ruby-rack": Scope("OpenTelemetry::Instrumentation::Rack", "0.26.0"),
    "ruby-ap": Scope("OpenTelemetry::Instrumentation::ActionPack", "0.12.0"),
    "php-symfony": Scope("io.opentelemetry.contrib.php.symfony", "1.0.0"),
}


def exc_event(t_ns, exc, escaped=None):
    etype, msg, st = exc
    attrs = [("exception.type", etype), ("exception.message", msg), ("exception.stacktrace", st)]
    if escaped is not None:
        attrs.append(("exception.escaped", escaped))
    return Event(t_ns, "exception", attrs)


class Builder:
    """Spans of one trace."""

    def __init__(self, gen):
        self.gen = gen
        self.trace_id = gen.new_trace_id()
        self.spans = []

    def span(self, res, scope, name, kind, start, dur, parent=None, attrs=(), status=STATUS_UNSET,
             message="", events=()):
        s = Span(trace_id=self.trace_id, span_id=self.gen.new_span_id(),
                 parent_span_id=parent.span_id if parent is not None else "",
                 name=name, kind=kind, start_ns=start, end_ns=start + dur, attributes=list(attrs),
                 events=list(events), status_code=status, status_message=message,
                 resource=R[res], scope=S[scope])
        self.spans.append(s)
        return s


class Gen:
    def __init__(self, seed=20250312, scale=1.0):
        self.rng = random.Random(seed)
        self.scale = scale
        self.traces = []            # [(kind, [Span])]
        self.n_ids = 0
        self.invoices = self.checkouts = self.orders = self.refunds = 0

    def new_trace_id(self):
        self.n_ids += 1
        b = bytearray(self.rng.getrandbits(128).to_bytes(16, "big"))
        if self.n_ids % 17 == 0:      # Tempo strips leading zeros in search results
            b[0] = 0
            b[1] = 0 if self.n_ids % 34 == 0 else b[1] & 0x0F
        return bytes(b).hex()

    def new_span_id(self):
        b = bytearray(self.rng.getrandbits(64).to_bytes(8, "big"))
        if self.rng.random() < 0.05:
            b[0] = 0
        return bytes(b).hex()

    def chance(self, p):
        return self.rng.random() < p

    def ms(self, lo, hi):
        return int(self.rng.uniform(lo, hi) * MS)


def in_window(t_ns, win):
    return win[0] * NS <= t_ns < win[1] * NS


# -- flows ---------------------------------------------------------------------

def frontend_server(b, start, dur, method, path, route, status_code, error=False, events=()):
    attrs = [("http.request.method", method), ("url.path", path), ("url.scheme", "https"),
             ("http.route", route), ("http.response.status_code", status_code),
             ("server.address", "shop.example.com"),
             ("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 "
                                     "Firefox/133.0")]
    if error:
        attrs.append(("error.type", str(status_code)))
    return b.span("frontend", "node-http", "%s %s" % (method, route), KIND_SERVER, start, dur,
                  attrs=attrs, status=STATUS_ERROR if error else STATUS_UNSET, events=events)


def frontend_client(b, parent, start, dur, method, url, host, port, status_code):
    attrs = [("http.request.method", method), ("url.full", url), ("server.address", host),
             ("server.port", port), ("http.response.status_code", status_code)]
    err = status_code >= 400
    if err:
        attrs.append(("error.type", str(status_code)))
    return b.span("frontend", "node-http", method, KIND_CLIENT, start, dur, parent, attrs,
                  STATUS_ERROR if err else STATUS_UNSET)


def inventory_stock(b, g, parent, start, sku, fail):
    """inventory GET /api/stock/<sku> (Flask, old HTTP semantic conventions)."""
    dur = g.ms(3100, 3400) if fail else g.ms(4, 30)
    attrs = [("http.method", "GET"), ("http.scheme", "http"), ("http.flavor", "1.1"),
             ("http.target", "/api/stock/%s?warehouse=%d" % (sku, g.rng.randint(1, 4))),
             ("http.route", "/api/stock/<sku>"), ("net.host.name", "inventory"),
             ("http.status_code", 500 if fail else 200)]
    events = []
    if fail:
        exc = stacks.py_pg_timeout("10.42.7.19", sku)
        if g.chance(0.5):  # the pool retried once before giving up
            events.append(exc_event(start + 1500 * MS, exc, escaped=False))
        events.append(exc_event(start + dur - 2 * MS, exc, escaped=True))
    b.span("inventory", "py-flask", "GET /api/stock/<sku>", KIND_SERVER, start, dur, parent, attrs,
           STATUS_ERROR if fail else STATUS_UNSET, events=events)
    return dur


SKUS = ["SKU-1042", "SKU-2210", "SKU-0087", "SKU-3301", "SKU-7719", "SKU-4408"]


def flow_home(g, t):
    """frontend GET / fans out to inventory stock lookups."""
    b = Builder(g)
    outage = in_window(t, INVENTORY_OUTAGE)
    n = 5 if outage else g.rng.randint(1, 3)
    fail_all = outage
    fail_one = not outage and g.chance(0.04)
    root_start = t
    cursor = t + g.ms(2, 6)
    children = []
    longest = 0
    for i in range(n):
        fail = fail_all or (fail_one and i == 0)
        sku = g.rng.choice(SKUS)
        cstart = cursor + i * g.ms(0.2, 0.6)
        children.append((cstart, sku, fail))
    root_dur_guess = 0
    root = frontend_server(b, root_start, 1, "GET", "/", "/", 200)
    for cstart, sku, fail in children:
        status = 500 if fail else 200
        cl = frontend_client(b, root, cstart, 1, "GET",
                             "http://inventory:8000/api/stock/%s" % sku, "inventory", 8000, status)
        d = inventory_stock(b, g, cl, cstart + g.ms(0.5, 1.5), sku, fail)
        cl.end_ns = cl.start_ns + d + g.ms(1, 3)
        longest = max(longest, cl.end_ns - root_start)
    root_dur_guess = longest + g.ms(2, 8)
    root.end_ns = root.start_ns + root_dur_guess
    if fail_all:
        root.status_code = STATUS_ERROR
        root.attributes = [(k, 502 if k == "http.response.status_code" else v)
                           for k, v in root.attributes] + [("error.type", "502")]
    return "home", b.spans


def flow_cart(g, t):
    b = Builder(g)
    fail = g.chance(0.10)
    events = []
    dur = g.ms(8, 40)
    if fail:
        events.append(exc_event(t + dur - 1 * MS, stacks.node_cart_typeerror(), escaped=True))
    frontend_server(b, t, dur, "GET", "/api/cart", "/api/cart", 500 if fail else 200, fail, events)
    return "cart", b.spans


def checkout_server(b, res, start, dur, method, path, route, status_code, events=(), error=False):
    attrs = [("http.request.method", method), ("url.path", path), ("url.scheme", "http"),
             ("http.route", route), ("network.protocol.version", "1.1"),
             ("http.response.status_code", status_code), ("server.address", "checkout"),
             ("server.port", 8080)]
    if error:
        attrs.append(("error.type", str(status_code)))
    return b.span(res, "java-tomcat", "%s %s" % (method, route), KIND_SERVER, start, dur, None,
                  attrs, STATUS_ERROR if error else STATUS_UNSET, events=events)


def flow_checkout_staging(g, t):
    """The staging checkout, called by a synthetic smoke test (no frontend)."""
    b = Builder(g)
    fail = g.chance(0.5)
    dur = g.ms(3, 12)
    events = [exc_event(t + dur - MS, stacks.java_npe(), escaped=True)] if fail else []
    checkout_server(b, "checkout-staging", t, dur, "POST", "/api/checkout", "/api/checkout",
                    500 if fail else 200, events, fail)
    return "checkout-staging", b.spans


def flow_checkout(g, t):
    """frontend POST /api/checkout -> checkout -> inventory (gRPC) + payment
    (HTTP) + shipping (Kafka)."""
    b = Builder(g)
    res = "checkout"
    order_id = g.rng.randint(770000, 779999)
    sku = g.rng.choice(SKUS)
    spike = in_window(t, SPIKE)
    # outcomes, decided up front; rare ones at fixed positions of the sequence
    g.checkouts += 1
    n = g.checkouts
    npe = n % 29 == 3
    grpc_down = not npe and n % 23 == 11
    conflict = not npe and not grpc_down and n % 17 == 7
    payment_timeout = not (npe or grpc_down or conflict) and spike and g.chance(0.75)
    card_declined = not (npe or grpc_down or conflict or payment_timeout) and n % 19 == 5
    handled_retry = n % 13 == 2

    # frontend root and its client call to checkout
    root = frontend_server(b, t, 1, "POST", "/api/checkout", "/api/checkout", 200)
    cl = frontend_client(b, root, t + g.ms(1, 3), 1, "POST", "http://checkout:8080/api/checkout",
                         "checkout", 8080, 200)
    cs_start = cl.start_ns + g.ms(0.5, 1.5)
    srv = checkout_server(b, res, cs_start, 1, "POST", "/api/checkout", "/api/checkout", 200)
    srv.parent_span_id = cl.span_id
    cursor = cs_start + g.ms(1, 4)
    result = 200
    exc = None

    # inventory reservation over gRPC
    gcl_start = cursor
    gcl_attrs = [("rpc.system", "grpc"), ("rpc.service", "inventory.v1.StockService"),
                 ("rpc.method", "Reserve"), ("server.address", "inventory"), ("server.port", 50051)]
    gcl = b.span(res, "java-grpc", "inventory.v1.StockService/Reserve", KIND_CLIENT, gcl_start, 1,
                 srv, gcl_attrs)
    if grpc_down:
        gdur = g.ms(1, 5)
        exc = stacks.java_grpc_unavailable()
        gcl.attributes.append(("rpc.grpc.status_code", 14))
        gcl.status_code = STATUS_ERROR
        gcl.events.append(exc_event(gcl_start + gdur, exc))
        gcl.end_ns = gcl_start + gdur
        result = 500
    else:
        gs_start = gcl_start + g.ms(0.5, 1.2)
        gs = b.span("inventory", "py-grpc", "inventory.v1.StockService/Reserve", KIND_SERVER,
                    gs_start, 1, gcl, [("rpc.system", "grpc"),
                                       ("rpc.service", "inventory.v1.StockService"),
                                       ("rpc.method", "Reserve"), ("net.peer.name", "checkout")])
        rs_start = gs_start + g.ms(0.3, 1)
        rs_dur = g.ms(3, 15)
        rs = b.span("inventory", "py-app", "reserve_stock", KIND_INTERNAL, rs_start, rs_dur, gs,
                    [("code.function", "reserve_stock"), ("code.namespace", "app.reservations"),
                     ("app.sku", sku), ("app.quantity", 2)])
        if handled_retry and not conflict:
            # a serialization failure, retried successfully: recorded, not an error
            rs.events.append(exc_event(rs_start + rs_dur // 3, stacks.py_serialization_failure(),
                                       escaped=False))
        gs.end_ns = rs.end_ns + g.ms(0.2, 1)
        if conflict:
            cexc = stacks.py_stock_conflict(sku, 2, order_id - g.rng.randint(1, 40))
            rs.status_code = STATUS_ERROR
            rs.status_message = cexc[1]
            rs.events.append(exc_event(rs.end_ns - MS, cexc, escaped=True))
            gs.status_code = STATUS_ERROR
            gs.status_message = "ABORTED: " + cexc[1]
            gs.attributes.append(("rpc.grpc.status_code", 10))
            gexc = stacks.java_grpc_aborted(cexc[1])
            gcl.status_code = STATUS_ERROR
            gcl.attributes.append(("rpc.grpc.status_code", 10))
            gcl.events.append(exc_event(gs.end_ns + MS, gexc))
            # the controller maps the conflict to 409: recorded on the server span, not an error
            exc = gexc
            result = 409
        else:
            gs.attributes.append(("rpc.grpc.status_code", 0))
            gcl.attributes.append(("rpc.grpc.status_code", 0))
        gcl.end_ns = gs.end_ns + g.ms(0.3, 1)
    cursor = gcl.end_ns + g.ms(0.5, 2)

    if npe and result == 200:
        exc = stacks.java_npe()
        result = 500
        cursor += g.ms(1, 3)

    # payment
    if result == 200:
        pcl_start = cursor
        pcl = b.span(res, "java-http", "POST", KIND_CLIENT, pcl_start, 1, srv,
                     [("http.request.method", "POST"), ("url.full", "http://payment:8080/api/charge"),
                      ("server.address", "payment"), ("server.port", 8080)])
        ps_start = pcl_start + g.ms(0.5, 1.5)
        p_attrs = [("http.request.method", "POST"), ("url.path", "/api/charge"), ("url.scheme", "http"),
                   ("http.route", "/api/charge"), ("server.address", "payment"), ("server.port", 8080)]
        ps = b.span("payment", "dotnet-aspnet", "POST /api/charge", KIND_SERVER, ps_start, 1, pcl, p_attrs)
        cursor2 = ps_start + g.ms(1, 3)
        attempts = 3 if payment_timeout else 1
        for a in range(attempts):
            gw_dur = g.ms(5000, 5010) if payment_timeout else g.ms(80, 300)
            gw_status = 504 if payment_timeout else 201
            gw = b.span("payment", "dotnet-http", "POST", KIND_CLIENT, cursor2, gw_dur, ps,
                        [("http.request.method", "POST"),
                         ("url.full", "https://api.gateway.example/v1/captures"),
                         ("server.address", "api.gateway.example"), ("server.port", 443),
                         ("http.response.status_code", gw_status)] +
                        ([("error.type", "504")] if payment_timeout else []),
                        STATUS_ERROR if payment_timeout else STATUS_UNSET)
            if payment_timeout and a < attempts - 1:
                ps.events.append(exc_event(gw.end_ns + MS, stacks.dotnet_gateway_504(a + 1),
                                           escaped=False))
            cursor2 = gw.end_ns + g.ms(100, 250)
        ps.end_ns = cursor2 + g.ms(1, 3)
        if payment_timeout:
            ps.events.append(exc_event(ps.end_ns - MS, stacks.dotnet_gateway_timeout(order_id),
                                       escaped=True))
            ps.status_code = STATUS_ERROR
            ps.attributes += [("http.response.status_code", 503), ("error.type", "503")]
            if g.chance(0.6):
                # checkout's read timeout fired first
                pcl.end_ns = pcl_start + 10_000 * MS
                pcl.status_code = STATUS_ERROR
                pcl.attributes.append(("error.type", "java.net.SocketTimeoutException"))
                exc = stacks.java_payment_timeout()
            else:
                pcl.end_ns = ps.end_ns + g.ms(0.5, 1.5)
                pcl.status_code = STATUS_ERROR
                pcl.attributes += [("http.response.status_code", 503), ("error.type", "503")]
                exc = stacks.java_payment_503()
            result = 500
        elif card_declined:
            ps.events.append(exc_event(ps.end_ns - MS, stacks.dotnet_card_declined(order_id),
                                       escaped=True))
            ps.attributes.append(("http.response.status_code", 402))
            pcl.end_ns = ps.end_ns + g.ms(0.5, 1.5)
            pcl.attributes += [("http.response.status_code", 402), ("error.type", "402")]
            pcl.status_code = STATUS_ERROR
            result = 402
        else:
            ps.attributes.append(("http.response.status_code", 200))
            ps.status_code = STATUS_OK
            pcl.end_ns = ps.end_ns + g.ms(0.5, 1.5)
            pcl.attributes.append(("http.response.status_code", 200))
        cursor = pcl.end_ns + g.ms(0.5, 2)

    # shipping, asynchronously through Kafka
    consumer_spans = []
    if result == 200:
        pr = b.span(res, "java-kafka", "shipments publish", KIND_PRODUCER, cursor, g.ms(1, 3), srv,
                    [("messaging.system", "kafka"), ("messaging.destination.name", "shipments"),
                     ("messaging.operation.type", "publish"), ("messaging.kafka.message.key", str(order_id))])
        cursor = pr.end_ns + g.ms(0.5, 1)
        consumer_spans = shipping_consumer(b, g, pr, pr.end_ns + g.ms(20, 400), order_id)

    srv.end_ns = cursor + g.ms(1, 3)
    srv.attributes = [(k, result if k == "http.response.status_code" else v) for k, v in srv.attributes]
    if exc is not None:
        srv.events.append(exc_event(srv.end_ns - MS, exc, escaped=True))
    if result >= 500:
        srv.status_code = STATUS_ERROR
        srv.attributes.append(("error.type", str(result)))
    cl.end_ns = srv.end_ns + g.ms(0.5, 1.5)
    cl.attributes = [(k, result if k == "http.response.status_code" else v) for k, v in cl.attributes]
    root.end_ns = cl.end_ns + g.ms(1, 4)
    if result >= 400:
        cl.status_code = STATUS_ERROR
        cl.attributes.append(("error.type", str(result)))
    front_status = 502 if result >= 500 else (result if result != 200 else 201)
    root.attributes = [(k, front_status if k == "http.response.status_code" else v)
                       for k, v in root.attributes]
    if front_status >= 500:
        root.status_code = STATUS_ERROR
        root.attributes.append(("error.type", str(front_status)))
    return "checkout", b.spans, consumer_spans


def shipping_consumer(b, g, producer, start, order_id):
    res = "shipping-1.8.0" if start >= SHIPPING_DEPLOY * NS else "shipping-1.7.3"
    dur = g.ms(15, 60)
    cs = b.span(res, "go-kafka", "shipments process", KIND_CONSUMER, start, dur, producer,
                [("messaging.system", "kafka"), ("messaging.destination", "shipments"),
                 ("messaging.operation", "process"), ("messaging.kafka.partition", 3),
                 ("messaging.kafka.message.key", str(order_id))])
    plan = b.span(res, "go-app", "plan shipment", KIND_INTERNAL, start + g.ms(1, 3), dur - 4 * MS, cs,
                  [("code.function", "Plan"), ("code.namespace", "github.com/acme/fulfil/internal/shipment.(*Planner)")])
    if res == "shipping-1.8.0" and g.chance(0.45):
        exc = stacks.go_nil_panic(g.rng.randint(1000, 9999))
        plan.status_code = STATUS_ERROR
        plan.status_message = exc[1]
        cs.status_code = STATUS_ERROR
        cs.status_message = "panic: " + exc[1]
        cs.events.append(exc_event(plan.end_ns, exc, escaped=True))
    elif g.chance(0.05):
        exc = stacks.go_wrap_error(g.rng.randint(20, 900), order_id)
        cs.status_code = STATUS_ERROR
        cs.status_message = exc[1]
        cs.events.append(exc_event(cs.end_ns - MS, exc))
    return [cs, plan]


def flow_orders(g, t, truncate):
    b = Builder(g)
    order_id = g.rng.randint(700000, 779999)
    g.orders += 1
    fail = g.orders % 8 == 4 or truncate
    path = "/api/orders/%d" % order_id
    root = frontend_server(b, t, 1, "GET", path, "/api/orders/:id", 200)
    cl = frontend_client(b, root, t + g.ms(1, 2), 1, "GET", "http://checkout:8080" + path,
                         "checkout", 8080, 200)
    dur = g.ms(30005, 30030) if fail else g.ms(6, 40)
    events = []
    if fail:
        events.append(exc_event(cl.start_ns + dur, stacks.java_jdbc_failure(2048 if truncate else 0),
                                escaped=True))
    srv = checkout_server(b, "checkout", cl.start_ns + g.ms(0.5, 1), dur, "GET", path,
                          "/api/orders/{id}", 500 if fail else 200, events, fail)
    srv.parent_span_id = cl.span_id
    cl.end_ns = srv.end_ns + g.ms(0.5, 1)
    root.end_ns = cl.end_ns + g.ms(1, 2)
    if fail:
        cl.status_code = STATUS_ERROR
        cl.attributes = [(k, 500 if k == "http.response.status_code" else v) for k, v in cl.attributes]
        cl.attributes.append(("error.type", "500"))
        root.status_code = STATUS_ERROR
        root.attributes = [(k, 502 if k == "http.response.status_code" else v) for k, v in root.attributes]
        root.attributes.append(("error.type", "502"))
    return "orders", b.spans


def flow_refunds(g, t):
    b = Builder(g)
    charge = "ch_%s" % "".join(g.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789")
                               for _ in range(4))
    if in_window(t, REFUNDS_DOWN):
        dur = g.ms(1, 4)
        exc = stacks.node_econnrefused("10.42.5.23")
        root = frontend_server(b, t, dur + 2 * MS, "POST", "/api/refunds", "/api/refunds", 503, True,
                               [exc_event(t + dur, exc, escaped=True)])
        # the connection was refused: no response status, error.type names the failure
        b.span("frontend", "node-http", "POST", KIND_CLIENT, t + MS, dur, root,
               [("http.request.method", "POST"), ("url.full", "http://refunds:3000/api/refunds"),
                ("server.address", "refunds"), ("server.port", 3000),
                ("error.type", "ECONNREFUSED")], STATUS_ERROR, exc[1], [exc_event(t + dur, exc)])
        return "refunds-down", b.spans
    res = "refunds-4.1.0" if t >= REFUNDS_RUBY34 * NS else "refunds-4.0.2"
    g.refunds += 1
    ledger = g.refunds % 10 == 7
    fail = ledger or g.refunds % 4 == 1
    root = frontend_server(b, t, 1, "POST", "/api/refunds", "/api/refunds", 201)
    cl = frontend_client(b, root, t + g.ms(1, 2), 1, "POST", "http://refunds:3000/api/refunds",
                         "refunds", 3000, 201)
    dur = g.ms(5000, 5050) if ledger else g.ms(12, 80)
    status = 500 if ledger else (422 if fail else 201)
    rack = b.span(res, "ruby-rack", "POST /api/refunds", KIND_SERVER, cl.start_ns + g.ms(0.4, 1), dur, cl,
                  [("http.method", "POST"), ("http.target", "/api/refunds"), ("http.scheme", "http"),
                   ("http.host", "refunds:3000"), ("http.user_agent", "node"),
                   ("http.status_code", status)],
                  STATUS_ERROR if status >= 500 else STATUS_UNSET)
    ctrl = b.span(res, "ruby-ap", "Api::RefundsController#create", KIND_INTERNAL,
                  rack.start_ns + g.ms(0.5, 1), dur - 2 * MS, rack,
                  [("code.namespace", "Api::RefundsController"), ("code.function", "create")])
    if ledger:
        exc = stacks.ruby_ledger_timeout(charge)
        ctrl.status_code = STATUS_ERROR
        ctrl.status_message = exc[1]
        ctrl.events.append(exc_event(ctrl.end_ns - MS, exc, escaped=True))
        rack.events.append(exc_event(rack.end_ns - MS, exc, escaped=True))
    elif fail:
        exc = stacks.ruby_amount_exceeded(charge, res == "refunds-4.1.0")
        ctrl.status_code = STATUS_ERROR
        ctrl.status_message = exc[1]
        ctrl.events.append(exc_event(ctrl.end_ns - MS, exc, escaped=True))
    cl.end_ns = rack.end_ns + g.ms(0.5, 1)
    cl.attributes = [(k, status if k == "http.response.status_code" else v) for k, v in cl.attributes]
    root.end_ns = cl.end_ns + g.ms(1, 2)
    if status >= 400:
        cl.status_code = STATUS_ERROR
        cl.attributes.append(("error.type", str(status)))
    if status >= 500:
        root.status_code = STATUS_ERROR
        root.attributes = [(k, 502 if k == "http.response.status_code" else v) for k, v in root.attributes]
        root.attributes.append(("error.type", "502"))
    elif status == 422:
        root.attributes = [(k, 422 if k == "http.response.status_code" else v) for k, v in root.attributes]
    return "refunds", b.spans


def flow_invoices(g, t):
    b = Builder(g)
    invoice = g.rng.randint(88000, 88999)
    g.invoices += 1
    # rare outcomes at fixed positions, so every kind is present at any scale
    outcome = {3: "notfound", 6: "render", 9: "typeerror"}.get(g.invoices % 10, "ok")
    if outcome == "ok" and g.rng.random() < 0.05:
        outcome = "notfound"
    pdf = outcome == "render" or (outcome == "ok" and g.chance(0.3))
    path = "/api/invoices/%d%s" % (invoice, ".pdf" if pdf else "")
    status = {"ok": 200, "notfound": 404, "render": 500, "typeerror": 500}[outcome]
    root = frontend_server(b, t, 1, "GET", path, "/api/invoices/:id", 200)
    cl = frontend_client(b, root, t + g.ms(1, 2), 1, "GET", "http://invoicing" + path, "invoicing", 80,
                         status)
    dur = g.ms(20, 120) if outcome != "render" else g.ms(2000, 2100)
    events = []
    if outcome == "notfound":
        events.append(exc_event(cl.start_ns + dur - MS, stacks.php_invoice_not_found(invoice)))
    elif outcome == "render":
        events.append(exc_event(cl.start_ns + dur - MS, stacks.php_render_failed(invoice), escaped=True))
    elif outcome == "typeerror":
        events.append(exc_event(cl.start_ns + dur - MS, stacks.php_native_typeerror(), escaped=True))
    b.span("invoicing", "php-symfony", "GET invoice_pdf" if pdf else "GET invoice_show", KIND_SERVER,
           cl.start_ns + g.ms(0.4, 1), dur, cl,
           [("http.request.method", "GET"), ("url.path", path), ("url.full", "http://invoicing" + path),
            ("url.scheme", "http"), ("http.response.status_code", status),
            ("network.protocol.version", "1.1")] + ([("error.type", str(status))] if status >= 500 else []),
           STATUS_ERROR if status >= 500 else STATUS_UNSET, events=events)
    cl.end_ns = b.spans[-1].end_ns + g.ms(0.5, 1)
    root.end_ns = cl.end_ns + g.ms(1, 2)
    if status >= 500:
        root.status_code = STATUS_ERROR
        root.attributes = [(k, 502 if k == "http.response.status_code" else v) for k, v in root.attributes]
        root.attributes.append(("error.type", "502"))
    elif status == 404:
        root.attributes = [(k, 404 if k == "http.response.status_code" else v) for k, v in root.attributes]
    return "invoices", b.spans


# -- schedule --------------------------------------------------------------------

RATES = [  # (flow, traces per minute)
    ("home", 0.55), ("cart", 0.3), ("checkout", 0.45), ("orders", 0.25), ("refunds", 0.3),
    ("invoices", 0.3),
]


def generate(scale=1.0, seed=20250312):
    g = Gen(seed, scale)
    out = []            # (start_ns, kind, spans, late_spans)
    truncated_done = False
    for m in range(MINUTES):
        base = (T0 + m * MIN) * NS
        for flow, rate in RATES:
            r = rate * scale
            if flow == "checkout" and in_window(base, SPIKE):
                r *= 3.0             # impatient shoppers retry
            n = int(r) + (1 if g.rng.random() < r - int(r) else 0)
            for _ in range(n):
                t = base + g.rng.randint(0, MIN * 1000 - 1) * MS + g.rng.randint(0, 999_999)
                late = []
                if flow == "home":
                    kind, spans = flow_home(g, t)
                elif flow == "cart":
                    kind, spans = flow_cart(g, t)
                elif flow == "checkout" and m % 23 == 5:
                    kind, spans = flow_checkout_staging(g, t)
                elif flow == "checkout":
                    kind, spans, late = flow_checkout(g, t)
                elif flow == "orders":
                    # the first failure of the second hour has its stack trace cut
                    # at 2048 bytes, as Tempo 2.7+ stores long attributes
                    trunc = not truncated_done and m >= 60 and g.orders % 8 == 3
                    truncated_done = truncated_done or trunc
                    kind, spans = flow_orders(g, t, trunc)
                elif flow == "refunds":
                    kind, spans = flow_refunds(g, t)
                else:
                    kind, spans = flow_invoices(g, t)
                late_ids = {id(s) for s in late}
                early = [s for s in spans if id(s) not in late_ids]
                out.append((t, kind, early, late))
    # a shipping consumer trace whose producer span never arrived (root missing)
    b = Builder(g)
    ghost = Span(trace_id=b.trace_id, span_id=g.new_span_id(), parent_span_id="", name="", kind=0,
                 start_ns=0, end_ns=0, attributes=[], events=[])
    t = (SHIPPING_DEPLOY + 33 * MIN) * NS + 123_456_789
    g.rng.random()
    late = shipping_consumer(b, g, ghost, t, 771999)
    out.append((t, "orphan", [], late))
    # the corpus covers exactly [T0, T0 + 2 h]: drop traces that would end later
    end = (T0 + MINUTES * MIN) * NS
    out = [x for x in out if max(s.end_ns for s in x[2] + x[3]) <= end]
    out.sort(key=lambda x: x[0])
    return out


# -- output ---------------------------------------------------------------------

def _group(spans, legacy_ils=False):
    """Spans -> resourceSpans list (Collector pdata JSON), grouped by resource
    and scope in first-seen order."""
    groups = []
    for s in spans:
        for res, scopes in groups:
            if res is s.resource:
                for sc, lst in scopes:
                    if sc is s.scope:
                        lst.append(s)
                        break
                else:
                    scopes.append((s.scope, [s]))
                break
        else:
            groups.append((s.resource, [(s.scope, [s])]))
    out = []
    for res, scopes in groups:
        rjs = {"attributes": tj.key_values(res.attributes)}
        sslist = []
        for sc, lst in scopes:
            scj = {}
            tj._put(scj, "name", sc.name)
            tj._put(scj, "version", sc.version)
            sslist.append({"instrumentationLibrary" if legacy_ils else "scope": scj,
                           "spans": [tj.otlp_span_json(x) for x in lst]})
        out.append({"resource": rjs, ("instrumentationLibrarySpans" if legacy_ils else "scopeSpans"): sslist})
    return out


def write(out_dir, items, bodies=True):
    os.makedirs(out_dir, exist_ok=True)
    body_dir = os.path.join(out_dir, "tempo-bodies")
    # three traces are stored as Tempo bodies instead of OTLP lines
    picks = {}
    if bodies:
        for t, kind, early, late in items:
            spans = early + late
            if "v1" not in picks and kind == "invoices" and any(s.events for s in spans) and \
                    any(s.is_error for s in spans):
                picks["v1"] = spans
            elif "v2" not in picks and kind == "checkout" and any(
                    e.get("exception.type") == "Acme.Payments.PaymentGatewayTimeoutException"
                    for s in spans for e in s.events):
                picks["v2"] = spans
            elif "bare" not in picks and kind == "home" and any(s.is_error for s in spans):
                picks["bare"] = spans
    picked = {id(s) for spans in picks.values() for s in spans}
    main_lines, ils_lines = [], []
    batch, ils_batch, carry = [], [], []
    for i, (t, kind, early, late) in enumerate(items):
        early = [s for s in early if id(s) not in picked]
        late = [s for s in late if id(s) not in picked]
        batch.extend(carry)
        carry = []
        for s in early:
            (ils_batch if s.resource.get("service.name") == "refunds" else batch).append(s)
        carry.extend(late)           # the consumer's spans reach the next export
        if len(batch) >= 24 or i == len(items) - 1:
            batch.extend(carry if i == len(items) - 1 else [])
            if batch:
                main_lines.append(json.dumps({"resourceSpans": _group(batch)}, ensure_ascii=False,
                                             separators=(",", ":")))
            batch = []
        if len(ils_batch) >= 12 or (i == len(items) - 1 and ils_batch):
            ils_lines.append(json.dumps({"resourceSpans": _group(ils_batch, legacy_ils=True)},
                                        ensure_ascii=False, separators=(",", ":")))
            ils_batch = []
    with open(os.path.join(out_dir, "handbuilt.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(main_lines) + "\n")
    with open(os.path.join(out_dir, "handbuilt-ils.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(ils_lines) + "\n")
    if bodies:
        os.makedirs(body_dir, exist_ok=True)
        for name, spans in sorted(picks.items()):
            trace = Trace.from_spans(spans[0].trace_id, spans)
            rs = tj.resource_spans_json(trace)
            if name == "v1":
                doc = {"batches": rs}
            elif name == "v2":
                doc = {"trace": {"resourceSpans": rs}, "metrics": {"inspectedBytes": "48213"}}
            else:
                doc = {"resourceSpans": rs}
            path = os.path.join(body_dir, "%s-%s.json" % (name, trace.trace_id))
            with open(path, "w", encoding="utf-8") as f:
                f.write(tj.dumps(doc) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(HERE), "corpus"))
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the traffic")
    ap.add_argument("--seed", type=int, default=20250312)
    ap.add_argument("--error-traces", type=int, default=0,
                    help="exactly this many traces with errors: picks the scale and drops the "
                         "error traces beyond N (keeps the others)")
    a = ap.parse_args()
    if a.error_traces:
        a.scale = max(a.scale, a.error_traces / 60.0)
    items = generate(a.scale, a.seed)
    if a.error_traces:
        kept, n = [], 0
        for it in items:
            if any(s.is_error for s in it[2] + it[3]):
                n += 1
                if n > a.error_traces:
                    continue
            kept.append(it)
        if n < a.error_traces:
            sys.exit("only %d error traces at scale %g; raise --scale" % (n, a.scale))
        items = kept
    bodies = os.path.join(a.out, "tempo-bodies")
    if os.path.isdir(bodies):           # bodies are named by trace ID: drop stale ones
        for old in os.listdir(bodies):
            if old.endswith(".json"):
                os.remove(os.path.join(bodies, old))
    write(a.out, items, bodies=True)
    n_err = sum(1 for _, _, e, l in items if any(s.is_error for s in e + l))
    print("wrote %d traces (%d with errors) to %s" % (len(items), n_err, a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
