/* SPDX-License-Identifier: Apache-2.0
 *
 * Stand-in for src/cli when that module is not part of the build: the
 * executable still links, and a person running it learns what it is.
 * Compiled only when the et_cli target does not exist (see CMakeLists.txt).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

bool cli_is_command(const char *arg)
{
    return arg &&
           (strcmp(arg, "help") == 0 || strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0);
}

int cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("usage: gpx_errortriage is started by Grafana; this build has no command-line mode\n",
          stderr);
    return 2;
}
