/* SPDX-License-Identifier: Apache-2.0
 *
 * The command-line mode of gpx_errortriage (the same executable serves gRPC
 * only when Grafana starts it with the magic cookie):
 *
 *   gpx_errortriage query --type <query type> [settings] [filters] [--format table|json|arrow]
 *   gpx_errortriage health [settings]
 *   gpx_errortriage triage FILE...         offline, from OTLP JSON trace files
 *   gpx_errortriage help | version
 *
 * `query` runs exactly the code path of Data.QueryData (exec_run_query) and
 * prints the frames. Exit status: 0 success, 1 a query/health/backend
 * failure (clear message on stderr), 2 bad arguments (usage on stderr).
 */
#ifndef ET_CLI_CLI_H
#define ET_CLI_CLI_H

#include <stdbool.h>

/* True when `arg` names a CLI command (query, health, triage, help, version,
 * --help, -h, --version). */
bool cli_is_command(const char *arg);

/* Run the command line; returns the process exit status. */
int cli_main(int argc, char **argv);

#endif
