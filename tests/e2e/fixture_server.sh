#!/usr/bin/env bash
# tests/e2e/fixture_server.sh - the test fixture server itself
# (tests/fixture_server.py, the stand-in for Yahoo and Cboe of DESIGN.md §6
# that the market-data tests talk to): its default routes serve the recorded
# bodies byte for byte with their status, scenario rules script failures, the
# request log, and the ways it stops (stdin EOF, --parent, bad scenario).
# A small Python client (http.client, no decoding) plays the other side.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

FX=${PT_FIXTURES:-$PT_ROOT/tests/fixtures}
SERVER="$PT_ROOT/tests/fixture_server.py"

cat >"$T_TMP/get.py" <<'EOF'
# get.py URL [Header: value]... : one GET; prints "status content-type
# content-encoding content-length bytes-received" and writes the raw body to $BODY.
import http.client, os, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
h = dict(a.split(": ", 1) for a in sys.argv[2:])
c.request("GET", u.path + ("?" + u.query if u.query else ""), headers=h)
r = c.getresponse()
try:
    body = r.read()
except http.client.IncompleteRead as e:
    body = e.partial
open(os.environ["BODY"], "wb").write(body)
print(r.status, r.getheader("Content-Type"), r.getheader("Content-Encoding") or "-",
      r.getheader("Content-Length"), len(body))
EOF
export BODY="$T_TMP/body"
# get PATH [HEADER]... : GET from the server of $PORT, the answer line in $GOT
get() {
	local p=$1
	shift
	GOT=$(/usr/bin/python3 "$T_TMP/get.py" "http://127.0.0.1:$PORT$p" "$@" 2>&1)
}
# body_is FILE : the last body equals the fixture file
body_is() { cmp -s "$BODY" "$FX/$1"; }

# ---- default routes ----
coproc SRV { exec /usr/bin/python3 "$SERVER" --fixtures "$FX" --log "$T_TMP/log" \
	--port-file "$T_TMP/port"; }
read -r word PORT <&"${SRV[0]}"
same "prints PORT <n>" "$word" PORT
same "--port-file holds the same port" "$(cat "$T_TMP/port")" "$PORT"

# path | status | fixture
while IFS='|' read -r path status file; do
	get "$path"
	if [ "${GOT%% *}" = "$status" ] && body_is "$file"; then
		ok "GET $path -> $status $file"
	else
		not_ok "GET $path -> $status $file" "got: $GOT"
	fi
done <<'EOF'
/v7/finance/options/AAPL|200|yahoo/yahoo-AAPL-options-2025-10-29.json
/v7/finance/options/AAPL?date=1761868800|200|yahoo/yahoo-AAPL-options-date-1761868800-2025-10-29.json
/v7/finance/options/AAPL?date=1758240000&crumb=x|200|yahoo/yahoo-AAPL-options-date-1758240000-2025-09-17.json
/v7/finance/options/QQQ?formatted=false|200|yahoo/yahoo-QQQ-options-2025-02-24.json
/v7/finance/options/QQQ?date=1740355200|200|yahoo/yahoo-QQQ-options-2025-02-24.json
/v7/finance/options/%5EVXAPL|200|yahoo/yahoo-VXAPL-options-no-chain-2025-02-24.json
/v7/finance/options/^VXAPL|200|yahoo/yahoo-VXAPL-options-no-chain-2025-02-24.json
/v8/finance/chart/AAPL?range=6mo&interval=1d|200|yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json
/v8/finance/chart/QQQ?period1=1577836800&period2=1609718400|200|yahoo/yahoo-QQQ-chart-1d-2020-01-01_2021-01-04-divs-2021-11-13.json
/v8/finance/chart/QQQ?period1=1577836800&period2=1578009600|200|yahoo/yahoo-QQQ-chart-1d-2020-01-01_2020-01-03-2025-02-20.json
/v8/finance/chart/MDLY|404|yahoo/yahoo-MDLY-chart-404-not-found-2021-11-13.json
/v8/finance/chart/BEKE|400|yahoo/yahoo-BEKE-chart-400-no-data-for-range-2021-11-21.json
/v8/finance/chart/%5EIRX|404|yahoo/yahoo-MDLY-chart-404-not-found-2021-11-13.json
/v7/finance/quote?symbols=QQQ|200|yahoo/yahoo-QQQ-quote-v7-2025-08-26.json
/v7/finance/quote?symbols=NOPE|200|yahoo/yahoo-GS2C-quote-v7-unknown-symbol-empty-2025-09-17.json
/v1/test/getcrumb|401|yahoo/quoted-from-issues/yahoo-options-401-invalid-crumb-2024-01-31.quoted.json
/api/global/delayed_quotes/quotes/AAPL.json|200|cboe/cboe-AAPL-quote-2024-06-27.json
/api/global/delayed_quotes/historical_data/QQQ.json|200|cboe/cboe-QQQ-historical_data-2023-06-09.json
/education/tools/trade-optimizer/symbol-info/?symbol=OXY|200|cboe/cboe-OXY-symbol-info-2023-06-09.json
EOF

get /v7/finance/options/AAPL
same "content type from index.json" "$GOT" "200 application/json - 38631 38631"
get /v7/finance/options/QQQ
same "content type from index.json (charset)" "${GOT#200 }" "application/json;charset=utf-8 - 55667 55667"

# An unlisted date: 200, the quote and expirations kept, no contracts.
get "/v7/finance/options/AAPL?date=1234567890"
same "unlisted date is 200" "${GOT%% *}" 200
same "unlisted date: an empty chain of that date" "$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["optionChain"]["result"][0]
o = r["options"]
print(len(o), o[0]["expirationDate"], len(o[0]["calls"]), len(o[0]["puts"]), r["strikes"],
      r["quote"]["symbol"], len(r["expirationDates"]))' "$BODY")" "1 1234567890 0 0 [] AAPL 20"
get /v7/finance/options/NOPE
same "unknown symbol: empty result" "$(cat "$BODY")" '{"optionChain":{"result":[],"error":null}}'

# Cookie, then crumb.
get /consent
contains "consent sets the A3 cookie" "$(/usr/bin/python3 -c '
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1])); c.request("GET", "/")
print(c.getresponse().getheader("Set-Cookie"))' "$PORT")" "A3=d=fixture; Path=/"
get /v1/test/getcrumb "Cookie: B=1; A3=d=fixture"
same "getcrumb with the cookie" "$GOT" "200 text/plain;charset=utf-8 - 11 11"
same "the crumb" "$(cat "$BODY")" haT3oykhHqZ

# Cboe gzip only when accepted.
get /api/global/delayed_quotes/quotes/AAPL.json "Accept-Encoding: gzip, deflate"
gz=$(printf '%s' "$GOT" | cut -d' ' -f3)
same "cboe gzip when accepted" "$gz" gzip
check "cboe gzip body decodes to the file" sh -c "gzip -dc <'$BODY' | cmp -s - '$FX/cboe/cboe-AAPL-quote-2024-06-27.json'"

get /nowhere
same "unknown path: 404" "${GOT%% *}" 404
contains "unknown path: JSON error" "$(cat "$BODY")" '"error": "not found"'

get /__fixture/headers "User-Agent: e2e/1"
contains "headers echo" "$(cat "$BODY")" '"User-Agent": "e2e/1"'

# The log: one line per request, all from 127.0.0.1.
n_req=$(wc -l <"$T_TMP/log")
same "one log line per request" "$n_req" 29
same "every request came from 127.0.0.1" "$(grep -cv ' 127\.0\.0\.1$' "$T_TMP/log")" 0
contains "log line format" "$(cat "$T_TMP/log")" "GET /v7/finance/options/%5EVXAPL 127.0.0.1"

# stdin EOF stops it.
pid=$SRV_PID
eval "exec ${SRV[1]}>&-"  # EOF on its stdin
gone=no
for _ in $(seq 100); do
	kill -0 "$pid" 2>/dev/null || { gone=yes; break; }
	sleep 0.05
done
same "exits when its stdin closes" "$gone" yes
wait "$pid" 2>/dev/null

# ---- a scenario ----
printf 'scripted body' >"$T_TMP/body.txt"
cat >"$T_TMP/scenario.json" <<'EOF'
{"require_crumb": true, "rules": [
 {"path": "/v7/finance/options/AAPL", "query": {"date": "1761868800"},
  "responses": [{"status": 429, "headers": {"Retry-After": "2"}, "body": "slow down"},
                {"status": 500, "fixture": "yahoo/yahoo-search-400-finance-error-2022-06-30.json"},
                {}]},
 {"path": "/t/file", "responses": [{"body_file": "body.txt", "content_type": "text/plain"}]},
 {"path": "/t/cut", "responses": [{"fixture": "yahoo/yahoo-AAPL-options-2025-10-29.json", "truncate": 100}]},
 {"path": "/t/big", "responses": [{"repeat": 100000}]},
 {"path": "/t/gz", "responses": [{"body": "hello", "gzip": true}]},
 {"path": "/t/*", "responses": [{"status": 418, "body": "teapot"}]}
]}
EOF
coproc SRV { exec /usr/bin/python3 "$SERVER" --fixtures "$FX" --scenario "$T_TMP/scenario.json"; }
# bash unsets SRV_PID once the coprocess has exited: keep it while it runs
srv_pid=$SRV_PID
read -r _ PORT <&"${SRV[0]}"
C=crumb=haT3oykhHqZ

get "/v7/finance/options/AAPL?date=1761868800"
same "require_crumb: no crumb is 401" "${GOT%% *}" 401
contains "require_crumb: Invalid Crumb body" "$(cat "$BODY")" "Invalid Crumb"
get "/v7/finance/options/AAPL?date=1761868800&crumb=wrong"
same "require_crumb: wrong crumb is 401" "${GOT%% *}" 401
get "/v1/test/getcrumb" "Cookie: A3=d=fixture"
same "getcrumb needs no crumb" "${GOT%% *}" 200

get "/v7/finance/options/AAPL?date=1761868800&$C"
same "rule 1: 429" "${GOT%% *}" 429
same "rule 1: its body" "$(cat "$BODY")" "slow down"
get "/v7/finance/options/AAPL?date=1761868800&$C"
same "rule 2: a fixture with another status" "${GOT%% *}" 500
check "rule 2: the fixture body" body_is yahoo/yahoo-search-400-finance-error-2022-06-30.json
get "/v7/finance/options/AAPL?date=1761868800&$C"
check "rule 3 ({}): the default route" body_is yahoo/yahoo-AAPL-options-date-1761868800-2025-10-29.json
get "/v7/finance/options/AAPL?date=1761868800&$C"
check "the last response repeats" body_is yahoo/yahoo-AAPL-options-date-1761868800-2025-10-29.json
get "/v7/finance/options/AAPL?$C"
check "query not matched: the default route" body_is yahoo/yahoo-AAPL-options-2025-10-29.json
get "/__fixture/reset"
get "/v7/finance/options/AAPL?date=1761868800&$C"
same "reset starts the rules over" "${GOT%% *}" 429

get /t/file
same "body_file, relative to the scenario" "$GOT" "200 text/plain - 13 13"
get /t/cut
same "truncate: full Content-Length, 100 bytes" "$GOT" "200 application/json - 38631 100"
get /t/big
same "repeat: that many bytes" "$GOT" "200 application/json - 100000 100000"
check "repeat: valid JSON" /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$BODY"
get /t/gz
same "gzip: forced" "$(printf '%s' "$GOT" | cut -d' ' -f1,3)" "200 gzip"
same "gzip: decodes" "$(gzip -dc <"$BODY")" hello
get /t/other
same "fnmatch path" "$GOT" "418 application/json - 6 6"
eval "exec ${SRV[1]}>&-"  # EOF on its stdin
wait "$srv_pid" 2>/dev/null

# ---- --parent, and a bad scenario ----
sleep 0.2 &
parent=$!
/usr/bin/python3 "$SERVER" --fixtures "$FX" --parent "$parent" </dev/null >"$T_TMP/p.out" &
pid=$!
wait "$parent"
gone=no
for _ in $(seq 100); do
	kill -0 "$pid" 2>/dev/null || { gone=yes; break; }
	sleep 0.05
done
same "exits when --parent is gone" "$gone" yes
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
contains "it had printed its port" "$(cat "$T_TMP/p.out")" PORT

echo '[{"path": "/x"}]' >"$T_TMP/bad.json"
/usr/bin/python3 "$SERVER" --fixtures "$FX" --scenario "$T_TMP/bad.json" </dev/null \
	>"$T_TMP/bad.out" 2>"$T_TMP/bad.err"
rc=$?
check "a bad scenario fails" test "$rc" -ne 0
contains "a bad scenario is named" "$(cat "$T_TMP/bad.err")" "bad scenario rule"
same "a bad scenario prints no port" "$(cat "$T_TMP/bad.out")" ""

done_testing
