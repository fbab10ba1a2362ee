"""A small trace corpus with hand-labelled bugs, for the error-groups and
injection tests (written as OTLP JSON lines, the Collector file exporter's
shape, which tests/tempo/corpus.py and the test server read).

Two hours: the baseline hour [T0, T0+3600) and the shown hour
[T0+3600, T0+7200). Every trace has one ERROR span at a chosen time, well
inside its hour. Each occurrence records the bug it belongs to (`label`),
which never appears in the traces: the test groups by label and expects one
error group per label. Variants of one bug differ in line numbers, ids,
hosts and timestamps (they must group together); two bugs share the type
TypeError (they must not).

Also holds services, routes and exception types with hostile text (quotes,
backslashes, braces, pipes, regex metacharacters, newlines, unicode) next to
decoys that a regex or a substring match would confuse with them.
"""

import json
import os
import random
from dataclasses import dataclass

T0 = 1750003200          # 2025-06-15T16:00:00Z
HOUR = 3600
NS = 10**9

HOSTILE_SERVICES = ['we"ird\\svc', "{brace}|pipe && x", "new\nline", "ünïcødé-서비스",
                    "a.b*c+(d)[e]^$"]
DECOY_SERVICES = ["axbbc+(d)[e]^$", "abbbc", "we\"ird", "brace"]
HOSTILE_ROUTES = ['/api/"quoted"/{id}', "/r\\x|y.*", "/ütf/ß?x=1"]
HOSTILE_TYPES = ['Weird"Type\\Err', "a.b*Err|x"]


@dataclass
class Occ:
    label: str
    trace_id: str
    span_id: str
    time_ns: int
    service: str
    route: str
    exception_type: str   # "(no exception)" when none


def py_keyerror(rng):
    l1, l2, oid = rng.randint(40, 90), rng.randint(100, 160), rng.randint(1000, 99999)
    return "KeyError", "'ord-%d'" % oid, (
        "Traceback (most recent call last):\n"
        '  File "/usr/local/lib/python3.12/site-packages/flask/app.py", line 1473, in wsgi_app\n'
        "    response = self.full_dispatch_request()\n"
        '  File "/srv/app/orders/views.py", line %d, in get_order\n'
        "    order = repo.load(order_id)\n"
        '  File "/srv/app/orders/repo.py", line %d, in load\n'
        "    return self._cache[order_id]\n"
        "KeyError: 'ord-%d'\n" % (l1, l2, oid))


def java_npe(rng):
    l1, l2 = rng.randint(20, 80), rng.randint(30, 120)
    msg = 'Cannot invoke "com.acme.cart.Item.price()" because "item" is null'
    return "java.lang.NullPointerException", msg, (
        "java.lang.NullPointerException: %s\n"
        "\tat com.acme.cart.CartService.total(CartService.java:%d)\n"
        "\tat com.acme.cart.CartController.get(CartController.java:%d)\n"
        "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke("
        "DirectMethodHandleAccessor.java:103)\n"
        "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)\n"
        % (msg, l1, l2))


def go_index(rng):
    g, l1, l2 = rng.randint(10, 900), rng.randint(40, 70), rng.randint(80, 99)
    idx = rng.randint(3, 9)
    msg = "runtime error: index out of range [%d] with length 3" % idx
    return "runtime.boundsError", msg, (
        "panic: %s\n\ngoroutine %d [running]:\n"
        "main.(*Handler).pick(0xc000%06x, {0xc000%06x, 0x3, 0x4})\n"
        "\t/src/shipping/handler.go:%d +0x1d\n"
        "main.(*Handler).ServeHTTP(0xc000%06x, {0x7f2c40, 0xc0001b0000}, 0xc0001b2000)\n"
        "\t/src/shipping/handler.go:%d +0x85\n"
        "net/http.serverHandler.ServeHTTP({0xc000126000?}, {0x7f2c40?, 0xc0001b0000?}, "
        "0x6?)\n\t/usr/local/go/src/net/http/server.go:3210 +0x8e\n"
        % (msg, g, rng.randint(0, 0xffffff), rng.randint(0, 0xffffff), l1,
           rng.randint(0, 0xffffff), l2))


def node_totals(rng):
    l1, c1, l2 = rng.randint(10, 60), rng.randint(5, 30), rng.randint(10, 40)
    msg = "Cannot read properties of undefined (reading 'qty')"
    return "TypeError", msg, (
        "TypeError: %s\n"
        "    at computeTotals (/app/src/cart/totals.js:%d:%d)\n"
        "    at handler (/app/src/routes/cart.js:%d:5)\n"
        "    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:"
        "95:5)\n" % (msg, l1, c1, l2))


def node_render(rng):
    l1, c1, l2 = rng.randint(10, 60), rng.randint(5, 30), rng.randint(10, 40)
    return "TypeError", "items.map is not a function", (
        "TypeError: items.map is not a function\n"
        "    at renderCart (/app/src/views/cart.js:%d:%d)\n"
        "    at /app/src/routes/cart.js:%d:12\n"
        "    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:"
        "95:5)\n" % (l1, c1, l2))


def dotnet_first(rng):
    l1, l2 = rng.randint(20, 90), rng.randint(10, 50)
    return "System.InvalidOperationException", "Sequence contains no elements", (
        "System.InvalidOperationException: Sequence contains no elements\n"
        "   at System.Linq.ThrowHelper.ThrowNoElementsException()\n"
        "   at System.Linq.Enumerable.First[TSource](IEnumerable`1 source)\n"
        "   at Acme.Billing.InvoiceService.Latest(Int32 customerId) in "
        "/src/Billing/InvoiceService.cs:line %d\n"
        "   at Acme.Billing.InvoicesController.Get(Int32 id) in "
        "/src/Billing/InvoicesController.cs:line %d\n" % (l1, l2))


# label -> (service, language, route, maker or None for "(no exception)",
#           baseline minutes, shown-hour minutes)
BUGS = {
    "orders-keyerror": ("orders", "python", "/orders/{id}", py_keyerror,
                        [5, 17, 42], [3, 11, 26, 38, 55]),
    "cart-npe": ("cart", "java", "/cart", java_npe, [], [7, 8, 33, 51]),
    "shipping-index": ("shipping", "go", "/ship", go_index, [12, 48], []),
    "web-totals": ("web", "nodejs", "/cart/totals", node_totals, [22], [14, 15, 16, 44, 45, 46]),
    "web-render": ("web", "nodejs", "/cart/view", node_render, [], [58, 59]),
    "billing-first": ("billing", "dotnet", "/invoices/{id}", dotnet_first, [30], [2]),
    "gateway-503": ("gateway", "go", "/pay", None, [9, 10], [20, 21, 22, 23, 24, 25, 26]),
}


class Writer:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.lines = []
        self.occ = []

    def hexid(self, nbytes):
        return "%0*x" % (2 * nbytes, self.rng.getrandbits(8 * nbytes) | 1)

    def trace(self, label, service, lang, route, start_ns, exc, status_message, env="prod",
              span_name=None, with_ok_child=True):
        trace_id, root_id, err_id = self.hexid(16), self.hexid(8), self.hexid(8)
        res = {"attributes": [
            {"key": "service.name", "value": {"stringValue": service}},
            {"key": "telemetry.sdk.language", "value": {"stringValue": lang}},
            {"key": "deployment.environment.name", "value": {"stringValue": env}},
            {"key": "host.name", "value": {"stringValue": "pod-%d" % self.rng.randint(1, 9)}}]}
        root = {"traceId": trace_id, "spanId": root_id, "name": span_name or ("GET " + route),
                "kind": 2, "startTimeUnixNano": str(start_ns),
                "endTimeUnixNano": str(start_ns + 40 * 10**6),
                "attributes": [{"key": "http.route", "value": {"stringValue": route}},
                               {"key": "http.request.method", "value": {"stringValue": "GET"}}],
                "status": {"code": 2, "message": status_message}}
        if exc:
            etype, emsg, stack = exc
            root["events"] = [{"timeUnixNano": str(start_ns + 30 * 10**6), "name": "exception",
                               "attributes": [
                                   {"key": "exception.type", "value": {"stringValue": etype}},
                                   {"key": "exception.message", "value": {"stringValue": emsg}},
                                   {"key": "exception.stacktrace",
                                    "value": {"stringValue": stack}},
                                   {"key": "exception.escaped", "value": {"boolValue": True}}]}]
        spans = [root]
        if with_ok_child:
            spans.append({"traceId": trace_id, "spanId": self.hexid(8), "parentSpanId": root_id,
                          "name": "SELECT", "kind": 3, "startTimeUnixNano": str(start_ns + 10**6),
                          "endTimeUnixNano": str(start_ns + 5 * 10**6), "status": {}})
        self.lines.append({"resourceSpans": [{"resource": res, "scopeSpans": [
            {"scope": {"name": "test-instrumentation", "version": "1.0"}, "spans": spans}]}]})
        self.occ.append(Occ(label, trace_id, root_id, start_ns, service, route,
                            exc[0] if exc else "(no exception)"))
        return trace_id

    def write(self, path):
        with open(path, "w", encoding="utf-8") as f:
            for line in self.lines:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")


def build(directory, seed=7):
    """Write the corpus into `directory`; returns the list of Occ."""
    w = Writer(seed)
    for label, (svc, lang, route, maker, base, shown) in BUGS.items():
        for hour, minutes in ((0, base), (1, shown)):
            for m in minutes:
                t = (T0 + hour * HOUR + m * 60 + w.rng.randint(1, 20)) * NS + w.rng.randint(0, 999)
                if maker:
                    w.trace(label, svc, lang, route, t, maker(w.rng), "")
                else:
                    w.trace(label, svc, lang, route, t, None,
                            "upstream answered 503 for payment %d" % w.rng.randint(1000, 9999))
    # hostile names and their decoys, in the shown hour
    minute = 1
    for svc in HOSTILE_SERVICES + DECOY_SERVICES:
        t = (T0 + HOUR + minute * 60 + 30) * NS
        w.trace("svc:" + svc, svc, "python", "/plain", t, py_keyerror(w.rng), "")
        minute += 1
    for route in HOSTILE_ROUTES + ["/api/x/{id}", "/rxy", "/ütf/ß"]:
        t = (T0 + HOUR + minute * 60 + 30) * NS
        w.trace("route:" + route, "routes-svc", "python", route, t, py_keyerror(w.rng), "")
        minute += 1
    for etype in HOSTILE_TYPES + ["Weird", "abbErr"]:
        t = (T0 + HOUR + minute * 60 + 30) * NS
        w.trace("type:" + etype, "types-svc", "python", "/t", t,
                (etype, "boom", "%s: boom\n" % etype), "")
        minute += 1
    os.makedirs(directory, exist_ok=True)
    w.write(os.path.join(directory, "groups.jsonl"))
    return w.occ


if __name__ == "__main__":
    import sys
    occ = build(sys.argv[1] if len(sys.argv) > 1 else "/tmp/groups-corpus")
    print("%d traces" % len(occ))
