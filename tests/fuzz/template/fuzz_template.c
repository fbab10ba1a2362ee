/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target: template-variable values and label filters, through the
 * escaping boundary. Properties checked: a string literal built from any
 * value is exactly one literal (starts and ends with an unescaped quote, no
 * raw quote or newline inside), and label filters either parse or are a 400.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "query/escape.h"
#include "query/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one_literal(const struct et_buf *b)
{
    const char *s = et_buf_cstr(b);
    if (b->len < 2 || s[0] != '"' || s[b->len - 1] != '"')
        abort();
    for (size_t i = 1; i + 1 < b->len; i++) {
        if (s[i] == '\n' || s[i] == '\0')
            abort();
        if (s[i] == '\\') {
            i++; /* the escaped character */
            continue;
        }
        if (s[i] == '"')
            abort(); /* an unescaped quote would end the literal */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    escape_string_literal(&b, text, size);
    check_one_literal(&b);

    struct et_strlist values;
    struct et_error err;
    et_strlist_init(&values);
    if (query_split_multi_value(text, size, &values, &err) == 0 && values.n > 0) {
        et_buf_reset(&b);
        escape_regex_alternation(&b, &values);
        check_one_literal(&b);
    }
    et_strlist_cleanup(&values);

    struct label_matcher *m;
    size_t n;
    if (query_parse_label_filter(text, size, &m, &n, &err) == 0)
        query_label_matchers_free(m, n);
    else if (err.status != 400)
        abort();
    et_buf_cleanup(&b);
    return 0;
}
