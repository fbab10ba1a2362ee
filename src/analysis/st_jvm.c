/* SPDX-License-Identifier: Apache-2.0
 *
 * JVM stack traces (Throwable.printStackTrace: Java, Kotlin, Scala) and the
 * OTel PHP SDK's Java-shaped text.
 *
 * Header `<fqcn>[: <message>]` (the message may span lines until the first
 * frame; log prefixes before it and `Exception in thread "x" ` are skipped),
 * frames `at [loader/][module@version/]<class>.<method>(<source>)` with
 * source `File.java:12`, `Native Method`, `Unknown Source` or `<generated>`
 * (a log framework's ` ~[jar:version]` after it is ignored), `... N more`,
 * `Caused by: ` at the indentation of its owner and `Suppressed: ` one
 * level deeper, tracked with a stack of (exception, indentation). Kotlin
 * coroutine boundary frames and `(Coroutine boundary)` lines are noise. A
 * cause or suppressed block the text ends in without its `... N more` is
 * incomplete: the text was cut there, maybe exactly at a line end.
 *
 * In PHP mode class names get their namespaces back (`App.Billing.Repo` ->
 * `App\Billing\Repo`) and application code is told by namespace, since the
 * PHP SDK keeps only file basenames.
 */
#include "analysis/stacktrace_int.h"

/* Packages that are not application code (anchors.md section d, Java). */
static const char *const jvm_library_prefixes[] = {
    "java.",
    "javax.",
    "jakarta.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "kotlinx.",
    "scala.",
    "groovy.",
    "org.springframework.",
    "org.apache.",
    "org.hibernate.",
    "org.eclipse.",
    "org.jboss.",
    "org.glassfish.",
    "org.postgresql.",
    "org.mariadb.",
    "org.h2.",
    "org.slf4j.",
    "org.junit.",
    "org.mockito.",
    "org.aspectj.",
    "org.reactivestreams.",
    "io.netty.",
    "io.grpc.",
    "io.opentelemetry.",
    "io.micrometer.",
    "io.ktor.",
    "io.vertx.",
    "io.undertow.",
    "io.lettuce.",
    "io.github.resilience4j.",
    "io.reactivex.",
    "io.quarkus.",
    "io.micronaut.",
    "io.dropwizard.",
    "reactor.",
    "com.zaxxer.",
    "com.fasterxml.",
    "com.google.",
    "com.mysql.",
    "com.netflix.",
    "com.datastax.",
    "com.amazonaws.",
    "software.amazon.",
    "okhttp3.",
    "okio.",
    "retrofit2.",
    "feign.",
    "redis.clients.",
    "ch.qos.logback.",
    "akka.",
    "play.",
    "_COROUTINE.",
    NULL,
};

/* Reflection, proxies, method handles, coroutine markers: never grouped on. */
static const char *const jvm_noise_prefixes[] = {
    "jdk.internal.reflect.", "sun.reflect.", "java.lang.reflect.",
    "java.lang.invoke.",     "jdk.proxy",    "com.sun.proxy.",
    "_COROUTINE.",           NULL,
};

/* PHP vendor namespaces (OTel PHP text has no paths to look at). */
static const char *const php_vendor_namespaces[] = {
    "Symfony\\",    "Illuminate\\",    "Laravel\\", "Doctrine\\", "GuzzleHttp\\",    "Psr\\",
    "Monolog\\",    "League\\",        "Carbon\\",  "Composer\\", "OpenTelemetry\\", "Predis\\",
    "PhpAmqpLib\\", "Slim\\",          "Laminas\\", "Zend\\",     "Twig\\",          "Ramsey\\",
    "Nyholm\\",     "Http\\",          "Sentry\\",  "PHPUnit\\",  "Spatie\\",        "Livewire\\",
    "Inertia\\",    "Aws\\",           "Google\\",  "Stripe\\",   "Firebase\\",      "React\\",
    "Amp\\",        "Swoole\\",        "Hyperf\\",  "Yii\\",      "Cake\\",          "Nette\\",
    "Elastic\\",    "Elasticsearch\\", "MongoDB\\", "Lcobucci\\", "Firebase\\",      "Brick\\",
    "Webmozart\\",  "Egulias\\",       "Dotenv\\",  NULL,
};

/* Classes of PHP itself (no namespace). */
static const char *const php_builtin_classes[] = {
    "PDO",           "PDOStatement", "mysqli",           "mysqli_stmt",        "Redis",
    "RedisCluster",  "Memcached",    "SoapClient",       "DateTime",           "DateTimeImmutable",
    "Closure",       "Generator",    "ReflectionMethod", "ReflectionFunction", "ReflectionClass",
    "SplFileObject", "finfo",        "CurlHandle",       "ZipArchive",         "AMQPChannel",
    "Imagick",       NULL,
};

static bool php_builtin(const char *cls)
{
    for (size_t i = 0; php_builtin_classes[i]; i++)
        if (strcmp(cls, php_builtin_classes[i]) == 0)
            return true;
    return false;
}

bool st_php_vendor_namespace(const char *cls, size_t n)
{
    if (n && cls[0] == '\\') {
        cls++;
        n--;
    }
    return sv_starts_any(cls, n, php_vendor_namespaces);
}

static bool is_type_char(char c)
{
    return c == '_' || c == '$' || c == '.' || c == '\\' || sv_is_digit(c) ||
           (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

/* `<type>[: <message>]` at t. Returns the type length (0: not a header) and
 * where the message starts (offset in t; tn when none). */
static size_t header_type(const char *t, size_t tn, size_t *msg_at)
{
    size_t i = 0;
    while (i < tn && is_type_char(t[i]))
        i++;
    if (i == 0 || t[0] == '.' || t[0] == '$')
        return 0;
    if (i == tn) {
        *msg_at = tn;
        return i;
    }
    if (t[i] == ':' && (i + 1 == tn || t[i + 1] == ' ')) {
        *msg_at = i + 1;
        return i;
    }
    return 0;
}

static char *php_namespaces(struct st_parser *p, const char *s, size_t n);

static int open_exception(struct st_parser *p, const struct st_line *l, const char *t, size_t tn,
                          enum stack_relation rel, int parent, bool require_header, bool php)
{
    if (sv_starts(t, tn, "Exception in thread \"")) {
        long q = sv_find(t + 21, tn - 21, "\" ");
        if (q >= 0) {
            t += 21 + (size_t)q + 2;
            tn -= 21 + (size_t)q + 2;
        }
    }
    size_t msg_at = 0;
    size_t type_len = header_type(t, tn, &msg_at);
    if (!type_len && require_header)
        return -2;
    size_t line_end = l->offset + l->len;
    size_t msg_start = type_len ? (size_t)(t + msg_at - p->text) : (size_t)(t - p->text);
    int e = st_add_exception(p, t, type_len, msg_start, line_end, rel, parent);
    if (e >= 0 && php)
        p->st->exceptions[e].type = php_namespaces(p, t, type_len);
    return e;
}

static char *php_namespaces(struct st_parser *p, const char *s, size_t n)
{
    const char *copy = st_strdup(p, s, n);
    char *w = (char *)copy;
    for (size_t i = 0; w[i]; i++)
        if (w[i] == '.')
            w[i] = '\\';
    return w;
}

/* Split "[loader/][module@v/]pkg.Class.method" off its prefixes. */
static void strip_module_prefixes(const char **name, size_t *n)
{
    for (int k = 0; k < 2; k++) {
        const char *slash = memchr(*name, '/', *n);
        if (!slash || memchr(*name, '$', (size_t)(slash - *name)))
            return;
        size_t cut = (size_t)(slash - *name) + 1;
        *name += cut;
        *n -= cut;
    }
}

/* `at <name>(<source>)...` (t trimmed; the caller checked it starts with
 * "at ", so tn >= 3). */
static bool parse_frame(struct st_parser *p, int e, const struct st_line *l, const char *t,
                        size_t tn, bool php)
{
    const char *s = t + 3;
    size_t n = tn - 3;
    const char *lp = memchr(s, '(', n);
    if (!lp)
        return false;
    long rp = sv_rfind_char(lp, n - (size_t)(lp - s), ')');
    if (rp < 0)
        return false;
    const char *name = s;
    size_t name_len = (size_t)(lp - s);
    sv_trim(&name, &name_len);
    strip_module_prefixes(&name, &name_len);
    const char *src = lp + 1;
    size_t src_len = (size_t)rp - 1;
    struct stack_frame *f = st_add_frame(p, e, l);
    if (!f)
        return true;
    long dot = sv_rfind_char(name, name_len, '.');
    const char *cls = name;
    size_t cls_len = dot > 0 ? (size_t)dot : 0;
    const char *fn = dot > 0 ? name + dot + 1 : name;
    size_t fn_len = dot > 0 ? name_len - (size_t)dot - 1 : name_len;
    f->function = st_strdup(p, fn, fn_len);
    f->module = php ? php_namespaces(p, cls, cls_len) : st_strdup(p, cls, cls_len);
    long colon = sv_rfind_char(src, src_len, ':');
    unsigned long line = 0;
    if (colon > 0 && sv_uint(src + colon + 1, src_len - (size_t)colon - 1, &line)) {
        f->file = st_strdup(p, src, (size_t)colon);
        f->line = (uint32_t)line;
    } else if (sv_ends(src, src_len, ".java") || sv_ends(src, src_len, ".kt") ||
               sv_ends(src, src_len, ".php")) {
        f->file = st_strdup(p, src, src_len);
    }
    size_t mlen = strlen(f->module);
    if (php) {
        f->in_app = !st_php_vendor_namespace(f->module, mlen) && !php_builtin(f->module) &&
                    strcmp(f->function, "{main}") != 0;
    } else {
        f->noise = sv_starts_any(f->module, mlen, jvm_noise_prefixes) ||
                   strstr(f->module, "GeneratedMethodAccessor") ||
                   strstr(f->module, "GeneratedConstructorAccessor") ||
                   strstr(f->module, "$Proxy") || strncmp(f->module, "$Proxy", 6) == 0;
        f->in_app = !f->noise && !sv_starts_any(f->module, mlen, jvm_library_prefixes);
    }
    return true;
}

struct jvm_owner {
    int exception;
    size_t indent;
};

struct jvm_state {
    struct jvm_owner stack[STACKTRACE_MAX_EXCEPTIONS];
    int depth;
    int cur; /* exception receiving frames or message lines */
};

static void push_owner(struct jvm_state *s, int e, size_t indent)
{
    if (e < 0)
        return;
    if (s->depth < STACKTRACE_MAX_EXCEPTIONS)
        s->stack[s->depth++] = (struct jvm_owner){e, indent};
    s->cur = e;
}

/* Pop owners whose header is indented at least `indent` (keeping the root). */
static void pop_to(struct jvm_state *s, size_t indent)
{
    while (s->depth > 1 && s->stack[s->depth - 1].indent >= indent)
        s->depth--;
    if (s->depth)
        s->cur = s->stack[s->depth - 1].exception;
}

static bool jvm_line(struct st_parser *p, struct jvm_state *s, const struct st_line *l, bool php)
{
    size_t indent = sv_indent(l->p, l->len);
    const char *t = l->p;
    size_t tn = l->len;
    sv_trim(&t, &tn);
    if (!tn)
        return true;
    if (sv_starts(t, tn, "at ")) {
        if (s->cur < 0)
            push_owner(s, st_add_exception(p, "", 0, l->offset, l->offset, 0, 0), 0);
        else if (s->depth > 1 && indent <= s->stack[s->depth - 1].indent)
            pop_to(s, indent);
        return parse_frame(p, s->cur, l, t, tn, php);
    }
    unsigned long more = 0;
    if (sv_starts(t, tn, "... ") && sv_ends(t, tn, " more")) {
        if (sv_uint(t + 4, tn - 9, &more))
            st_add_omitted(p, s->cur, more);
        return true;
    }
    if (sv_starts(t, tn, "Caused by: ") && s->cur >= 0) {
        pop_to(s, indent + 1);
        int owner = s->cur;
        if (s->depth > 0 && s->stack[s->depth - 1].indent == indent)
            s->depth--; /* the cause takes its owner's place in the chain */
        push_owner(s, open_exception(p, l, t + 11, tn - 11, STACK_REL_CAUSE, owner, false, php),
                   indent);
        return true;
    }
    if (sv_starts(t, tn, "Suppressed: ") && s->cur >= 0) {
        pop_to(s, indent);
        int owner = s->cur;
        push_owner(s,
                   open_exception(p, l, t + 12, tn - 12, STACK_REL_SUPPRESSED, owner, false, php),
                   indent);
        return true;
    }
    if (sv_starts(t, tn, "(Coroutine boundary)"))
        return true;
    if (s->cur < 0) {
        int e = open_exception(p, l, t, tn, STACK_REL_REPORTED, 0, true, php);
        if (e >= 0)
            push_owner(s, e, indent);
        return true;
    }
    if (p->st->exceptions[s->cur].n_frames == 0)
        st_extend_message(p, s->cur, l->offset + l->len);
    return true;
}

void st_parse_jvm(struct st_parser *p, bool php)
{
    struct jvm_state s = {.depth = 0, .cur = -1};
    struct st_line l;
    bool closed = false; /* the last line was "... N more" */
    while (st_next_line(p, &l)) {
        const char *t = l.p;
        size_t tn = l.len;
        sv_trim(&t, &tn);
        if (tn)
            closed = sv_starts(t, tn, "... ") && sv_ends(t, tn, " more");
        bool ok = jvm_line(p, &s, &l, php);
        /* printStackTrace ends every line with a newline, so an open last
         * line was cut; PHP's text has none after its last frame. */
        if (!l.terminated && (!ok || !php))
            st_mark_cut(p, s.cur);
    }
    /* A cause or suppressed block shares its last frames with its owner and
     * ends with "... N more"; without it the text stopped inside the block,
     * possibly right at a line end where nothing else shows the cut. */
    if (s.cur > 0 && !closed)
        p->st->exceptions[s.cur].complete = false;
}
