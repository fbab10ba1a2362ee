/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/http/url.c: percent-encoding that never lets a value add
 * a parameter, decoding, and query-parameter lookup.
 */
#include <string.h>

#include "core/buf.h"
#include "core/strlist.h"
#include "http/url.h"
#include "test.h"

static void test_params_are_fully_encoded(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_buf_append_str(&b, "http://x/api?");
    url_add_param(&b, "q", "{ status = error } && a=\"b\";c+d&e");
    url_add_paramf(&b, "limit", "%d", 20);
    ASSERT_EQ_STR(
        et_buf_cstr(&b),
        "http://x/"
        "api?q=%7B%20status%20%3D%20error%20%7D%20%26%26%20a%3D%22b%22%3Bc%2Bd%26e&limit=20");
    et_buf_reset(&b);
    url_encode(&b, "a/b~c-d_e.f\xc3\xa9", strlen("a/b~c-d_e.f\xc3\xa9"));
    ASSERT_EQ_STR(et_buf_cstr(&b), "a%2Fb~c-d_e.f%C3%A9");
    et_buf_cleanup(&b);
}

static void collect(void *ctx, const char *value, size_t len)
{
    et_strlist_push_n(ctx, value, len);
}

static void test_decode_and_lookup(void)
{
    struct et_strlist l;
    et_strlist_init(&l);
    size_t n = url_query_values("/services?service=a%20b&x=1&service=c%2Bd+e&service&from=%zz",
                                "service", collect, &l);
    ASSERT_EQ_UINT(n, 3);
    ASSERT_EQ_STR(l.items[0], "a b");
    ASSERT_EQ_STR(l.items[1], "c+d e");
    ASSERT_EQ_STR(l.items[2], "");
    et_strlist_cleanup(&l);
    url_query_values("from=%zz", "from", collect, &l);
    ASSERT_EQ_STR(l.items[0], "%zz");
    et_strlist_cleanup(&l);
    ASSERT_EQ_UINT(url_query_values("", "service", collect, &l), 0);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_params_are_fully_encoded),
    UNIT_TEST(test_decode_and_lookup),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
