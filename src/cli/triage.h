/* SPDX-License-Identifier: Apache-2.0
 *
 * `gpx_errortriage triage FILE...`: offline error summary and error groups
 * from OTLP JSON trace files, without any server. `argv[0]` is "triage".
 * Returns the exit status (0 ok, 1 unreadable/malformed input with the line
 * number, 2 bad arguments).
 */
#ifndef ET_CLI_TRIAGE_H
#define ET_CLI_TRIAGE_H

int triage_main(int argc, char **argv);

#endif
