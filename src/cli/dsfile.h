/* SPDX-License-Identifier: Apache-2.0
 *
 * Datasource settings from a file, for the command line: a Grafana
 * provisioning YAML (`apiVersion: 1`, `datasources: [...]`) or JSON (the same
 * structure, or one datasource object, or just a jsonData object).
 *
 * The YAML reader handles the subset provisioning files use: block mappings
 * and sequences by indentation, `- key: value` items, plain, single- and
 * double-quoted scalars, flow sequences/mappings (`[a, b]`, `{a: b}`), `|` and
 * `>` block scalars (PEM certificates), comments; and Grafana's environment
 * interpolation `$VAR` / `${VAR}` (`$$` is a literal `$`). Anything else is a
 * clear error with the line number.
 *
 * The datasource picked is the first whose `type` is this plugin's id
 * (errortriage-otel-datasource), else the first one.
 *
 * Ownership: the caller frees `*json_data` with free() and the secrets with
 * dsfile_secrets_free(). Thread safety: pure apart from getenv().
 */
#ifndef ET_CLI_DSFILE_H
#define ET_CLI_DSFILE_H

#include <jansson.h>
#include <stddef.h>

#include "config/settings.h"
#include "core/error.h"

struct dsfile {
    char *uid;
    char *name;
    char *json_data;                 /* compact JSON text of jsonData ("{}" when none) */
    struct settings_secret *secrets; /* key/value pairs of secureJsonData (owned) */
    size_t n_secrets;
};

/* Read and parse `path`. */
int dsfile_load(const char *path, struct dsfile *out, struct et_error *err);
/* Parse text already in memory (also the fuzzing entry point). `err` need
 * not be clear: it is cleared first, then set on failure (status 400). */
int dsfile_parse(const char *text, size_t len, struct dsfile *out, struct et_error *err);
void dsfile_cleanup(struct dsfile *f);

/* The YAML subset → JSON value (exposed for tests and fuzzing). New reference,
 * or NULL with `err` set (status 400; cleared first like dsfile_parse). */
json_t *dsfile_yaml_to_json(const char *text, size_t len, struct et_error *err);

#endif
