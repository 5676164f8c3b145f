# tests/e2e/live.sh - the daily run on live data (issue "Live market data"),
# against a fixture server the test starts on 127.0.0.1 with a random port
# (tests/fixture_server.py) serving real recorded Yahoo responses: the run
# trades what the brief's rules imply for the recorded AAPL day (checked
# against tests/e2e/expected_aapl.py, computed independently with scipy),
# its tape replays to a byte-identical report in another home, and each
# failure of the source gives a one-line message, exit status 1 when the run
# cannot be completed, and the stored portfolio exactly as before.
source "$PT_ROOT/tests/e2e/lib.sh"
: "${PT_FIXTURES:=$PT_ROOT/tests/fixtures}"
SERVER="$PT_ROOT/tests/fixture_server.py"

# start_server NAME [SCENARIO]: a fixture server; sets PORT and LOG
start_server() {
	LOG="$T_TMP/$1.log"
	local args=(--fixtures "$PT_FIXTURES" --log "$LOG" --port-file "$T_TMP/$1.port" --parent "$$" --idle-exit 60)
	[ -n "${2:-}" ] && args+=(--scenario "$2")
	rm -f "$T_TMP/$1.port"
	/usr/bin/python3 "$SERVER" "${args[@]}" >/dev/null 2>&1 &
	SERVERS+=($!)
	for _ in $(seq 100); do [ -s "$T_TMP/$1.port" ] && break; sleep 0.05; done
	PORT=$(cat "$T_TMP/$1.port")
	export PAPERTRADE_YAHOO_URL="http://127.0.0.1:$PORT" PAPERTRADE_YAHOO_COOKIE_URL="http://127.0.0.1:$PORT"
	export PAPERTRADE_CBOE_URL="http://127.0.0.1:$PORT"
}
SERVERS=()
trap 'kill "${SERVERS[@]}" 2>/dev/null; rm -rf "$T_TMP"' EXIT

export PAPERTRADE_NOW=2025-10-29T16:05 PAPERTRADE_TICKERS=AAPL PAPERTRADE_RISK_FREE_RATE=0.04
export PAPERTRADE_TARGET_DTE=2 PAPERTRADE_INITIAL_CAPITAL=100000 PAPERTRADE_SIZING=margin
export PAPERTRADE_HTTP_RETRIES=1

start_server main
export PAPERTRADE_HOME="$T_TMP/live"
expect_rc "a run on Yahoo data" 0 run --provider yahoo --json
want=$(/usr/bin/python3 "$PT_ROOT/tests/e2e/expected_aapl.py" "$PT_FIXTURES" 100000)
got=$("$PT" report --json | /usr/bin/python3 -c '
import json,sys
r=json.load(sys.stdin)
p=[x for x in r["open_positions"] if x["right"]=="C"]
print("none" if not p else "%g %.4f" % (p[0]["strike"], -p[0]["quantity"]))')
same "the trade is what the brief's rules imply (strike, contracts)" "$got" "$(echo "$want" | awk '{printf "%g %.4f", $1, $2}')"
q=$("$PT" run --date 2025-10-29 --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["run"]["tickers"][0]["qualified"])')
same "as many calls qualify as computed independently" "$q" "$(echo "$want" | awk '{print $3}')"
check "identities" bash -c "'$PT' report --json | /usr/bin/python3 '$PT_ROOT/tests/e2e/identities.py'"
check "only 127.0.0.1 was asked" bash -c "! grep -v ' 127.0.0.1\$' '$LOG'"
n=$(grep -c . "$LOG")
echo "# one live run for one ticker made $n requests:"; sed 's/^/#   /' "$LOG"
expect_rc "tape list" 0 tape list
contains "tape list shows the session" "$OUT" "2025-10-29"
expect_rc "tape verify" 0 tape verify
expect_rc "tape export" 0 tape export 2025-10-29 --out "$T_TMP/tape.json.gz"

# The tape replays in another home, with the server gone, to the same report.
kill "${SERVERS[@]}" 2>/dev/null
export PAPERTRADE_HOME="$T_TMP/replay"
expect_rc "tape import" 0 tape import "$T_TMP/tape.json.gz"
expect_rc "replay the tape" 0 run --provider tape --date 2025-10-29
for c in text_z json_z; do
	a=$(sqlite3 "$T_TMP/live/papertrade.db" "select hex($c) from runs")
	b=$(sqlite3 "$T_TMP/replay/papertrade.db" "select hex($c) from runs")
	same "the replayed $c is byte for byte the live one" "$(printf '%s' "$b" | sha256sum)" "$(printf '%s' "$a" | sha256sum)"
done
expect_rc "no tape for another session" 1 run --provider tape --date 2025-10-28
# A sweep (and a backtest: the same market code) replays the home's tapes,
# each session at its own as-of moment; sessions without a tape are skipped.
PAPERTRADE_NOW=2025-10-30T10:00 run_pt sweep --provider tape --from 2025-10-27 --to 2025-10-29 --json target_dte=2,3
same "sweep --provider tape: exit 0" "$RC" 0
same "... one session replayed, two without a tape skipped, the row its run" "$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, subprocess, sys
o = json.load(sys.stdin)
rep = json.loads(subprocess.run([sys.argv[1], "report", "--json"], capture_output=True).stdout)
row = next(r for r in o["rows"] if r["params"]["target_dte"] == "2")
print(o["sweep"]["sessions"], o["sweep"]["skipped_sessions"], o["sweep"]["provider"],
      row["whole"]["final_value"] == rep["portfolio_value"], row["orders"])' "$PT")" "1 2 tape True 1"
PAPERTRADE_NOW=2025-10-30T10:00 run_pt backtest --provider tape --from 2025-10-27 --to 2025-10-29 --json --set target_dte=2
same "backtest --provider tape: exit 0" "$RC" 0
same "... one session replayed, two skipped, its final value the run's" "$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, subprocess, sys
o = json.load(sys.stdin)
rep = json.loads(subprocess.run([sys.argv[1], "report", "--json"], capture_output=True).stdout)
b = o["backtest"]
print(b["sessions"], b["skipped_sessions"], b["provider"], o["summary"]["portfolio_value"] == rep["portfolio_value"])' "$PT")" "1 2 tape True"
PAPERTRADE_NOW=2025-10-30T10:00 run_pt backtest --provider tape --from 2025-10-27 --to 2025-10-29 --set target_dte=2 -q
contains "... the text says so" "$OUT" "2 sessions without a tape skipped"
PAPERTRADE_NOW=2025-10-30T10:00 expect_rc "backtest --provider tape with no tape in the range" 1 \
	backtest --provider tape --from 2025-10-20 --to 2025-10-24
contains "... says so" "$ERR" "no tape recorded from 2025-10-20 to 2025-10-24"
PAPERTRADE_NOW=2025-10-30T10:00 expect_rc "sweep --provider tape with no tape in the range" 1 \
	sweep --provider tape --from 2025-10-20 --to 2025-10-24 target_dte=2,3
contains "... says so" "$ERR" "no tape recorded from 2025-10-20 to 2025-10-24"
expect_rc "a bad tape file" 1 tape import "$PT_FIXTURES/index.json"

# Cboe: a run on the same day's data, built in Cboe's format (see
# tests/e2e/cboe_bodies.py: no Cboe chain was ever recorded), and its replay.
/usr/bin/python3 "$PT_ROOT/tests/e2e/cboe_bodies.py" "$PT_FIXTURES" "$T_TMP"
start_server cboe "$T_TMP/cboe-scenario.json"
export PAPERTRADE_HOME="$T_TMP/cboe"
expect_rc "a run on Cboe data" 0 run --provider cboe
contains "the report names the source" "$OUT" "AAPL (cboe"
got=$("$PT" report --json | /usr/bin/python3 -c '
import json,sys
r=json.load(sys.stdin)
p=[x for x in r["open_positions"] if x["right"]=="C"]
print("none" if not p else "%g" % p[0]["strike"])')
same "Cboe sees the same market: the same call is sold" "$got" "$(echo "$want" | awk '{printf "%g", $1}')"
same "a Cboe run makes two requests for one ticker" "$(grep -c . "$LOG")" 2
expect_rc "export the Cboe tape" 0 tape export 2025-10-29 --out "$T_TMP/cboe-tape.json.gz"
export PAPERTRADE_HOME="$T_TMP/cboe-replay"
expect_rc "import the Cboe tape" 0 tape import "$T_TMP/cboe-tape.json.gz"
expect_rc "replay the Cboe tape" 0 run --provider tape --date 2025-10-29
same "the replayed Cboe report is the live one" \
	"$(sqlite3 "$T_TMP/cboe-replay/papertrade.db" 'select hex(text_z) from runs' | sha256sum)" \
	"$(sqlite3 "$T_TMP/cboe/papertrade.db" 'select hex(text_z) from runs' | sha256sum)"

# yahoo,cboe: when Yahoo fails for a ticker, Cboe serves it.
printf '%s' "$(/usr/bin/python3 -c '
import json,sys
s=json.load(open(sys.argv[1]))
s.append({"path": "/v7/finance/options/AAPL", "responses": [{"status": 503, "body": "down"}]})
print(json.dumps(s))' "$T_TMP/cboe-scenario.json")" >"$T_TMP/fallback.json"
start_server fallback "$T_TMP/fallback.json"
export PAPERTRADE_HOME="$T_TMP/fallback"
expect_rc "yahoo down, cboe up" 0 run --provider yahoo,cboe
contains "the ticker was served by Cboe" "$OUT" "AAPL (cboe"
contains "the report says why Yahoo did not serve it" "$OUT" "Served by cboe: yahoo: AAPL: options"

# yahoo,cboe: when Yahoo fails as a whole (nothing listens at its address),
# Cboe serves every ticker, and the report says why Yahoo did not.
start_server whole "$T_TMP/cboe-scenario.json"
export PAPERTRADE_HOME="$T_TMP/whole"
PAPERTRADE_YAHOO_URL=http://127.0.0.1:1 PAPERTRADE_YAHOO_COOKIE_URL=http://127.0.0.1:1 \
	expect_rc "yahoo unreachable, cboe up" 0 run --provider yahoo,cboe
contains "every ticker served by Cboe" "$OUT" "AAPL (cboe"
contains "the report names Yahoo's network failure" "$OUT" "Served by cboe: yahoo:"
contains "as a connection failure" "$OUT" "connection refused"
export PAPERTRADE_HOME="$T_TMP/whole-json"
PAPERTRADE_YAHOO_URL=http://127.0.0.1:1 PAPERTRADE_YAHOO_COOKIE_URL=http://127.0.0.1:1 \
	expect_rc "yahoo unreachable, cboe up, --json" 0 run --provider yahoo,cboe --json
check "run --json says which source served and why not the first" /usr/bin/python3 -c '
import json,sys
r=json.loads(sys.argv[1])
t=r["run"]["tickers"][0]
assert t["source"] == "cboe" and t["fallback"].startswith("yahoo:") and "connection refused" in t["fallback"], t' "$OUT"

# With the network down, the error names the network, not the missing rate.
export PAPERTRADE_HOME="$T_TMP/nonet"
env -u PAPERTRADE_RISK_FREE_RATE PAPERTRADE_CBOE_URL=http://127.0.0.1:1 PAPERTRADE_HTTP_RETRIES=0 \
	"$PT" run --provider cboe >/dev/null 2>"$T_TMP/err"
same "cboe unreachable: exit 1" "$?" 1
contains "cboe unreachable: the error names the connection" "$(cat "$T_TMP/err")" "connection refused"
check "cboe unreachable: not the risk-free rate" bash -c "! grep -q 'risk-free' '$T_TMP/err'"
env -u PAPERTRADE_RISK_FREE_RATE PAPERTRADE_YAHOO_URL=http://127.0.0.1:1 PAPERTRADE_YAHOO_COOKIE_URL=http://127.0.0.1:1 \
	PAPERTRADE_CBOE_URL=http://127.0.0.1:1 PAPERTRADE_HTTP_RETRIES=0 "$PT" run --provider yahoo,cboe >/dev/null 2>"$T_TMP/err"
same "both unreachable: exit 1" "$?" 1
contains "both unreachable: both sources' failures named" "$(cat "$T_TMP/err")" "then cboe:"
same "both unreachable: nothing stored" "$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'select count(*) from runs' 2>/dev/null || echo 0)" 0

# quote and chain: what the source says.
start_server look
export PAPERTRADE_HOME="$T_TMP/look"
expect_rc "quote" 0 quote --provider yahoo AAPL
contains "quote shows the price" "$OUT" "269.70"
expect_rc "quote --json" 0 quote --provider yahoo --json AAPL MDLY
check "quote --json is JSON with both tickers" /usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert len(r["quotes"]) == 2 and not r["quotes"][1]["ok"]' "$OUT"
expect_rc "chain" 0 chain --provider yahoo AAPL
contains "chain shows our IV and the vendor's" "$OUT" "vndr iv"
expect_rc "chain --json" 0 chain --provider yahoo --json AAPL
n=$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r["contracts"]))')
same "chain lists the expiration's 112 contracts" "$n" 112
expect_rc "chain of an unknown ticker" 1 chain --provider yahoo MDLY
expect_rc "chain wants one ticker" 2 chain --provider yahoo
same "quote and chain store nothing" "$(db_hash)" none

# Failures: a one-line message, exit 1, nothing stored.
fail_case() { # NAME DESC SCENARIO-JSON MESSAGE [ENV...]
	local name=$1 desc=$2 scen=$3 msg=$4
	shift 4
	printf '%s' "$scen" >"$T_TMP/$name.json"
	start_server "$name" "$T_TMP/$name.json"
	export PAPERTRADE_HOME="$T_TMP/h-$name"
	env "$@" "$PT" run --provider yahoo >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
	ERR=$(cat "$T_TMP/err")
	same "$desc: exit 1" "$RC" 1
	contains "$desc: says why" "$ERR" "$msg"
	same "$desc: nothing stored" "$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'select count(*) from runs' 2>/dev/null || echo 0)" 0
}
fail_case e500 "500 on every try" '[{"path": "/v7/finance/options/AAPL", "responses": [{"status": 500, "body": "oops"}]}]' "500"
fail_case trunc "a truncated body" '[{"path": "/v8/finance/chart/AAPL", "responses": [{"fixture": "yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json", "truncate": 100}]}]' "cut short"
fail_case badjson "invalid JSON" '[{"path": "/v7/finance/options/AAPL", "responses": [{"status": 200, "body": "{\"optionChain\": [1, 2"}]}]' "AAPL"
fail_case slow "a response slower than the timeout" '[{"path": "/v8/finance/chart/AAPL", "responses": [{"delay": 3}]}]' "timed out" PAPERTRADE_HTTP_TIMEOUT=1
fail_case big "a body over the size cap" '[{"path": "/v8/finance/chart/AAPL", "responses": [{"repeat": 40000000}]}]' "larger than"
fail_case stale "yesterday's quotes in a morning run" '[]' "stale" PAPERTRADE_NOW=2025-10-30T09:40
fail_case crumb "a crumb refused twice" '{"require_crumb": true, "rules": [{"path": "/v1/test/getcrumb", "responses": [{"status": 200, "body": "wrong-crumb"}]}]}' "rumb"

# Failures a run survives: retried, or one ticker of several.
ok_case() { # NAME DESC SCENARIO-JSON [ENV...]
	local name=$1 desc=$2 scen=$3
	shift 3
	printf '%s' "$scen" >"$T_TMP/$name.json"
	start_server "$name" "$T_TMP/$name.json"
	export PAPERTRADE_HOME="$T_TMP/h-$name"
	env "$@" "$PT" run --provider yahoo >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
	OUT=$(cat "$T_TMP/out")
	same "$desc: exit 0" "$RC" 0
}
ok_case r429 "429 with Retry-After, then the data" '[{"path": "/v7/finance/options/AAPL", "responses": [{"status": 429, "headers": {"Retry-After": "1"}, "body": "slow down"}, {"fixture": "yahoo/yahoo-AAPL-options-2025-10-29.json"}]}]'
check "429: the request was repeated" test "$(grep -c '/v7/finance/options/AAPL' "$LOG")" -ge 2
ok_case crumbok "Yahoo asks for a crumb" '{"require_crumb": true}'
check "the crumb handshake happened" grep -q '/v1/test/getcrumb' "$LOG"
check "the crumb is cached in the home" test -s "$PAPERTRADE_HOME/yahoo-crumb"
# A symbol that fails beside a good one: the scan shows why; a run of a
# started portfolio goes on with the good one.
start_server unknown
export PAPERTRADE_HOME="$T_TMP/h-unknown"
PAPERTRADE_TICKERS=AAPL,MDLY,^VXAPL run_pt scan --provider yahoo
same "scan with failing symbols exits 0" "$RC" 0
contains "the unknown symbol's reason" "$OUT" "delisted"
contains "the symbol without options is reported" "$OUT" "VXAPL"
PAPERTRADE_TICKERS=AAPL,MDLY expect_rc "a first run needs every price" 1 run --provider yahoo
contains "and names the missing one" "$ERR" "MDLY"
expect_rc "a first run on the good symbol" 0 run -q --provider yahoo
PAPERTRADE_TICKERS=AAPL,MDLY PAPERTRADE_NOW=2025-10-30T16:05 PAPERTRADE_MAX_QUOTE_AGE=90000 \
	expect_rc "the next session runs with the failing symbol skipped" 0 run --provider yahoo
contains "the run reports the failing symbol and why" "$OUT" "MDLY"
done_testing
