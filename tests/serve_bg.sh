# tests/serve_bg.sh - sourced by the tests and benches that need a running
# `papertrade serve` (tests/e2e/serve.sh, tests/e2e/browser.sh, bench/web.sh,
# bench/page.sh): starts it in the background and waits for the one line it
# prints on stderr, "papertrade: serve: listening on http://HOST:PORT/".
# shellcheck shell=bash

# serve_start ERRFILE ARGS... : runs "$PT" serve ARGS with stderr in ERRFILE.
# Sets SERVE_PID, SERVE_URL (http://HOST:PORT/) and SERVE_PORT. Returns 0
# once it listens; 1 (SERVE_PID empty) when it exits first, 2 when it says
# nothing for 10 s (still running: the caller kills it).
serve_start() {
	local err=$1 i
	shift
	: >"$err"
	"$PT" serve "$@" 2>"$err" >/dev/null &
	SERVE_PID=$!
	SERVE_URL= SERVE_PORT=
	for i in $(seq 200); do
		SERVE_URL=$(sed -n 's|^papertrade: serve: listening on \(http://[^ ]*/\)$|\1|p' "$err")
		if [ -n "$SERVE_URL" ]; then
			SERVE_PORT=${SERVE_URL##*:}
			SERVE_PORT=${SERVE_PORT%/}
			return 0
		fi
		kill -0 "$SERVE_PID" 2>/dev/null || { wait "$SERVE_PID"; SERVE_PID=; return 1; }
		sleep 0.05
	done
	return 2
}
