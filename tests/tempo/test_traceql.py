"""Tests of the test server's TraceQL subset (traceql.py): lexing, parsing,
Tempo-worded errors with positions, version gating and evaluation semantics
on small traces written by hand."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import corpus as C  # noqa: E402
import traceql as Q  # noqa: E402


def parse_error(text, version="2.9"):
    try:
        Q.parse(text, version)
    except Q.TraceQLError as e:
        return str(e)
    return None


class ParseTest(unittest.TestCase):
    GOOD = [
        "{}",
        "{ status = error }",
        "{ status = error && event:name = \"exception\" } | select(event.exception.type, "
        "event.exception.message, span.http.route) with(most_recent=true)",
        "{ resource.service.name = \"checkout\" && span.http.route =~ \"/api/.*\" }",
        "{ .http.status_code >= 500 || kind = server }",
        "{ (status = error || statusMessage != \"\") && duration > 1.5s }",
        "{ name = \"GET /\" } | by(resource.service.name)",
        "{ span:status = error } | count() > 2",
        "{ status = error } | by(span.http.route) | select(resource.service.name)",
        "{ resource.service.name = \"a\" } && { status = error }",
        "{ status = error } | rate() by (resource.service.name)",
        "{ status = error } | count_over_time() by (event.exception.type, resource.service.name)",
        "{ .\"attr with spaces\" = \"x\" }",
        "{ span.\"http.route\" = \"/a\" }",
        "{ duration > 100ms && duration < 2h30m }",
        "{ .a = 1.5e3 || .b = -3 || .c = true || .d = 0x1F }",
        "{ traceDuration > 1s && rootServiceName = \"frontend\" && rootName != \"x\" }",
        "{ !(.a = \"b\") }",
        "{ .a = `raw \\string` }",
        "// comment\n{ status = error }",
    ]

    def test_good_queries_parse(self):
        for q in self.GOOD:
            with self.subTest(q=q):
                self.assertIsNone(parse_error(q))

    def test_errors_have_tempo_wording_and_position(self):
        cases = [
            ("{", "parse error at line 1, col 2: syntax error: unexpected $end"),
            ("foo", "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"),
            ("{. a}", "parse error at line 1, col 2: syntax error: unexpected END_ATTRIBUTE, "
                      "expecting IDENTIFIER"),
            ("{ status = }", "parse error at line 1, col 12: syntax error: unexpected }"),
            ("{ status = error", "parse error at line 1, col 17: syntax error: unexpected $end"),
            ("{ .a = \"x }", "parse error at line 1, col 8: literal not terminated"),
            ("{ .a = \"\\q\" }", "parse error at line 1, col 8: invalid char escape"),
            ("{ status = error }\n| select(", "parse error at line 2, col 10: syntax error: "
                                              "unexpected $end"),
            ("{ status = error } | select(name", "parse error at line 1, col 33: syntax error: "
                                                "unexpected $end"),
            ("{ .a = 1 } garbage", "parse error at line 1, col 12: syntax error: "
                                   "unexpected IDENTIFIER"),
        ]
        for q, want in cases:
            with self.subTest(q=q):
                self.assertEqual(parse_error(q), want)

    def test_validation_errors(self):
        self.assertEqual(parse_error("{ status = \"error\" }"),
                         "binary operations must operate on the same type: status = `error`")
        self.assertEqual(parse_error("{ status > error }"),
                         "illegal operation for the given types: status > error")
        self.assertEqual(parse_error("{ 1 }"),
                         "span filter field expressions must resolve to a boolean: { 1 }")
        self.assertEqual(parse_error("{ .a =~ \"(\" }"), "invalid regex: `(`")
        self.assertEqual(parse_error("{ name = 1 }"),
                         "binary operations must operate on the same type: name = 1")

    def test_structural_operators_are_reported_as_unimplemented(self):
        with self.assertRaises(Q.NotImplementedByServer):
            Q.parse("{ .a = 1 } >> { .b = 2 }")

    def test_version_gating(self):
        # event scope and intrinsic arrived in 2.6: before, "event" is an identifier
        self.assertEqual(parse_error("{ event:name = \"exception\" }", "2.5"),
                         "parse error at line 1, col 3: syntax error: unexpected IDENTIFIER")
        self.assertEqual(parse_error("{ status = error && event.exception.type = \"X\" }", "2.5"),
                         "parse error at line 1, col 21: syntax error: unexpected IDENTIFIER")
        self.assertIsNone(parse_error("{ event.exception.type = \"X\" }", "2.6"))
        # select() and by() arrived in 2.2
        self.assertEqual(parse_error("{ status = error } | select(span.a)", "2.1"),
                         "parse error at line 1, col 22: syntax error: unexpected IDENTIFIER")
        self.assertIsNone(parse_error("{ status = error } | select(span.a)", "2.2"))
        # with(...) hints arrived in 2.4
        self.assertEqual(parse_error("{} with(most_recent=true)", "2.3"),
                         "parse error at line 1, col 4: syntax error: unexpected IDENTIFIER")
        # kind arrived in 2.1, statusMessage in 2.3
        self.assertIsNotNone(parse_error("{ kind = server }", "2.0"))
        self.assertIsNone(parse_error("{ kind = server }", "2.1"))
        self.assertIsNotNone(parse_error("{ statusMessage = \"x\" }", "2.2"))

    def test_string_escapes(self):
        q = Q.parse('{ .a = "say \\"hi\\" \\\\ \\u00e9\\n" }')
        static = q.pipeline.stages[0].expr.rhs
        self.assertEqual(static.value, 'say "hi" \\ \u00e9\n')

    def test_durations(self):
        for text, ns in [("1s", 10**9), ("1.5s", 1_500_000_000), ("100ms", 100_000_000),
                         ("2h30m", 9000 * 10**9), ("3d", 3 * 86400 * 10**9), ("250us", 250_000)]:
            q = Q.parse("{ duration > %s }" % text)
            self.assertEqual(q.pipeline.stages[0].expr.rhs.value, ns, text)

    def test_and_or_share_precedence(self):
        # TraceQL: && and || are one precedence level, left associative
        q = Q.parse("{ .a = 1 || .b = 2 && .c = 3 }")
        e = q.pipeline.stages[0].expr
        self.assertEqual(e.op, "&&")
        self.assertEqual(e.lhs.op, "||")

    def test_touched_attributes(self):
        q = Q.parse("{ status = error && name = \"x\" } | select(event.exception.type, "
                    "resource.service.name) | by(span.http.route)")
        self.assertEqual([a.text() for a in q.touched],
                         ["status", "name", "event.exception.type", "resource.service.name",
                          "span.http.route"])
        self.assertTrue(q.uses_name)

    def test_identifiers(self):
        self.assertEqual(Q.parse_identifier("resource.service.name").text(), "resource.service.name")
        self.assertEqual(Q.parse_identifier(".service.name").text(), ".service.name")
        self.assertEqual(Q.parse_identifier("status").intrinsic, "status")
        with self.assertRaises(Q.TraceQLError):
            Q.parse_identifier("app.user.id")


def _span(span_id, name="op", status=C.STATUS_UNSET, attrs=(), events=(), start=1000, dur=10,
          res=None, kind=C.KIND_SERVER, msg=""):
    return C.Span(trace_id="0" * 31 + "1", span_id=span_id, parent_span_id="", name=name,
                  kind=kind, start_ns=start, end_ns=start + dur, attributes=list(attrs),
                  events=list(events), status_code=status, status_message=msg,
                  resource=res or C.Resource([("service.name", "svc")]), scope=C.Scope())


def _exc(etype, msg="m", t=1005):
    return C.Event(t, "exception", [("exception.type", etype), ("exception.message", msg)])


def _trace(*spans):
    return C.Trace(spans[0].trace_id, [(spans[0].resource, C.Scope(), list(spans))])


def _run(query, trace, version="2.9"):
    q = Q.parse(query, version)
    sets = Q.run_pipeline(q.pipeline, trace, Q.EvalContext(version))
    return q, sets


class EvalTest(unittest.TestCase):
    def setUp(self):
        res_a = C.Resource([("service.name", "a"), ("deployment.environment", "prod")])
        self.s1 = _span("0000000000000001", "GET /x", C.STATUS_ERROR,
                        [("http.route", "/x"), ("http.status_code", 500)],
                        [_exc("A", "first"), _exc("B", "second", 1007)], start=100, res=res_a)
        self.s2 = _span("0000000000000002", "SELECT", C.STATUS_ERROR, [("db.system", "pg")],
                        [], start=200, res=res_a, kind=C.KIND_CLIENT, msg="timeout")
        self.s3 = _span("0000000000000003", "GET /y", C.STATUS_OK, [("http.route", "/y")],
                        [_exc("A", "handled")], start=300, res=res_a)
        self.t = _trace(self.s1, self.s2, self.s3)

    def ids(self, sets):
        return [[m.span.span_id[-1] for m in s.matches] for s in sets]

    def test_status_filter(self):
        _, sets = _run("{ status = error }", self.t)
        self.assertEqual(self.ids(sets), [["1", "2"]])
        _, sets = _run("{ status != error }", self.t)
        self.assertEqual(self.ids(sets), [["3"]])

    def test_missing_attribute_never_matches(self):
        _, sets = _run("{ span.http.route != \"/x\" }", self.t)
        self.assertEqual(self.ids(sets), [["3"]])         # s2 has no route: not matched

    def test_event_conditions_are_existential_and_bind_the_same_event(self):
        _, sets = _run("{ event.exception.type = \"B\" }", self.t)
        self.assertEqual(self.ids(sets), [["1"]])
        _, sets = _run("{ event.exception.type = \"A\" && event.exception.message = \"second\" }",
                       self.t)
        self.assertEqual(sets, [])                        # no single event has both
        _, sets = _run("{ event:name = \"exception\" && status = error }", self.t)
        self.assertEqual(self.ids(sets), [["1"]])

    def test_result_attributes_take_the_last_event(self):
        q, sets = _run("{ status = error } | select(event.exception.type, resource.service.name)",
                       self.t)
        got = {m.span.span_id[-1]: Q.result_attributes(q, m, self.t) for m in sets[0].matches}
        self.assertEqual(got["1"], [("status", "error"), ("exception.type", "B"),
                                    ("service.name", "a")])
        self.assertEqual(got["2"], [("status", "error"), ("service.name", "a")])

    def test_result_attributes_follow_the_matching_event(self):
        q, sets = _run("{ event.exception.type = \"A\" } | select(event.exception.message)", self.t)
        got = {m.span.span_id[-1]: Q.result_attributes(q, m, self.t) for m in sets[0].matches}
        self.assertEqual(got["1"], [("exception.type", "A"), ("exception.message", "first")])
        self.assertEqual(got["3"], [("exception.type", "A"), ("exception.message", "handled")])

    def test_unscoped_attribute_reads_span_then_resource(self):
        _, sets = _run("{ .deployment.environment = \"prod\" && .http.route = \"/y\" }", self.t)
        self.assertEqual(self.ids(sets), [["3"]])

    def test_intrinsics(self):
        _, sets = _run("{ kind = client && statusMessage = \"timeout\" && name = \"SELECT\" }", self.t)
        self.assertEqual(self.ids(sets), [["2"]])
        _, sets = _run("{ duration >= 10ns && duration < 11ns }", self.t)
        self.assertEqual(self.ids(sets), [["1", "2", "3"]])

    def test_numbers(self):
        _, sets = _run("{ span.http.status_code >= 500 }", self.t)
        self.assertEqual(self.ids(sets), [["1"]])
        _, sets = _run("{ span.http.status_code = \"500\" }", self.t)   # int vs string
        self.assertEqual(sets, [])

    def test_regex_anchoring_by_version(self):
        _, sets = _run("{ name =~ \"GET\" }", self.t, "2.9")          # anchored since 2.7
        self.assertEqual(sets, [])
        _, sets = _run("{ name =~ \"GET\" }", self.t, "2.6")          # a search before 2.7
        self.assertEqual(self.ids(sets), [["1", "3"]])
        _, sets = _run("{ name =~ \"GET.*\" }", self.t, "2.9")
        self.assertEqual(self.ids(sets), [["1", "3"]])

    def test_re2_quoting(self):
        self.assertEqual(Q.re2_to_python(r"\Qa.b*\E|x\z"), r"a\.b\*|x\Z")
        _, sets = _run(r'{ name =~ "\\QGET /\\E.*" }', self.t)
        self.assertEqual(self.ids(sets), [["1", "3"]])

    def test_by_groups_into_spansets(self):
        _, sets = _run("{ } | by(span.http.route)", self.t)
        got = sorted((s.attributes[0][1].value if s.attributes else "",
                      [m.span.span_id[-1] for m in s.matches]) for s in sets)
        self.assertEqual(got, [("", ["2"]), ("/x", ["1"]), ("/y", ["3"])])
        self.assertEqual([k for s in sets for k, _ in s.attributes],
                         ["by(span.http.route)", "by(span.http.route)"])

    def test_spanset_and_or(self):
        _, sets = _run("{ status = ok } && { kind = client }", self.t)
        self.assertEqual(self.ids(sets), [["2", "3"]])
        _, sets = _run("{ status = ok } && { kind = producer }", self.t)
        self.assertEqual(sets, [])
        _, sets = _run("{ status = ok } || { kind = producer }", self.t)
        self.assertEqual(self.ids(sets), [["3"]])

    def test_scalar_filter(self):
        _, sets = _run("{ status = error } | count() > 1", self.t)
        self.assertEqual(self.ids(sets), [["1", "2"]])
        _, sets = _run("{ status = error } | count() > 2", self.t)
        self.assertEqual(sets, [])

    def test_hint(self):
        q = Q.parse("{ } with(most_recent=true)")
        self.assertIs(q.hint("most_recent"), True)


if __name__ == "__main__":
    unittest.main()
