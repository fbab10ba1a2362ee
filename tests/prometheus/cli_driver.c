/* SPDX-License-Identifier: Apache-2.0
 *
 * Test driver: the command line (src/cli) in its own small executable, so the
 * Prometheus panel tests run the QueryData code path without the gRPC server.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
