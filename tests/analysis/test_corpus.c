/* SPDX-License-Identifier: Apache-2.0
 *
 * Grouping accuracy over the hand-labelled stack-trace corpus
 * (tests/analysis/corpus/, labels in corpus/labels.tsv).
 *
 * Every trace is fingerprinted with the attributes an SDK would send next to
 * it (type, message, telemetry.sdk.language). The test checks each written
 * expectation: the culprit of every trace, that every trace file is
 * labelled, and that pairwise grouping reaches the bar:
 *
 *   precision = pairs grouped together that share a label / pairs grouped together
 *   recall    = pairs sharing a label that are grouped together / pairs sharing a label
 *
 * Bar: precision >= 0.98 and recall >= 0.95 (PRECISION_BAR, RECALL_BAR).
 * Merging different bugs hides an incident, splitting one bug only shows it
 * twice, so precision gets the higher bar.
 *
 * For comparison it prints the same figures for three text-only strategies
 * of other tools (anchors.md b.2-b.6): type only, type + raw message, and
 * type + message template. Usage: test_corpus <corpus dir>
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/fingerprint.h"
#include "analysis/hash.h"
#include "analysis/message.h"
#include "core/buf.h"

#define PRECISION_BAR 0.98
#define RECALL_BAR    0.95
#define MAX_TRACES    1024
#define MAX_FIELD     4096

struct labelled_trace {
    char file[256];
    char group[128];
    char culprit[512];
    char type[512];
    char sdk[32];
    char message[MAX_FIELD];
    char *text;
    size_t text_len;
    uint64_t fingerprint;
    uint64_t by_type;
    uint64_t by_raw_message;
    uint64_t by_template;
};

static struct labelled_trace traces[MAX_TRACES];
static size_t n_traces;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        et_buf_append(&b, chunk, n);
    fclose(f);
    return et_buf_take(&b, len);
}

static void copy_field(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* One labels.tsv line: file, group, culprit, type, sdk, message. */
static int parse_label(const char *line, struct labelled_trace *t)
{
    const char *field[6];
    size_t len[6];
    const char *p = line;
    for (int i = 0; i < 6; i++) {
        const char *tab = i < 5 ? strchr(p, '\t') : NULL;
        size_t n = tab ? (size_t)(tab - p) : strcspn(p, "\r\n");
        if (i < 5 && !tab)
            return -1;
        field[i] = p;
        len[i] = n;
        p = tab ? tab + 1 : p + n;
    }
    copy_field(t->file, sizeof t->file, field[0], len[0]);
    copy_field(t->group, sizeof t->group, field[1], len[1]);
    copy_field(t->culprit, sizeof t->culprit, field[2], len[2]);
    copy_field(t->type, sizeof t->type, field[3], len[3]);
    copy_field(t->sdk, sizeof t->sdk, field[4], len[4]);
    copy_field(t->message, sizeof t->message, field[5], len[5]);
    return 0;
}

static int load_labels(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/labels.tsv", dir);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    int errors = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (n_traces == MAX_TRACES || parse_label(line, &traces[n_traces]) != 0) {
            fprintf(stderr, "bad label line: %s\n", line);
            errors++;
            continue;
        }
        struct labelled_trace *t = &traces[n_traces];
        snprintf(path, sizeof path, "%s/%s", dir, t->file);
        t->text = read_file(path, &t->text_len);
        if (!t->text) {
            fprintf(stderr, "labelled trace missing: %s\n", t->file);
            errors++;
            continue;
        }
        n_traces++;
    }
    free(text);
    return errors ? -1 : 0;
}

static bool is_labelled(const char *file)
{
    for (size_t i = 0; i < n_traces; i++)
        if (strcmp(traces[i].file, file) == 0)
            return true;
    return false;
}

/* Every .txt under the corpus must carry a label. */
static int check_all_labelled(const char *dir)
{
    static const char *const subdirs[] = {"python", "java", "go",    "node", "dotnet",
                                          "ruby",   "php",  "other", NULL};
    int missing = 0;
    for (size_t s = 0; subdirs[s]; s++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, subdirs[s]);
        DIR *d = opendir(path);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0)
                continue;
            char rel[512];
            snprintf(rel, sizeof rel, "%s/%s", subdirs[s], e->d_name);
            if (!is_labelled(rel)) {
                fprintf(stderr, "FAIL unlabelled trace: %s\n", rel);
                missing++;
            }
        }
        closedir(d);
    }
    return missing;
}

static uint64_t hash_pair(const char *a, const char *b)
{
    uint64_t h = hash64_update(HASH64_SEED, a, strlen(a));
    h = hash64_update(h, "\n", 1);
    return hash64_final(hash64_update(h, b, strlen(b)));
}

static int fingerprint_all(void)
{
    struct fingerprint_ctx *ctx = fingerprint_ctx_new();
    struct et_buf tmpl;
    et_buf_init(&tmpl, ET_BUF_UNLIMITED);
    int failures = 0;
    for (size_t i = 0; i < n_traces; i++) {
        struct labelled_trace *t = &traces[i];
        struct fingerprint_input in = {
            .exception_type = t->type[0] ? t->type : NULL,
            .message = t->message,
            .stacktrace = t->text,
            .stacktrace_len = t->text_len,
            .sdk_language = t->sdk[0] ? t->sdk : NULL,
        };
        struct fingerprint fp;
        fingerprint_compute(ctx, &in, &fp);
        t->fingerprint = fp.hash;
        if (strcmp(fp.culprit, t->culprit) != 0) {
            fprintf(stderr, "FAIL culprit of %s\n    got:      \"%s\"\n    expected: \"%s\"\n",
                    t->file, fp.culprit, t->culprit);
            failures++;
        }
        et_buf_reset(&tmpl);
        message_template(t->message, strlen(t->message), &tmpl);
        t->by_type = hash_pair(t->type, "");
        t->by_raw_message = hash_pair(t->type, t->message);
        t->by_template = hash_pair(t->type, et_buf_cstr(&tmpl));
    }
    et_buf_cleanup(&tmpl);
    fingerprint_ctx_free(ctx);
    return failures;
}

struct pair_counts {
    long tp, fp, fn;
};

static uint64_t key_of(const struct labelled_trace *t, int strategy)
{
    switch (strategy) {
    case 0:
        return t->fingerprint;
    case 1:
        return t->by_type;
    case 2:
        return t->by_raw_message;
    default:
        return t->by_template;
    }
}

static struct pair_counts count_pairs(int strategy, bool report)
{
    struct pair_counts c = {0, 0, 0};
    for (size_t i = 0; i < n_traces; i++) {
        for (size_t j = i + 1; j < n_traces; j++) {
            bool same_label = strcmp(traces[i].group, traces[j].group) == 0;
            bool same_key = key_of(&traces[i], strategy) == key_of(&traces[j], strategy);
            if (same_label && same_key)
                c.tp++;
            else if (same_key)
                c.fp++;
            else if (same_label)
                c.fn++;
            if (report && same_key != same_label)
                fprintf(stderr, "  %s: %s / %s\n",
                        same_key ? "merged (different bugs)" : "split (same bug)", traces[i].file,
                        traces[j].file);
        }
    }
    return c;
}

static double ratio(long a, long b)
{
    return b ? (double)a / (double)b : 1.0;
}

static size_t distinct_groups(void)
{
    size_t n = 0;
    for (size_t i = 0; i < n_traces; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(traces[i].group, traces[j].group) == 0;
        n += !seen;
    }
    return n;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/analysis/corpus";
    if (load_labels(dir) != 0)
        return 1;
    int failures = check_all_labelled(dir);
    failures += fingerprint_all();
    printf("corpus: %zu traces, %zu labelled groups\n", n_traces, distinct_groups());
    static const char *const names[] = {"errortriage fingerprint", "type only (Elastic OTel)",
                                        "type + raw message (SigNoz)", "type + message template"};
    double precision = 0, recall = 0;
    for (int s = 0; s < 4; s++) {
        struct pair_counts c = count_pairs(s, s == 0);
        double p = ratio(c.tp, c.tp + c.fp), r = ratio(c.tp, c.tp + c.fn);
        printf("%-28s precision %.4f  recall %.4f  (pairs: %ld together and right, %ld merged "
               "wrongly, %ld split)\n",
               names[s], p, r, c.tp, c.fp, c.fn);
        if (s == 0) {
            precision = p;
            recall = r;
        }
    }
    if (precision < PRECISION_BAR) {
        fprintf(stderr, "FAIL precision %.4f below %.2f\n", precision, PRECISION_BAR);
        failures++;
    }
    if (recall < RECALL_BAR) {
        fprintf(stderr, "FAIL recall %.4f below %.2f\n", recall, RECALL_BAR);
        failures++;
    }
    for (size_t i = 0; i < n_traces; i++)
        free(traces[i].text);
    printf("%s (%d failed expectations)\n", failures ? "FAILED" : "passed", failures);
    return failures ? 1 : 0;
}
