"""Span-metrics panels against a real Prometheus (issue 3 acceptance).

One Prometheus holds all three naming schemes (OTel connector >= v0.109,
the older connector, Tempo's metrics-generator) plus series with hostile
service names; a second one holds only the Tempo scheme to check detection.
Every expected value comes from the generator's raw counters (promtest.py),
never from the plugin. Run: python3 test_prometheus_panels.py --cli PATH
"""

import argparse
import math
import sys
import unittest

import promtest
from promtest import END, START, WEIRD_SERVICES, Expected, frame_labels, frame_rows, run_cli

CLI = None
PROM = None      # all schemes + weird services
PROM_TEMPO = None  # tempo scheme only
EXPECTED = None

SCHEMES = ("otel", "otel-legacy", "tempo")


def query(url, qtype, *extra, schema="otel", from_=START, to=END):
    args = ["query", "--prometheus", url, "--type", qtype, "--from", str(from_), "--to", str(to),
            "--format", "json"]
    if schema:
        args += ["--metrics-schema", schema]
    code, out, err = run_cli(CLI, *(args + list(extra)))
    return code, out, err


def frames_of(out):
    return out["results"]["A"]["frames"]


def ok_frames(testcase, url, qtype, *extra, **kw):
    code, out, err = query(url, qtype, *extra, **kw)
    testcase.assertEqual(code, 0, "exit %d: %s %s" % (code, err, out))
    res = out["results"]["A"]
    testcase.assertEqual(res["status"], 200, res.get("error"))
    return res["frames"]


def series_by_service(frames):
    out = {}
    for f in frames:
        if not f["schema"]["fields"]:
            continue
        labels = frame_labels(f)
        out[labels.get("service", "")] = [v for v in f["data"]["values"][1]]
    return out


def close(a, b, rel=0.005, abs_=1.0):
    return abs(a - b) <= max(abs_, rel * abs(b))


class HotspotsAndTopTypes(unittest.TestCase):
    def test_hotspots_equal_generator_totals_for_every_scheme(self):
        expected = {k: v for k, v in EXPECTED.hotspots().items() if v[0] > 0}
        for schema in SCHEMES:
            with self.subTest(schema=schema):
                frames = ok_frames(self, PROM.url, "hotspots", "--limit", "1000", schema=schema)
                self.assertEqual(len(frames), 1)
                rows = frame_rows(frames[0])
                got = {(r["service"], r["route"]): (r["errors"], r["calls"]) for r in rows
                       if r["service"] not in WEIRD_SERVICES}
                self.assertEqual(set(got), set(expected))
                for key, (errors, calls) in expected.items():
                    self.assertTrue(close(got[key][0], errors), (schema, key, got[key], errors))
                    self.assertTrue(close(got[key][1], calls), (schema, key, got[key], calls))
                    self.assertAlmostEqual(
                        [r for r in rows if (r["service"], r["route"]) == key][0]["errorRatio"],
                        got[key][0] / got[key][1], places=9)
                errs = [r["errors"] for r in rows]
                self.assertEqual(errs, sorted(errs, reverse=True), "sorted by errors")

    def test_hotspots_limit_and_service_filter(self):
        frames = ok_frames(self, PROM.url, "hotspots", "--limit", "2")
        self.assertEqual(len(frame_rows(frames[0])), 2)
        rows = frame_rows(ok_frames(self, PROM.url, "hotspots", "--service", "checkout")[0])
        self.assertEqual({r["service"] for r in rows}, {"checkout"})
        self.assertEqual({r["route"] for r in rows}, {"/api/checkout", "/api/orders/{id}"})

    def test_top_types_equal_generator_totals(self):
        expected = EXPECTED.exception_types()
        for schema in ("otel", "otel-legacy"):
            with self.subTest(schema=schema):
                frames = ok_frames(self, PROM.url, "top-types", "--limit", "1000", schema=schema)
                rows = frame_rows(frames[0])
                got = {(r["service"], r["exceptionType"]): r["count"] for r in rows}
                self.assertEqual(set(got), set(expected))
                for key, count in expected.items():
                    self.assertTrue(close(got[key], count), (schema, key, got[key], count))
                notices = frames[0]["schema"]["meta"].get("notices", [])
                self.assertTrue(any("span metrics" in n["text"] for n in notices), notices)

    def test_top_types_without_events_metric_or_tempo_is_a_clear_error(self):
        code, out, _ = query(PROM.url, "top-types", schema="tempo")
        self.assertEqual(code, 2)  # a 400 from the plugin: the command line lacks --tempo
        res = out["results"]["A"]
        self.assertEqual(res["status"], 400)
        self.assertIn("events", res["error"])


class ErrorRate(unittest.TestCase):
    def test_every_service_appears_and_healthy_ones_read_zero(self):
        for schema in SCHEMES:
            with self.subTest(schema=schema):
                series = series_by_service(ok_frames(self, PROM.url, "error-rate", schema=schema))
                self.assertEqual(set(series) - set(WEIRD_SERVICES), set(EXPECTED.services()))
                rec = [v for v in series["recommendation"] if v is not None]
                self.assertGreater(len(rec), 400)
                self.assertTrue(all(v == 0 for v in rec), "recommendation has no errors: 0")

    def test_spike_ratio_and_start_time(self):
        frames = ok_frames(self, PROM.url, "error-rate")
        series = series_by_service(frames)
        times = frames[0]["data"]["values"][0]
        spike_start = PROM.summary["spike_start"] * 1000
        spike_end = PROM.summary["spike_end"] * 1000
        for svc in ("checkout", "payment"):
            totals = PROM.summary["per_service"][svc]
            want = totals["spike_errors"] / totals["spike_calls"]
            # mean of the ratio inside the spike, past the first rate window
            inside = [v for t, v in zip(times, series[svc])
                      if spike_start + 60_000 <= t <= spike_end and v is not None]
            got = sum(inside) / len(inside)
            self.assertLess(abs(got - want), 0.1 * want, (svc, got, want))
        first_high = next(t for t, v in zip(times, series["checkout"]) if v is not None and v > 0.05)
        self.assertLessEqual(abs(first_high - spike_start), 60_000, (first_high, spike_start))

    def test_spike_start_is_reported_on_the_series_that_spiked(self):
        frames = ok_frames(self, PROM.url, "error-rate")
        spike_start = PROM.summary["spike_start"] * 1000
        spiked = {}
        for f in frames:
            svc = frame_labels(f).get("service")
            custom = f["schema"]["meta"].get("custom", {})
            if "spike" in custom:
                spiked[svc] = custom["spike"]["start"]
                notices = [n["text"] for n in f["schema"]["meta"].get("notices", [])]
                self.assertTrue(any(n.startswith(svc + ": errors rising since ") for n in notices),
                                notices)
        self.assertEqual(set(spiked), {"checkout", "payment"})
        for svc, start in spiked.items():
            self.assertLessEqual(abs(start - spike_start), 60_000, (svc, start, spike_start))

    def test_client_spans_are_not_double_counted(self):
        default = series_by_service(ok_frames(self, PROM.url, "error-rate"))
        frontend = max(v for v in default["frontend"] if v is not None)
        self.assertLess(frontend, 0.02, "server spans only: frontend's own errors stay small")
        everything = series_by_service(
            ok_frames(self, PROM.url, "error-rate", "--json", '{"spanKinds":["all"]}'))
        self.assertGreater(max(v for v in everything["frontend"] if v is not None), 0.03,
                           "with client spans the mirrored checkout failures show up")

    def test_count_mode_sums_to_the_generator_totals(self):
        per_service = PROM.summary["per_service"]
        series = series_by_service(
            ok_frames(self, PROM.url, "error-rate", "--mode", "count", "--interval", "15"))
        for svc, totals in per_service.items():
            got = sum(v for v in series[svc] if v is not None)
            want = totals["server_errors_total"]
            self.assertTrue(abs(got - want) <= max(3, 0.05 * want), (svc, got, want))
            self.assertTrue(all(v is None or v >= 0 for v in series[svc]))

    def test_counter_reset_does_not_spike(self):
        series = series_by_service(ok_frames(self, PROM.url, "error-rate", "--mode", "rate",
                                             "--service", "inventory"))
        values = [v for v in series["inventory"] if v is not None]
        self.assertTrue(all(v >= 0 for v in values))
        # 10 rps at 0.4 % errors = 0.04 errors/s; a reset misread as a drop and
        # rise would show up as a value near the whole counter (hundreds)
        self.assertLess(max(values), 0.5, max(values))

    def test_group_by_route_falls_back_to_span_names(self):
        frames = ok_frames(self, PROM.url, "error-rate", "--group-by", "service_route",
                           "--json", '{"spanKinds":["all"]}', "--service", "inventory")
        routes = {frame_labels(f).get("route") for f in frames}
        self.assertEqual(routes, {"/api/stock/{sku}", "reserve_stock"})
        for f in frames:
            disp = f["schema"]["fields"][1]["config"]["displayNameFromDS"]
            self.assertTrue(disp.startswith("inventory "), disp)

    def test_frames_are_dataplane_timeseries(self):
        frames = ok_frames(self, PROM.url, "error-rate")
        for f in frames:
            meta = f["schema"]["meta"]
            self.assertEqual(meta["type"], "timeseries-multi")
            self.assertEqual(meta["typeVersion"], [0, 1])
            fields = f["schema"]["fields"]
            self.assertEqual(fields[0]["type"], "time")
            self.assertEqual(fields[1]["config"]["unit"], "percentunit")
            times = f["data"]["values"][0]
            self.assertEqual(times, sorted(times))
            self.assertLessEqual(len(times), 11001)

    def test_executed_query_string_shows_the_promql(self):
        frames = ok_frames(self, PROM.url, "error-rate", schema=None)
        text = frames[0]["schema"]["meta"]["executedQueryString"]
        self.assertIn("# span metrics: otel (detected", text)
        self.assertIn('sum by (service_name) (rate(traces_span_metrics_calls_total{span_kind=~'
                      '"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER",status_code="STATUS_CODE_ERROR"}[60s]))',
                      text)

    def test_huge_range_with_tiny_interval_stays_under_11000_points(self):
        frames = ok_frames(self, PROM.url, "error-rate", "--interval", "1",
                           from_=END - 400 * 86400, to=END)
        for f in frames:
            if f["schema"]["fields"]:
                self.assertLessEqual(len(f["data"]["values"][0]), 11001)


class Variables(unittest.TestCase):
    def values(self, variable, *extra, schema="otel"):
        frames = ok_frames(self, PROM.url, "variable", "--variable", variable, *extra,
                           schema=schema)
        rows = frame_rows(frames[0])
        self.assertEqual([r["text"] for r in rows], [r["value"] for r in rows])
        return [r["value"] for r in rows]

    def test_services_routes_types_span_names(self):
        for schema in SCHEMES:
            with self.subTest(schema=schema):
                self.assertEqual(self.values("services", schema=schema),
                                 sorted(EXPECTED.services() + WEIRD_SERVICES))
                self.assertEqual(self.values("routes", "--service", "checkout", schema=schema),
                                 EXPECTED.routes_of("checkout"))
        types = sorted({t for (_, t) in EXPECTED.exception_types()} |
                       {"java.net.SocketTimeoutException"})
        self.assertEqual(self.values("exception-types"), types)
        names = self.values("span-names", "--service", "inventory")
        self.assertEqual(names, ["GET /api/stock/{sku}", "reserve_stock"])


class Injection(unittest.TestCase):
    def test_hostile_service_names_match_literally(self):
        n_steps = (END - START) // 15
        for svc in WEIRD_SERVICES:
            with self.subTest(service=svc):
                series = series_by_service(ok_frames(self, PROM.url, "error-rate", "--service",
                                                     svc, "--mode", "count", "--interval", "15"))
                self.assertEqual(list(series), [svc])
                rows = frame_rows(ok_frames(self, PROM.url, "hotspots", "--service", svc)[0])
                self.assertEqual(len(rows), 1)
                self.assertEqual(rows[0]["service"], svc)
                self.assertTrue(close(rows[0]["errors"], n_steps * promtest.WEIRD_ERRORS_PER_STEP))
                self.assertTrue(close(rows[0]["calls"], n_steps * promtest.WEIRD_CALLS_PER_STEP))

    def test_regex_metacharacters_never_widen(self):
        for svc in (".*", "checkout|payment", ".+", "checkou.", "checkout\"}) or vector(1) #",
                    "checkout\\", "{checkout}"):
            with self.subTest(service=svc):
                code, out, err = query(PROM.url, "hotspots", "--service", svc)
                self.assertEqual(code, 0, err)
                self.assertEqual(frame_rows(frames_of(out)[0]), [])

    def test_multi_value_filter_is_an_exact_alternation(self):
        rows = frame_rows(ok_frames(self, PROM.url, "hotspots", "--service", "checkout",
                                    "--service", "pay.ent", "--limit", "100")[0])
        self.assertEqual({r["service"] for r in rows}, {"checkout"})
        rows = frame_rows(ok_frames(self, PROM.url, "hotspots", "--json",
                                    '{"services":"{checkout,payment}"}', "--limit", "100")[0])
        self.assertEqual({r["service"] for r in rows}, {"checkout", "payment"})

    def test_label_filter_is_parsed_not_pasted(self):
        rows = frame_rows(ok_frames(self, PROM.url, "hotspots", "--json",
                                    '{"labelFilter":"http_route=\\"/api/checkout\\""}')[0])
        self.assertEqual({r["route"] for r in rows}, {"/api/checkout"})
        code, out, _ = query(PROM.url, "hotspots", "--json",
                             '{"labelFilter":"a=\\"b\\"}) or vector(1"}')
        self.assertEqual(out["results"]["A"]["status"], 400)
        self.assertIn("labelFilter", out["results"]["A"]["error"])

    def test_bad_regex_in_label_filter_is_the_backends_error(self):
        code, out, _ = query(PROM.url, "hotspots", "--json",
                             '{"labelFilter":"http_route=~\\"(\\""}')
        res = out["results"]["A"]
        self.assertEqual(res["status"], 400)
        self.assertEqual(res["errorSource"], "downstream")
        self.assertIn("bad_data", res["error"])


class DetectionAndFaults(unittest.TestCase):
    def test_auto_detects_tempo_scheme(self):
        frames = ok_frames(self, PROM_TEMPO.url, "error-rate", schema="auto")
        self.assertIn("# span metrics: tempo (detected", frames[0]["schema"]["meta"]["executedQueryString"])
        self.assertIn("traces_spanmetrics_calls_total", frames[0]["schema"]["meta"]["executedQueryString"])
        p = promtest.subprocess.run([CLI, "health", "--prometheus", PROM_TEMPO.url],
                                    capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("tempo (detected", p.stdout)

    def test_prometheus_down_is_a_downstream_error(self):
        port = promtest.free_port()
        code, out, _ = query("http://127.0.0.1:%d" % port, "hotspots")
        self.assertEqual(code, 1)
        res = out["results"]["A"]
        self.assertEqual(res["status"], 502)
        self.assertEqual(res["errorSource"], "downstream")
        self.assertIn("prometheus", res["error"])

    def test_wrong_path_gives_the_backends_text(self):
        code, out, _ = query(PROM.url + "/nothing-here", "hotspots")
        res = out["results"]["A"]
        self.assertEqual(res["status"], 404)
        self.assertIn("404 page not found", res["error"])


def main():
    global CLI, PROM, PROM_TEMPO, EXPECTED
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    args, rest = ap.parse_known_args()
    CLI = args.cli
    EXPECTED = Expected()
    with promtest.Prometheus(["otel", "otel-legacy", "tempo"]) as prom, \
            promtest.Prometheus(["tempo"], weird=False) as prom_tempo:
        PROM, PROM_TEMPO = prom, prom_tempo
        result = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    ok = result.wasSuccessful()
    print("%d passed, %d failed" % (result.testsRun - len(result.failures) - len(result.errors),
                                    len(result.failures) + len(result.errors)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
