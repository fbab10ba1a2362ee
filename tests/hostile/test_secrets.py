"""Secrets (issue 8, suite 2): no secret ever leaves towards the user.

Every secureJsonData key (docs/configuration.md) is set to a marker
S3CR3T-MARKER-<key> (the TLS PEMs carry the marker as a comment line in front
of a real certificate / key, so TLS works and the marker is still there).
Then everything is exercised: CheckHealth against working, unreachable, 401
and 500 backends (the failing stand-ins echo every request header, the
Authorization header included, back in their error body), every query type,
every CallResource route, CollectMetrics, the plugin's own log at trace
level, and the CLI (`query` and `health` with --datasource FILE, --verbose).
The markers — and the Basic credentials as they travel, base64 — must appear
in no answer, error, notice, executedQueryString, frame (raw Arrow bytes and
decoded), metrics text, log line or CLI output, while the stand-ins' records
prove each secret WAS sent (or, for TLS, used), so the test can fail.
"""

import base64
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402


def mark(key):
    return "S3CR3T-MARKER-" + key


PROM_USER, TEMPO_USER = "prom-user", "tempo-user"
SECRET_KEYS = ["prometheusPassword", "prometheusToken", "tempoPassword", "tempoToken",
               "prometheusHttpHeaderValue1", "prometheusHttpHeaderValue2", "tempoHttpHeaderValue1",
               "tempoHttpHeaderValue2", "tlsCACert", "tlsClientCert", "tlsClientKey"]
QUERY_TYPES = ["error-rate", "hotspots", "top-types", "variable", "recent-errors", "error-summary",
               "error-groups", "trace-exceptions"]
RESOURCES = ["/services?service=a", "/routes", "/exception-types", "/span-names", "/metrics-schema"]


def basic(user, password):
    return base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


# Everything that must never come back: each marker, and the Basic auth
# values on the wire (base64 of user:password), which carry a marker too.
FORBIDDEN = [mark(k) for k in SECRET_KEYS] + [basic(PROM_USER, mark("prometheusPassword")),
                                              basic(TEMPO_USER, mark("tempoPassword")), "S3CR3T"]


class Pki:
    """A CA, a server certificate for 127.0.0.1 and a client certificate (openssl CLI)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="et-hostile-pki-")
        d = lambda n: os.path.join(self.dir, n)  # noqa: E731
        run = lambda *a: subprocess.run(a, check=True, capture_output=True, cwd=self.dir)  # noqa: E731
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d("ca.key"),
            "-out", d("ca.pem"), "-days", "2", "-subj", "/CN=hostile-ca")
        with open(d("san.ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n")
        for name, cn, ext in (("server", "127.0.0.1", ["-extfile", d("san.ext")]),
                              ("client", "errortriage-client", [])):
            run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", d(name + ".key"),
                "-out", d(name + ".csr"), "-subj", "/CN=" + cn)
            run("openssl", "x509", "-req", "-in", d(name + ".csr"), "-CA", d("ca.pem"), "-CAkey",
                d("ca.key"), "-CAcreateserial", "-out", d(name + ".pem"), "-days", "2", *ext)
        def read(n):
            with open(d(n)) as f:
                return f.read()
        # PEM readers skip text outside the BEGIN/END lines: the marker rides along.
        self.ca = mark("tlsCACert") + "\n" + read("ca.pem")
        self.client_cert = mark("tlsClientCert") + "\n" + read("client.pem")
        self.client_key = mark("tlsClientKey") + "\n" + read("client.key")

    def server_context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(self.dir, "server.pem"), os.path.join(self.dir, "server.key"))
        ctx.load_verify_locations(os.path.join(self.dir, "ca.pem"))
        ctx.verify_mode = ssl.CERT_REQUIRED
        return ctx

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def secure_data(pki=None):
    s = {k: mark(k) for k in SECRET_KEYS}
    if pki:
        s.update(tlsCACert=pki.ca, tlsClientCert=pki.client_cert, tlsClientKey=pki.client_key)
    return s


def json_data(prom_url, tempo_url, prom_auth, tempo_auth, tls=False):
    jd = {"prometheusUrl": prom_url, "tempoUrl": tempo_url, "prometheusAuth": prom_auth,
          "tempoAuth": tempo_auth, "prometheusUser": PROM_USER, "tempoUser": TEMPO_USER,
          "prometheusHttpHeaderName1": "X-Prom-Key", "prometheusHttpHeaderName2": "X-Prom-Other",
          "tempoHttpHeaderName1": "X-Tempo-Key", "tempoHttpHeaderName2": "X-Tempo-Other",
          "timeoutSeconds": 5, "tenantId": "tenant-1"}
    if tls:
        jd.update(tlsAuthWithCACert=True, tlsAuth=True)
    return jd


def expected_headers(kind, auth):
    """The headers a stand-in must have received (proof the secrets were sent)."""
    p = "prometheus" if kind == "prometheus" else "tempo"
    user = PROM_USER if kind == "prometheus" else TEMPO_USER
    h = {("x-prom-key" if kind == "prometheus" else "x-tempo-key"): mark(p + "HttpHeaderValue1"),
         ("x-prom-other" if kind == "prometheus" else "x-tempo-other"): mark(p + "HttpHeaderValue2")}
    if auth == "basic":
        h["authorization"] = "Basic " + basic(user, mark(p + "Password"))
    else:
        h["authorization"] = "Bearer " + mark(p + "Token")
    return h


class Recorder:
    """Collects every text that reaches the user, with where it came from."""

    def __init__(self):
        self.texts = []

    def add(self, where, obj):
        if isinstance(obj, (dict, list)):
            # frames travel as raw bytes too: search them decoded from base64
            for raw in find_raw(obj):
                self.texts.append((where + " (raw frame)", raw.decode("latin-1")))
            obj = json.dumps(obj, ensure_ascii=False)
        self.texts.append((where, obj))

    def leaks(self):
        out = []
        for where, text in self.texts:
            for f in FORBIDDEN:
                if f in text:
                    i = text.index(f)
                    out.append("%s: %r in …%s…" % (where, f, text[max(0, i - 120):i + 60]))
        return out


def find_raw(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "raw" and isinstance(v, list):
                for b in v:
                    yield base64.b64decode(b)
            else:
                yield from find_raw(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from find_raw(v)


def exercise(test, rec, driver, ctx, label):
    """Health, every query type, every resource route, metrics."""
    rec.add(label + " health", driver.call({"op": "health", "ctx": ctx}))
    for qt in QUERY_TYPES:
        model = {"queryType": qt, "traceId": H.TRACE_ID, "variable": "services", "services": ["a"]}
        for fmt in ("ARROW", "JSON"):
            r = driver.query(ctx, model, fmt=fmt)
            test.assertNotIn("rpcError", r, r)
            rec.add("%s %s %s" % (label, qt, fmt), r)
    for path in RESOURCES:
        rec.add("%s resource %s" % (label, path), driver.call({"op": "resource", "ctx": ctx, "url": path}))
    rec.add(label + " metrics", driver.call({"op": "metrics", "ctx": ctx}))


class Secrets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cls.rec = Recorder()
        cls.driver = H.Driver(env={"GF_PLUGIN_LOG_LEVEL": "trace"})

    @classmethod
    def tearDownClass(cls):
        out = cls.driver.close()
        cls.rec.add("plugin log at shutdown", (out or {}).get("text", ""))
        cls.pki.close()

    def logs(self, label):
        text = self.driver.call({"op": "logs"})["text"]
        self.rec.add(label + " plugin log", text)
        return text

    def check_sent(self, standin, auth, tls=False):
        reqs = standin.take()
        self.assertTrue(reqs, "%s received nothing" % standin.kind)
        want = expected_headers(standin.kind, auth)
        for r in reqs:
            for k, v in want.items():
                self.assertEqual(r["headers"].get(k), v, (standin.kind, r["path"], k))
            if tls:
                subject = dict(x[0] for x in r["peer_cert"]["subject"])
                self.assertEqual(subject["commonName"], "errortriage-client")
        return len(reqs)

    def run_config(self, label, prom_auth, tempo_auth, fail=None, tls=False):
        ctx_tls = self.pki.server_context() if tls else None
        prom = H.StandIn("prometheus", fail_status=fail, tls=ctx_tls)
        tempo = H.StandIn("tempo", fail_status=fail, tls=self.pki.server_context() if tls else None)
        try:
            ctx = {"jsonData": json_data(prom.url, tempo.url, prom_auth, tempo_auth, tls),
                   "secure": secure_data(self.pki if tls else None), "uid": label, "updated": 1}
            exercise(self, self.rec, self.driver, ctx, label)
            n = self.check_sent(prom, prom_auth, tls) + self.check_sent(tempo, tempo_auth, tls)
            log = self.logs(label)
            self.assertIn('"@level"', log)
            return n
        finally:
            prom.close()
            tempo.close()

    def test_1_ok_backends(self):
        n = self.run_config("ok-basic-bearer", "basic", "bearer")
        n += self.run_config("ok-bearer-basic", "bearer", "basic")
        self.assertGreater(n, 20)

    def test_2_401_and_500_backends_echoing_the_headers(self):
        for status in (401, 500):
            for pa, ta in (("basic", "bearer"), ("bearer", "basic")):
                self.run_config("fail%d-%s-%s" % (status, pa, ta), pa, ta, fail=status)
        # the errors do reach the user: prove the echo was there to leak
        errs = [t for w, t in self.rec.texts if w.startswith("fail401") and "denied, request headers" in t]
        self.assertTrue(errs, "the backends' error bodies never reached an answer")

    def test_3_unreachable_backends(self):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = "http://127.0.0.1:%d" % port
        ctx = {"jsonData": json_data(url, url + "/tempo", "basic", "bearer"), "secure": secure_data(),
               "uid": "unreachable"}
        exercise(self, self.rec, self.driver, ctx, "unreachable")
        self.logs("unreachable")

    def test_4_tls_with_client_certificate(self):
        n = self.run_config("tls", "basic", "bearer", tls=True)
        self.assertGreater(n, 10)
        n = self.run_config("tls-401", "bearer", "basic", fail=401, tls=True)
        self.assertGreater(n, 10)

    def test_5_bad_settings_errors(self):
        # a secret that breaks the settings (a header value with a line break) is named, not shown
        ctx = {"jsonData": json_data("http://127.0.0.1:1", "http://127.0.0.1:1", "basic", "bearer"),
               "secure": dict(secure_data(), prometheusHttpHeaderValue1=mark("x") + "\r\nX: 1"),
               "uid": "bad-settings"}
        r = self.driver.query(ctx, {"queryType": "hotspots"})
        self.assertEqual(r["responses"]["A"]["status"], 400)
        self.rec.add("bad settings query", r)
        self.rec.add("bad settings health", self.driver.call({"op": "health", "ctx": ctx}))
        # a TLS key that is not a key: curl's error must not quote it
        ctx = {"jsonData": json_data("https://127.0.0.1:1", "https://127.0.0.1:1", "basic", "bearer",
                                     tls=True), "secure": secure_data(), "uid": "bad-pem"}
        exercise(self, self.rec, self.driver, ctx, "bad-pem")
        self.logs("bad settings")

    def test_9_nothing_leaked_anywhere(self):
        self.logs("final")
        self.rec.add("metrics", self.driver.call({"op": "metrics", "ctx": {}}))
        leaks = self.rec.leaks()
        total = sum(len(t) for _, t in self.rec.texts)
        print("\n  searched %d texts (%d KiB) for %d secret forms" % (len(self.rec.texts), total // 1024,
                                                                  len(FORBIDDEN)), file=sys.stderr)
        self.assertEqual(leaks, [], "\n".join(leaks[:20]))


class Cli(unittest.TestCase):
    """`query` and `health` with the secrets in a provisioning file."""

    def cli(self, *args):
        p = subprocess.run([H.dist_binary(), *args], capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout + "\n" + p.stderr

    def write_ds(self, d, prom, tempo, fmt):
        jd = json_data(prom.url, tempo.url, "basic", "bearer")
        sec = secure_data()
        if fmt == "json":
            path = os.path.join(d, "ds.json")
            with open(path, "w") as f:
                json.dump({"apiVersion": 1, "datasources": [{"name": "T", "type": "errortriage-otel-datasource",
                                                             "jsonData": jd, "secureJsonData": sec}]}, f)
            return path
        path = os.path.join(d, "ds.yaml")
        with open(path, "w") as f:
            f.write("apiVersion: 1\ndatasources:\n  - name: T\n    type: errortriage-otel-datasource\n"
                    "    jsonData:\n")
            for k, v in jd.items():
                f.write("      %s: %s\n" % (k, json.dumps(v)))
            f.write("    secureJsonData:\n")
            for k, v in sec.items():
                f.write("      %s: %s\n" % (k, json.dumps(v)))
        return path

    def test_cli_query_and_health(self):
        d = tempfile.mkdtemp(prefix="et-hostile-cli-")
        outputs = []
        sent = 0
        try:
            for fail in (None, 401, 500):
                prom, tempo = H.StandIn("prometheus", fail), H.StandIn("tempo", fail)
                try:
                    for fmt in ("json", "yaml"):
                        ds = self.write_ds(d, prom, tempo, fmt)
                        outputs.append(("health %s %s" % (fail, fmt), self.cli("health", "--datasource", ds, "--verbose")))
                        for qt in QUERY_TYPES:
                            for out_fmt in ("table", "json"):
                                outputs.append(("query %s %s %s" % (qt, fail, fmt), self.cli(
                                    "query", "--datasource", ds, "--type", qt, "--trace-id", H.TRACE_ID,
                                    "--variable", "services", "--format", out_fmt, "--verbose", "--wide")))
                    for sa, auth in ((prom, "basic"), (tempo, "bearer")):
                        for r in sa.take():
                            for k, v in expected_headers(sa.kind, auth).items():
                                self.assertEqual(r["headers"].get(k), v, (sa.kind, r["path"], k))
                            sent += 1
                finally:
                    prom.close()
                    tempo.close()
        finally:
            shutil.rmtree(d, ignore_errors=True)
        self.assertGreater(sent, 50)
        self.assertTrue(any("denied, request headers" in o for _, (_, o) in outputs),
                        "the echoed error bodies never reached the CLI output")
        self.assertTrue(any('"@level"' in o or "debug" in o for _, (_, o) in outputs), "no verbose log")
        leaks = []
        for where, (code, text) in outputs:
            for f in FORBIDDEN:
                if f in text:
                    i = text.index(f)
                    leaks.append("%s: %r in …%s…" % (where, f, text[max(0, i - 120):i + 60]))
        self.assertEqual(leaks, [], "\n".join(leaks[:20]))


if __name__ == "__main__":
    started = time.time()
    result = unittest.main(argv=[sys.argv[0]], exit=False, verbosity=2).result
    print("secrets suite: %.1f s" % (time.time() - started))
    sys.exit(0 if result.wasSuccessful() else 1)
