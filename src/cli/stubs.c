/* Temporary during bring-up: commands whose files are being written. Remove each as its file lands. */
#include "cli.h"
#define STUB(n) int cmd_##n(struct cli_ctx *ctx, int argc, char **argv) { (void)ctx; (void)argc; (void)argv; cli_error(#n, "pending"); return 1; }
STUB(init) STUB(run) STUB(report) STUB(scan) STUB(positions) STUB(trades)
STUB(export) STUB(import) STUB(calendar) STUB(expirations) STUB(price) STUB(iv)
