"""A TraceQL subset for the Tempo-compatible test server: lexer, parser,
validator and evaluator over corpus.Trace records.

Accepted (and gated by Tempo version the way Tempo's lexer/grammar gate it):
  spanset filters  { expr }  with && || ! ( ), comparisons = != =~ !~ > < >= <=,
                   arithmetic + - * / % ^, strings with Go escapes, numbers,
                   durations (1.5s, 100ms, 2h), true/false, status and kind
                   keywords;
  intrinsics       status kind name duration statusMessage traceDuration
                   rootName rootServiceName, scoped span:* trace:* (2.5+),
                   event:name (2.6+);
  attributes       resource.x span.x .x, event.x (2.6+), "quoted" parts;
  spanset ops      {..} && {..}, {..} || {..} (structural ops parse but are
                   rejected as not implemented by the test server);
  pipeline         | select(a, b, ...) (2.2+), | by(expr) (2.2+), | coalesce(),
                   | count() > N, | avg|min|max|sum(field) > x;
  metrics          | rate(), | count_over_time() with optional by(attr, ...) (2.4+);
  hints            with(name=value, ...) (2.4+; most_recent is honoured).

Errors use Tempo's wording: ParseError ("parse error at line L, col C: syntax
error: unexpected X") and ValidationError (the messages of ast_validate.go).
Semantics follow ../shared/notes/tempo.md: a span matches when its filter
holds; a filter that touches event:name or event.* holds when it holds for
at least one event of the span (all conditions then see the same event); a
missing attribute makes every comparison false, != included.
"""

import math
import re

from corpus import (KIND_CLIENT, KIND_CONSUMER, KIND_INTERNAL, KIND_PRODUCER, KIND_SERVER,
                    KIND_UNSPECIFIED, STATUS_ERROR, STATUS_OK, STATUS_UNSET)


def parse_version(v):
    """'2.6', '2.6.1', 'v3.0.3' -> (2, 6)."""
    if isinstance(v, tuple):
        return v
    parts = str(v).lstrip("v").split("-")[0].split(".")
    return (int(parts[0]), int(parts[1]) if len(parts) > 1 else 0)


class TraceQLError(Exception):
    """Base of the errors below; str() is the text Tempo puts in the body."""


class ParseError(TraceQLError):
    def __init__(self, msg, line=0, col=0):
        self.msg, self.line, self.col = msg, line, col
        if line == 0 and col == 0:
            text = "parse error : " + msg
        else:
            text = "parse error at line %d, col %d: %s" % (line, col, msg)
        super().__init__(text)


class ValidationError(TraceQLError):
    pass


class NotImplementedByServer(TraceQLError):
    """Valid TraceQL that this test server does not evaluate."""


# ----------------------------------------------------------------------------
# Lexer (mimics Tempo's lexer on top of Go's text/scanner)
# ----------------------------------------------------------------------------

# token string -> (first version, token kind).  Kinds are the names used in
# goyacc's messages when a token is not in Tempo's token map.
_TOKEN_TABLE = [
    (",", (2, 0)), (".", (2, 0)), ("{", (2, 0)), ("}", (2, 0)), ("(", (2, 0)), (")", (2, 0)),
    ("=", (2, 0)), ("!=", (2, 0)), ("=~", (2, 0)), ("!~", (2, 0)), (">", (2, 0)),
    (">=", (2, 0)), ("<", (2, 0)), ("<=", (2, 0)), ("+", (2, 0)), ("-", (2, 0)), ("/", (2, 0)),
    ("%", (2, 0)), ("*", (2, 0)), ("^", (2, 0)), ("true", (2, 0)), ("false", (2, 0)),
    ("nil", (2, 0)), ("ok", (2, 0)), ("error", (2, 0)), ("unset", (2, 0)),
    ("unspecified", (2, 1)), ("internal", (2, 1)), ("server", (2, 1)), ("client", (2, 1)),
    ("producer", (2, 1)), ("consumer", (2, 1)),
    ("&&", (2, 0)), ("||", (2, 0)), ("!", (2, 0)), ("|", (2, 0)), (">>", (2, 0)),
    ("~", (2, 2)), ("<<", (2, 3)), ("!>", (2, 3)), ("!<", (2, 3)), ("!>>", (2, 3)),
    ("!<<", (2, 3)), ("&~", (2, 5)), ("&>", (2, 5)), ("&<", (2, 5)), ("&>>", (2, 5)),
    ("&<<", (2, 5)),
    ("duration", (2, 0)), ("name", (2, 0)), ("status", (2, 0)), ("statusMessage", (2, 3)),
    ("kind", (2, 1)), ("childCount", (2, 10)), ("rootName", (2, 2)),
    ("rootServiceName", (2, 2)), ("rootService", (2, 5)), ("traceDuration", (2, 2)),
    ("nestedSetLeft", (2, 3)), ("nestedSetRight", (2, 3)), ("nestedSetParent", (2, 3)),
    ("id", (2, 5)), ("traceID", (2, 6)), ("spanID", (2, 6)), ("parentID", (2, 8)),
    ("timeSinceStart", (2, 6)), ("version", (2, 7)),
    ("parent", (2, 0)), ("parent.", (2, 0)), ("resource.", (2, 0)), ("span.", (2, 0)),
    ("trace:", (2, 5)), ("span:", (2, 5)), ("event:", (2, 6)), ("link:", (2, 6)),
    ("instrumentation:", (2, 7)), ("event.", (2, 6)), ("link.", (2, 6)),
    ("instrumentation.", (2, 7)),
    ("count", (2, 0)), ("avg", (2, 0)), ("max", (2, 1)), ("min", (2, 1)), ("sum", (2, 1)),
    ("by", (2, 2)), ("coalesce", (2, 2)), ("select", (2, 2)),
    ("rate", (2, 4)), ("count_over_time", (2, 4)), ("min_over_time", (2, 7)),
    ("max_over_time", (2, 7)), ("avg_over_time", (2, 7)), ("sum_over_time", (2, 8)),
    ("quantile_over_time", (2, 5)), ("histogram_over_time", (2, 5)), ("compare", (2, 6)),
    ("topk", (2, 8)), ("bottomk", (2, 8)), ("with", (2, 4)),
]

_ATTR_SCOPES = {".", "resource.", "span.", "parent.", "event.", "link.", "instrumentation."}
_NON_ATTR = set(" \t\n\r\f\v{}()=~!<>&|^,")
_DURATION_RUNES = set("nsumhµdwy")


def _is_attr_rune(ch):
    return ch != "" and not ch.isspace() and ch not in _NON_ATTR


class Token:
    __slots__ = ("kind", "text", "value", "line", "col")

    def __init__(self, kind, text, value=None, line=0, col=0):
        self.kind, self.text, self.value, self.line, self.col = kind, text, value, line, col

    def display(self):
        """How goyacc names this token in 'unexpected X': $end, a class name
        (IDENTIFIER, STRING, END_ATTRIBUTE, ...) or the keyword/operator text."""
        return "$end" if self.kind == "EOF" else self.kind

    def __repr__(self):
        return "Token(%s %r @%d:%d)" % (self.kind, self.text, self.line, self.col)


_GO_DURATION_RE = re.compile(r"^([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$")
_GO_UNITS = {"ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
_PROM_DURATION_RE = re.compile(r"^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?"
                               r"(([0-9]+)s)?(([0-9]+)ms)?$")


def parse_duration_ns(text):
    """Prometheus-style duration first, Go's time.ParseDuration second (as
    Tempo's lexer does); returns nanoseconds or None."""
    m = _PROM_DURATION_RE.match(text)
    if m and text and text != "0" and any(m.group(i) for i in (2, 4, 6, 8, 10, 12, 14)):
        ms = 0
        for grp, mult in ((2, 365 * 86400000), (4, 7 * 86400000), (6, 86400000),
                          (8, 3600000), (10, 60000), (12, 1000), (14, 1)):
            if m.group(grp):
                ms += int(m.group(grp)) * mult
        return ms * 10**6
    if _GO_DURATION_RE.match(text):
        total = 0.0
        for num, _, unit in re.findall(r"([0-9]*(\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)", text):
            if num in ("", "."):
                return None
            total += float(num) * _GO_UNITS[unit]
        return int(round(total))
    if text == "0":
        return 0
    return None


_GO_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                      "v": "\v", "\\": "\\", '"': '"'}


class Lexer:
    """Produces tokens one at a time; `err_line/err_col` is the position Go's
    scanner would report for an error detected at the latest token (the
    start of the latest token read by Scan: attribute names and
    END_ATTRIBUTE do not move it)."""

    def __init__(self, text, version=(2, 9)):
        self.src = text
        self.i = 0
        self.line, self.col = 1, 1
        self.version = version
        self.tokens = {t for t, since in _TOKEN_TABLE if version >= since}
        self.parsing_attribute = False
        self.err_line, self.err_col = 1, 1

    # -- character helpers
    def _peek(self, k=0):
        j = self.i + k
        return self.src[j] if j < len(self.src) else ""

    def _next(self):
        ch = self._peek()
        if ch == "":
            return ""
        self.i += 1
        if ch == "\n":
            self.line += 1
            self.col = 1
        else:
            self.col += 1
        return ch

    def error(self, msg, line=None, col=None):
        raise ParseError(msg, self.err_line if line is None else line,
                         self.err_col if col is None else col)

    def _skip_space_and_comments(self):
        while True:
            ch = self._peek()
            if ch in (" ", "\t", "\n", "\r"):
                self._next()
            elif ch == "/" and self._peek(1) == "/":
                while self._peek() not in ("", "\n"):
                    self._next()
            elif ch == "/" and self._peek(1) == "*":
                line, col = self.line, self.col
                self._next()
                self._next()
                while not (self._peek() == "*" and self._peek(1) == "/"):
                    if self._peek() == "":
                        raise ParseError("comment not terminated", line, col)
                    self._next()
                self._next()
                self._next()
            else:
                return

    # -- attribute mode
    def _attribute_name(self):
        out = []
        while True:
            ch = self._peek()
            if ch == '"':
                self._next()
                while True:
                    c = self._peek()
                    if c == "":
                        self.error('unexpected EOF, expecting "')
                    if c == '"':
                        self._next()
                        break
                    if c == "\\":
                        self._next()
                        if self._peek() in ('\\', '"'):
                            out.append(self._next())
                        else:
                            self.error("invalid escape sequence")
                    else:
                        out.append(self._next())
            elif _is_attr_rune(ch):
                out.append(self._next())
            else:
                return "".join(out)

    def next(self):
        if self.parsing_attribute:
            if not _is_attr_rune(self._peek()):
                self.parsing_attribute = False
                return Token("END_ATTRIBUTE", "", None, self.line, self.col)
            line, col = self.line, self.col
            name = self._attribute_name()
            return Token("IDENTIFIER", name, name, line, col)

        self._skip_space_and_comments()
        line, col = self.line, self.col
        self.err_line, self.err_col = line, col
        ch = self._peek()
        if ch == "":
            return Token("EOF", "", None, line, col)

        if ch == '"' or ch == "`":
            return Token("STRING", "", self._scan_string(ch), line, col)

        if ch.isdigit() or (ch == "." and self._peek(1).isdigit()):
            return self._scan_number(line, col)

        if ch.isalpha() or ch == "_":
            start = self.i
            while self._peek().isalnum() or self._peek() == "_":
                self._next()
            text = self.src[start:self.i]
        else:
            text = self._next()

        # longest run of known multi-character tokens, one rune at a time
        multi = None
        probe = text
        while True:
            nxt = self._peek()
            if nxt == "" or (probe + nxt) not in self.tokens:
                break
            probe += nxt
            self._next()
            multi = probe
        if multi is not None:
            self.parsing_attribute = multi in _ATTR_SCOPES
            return Token(multi, multi, None, line, col)
        if text in self.tokens:
            self.parsing_attribute = text in _ATTR_SCOPES
            return Token(text, text, None, line, col)
        return Token("IDENTIFIER", text, text, line, col)

    def _scan_string(self, quote):
        self._next()
        out = []
        if quote == "`":
            while True:
                c = self._next()
                if c == "":
                    self.error("literal not terminated")
                if c == "`":
                    return "".join(out)
                if c != "\r":
                    out.append(c)
        while True:
            c = self._next()
            if c == "" or c == "\n":
                self.error("literal not terminated")
            if c == '"':
                return "".join(out)
            if c != "\\":
                out.append(c)
                continue
            e = self._next()
            if e in _GO_SIMPLE_ESCAPES:
                out.append(_GO_SIMPLE_ESCAPES[e])
            elif e in "01234567":
                digits = e + self._next() + self._next()
                if not re.match(r"^[0-7]{3}$", digits) or int(digits, 8) > 255:
                    self.error("invalid char escape")
                out.append(chr(int(digits, 8)))
            elif e in ("x", "u", "U"):
                n = {"x": 2, "u": 4, "U": 8}[e]
                digits = "".join(self._next() for _ in range(n))
                if not re.match(r"^[0-9a-fA-F]{%d}$" % n, digits):
                    self.error("invalid char escape")
                cp = int(digits, 16)
                if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                    self.error("escape sequence is invalid Unicode code point")
                out.append(chr(cp))
            else:
                self.error("invalid char escape")

    def _scan_number(self, line, col):
        start = self.i
        is_float = False
        if self._peek() == "0" and self._peek(1) in ("x", "X"):
            self._next()
            self._next()
            while self._peek() and self._peek() in "0123456789abcdefABCDEF_":
                self._next()
        else:
            while self._peek().isdigit() or self._peek() == "_":
                self._next()
            if self._peek() == ".":
                is_float = True
                self._next()
                while self._peek().isdigit():
                    self._next()
            if self._peek() in ("e", "E") and (self._peek(1).isdigit() or
                                               (self._peek(1) in "+-" and self._peek(2).isdigit())):
                is_float = True
                self._next()
                if self._peek() in "+-":
                    self._next()
                while self._peek().isdigit():
                    self._next()
        number = self.src[start:self.i]
        # a duration: the number followed by duration runes up to a space
        j = self.i
        while j < len(self.src) and not self.src[j].isspace() and (
                self.src[j].isdigit() or self.src[j] in _DURATION_RUNES or self.src[j] == "."):
            j += 1
        if j > self.i:
            ns = parse_duration_ns(self.src[start:j])
            if ns is not None:
                while self.i < j:
                    self._next()
                return Token("DURATION", self.src[start:j], ns, line, col)
        try:
            if is_float:
                return Token("FLOAT", number, float(number), line, col)
            return Token("INTEGER", number, int(number.replace("_", ""), 0), line, col)
        except ValueError as e:
            self.error(str(e))


# ----------------------------------------------------------------------------
# AST
# ----------------------------------------------------------------------------

class Static:
    __slots__ = ("type", "value")

    def __init__(self, type_, value):
        self.type, self.value = type_, value

    def __repr__(self):
        return "Static(%s, %r)" % (self.type, self.value)

    def __eq__(self, other):
        return isinstance(other, Static) and self.type == other.type and self.value == other.value

    def __hash__(self):
        return hash((self.type, self.value))

    def text(self):
        t, v = self.type, self.value
        if t == "nil":
            return "nil"
        if t == "int":
            return str(v)
        if t == "float":
            return repr(v)          # like Go's 'g' format with ".0" kept for integers
        if t == "string":
            return "`" + v + "`"
        if t == "bool":
            return "true" if v else "false"
        if t == "duration":
            return go_duration_text(v)
        if t == "status":
            return ["unset", "ok", "error"][v]
        if t == "kind":
            return ["unspecified", "internal", "server", "client", "producer", "consumer"][v]
        return str(v)


NIL = Static("nil", None)
TRUE = Static("bool", True)
FALSE = Static("bool", False)


def go_duration_text(ns):
    """time.Duration.String()."""
    if ns == 0:
        return "0s"
    neg = ns < 0
    ns = abs(ns)
    if ns < 1000:
        s = "%dns" % ns
    elif ns < 10**6:
        s = _trim("%.3f" % (ns / 1e3)) + "µs"
    elif ns < 10**9:
        s = _trim("%.6f" % (ns / 1e6)) + "ms"
    else:
        h, rem = divmod(ns, 3600 * 10**9)
        m, rem = divmod(rem, 60 * 10**9)
        sec = _trim("%.9f" % (rem / 1e9))
        s = ("%dh%dm%ss" % (h, m, sec)) if h else (("%dm%ss" % (m, sec)) if m else sec + "s")
    return ("-" if neg else "") + s


def _trim(s):
    return s.rstrip("0").rstrip(".") if "." in s else s


INTRINSIC_TYPES = {
    "duration": "duration", "name": "string", "status": "status", "statusMessage": "string",
    "kind": "kind", "rootName": "string", "rootServiceName": "string",
    "traceDuration": "duration", "event:name": "string", "trace:id": "string",
    "span:id": "string", "nestedSetLeft": "int", "nestedSetRight": "int",
    "nestedSetParent": "int", "event:timeSinceStart": "duration", "parent": "attribute",
    "childCount": "int", "span:parentID": "string", "link:traceID": "string",
    "link:spanID": "string", "instrumentation:name": "string",
    "instrumentation:version": "string",
}


class Attr:
    """An attribute or intrinsic.  scope: None (unscoped ".x"), "span",
    "resource", "event", "link", "instrumentation"; intrinsic: its canonical
    name ("status", "event:name", ...) or None."""
    __slots__ = ("scope", "name", "intrinsic", "parent")

    def __init__(self, scope=None, name="", intrinsic=None, parent=False):
        self.scope, self.name, self.intrinsic, self.parent = scope, name, intrinsic, parent

    def key(self):
        return (self.scope, self.name, self.intrinsic, self.parent)

    def __eq__(self, other):
        return isinstance(other, Attr) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def text(self):
        """Attribute.String() in Tempo: the full TraceQL text."""
        if self.intrinsic:
            return self.intrinsic
        scopes = (["parent"] if self.parent else []) + ([self.scope] if self.scope else [])
        prefix = ".".join(scopes) + "." if scopes else "."
        return prefix + self.name

    def result_key(self):
        """Key of this attribute on a search result span: the bare name."""
        return self.intrinsic or self.name

    @property
    def uses_events(self):
        return self.scope == "event" or (self.intrinsic or "").startswith("event:")

    def __repr__(self):
        return "Attr(%s)" % self.text()


class Binary:
    __slots__ = ("op", "lhs", "rhs")

    def __init__(self, op, lhs, rhs):
        self.op, self.lhs, self.rhs = op, lhs, rhs


class Unary:
    __slots__ = ("op", "expr")

    def __init__(self, op, expr):
        self.op, self.expr = op, expr


class Filter:
    __slots__ = ("expr",)

    def __init__(self, expr):
        self.expr = expr


class SpansetOp:
    __slots__ = ("op", "lhs", "rhs")

    def __init__(self, op, lhs, rhs):
        self.op, self.lhs, self.rhs = op, lhs, rhs


class Select:
    def __init__(self, attrs):
        self.attrs = attrs


class By:
    def __init__(self, expr):
        self.expr = expr


class Coalesce:
    pass


class Aggregate:
    def __init__(self, fn, expr=None):
        self.fn, self.expr = fn, expr


class ScalarFilter:
    def __init__(self, op, lhs, rhs):
        self.op, self.lhs, self.rhs = op, lhs, rhs


class Pipeline:
    def __init__(self, stages):
        self.stages = stages


class MetricsAgg:
    def __init__(self, fn, by, attr=None, args=None):
        self.fn, self.by, self.attr, self.args = fn, by, attr, args or []


class Query:
    """A parsed query: pipeline, optional metrics stage, hints, and the
    attributes the query touches (what search results show)."""

    def __init__(self, text, pipeline, metrics, hints):
        self.text, self.pipeline, self.metrics, self.hints = text, pipeline, metrics, hints
        self.touched = []
        self.uses_name = False
        _collect_touched(pipeline, self.touched, self)
        if metrics:
            for a in metrics.by:
                if a not in self.touched:
                    self.touched.append(a)

    def hint(self, name, default=None):
        v = self.hints.get(name)
        return default if v is None else v.value


def expr_text(e):
    """Element String() as Tempo prints it in validation messages."""
    if isinstance(e, Static):
        return e.text()
    if isinstance(e, Attr):
        return e.text()
    if isinstance(e, Binary):
        return "%s %s %s" % (_wrap(e.lhs), e.op, _wrap(e.rhs))
    if isinstance(e, Unary):
        if e.op == "exists":
            return _wrap(e.expr) + " != nil"
        if e.op == "notexists":
            return _wrap(e.expr) + " = nil"
        return e.op + _wrap(e.expr)
    if isinstance(e, Filter):
        return "{ " + expr_text(e.expr) + " }"
    if isinstance(e, Aggregate):
        return "%s(%s)" % (e.fn, expr_text(e.expr) if e.expr else "")
    if isinstance(e, ScalarFilter):
        return "%s %s %s" % (_wrap(e.lhs), e.op, _wrap(e.rhs))
    return str(e)


def _wrap(e):
    if isinstance(e, (Static, Attr)):
        return expr_text(e)
    return "(" + expr_text(e) + ")"


def _collect_touched(node, out, q):
    if isinstance(node, Attr):
        if node.intrinsic == "name":
            q.uses_name = True
        if node not in out:
            out.append(node)
    elif isinstance(node, (Binary, SpansetOp, ScalarFilter)):
        _collect_touched(node.lhs, out, q)
        _collect_touched(node.rhs, out, q)
    elif isinstance(node, Unary):
        _collect_touched(node.expr, out, q)
    elif isinstance(node, Filter):
        _collect_touched(node.expr, out, q)
    elif isinstance(node, Pipeline):
        for s in node.stages:
            _collect_touched(s, out, q)
    elif isinstance(node, Select):
        for a in node.attrs:
            _collect_touched(a, out, q)
    elif isinstance(node, By):
        _collect_touched(node.expr, out, q)
    elif isinstance(node, Aggregate) and node.expr is not None:
        _collect_touched(node.expr, out, q)


# ----------------------------------------------------------------------------
# Parser (recursive descent over Tempo's grammar, expr.y)
# ----------------------------------------------------------------------------

_COMPARISON = ("=", "!=", "<", "<=", ">", ">=", "=~", "!~")
_STRUCTURAL = (">", "<", ">>", "<<", "~", "!>", "!<", "!>>", "!<<", "!~", "&>", "&<", "&>>",
               "&<<", "&~")
_INTRINSIC_TOKENS = {"duration": "duration", "name": "name", "status": "status",
                     "statusMessage": "statusMessage", "kind": "kind", "parent": "parent",
                     "rootName": "rootName", "rootServiceName": "rootServiceName",
                     "traceDuration": "traceDuration", "nestedSetLeft": "nestedSetLeft",
                     "nestedSetRight": "nestedSetRight", "nestedSetParent": "nestedSetParent"}
_SCOPED_INTRINSICS = {
    ("trace:", "duration"): "traceDuration", ("trace:", "rootName"): "rootName",
    ("trace:", "rootService"): "rootServiceName", ("trace:", "id"): "trace:id",
    ("span:", "duration"): "duration", ("span:", "name"): "name", ("span:", "kind"): "kind",
    ("span:", "status"): "status", ("span:", "statusMessage"): "statusMessage",
    ("span:", "id"): "span:id", ("span:", "parentID"): "span:parentID",
    ("span:", "childCount"): "childCount",
    ("event:", "name"): "event:name", ("event:", "timeSinceStart"): "event:timeSinceStart",
    ("link:", "traceID"): "link:traceID", ("link:", "spanID"): "link:spanID",
    ("instrumentation:", "name"): "instrumentation:name",
    ("instrumentation:", "version"): "instrumentation:version",
}
_STATIC_KEYWORDS = {
    "true": TRUE, "false": FALSE, "nil": NIL,
    "ok": Static("status", STATUS_OK), "error": Static("status", STATUS_ERROR),
    "unset": Static("status", STATUS_UNSET),
    "unspecified": Static("kind", KIND_UNSPECIFIED), "internal": Static("kind", KIND_INTERNAL),
    "server": Static("kind", KIND_SERVER), "client": Static("kind", KIND_CLIENT),
    "producer": Static("kind", KIND_PRODUCER), "consumer": Static("kind", KIND_CONSUMER),
}
_METRICS_FNS = ("rate", "count_over_time", "min_over_time", "max_over_time", "avg_over_time",
                "sum_over_time", "quantile_over_time", "histogram_over_time", "compare")


class Parser:
    def __init__(self, text, version=(2, 9)):
        self.text = text
        self.version = parse_version(version)
        self.lex = Lexer(text, self.version)
        self.tok = self.lex.next()

    def advance(self):
        t = self.tok
        self.tok = self.lex.next()
        return t

    def unexpected(self, expecting=None):
        msg = "syntax error: unexpected " + self.tok.display()
        if expecting:
            msg += ", expecting " + " or ".join(expecting)
        self.lex.error(msg)

    def expect(self, kind, expecting=None):
        if self.tok.kind != kind:
            self.unexpected(expecting)
        return self.advance()

    # -- root
    def parse(self):
        if self.tok.kind == "EOF":
            self.unexpected()
        pipeline, metrics = self.pipeline(top=True)
        hints = {}
        if self.tok.kind == "with":
            self.advance()
            self.expect("(")
            while True:
                name = self.expect("IDENTIFIER").value
                self.expect("=")
                hints[name] = self.static()
                if self.tok.kind == ",":
                    self.advance()
                    continue
                break
            self.expect(")")
        if self.tok.kind != "EOF":
            self.unexpected()
        return Query(self.text, pipeline, metrics, hints)

    def pipeline(self, top=False):
        stages = [self.stage(first=True)]
        metrics = None
        while self.tok.kind == "|":
            self.advance()
            if top and self.tok.kind in _METRICS_FNS and self.tok.kind in self.lex.tokens:
                metrics = self.metrics_agg()
                if self.tok.kind == "|":
                    self.advance()
                    if self.tok.kind in ("topk", "bottomk"):
                        raise NotImplementedByServer("the test server does not implement %s()"
                                                     % self.tok.kind)
                    self.unexpected()
                break
            stages.append(self.stage(first=False))
        return Pipeline(stages), metrics

    def stage(self, first):
        k = self.tok.kind
        if k == "select":
            self.advance()
            self.expect("(")
            attrs = [self.attribute_only()]
            while self.tok.kind == ",":
                self.advance()
                attrs.append(self.attribute_only())
            self.expect(")")
            return Select(attrs)
        if k == "by":
            self.advance()
            self.expect("(")
            e = self.field_expr()
            self.expect(")")
            return By(e)
        if k == "coalesce" and not first:
            self.advance()
            self.expect("(")
            self.expect(")")
            return Coalesce()
        if k in ("count", "avg", "max", "min", "sum") or k in ("INTEGER", "FLOAT", "DURATION"):
            return self.scalar_filter()
        return self.spanset_expr()

    def scalar_filter(self):
        lhs = self.aggregate_or_scalar()
        if self.tok.kind not in ("=", "!=", "<", "<=", ">", ">="):
            self.unexpected()
        op = self.advance().kind
        rhs = self.aggregate_or_scalar()
        if not isinstance(lhs, Aggregate) and not isinstance(rhs, Aggregate):
            self.unexpected()
        if isinstance(rhs, Aggregate) and not isinstance(lhs, Aggregate):
            lhs, rhs, op = rhs, lhs, {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        return ScalarFilter(op, lhs, rhs)

    def aggregate_or_scalar(self):
        k = self.tok.kind
        if k in ("count", "avg", "max", "min", "sum"):
            self.advance()
            self.expect("(")
            e = None
            if k != "count":
                e = self.field_expr()
            self.expect(")")
            return Aggregate(k, e)
        if k in ("INTEGER", "FLOAT", "DURATION"):
            t = self.advance()
            return Static({"INTEGER": "int", "FLOAT": "float", "DURATION": "duration"}[k], t.value)
        if k == "-" and self.lex._peek() != "":
            self.advance()
            s = self.aggregate_or_scalar()
            if isinstance(s, Static):
                return Static(s.type, -s.value)
            self.unexpected()
        self.unexpected()

    def spanset_expr(self):
        # && and || share the lowest precedence, left associative
        lhs = self.spanset_structural()
        while self.tok.kind in ("&&", "||"):
            op = self.advance().kind
            rhs = self.spanset_structural()
            lhs = SpansetOp(op, lhs, rhs)
        return lhs

    def spanset_structural(self):
        lhs = self.spanset_primary()
        while self.tok.kind in _STRUCTURAL:
            op = self.advance().kind
            rhs = self.spanset_primary()
            lhs = SpansetOp(op, lhs, rhs)
        return lhs

    def spanset_primary(self):
        if self.tok.kind == "{":
            self.advance()
            if self.tok.kind == "}":
                self.advance()
                return Filter(TRUE)
            e = self.field_expr()
            self.expect("}")
            return Filter(e)
        if self.tok.kind == "(":
            self.advance()
            inner, metrics = self.pipeline()
            if metrics is not None:
                self.unexpected()
            self.expect(")")
            if len(inner.stages) == 1:
                return inner.stages[0]
            return inner
        self.unexpected()

    # -- field expressions, precedence climbing (lowest first):
    #    && ||  <  comparisons  <  + -  <  !  <  * / %  <  ^  <  unary -
    def field_expr(self):
        lhs = self.cmp_expr()
        while self.tok.kind in ("&&", "||"):
            op = self.advance().kind
            rhs = self.cmp_expr()
            lhs = Binary(op, lhs, rhs)
        return lhs

    def cmp_expr(self):
        lhs = self.add_expr()
        while self.tok.kind in _COMPARISON:
            op = self.advance().kind
            if self.tok.kind == "nil" and op in ("=", "!="):
                self.advance()
                lhs = Unary("notexists" if op == "=" else "exists", lhs)
                continue
            rhs = self.add_expr()
            lhs = Binary(op, lhs, rhs)
        return lhs

    def add_expr(self):
        lhs = self.not_expr()
        while self.tok.kind in ("+", "-"):
            op = self.advance().kind
            lhs = Binary(op, lhs, self.not_expr())
        return lhs

    def not_expr(self):
        if self.tok.kind == "!":
            self.advance()
            return Unary("!", self.not_expr())
        return self.mul_expr()

    def mul_expr(self):
        lhs = self.pow_expr()
        while self.tok.kind in ("*", "/", "%"):
            op = self.advance().kind
            lhs = Binary(op, lhs, self.pow_expr())
        return lhs

    def pow_expr(self):
        lhs = self.unary_expr()
        if self.tok.kind == "^":
            self.advance()
            return Binary("^", lhs, self.pow_expr())
        return lhs

    def unary_expr(self):
        if self.tok.kind == "-":
            self.advance()
            return Unary("-", self.unary_expr())
        if self.tok.kind == "!":
            self.advance()
            return Unary("!", self.unary_expr())
        return self.primary()

    def primary(self):
        k = self.tok.kind
        if k == "(":
            self.advance()
            e = self.field_expr()
            self.expect(")")
            return e
        a = self.try_attribute()
        if a is not None:
            return a
        return self.static()

    def static(self):
        t = self.tok
        k = t.kind
        if k == "STRING":
            self.advance()
            return Static("string", t.value)
        if k == "INTEGER":
            self.advance()
            return Static("int", t.value)
        if k == "FLOAT":
            self.advance()
            return Static("float", t.value)
        if k == "DURATION":
            self.advance()
            return Static("duration", t.value)
        if k in _STATIC_KEYWORDS:
            self.advance()
            return _STATIC_KEYWORDS[k]
        if k == "IDENTIFIER" and self.version >= (2, 9) and t.value in ("minInt", "maxInt"):
            self.advance()
            return Static("int", -2**63 if t.value == "minInt" else 2**63 - 1)
        self.unexpected()

    def attribute_only(self):
        a = self.try_attribute()
        if a is None:
            self.unexpected()
        return a

    def try_attribute(self):
        k = self.tok.kind
        if k in _INTRINSIC_TOKENS:
            self.advance()
            return Attr(intrinsic=_INTRINSIC_TOKENS[k])
        if k in ("trace:", "span:", "event:", "link:", "instrumentation:"):
            self.advance()
            key = (k, self.tok.kind)
            if key not in _SCOPED_INTRINSICS:
                self.unexpected()
            self.advance()
            return Attr(intrinsic=_SCOPED_INTRINSICS[key])
        if k in _ATTR_SCOPES:
            self.advance()
            parent = False
            scope = {".": None, "resource.": "resource", "span.": "span", "event.": "event",
                     "link.": "link", "instrumentation.": "instrumentation",
                     "parent.": None}[k]
            if k == "parent.":
                parent = True
            name = self.expect("IDENTIFIER", ["IDENTIFIER"]).value
            self.expect("END_ATTRIBUTE")
            return Attr(scope=scope, name=name, parent=parent)
        return None

    def metrics_agg(self):
        fn = self.advance().kind
        self.expect("(")
        attr = None
        args = []
        if fn in ("rate", "count_over_time"):
            self.expect(")")
        elif fn == "compare":
            raise NotImplementedByServer("the test server does not implement compare()")
        else:
            attr = self.attribute_only()
            while self.tok.kind == ",":
                self.advance()
                args.append(self.static())
            self.expect(")")
        by = []
        if self.tok.kind == "by":
            self.advance()
            self.expect("(")
            by.append(self.attribute_only())
            while self.tok.kind == ",":
                self.advance()
                by.append(self.attribute_only())
            self.expect(")")
        return MetricsAgg(fn, by, attr, args)


def parse(text, version=(2, 9)):
    """Parse and validate a query; raises ParseError, ValidationError or
    NotImplementedByServer."""
    q = Parser(text, version).parse()
    validate(q)
    return q


def parse_identifier(text, version=(2, 9)):
    """A bare TraceQL identifier (v2 tag-values route): resource.x, .x,
    span.x, event.x, status, name, ...  Raises ParseError."""
    p = Parser(text, version)
    if p.tok.kind == "IDENTIFIER":
        p.lex.error("unknown identifier: " + p.tok.value)
    a = p.try_attribute()
    if a is None:
        p.unexpected()
    if p.tok.kind != "EOF":
        p.unexpected()
    return a


# ----------------------------------------------------------------------------
# Validation (ast_validate.go)
# ----------------------------------------------------------------------------

_NUMERIC = ("int", "float", "duration")


def implied_type(e):
    if isinstance(e, Static):
        return e.type
    if isinstance(e, Attr):
        if e.intrinsic:
            return INTRINSIC_TYPES.get(e.intrinsic, "attribute")
        return "attribute"
    if isinstance(e, Binary):
        if e.op in _COMPARISON or e.op in ("&&", "||"):
            return "bool"
        lt = implied_type(e.lhs)
        return lt if lt != "attribute" else implied_type(e.rhs)
    if isinstance(e, Unary):
        if e.op in ("!", "exists", "notexists"):
            return "bool"
        return implied_type(e.expr)
    if isinstance(e, Aggregate):
        return "float" if e.fn == "avg" else ("int" if e.fn == "count" else implied_type(e.expr))
    return "attribute"


def _matching(a, b):
    if "attribute" in (a, b) or a == b:
        return True
    if a in _NUMERIC and b in _NUMERIC:
        return True
    return "nil" in (a, b)


def _type_valid(op, t):
    if t == "attribute":
        return True
    if t == "bool":
        return op in ("&&", "||", "=", "!=")
    if t in _NUMERIC:
        return op in ("+", "-", "*", "/", "%", "^", "=", "!=", ">", ">=", "<", "<=")
    if t == "string":
        return op in ("=", "!=", "=~", "!~", ">", ">=", "<", "<=")
    if t in ("nil", "status", "kind"):
        return op in ("=", "!=")
    return False


def re2_to_python(pattern):
    """The RE2 syntax Python's re lacks: \\Q...\\E literal runs and \\z."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("\\Q", i):
            j = pattern.find("\\E", i + 2)
            lit = pattern[i + 2:] if j < 0 else pattern[i + 2:j]
            out.append(re.escape(lit))
            i = len(pattern) if j < 0 else j + 2
        elif pattern.startswith("\\z", i):
            out.append("\\Z")
            i += 2
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def _validate_expr(e):
    if isinstance(e, Binary):
        _validate_expr(e.lhs)
        _validate_expr(e.rhs)
        lt, rt = implied_type(e.lhs), implied_type(e.rhs)
        if not _matching(lt, rt):
            raise ValidationError("binary operations must operate on the same type: " + expr_text(e))
        if rt == "nil" and e.op == "=":
            raise ValidationError("{.a = nil} not yet supported")
        if not (_type_valid(e.op, lt) and _type_valid(e.op, rt)):
            raise ValidationError("illegal operation for the given types: " + expr_text(e))
        if e.op in ("=~", "!~"):
            pattern = e.rhs.value if isinstance(e.rhs, Static) else expr_text(e.rhs)
            try:
                re.compile(re2_to_python(str(pattern)))
            except re.error:
                raise ValidationError("invalid regex: " + expr_text(e.rhs))
    elif isinstance(e, Unary):
        _validate_expr(e.expr)
        t = implied_type(e.expr)
        if t != "attribute":
            ok = {"-": t in _NUMERIC, "!": t == "bool"}.get(e.op, True)
            if not ok:
                raise ValidationError("illegal operation for the given type: " + expr_text(e))
    elif isinstance(e, Attr):
        if e.parent:
            raise ValidationError("parent not yet supported")
        if e.intrinsic in ("parent", "childCount"):
            raise ValidationError("intrinsic (%s) not yet supported" % e.intrinsic)


def _validate_node(n):
    if isinstance(n, Filter):
        _validate_expr(n.expr)
        t = implied_type(n.expr)
        if t not in ("attribute", "bool"):
            raise ValidationError("span filter field expressions must resolve to a boolean: "
                                  + expr_text(n))
    elif isinstance(n, SpansetOp):
        _validate_node(n.lhs)
        _validate_node(n.rhs)
    elif isinstance(n, Pipeline):
        for s in n.stages:
            _validate_node(s)
    elif isinstance(n, By):
        _validate_expr(n.expr)
    elif isinstance(n, ScalarFilter):
        if n.lhs.expr is not None:
            _validate_expr(n.lhs.expr)
        lt, rt = implied_type(n.lhs), implied_type(n.rhs)
        if not _matching(lt, rt):
            raise ValidationError("binary operations must operate on the same type: " + expr_text(n))
        if n.lhs.expr is not None and implied_type(n.lhs.expr) not in _NUMERIC + ("attribute",):
            raise ValidationError("aggregate field expressions must resolve to a number type: "
                                  + expr_text(n.lhs))


def validate(q):
    _validate_node(q.pipeline)
    for node in _walk_spanset_ops(q.pipeline):
        if isinstance(node, SpansetOp) and node.op not in ("&&", "||"):
            raise NotImplementedByServer(
                "the test server does not implement the structural operator %s" % node.op)


def _walk_spanset_ops(n):
    if isinstance(n, SpansetOp):
        yield n
        yield from _walk_spanset_ops(n.lhs)
        yield from _walk_spanset_ops(n.rhs)
    elif isinstance(n, Pipeline):
        for s in n.stages:
            yield from _walk_spanset_ops(s)


# ----------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------

def to_static(v):
    if v is None:
        return NIL
    if isinstance(v, bool):
        return Static("bool", v)
    if isinstance(v, int):
        return Static("int", v)
    if isinstance(v, float):
        return Static("float", v)
    if isinstance(v, str):
        return Static("string", v)
    return NIL   # bytes, arrays and kvlists are not comparable here


class EvalContext:
    """Per-query evaluation settings."""

    def __init__(self, version=(2, 9)):
        self.version = parse_version(version)
        self.anchored_regex = self.version >= (2, 7)
        self._regex = {}

    def regex(self, pattern):
        r = self._regex.get(pattern)
        if r is None:
            r = self._regex[pattern] = re.compile(re2_to_python(pattern), re.S)
        return r


def attr_value(a, span, event, trace):
    """Static value of attribute/intrinsic `a` for a span (and the event bound
    to the current evaluation, for event-scoped attributes)."""
    i = a.intrinsic
    if i:
        if i == "status":
            return Static("status", span.status_code)
        if i == "kind":
            return Static("kind", span.kind)
        if i == "name":
            return Static("string", span.name)
        if i == "duration":
            return Static("duration", span.duration_ns)
        if i == "statusMessage":
            return Static("string", span.status_message)
        if i == "event:name":
            return Static("string", event.name) if event is not None else NIL
        if i == "event:timeSinceStart":
            return Static("duration", event.time_ns - span.start_ns) if event is not None else NIL
        if i == "traceDuration":
            return Static("duration", trace.end_ns - trace.start_ns)
        if i == "rootName":
            r = trace.root
            return Static("string", r.name) if r else NIL
        if i == "rootServiceName":
            r = trace.root
            return to_static(r.resource.get("service.name")) if r else NIL
        if i == "trace:id":
            return Static("string", trace.trace_id.lstrip("0"))
        if i == "span:id":
            return Static("string", span.span_id)
        if i == "span:parentID":
            return Static("string", span.parent_span_id) if span.parent_span_id else NIL
        if i == "instrumentation:name":
            return Static("string", span.scope.name) if span.scope else NIL
        if i == "instrumentation:version":
            return Static("string", span.scope.version) if span.scope else NIL
        return NIL
    s = a.scope
    if s == "span":
        return to_static(span.get(a.name))
    if s == "resource":
        return to_static(span.resource.get(a.name)) if span.resource else NIL
    if s == "event":
        return to_static(event.get(a.name)) if event is not None else NIL
    if s == "instrumentation":
        if span.scope is None:
            return NIL
        for k, v in span.scope.attributes:
            if k == a.name:
                return to_static(v)
        return NIL
    if s == "link":
        for l in span.links:
            for k, v in l.attributes:
                if k == a.name:
                    return to_static(v)
        return NIL
    # unscoped: span attribute first, then resource
    v = span.get(a.name)
    if v is None and span.resource is not None:
        v = span.resource.get(a.name)
    return to_static(v)


def _num(s):
    return float(s.value) if s.type in _NUMERIC else None


def _compare(op, l, r, ctx):
    if l.type == "nil" or r.type == "nil":
        return FALSE
    if op in ("=~", "!~"):
        if l.type != "string" or r.type != "string":
            return FALSE
        rx = ctx.regex(r.value)
        m = rx.fullmatch(l.value) if ctx.anchored_regex else rx.search(l.value)
        return Static("bool", bool(m) == (op == "=~"))
    ln, rn = _num(l), _num(r)
    if ln is not None and rn is not None:
        a, b = ln, rn
    elif l.type == r.type and l.type in ("string", "bool", "status", "kind"):
        a, b = l.value, r.value
        if l.type in ("bool", "status", "kind") and op not in ("=", "!="):
            return FALSE
    else:
        return FALSE
    res = {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    return Static("bool", res)


def _truthy(s):
    return s.type == "bool" and s.value is True


def evaluate(e, span, event, trace, ctx):
    if isinstance(e, Static):
        return e
    if isinstance(e, Attr):
        return attr_value(e, span, event, trace)
    if isinstance(e, Binary):
        op = e.op
        if op == "&&":
            return Static("bool", _truthy(evaluate(e.lhs, span, event, trace, ctx)) and
                          _truthy(evaluate(e.rhs, span, event, trace, ctx)))
        if op == "||":
            return Static("bool", _truthy(evaluate(e.lhs, span, event, trace, ctx)) or
                          _truthy(evaluate(e.rhs, span, event, trace, ctx)))
        l = evaluate(e.lhs, span, event, trace, ctx)
        r = evaluate(e.rhs, span, event, trace, ctx)
        if op in _COMPARISON:
            return _compare(op, l, r, ctx)
        ln, rn = _num(l), _num(r)
        if ln is None or rn is None:
            return NIL
        try:
            v = {"+": ln + rn, "-": ln - rn, "*": ln * rn,
                 "/": (ln / rn) if rn else math.nan, "%": math.fmod(ln, rn) if rn else math.nan,
                 "^": ln ** rn}[op]
        except (OverflowError, ValueError):
            return NIL
        t = "float" if "float" in (l.type, r.type) or op == "/" else (
            "duration" if "duration" in (l.type, r.type) else "int")
        return Static(t, v if t == "float" else int(v))
    if isinstance(e, Unary):
        v = evaluate(e.expr, span, event, trace, ctx)
        if e.op == "!":
            return Static("bool", not _truthy(v)) if v.type in ("bool", "nil") else NIL
        if e.op == "-":
            return Static(v.type, -v.value) if v.type in _NUMERIC else NIL
        if e.op == "exists":
            return Static("bool", v.type != "nil")
        if e.op == "notexists":
            return Static("bool", v.type == "nil")
    return NIL


def _uses_events(e):
    if isinstance(e, Attr):
        return e.uses_events
    if isinstance(e, Binary):
        return _uses_events(e.lhs) or _uses_events(e.rhs)
    if isinstance(e, Unary):
        return _uses_events(e.expr)
    return False


class Match:
    """A span in a result spanset, with the events that satisfied the
    event conditions of its filters (None: no event condition applied)."""
    __slots__ = ("span", "events")

    def __init__(self, span, events=None):
        self.span, self.events = span, events


class ResultSpanset:
    def __init__(self, matches, attributes=None):
        self.matches = matches
        self.attributes = attributes or []     # [(key, Static)] e.g. by(...)


def _filter(flt, matches, trace, ctx):
    e = flt.expr
    out = []
    if _uses_events(e):
        for m in matches:
            evs = m.events if m.events is not None else m.span.events
            if not evs:
                if _truthy(evaluate(e, m.span, None, trace, ctx)):
                    out.append(Match(m.span, m.events))
                continue
            ok = [ev for ev in evs if _truthy(evaluate(e, m.span, ev, trace, ctx))]
            if ok:
                out.append(Match(m.span, ok))
    else:
        for m in matches:
            if _truthy(evaluate(e, m.span, None, trace, ctx)):
                out.append(m)
    return out


def _spanset_expr(node, matches, trace, ctx):
    if isinstance(node, Filter):
        return _filter(node, matches, trace, ctx)
    if isinstance(node, SpansetOp):
        l = _spanset_expr(node.lhs, matches, trace, ctx)
        r = _spanset_expr(node.rhs, matches, trace, ctx)
        if node.op == "&&" and (not l or not r):
            return []
        seen, out = {}, []
        for m in l + r:
            if id(m.span) in seen:
                prev = seen[id(m.span)]
                if prev.events is not None and m.events is not None:
                    prev.events = prev.events + [e for e in m.events if e not in prev.events]
                continue
            seen[id(m.span)] = m
            out.append(m)
        order = {id(m.span): i for i, m in enumerate(matches)}
        out.sort(key=lambda m: order.get(id(m.span), 0))
        return out
    if isinstance(node, Pipeline):
        sets = run_pipeline(node, trace, ctx, [ResultSpanset(matches)])
        return [m for s in sets for m in s.matches]
    raise NotImplementedByServer("unsupported spanset expression")


def _aggregate(agg, ss, trace, ctx):
    if agg.fn == "count":
        return Static("int", len(ss.matches))
    vals = []
    for m in ss.matches:
        v = evaluate(agg.expr, m.span, None, trace, ctx)
        if v.type in _NUMERIC:
            vals.append(float(v.value))
    if not vals:
        return NIL
    t = implied_type(agg.expr)
    if agg.fn == "avg":
        return Static("float" if t != "duration" else "duration", sum(vals) / len(vals))
    r = {"min": min(vals), "max": max(vals), "sum": sum(vals)}[agg.fn]
    return Static(t if t in _NUMERIC else "float", r)


def run_pipeline(pipeline, trace, ctx, spansets=None):
    """Evaluate a pipeline over one trace; returns non-empty ResultSpansets."""
    if spansets is None:
        spansets = [ResultSpanset([Match(s) for s in sorted_spans(trace)])]
    for stage in pipeline.stages:
        if isinstance(stage, (Filter, SpansetOp, Pipeline)):
            spansets = [ResultSpanset(_spanset_expr(stage, ss.matches, trace, ctx), ss.attributes)
                        for ss in spansets]
        elif isinstance(stage, Select):
            pass    # only adds attributes to the result (Query.touched)
        elif isinstance(stage, By):
            grouped = []
            for ss in spansets:
                groups = {}
                for m in ss.matches:
                    ev = m.events[-1] if m.events else (m.span.events[-1] if m.span.events else None)
                    v = evaluate(stage.expr, m.span, ev, trace, ctx)
                    key = (v.type, v.value)
                    if key not in groups:
                        label = ss.attributes + ([("by(%s)" % expr_text(stage.expr), v)]
                                                 if v.type != "nil" else [])
                        groups[key] = ResultSpanset([], label)
                    groups[key].matches.append(m)
                grouped.extend(groups.values())
            spansets = grouped
        elif isinstance(stage, Coalesce):
            merged = ResultSpanset([])
            for ss in spansets:
                merged.matches.extend(ss.matches)
            spansets = [merged]
        elif isinstance(stage, ScalarFilter):
            kept = []
            for ss in spansets:
                v = _aggregate(stage.lhs, ss, trace, ctx)
                if _truthy(_compare(stage.op, v, stage.rhs, ctx)):
                    label = "%s(%s)" % (stage.lhs.fn, expr_text(stage.lhs.expr)
                                        if stage.lhs.expr else "")
                    ss.attributes = ss.attributes + [(label, v)]
                    kept.append(ss)
            spansets = kept
        spansets = [ss for ss in spansets if ss.matches]
    return spansets


def sorted_spans(trace):
    return trace.spans_by_start


def result_attributes(q, match, trace):
    """The attributes a search result shows on a matched span: one entry per
    attribute the query touched, keyed by the bare name (event values from
    the last event that satisfied the filter, else the last event having
    the attribute).  Returns [(key, python value)]."""
    out = []
    span = match.span
    for a in q.touched:
        i = a.intrinsic
        if i in ("name", "duration", "traceDuration", "rootName", "rootServiceName", "trace:id",
                 "span:id", "parent", "event:timeSinceStart", "span:parentID", "childCount"):
            continue
        if i == "status":
            out.append(("status", ["unset", "ok", "error"][span.status_code]))
        elif i == "kind":
            out.append(("kind", ["unspecified", "internal", "server", "client", "producer",
                                 "consumer"][span.kind]))
        elif i == "statusMessage":
            if span.status_message:
                out.append(("statusMessage", span.status_message))
        elif i == "event:name":
            evs = match.events if match.events else span.events
            if evs:
                out.append(("event:name", evs[-1].name))
        elif i in ("instrumentation:name", "instrumentation:version"):
            v = attr_value(a, span, None, trace)
            if v.type != "nil":
                out.append((i, v.value))
        elif a.scope == "event":
            evs = match.events if match.events else span.events
            for ev in reversed(evs):
                v = ev.get(a.name)
                if v is not None:
                    out.append((a.name, v))
                    break
        elif a.scope == "span":
            v = span.get(a.name)
            if v is not None:
                out.append((a.name, v))
        elif a.scope == "resource":
            v = span.resource.get(a.name) if span.resource else None
            if v is not None:
                out.append((a.name, v))
        elif a.scope is None and not i:
            v = span.get(a.name)
            if v is None and span.resource is not None:
                v = span.resource.get(a.name)
            if v is not None:
                out.append((a.name, v))
    return out
