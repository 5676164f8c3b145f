#!/usr/bin/env bash
# tests/e2e/browser.sh - the dashboard in a real browser (the last box of
# DESIGN.md §1, as a person sees it): six months of simulated history,
# `papertrade serve` on 127.0.0.1 with a random port, then Debian's chromium
# driven by tests/browser/dashboard.mjs (playwright-core, pinned in
# package-lock.json) checks every card, chart and table against `report
# --json`, the market indicator against /api/health, the refresh button, the
# phone layout, and the file of `papertrade dashboard --out` opened from
# disk with no request. Screenshots go to test-output/ at the repository root.
# Nothing reaches any address but 127.0.0.1.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

# 10:00 on the last session of 2024, New York: the market is open.
export PAPERTRADE_NOW=2024-12-31T10:00
CHROMIUM=${PT_CHROMIUM:-/usr/bin/chromium}
OUTDIR="$PT_ROOT/test-output"
PIDS=()
stop_servers() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=()
}
# start_serve NAME ARGS... : `papertrade serve ARGS` on a free port of
# 127.0.0.1; sets URL from the address it prints on stderr (empty if none)
# shellcheck source=tests/serve_bg.sh
source "$PT_ROOT/tests/serve_bg.sh"
start_serve() {
	local name=$1
	shift
	serve_start "$T_TMP/$name.err" --listen 127.0.0.1:0 --no-scheduler "$@"
	[ -n "$SERVE_PID" ] && PIDS+=("$SERVE_PID")
	URL=$SERVE_URL
}
trap 'stop_servers; rm -rf "$T_TMP"' EXIT

# What the browser test needs, each missing piece a failure that says so.
need=
command -v node >/dev/null || need="node is not installed (scripts/setup)"
[ -x "$CHROMIUM" ] || need="$CHROMIUM is missing (scripts/setup installs chromium)"
[ -d "$PT_ROOT/node_modules/playwright-core" ] || need="node_modules/playwright-core is missing (npm ci)"
if [ -n "$need" ]; then
	not_ok "browser test can run" "$need"
	done_testing
	exit 0
fi
if ! "$PT" serve --help >/dev/null 2>&1; then
	not_ok "papertrade serve exists" "'papertrade serve --help' failed: the server is not built in yet"
	done_testing
	exit 0
fi

expect_rc "six months of history" 0 run -q --from 2024-07-01
"$PT" report --json >"$T_TMP/summary.json" &&
	"$PT" positions --json >"$T_TMP/positions.json" &&
	"$PT" trades --json >"$T_TMP/trades.json"
check "report, positions and trades as JSON" test $? -eq 0
sessions=$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'select count(*) from snapshots')
check "six months of snapshots ($sessions)" test "$sessions" -gt 100
/usr/bin/python3 - "$T_TMP" "$sessions" >"$T_TMP/expect.json" <<'EOF'
import json, sys
d = sys.argv[1]
load = lambda n: json.load(open(f"{d}/{n}.json"))
s = load("summary")
assert s["open_positions"] and s["closed_trades"], "want open positions and closed trades to show"
print(json.dumps({"summary": s, "positions": load("positions"), "trades": load("trades"),
                  "sessions": int(sys.argv[2]), "expectMarket": "open"}))
EOF
check "the portfolio has open positions and closed trades" test -s "$T_TMP/expect.json"

expect_rc "dashboard --out writes the static page" 0 dashboard --out "$T_TMP/dashboard.html"
check "the static page is one file with the data inlined" grep -q 'window.PT_DATA' "$T_TMP/dashboard.html"

# The server, on a port the kernel picks; its address is on stderr.
start_serve serve
if [ -z "$URL" ]; then
	not_ok "serve says where it listens" "stderr: $(head -c 500 "$T_TMP/serve.err")"
	done_testing
	exit 0
fi
ok "serve listens on $URL"
url=$URL
# A second one that wants a token on /api/, after the close.
printf 'browser-test-token-%s\n' "$$" >"$T_TMP/token"
chmod 600 "$T_TMP/token"
PAPERTRADE_NOW=2024-12-31T18:00 start_serve tokened --token-file "$T_TMP/token"
check "serve --token-file listens" test -n "$URL"
turl=$URL
# A third on a home with no portfolio yet.
mkdir -p "$T_TMP/empty"
PAPERTRADE_HOME=$T_TMP/empty start_serve empty
check "serve on an empty home listens" test -n "$URL"
eurl=$URL

# A fourth on a home whose scheduled run of today failed at 09:35.
mkdir -p "$T_TMP/failed"
PAPERTRADE_HOME=$T_TMP/failed "$PT" run -q --date 2024-12-30 >/dev/null 2>&1
printf '%s\n' '{"at":1735655700,"at_ny":"2024-12-31T09:35","session":"2024-12-31","trigger":"scheduled","ok":false,"message":"no data for any ticker: SPY: yahoo: connecting to 127.0.0.1:1: connection refused"}' >"$T_TMP/failed/runs.log"
PAPERTRADE_HOME=$T_TMP/failed serve_start "$T_TMP/failed.err" --listen 127.0.0.1:0 --no-scheduler
[ -n "$SERVE_PID" ] && PIDS+=("$SERVE_PID")
check "serve on a home with a failed run listens" test -n "$SERVE_URL"
furl=$SERVE_URL

mkdir -p "$OUTDIR"
(cd "$PT_ROOT" && node tests/browser/dashboard.mjs --url "$url" --expect "$T_TMP/expect.json" \
	--static "$T_TMP/dashboard.html" --out "$OUTDIR" \
	${turl:+--token-url "$turl" --token "browser-test-token-$$" --token-market closed} \
	${eurl:+--empty-url "$eurl"} ${furl:+--failed-url "$furl"}) >"$T_TMP/browser.out" 2>"$T_TMP/browser.err"
rc=$?
# Number the browser's results into this script's TAP stream.
while IFS= read -r line; do
	case "$line" in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) T_N=$((T_N + 1)); echo "not ok $T_N - ${line#not ok - }" ;;
	*) echo "$line" ;;
	esac
done <"$T_TMP/browser.out"
if [ "$rc" -ne 0 ] || ! grep -q '^ok - ' "$T_TMP/browser.out"; then
	not_ok "the browser test ran (exit $rc)" "$(head -c 2000 "$T_TMP/browser.err")"
fi
check "the servers are still up after the browser" kill -0 "${PIDS[@]}"
stop_servers
done_testing
