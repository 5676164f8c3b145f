# tests/e2e/modes.sh - account modes and the scan on the simulated market:
# holdings = etf (covered calls, dividends as income), contracts = whole,
# sizing = margin, configuration precedence, the scan's explanations, and
# colour only on a terminal.
source "$PT_ROOT/tests/e2e/lib.sh"
export PAPERTRADE_NOW=2024-12-31T10:00
ident() { "$PT" report --json | /usr/bin/python3 "$PT_ROOT/tests/e2e/identities.py"; }
jq_py() { /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"; }

# holdings = etf: the allocation is bought in the ETFs, calls are covered,
# dividends are booked as income.
export PAPERTRADE_HOME="$T_TMP/etf"
expect_rc "etf holdings year" 0 run -q --from 2024-01-02 --to 2024-12-31 --set holdings=etf
check "etf identities" ident
r=$("$PT" report --json)
check "etf holdings earn dividend income" test "$(echo "$r" | jq_py 'r["income"] > 0')" = True
check "etf holdings hold shares" test "$(echo "$r" | jq_py 'sum(1 for p in r["open_positions"] if p["right"] == "S")')" = 4
# covered calls need no margin; the shares carry FINRA's 25% maintenance
check "etf holdings: only the shares' 25% is required" test "$(echo "$r" | jq_py 'abs(r["margin_used"] - 0.25 * sum(p["quantity"] * p["mark"] for p in r["open_positions"] if p["right"] == "S")) < 0.05')" = True
check "etf holdings: no margin call" test "$(echo "$r" | jq_py 'r["margin"]["calls"] == 0 and r["margin"]["excess"] > 0')" = True
check "etf portfolio tracks the market (return > 10%)" test "$(echo "$r" | jq_py 'r["total_return"] > 0.10')" = True

# contracts = whole on a $1,000 account: trades are skipped, saying what capital they need.
export PAPERTRADE_HOME="$T_TMP/whole"
expect_rc "whole contracts" 0 run --date 2024-04-05 --set contracts=whole --json
check "whole contracts: identities" ident
expect_rc "scan with whole contracts" 0 scan --date 2024-04-08 --set contracts=whole
contains "whole contracts: the scan says which cap allows no whole contract" "$OUT" "allows no whole contract"
expect_rc "scan with whole contracts, no caps" 0 scan --date 2024-04-08 --set contracts=whole --set max_stress_loss=1 --set max_trade_requirement=1
contains "whole contracts: the scan says what capital is needed" "$OUT" "needs an allocation of"

# sizing = margin with the environment between the file and --set.
export PAPERTRADE_HOME="$T_TMP/margin"
PAPERTRADE_SIZING=margin expect_rc "margin sizing from the environment" 0 run -q --from 2024-01-02 --to 2024-03-28
check "margin sizing identities" ident
PAPERTRADE_POSITION_PCT=0.5 expect_rc "env value over the file" 0 scan --date 2024-04-01 --json
PAPERTRADE_POSITION_PCT=x expect_rc "--set overrides a bad env? no: bad env is an error" 2 scan --date 2024-04-01 --set position_pct=0.1

# The scan: every call of the chosen expiration, with the first rule it failed.
export PAPERTRADE_HOME="$T_TMP/scan"
expect_rc "scan without a portfolio" 0 scan --date 2024-03-01 --json
n=$(echo "$OUT" | jq_py 'len(r["tickers"])')
same "scan covers four tickers" "$n" 4
ok_rules=$(echo "$OUT" | jq_py 'all(c["rule"] in ("qualified","bad quote","moneyness","volume","bid","no iv","iv edge","price edge") for t in r["tickers"] for c in t["contracts"])')
same "every contract has a rule" "$ok_rules" True
keys=$(echo "$OUT" | jq_py 'sorted(set(k for t in r["tickers"] for c in t["contracts"] for k in c))')
contains "contract rows carry bid, ask, volume, iv, vendor iv, hv, theo, edge, right" "$keys" "'ask', 'bid', 'chosen', 'edge', 'edge_pct', 'hv', 'iv', 'moneyness', 'right', 'rule', 'strike', 'theo', 'vendor_iv', 'volume'"
same "scan creates no portfolio" "$(db_hash)" none
expect_rc "scan text" 0 scan --date 2024-03-01
contains "scan text explains each ticker" "$OUT" "=>"
expect_rc "scan on a holiday" 0 scan --date 2024-07-04
expect_rc "scan bad date" 2 scan --date 2024-02-30

# Colour only on a terminal, never under NO_COLOR, never in a pipe.
export PAPERTRADE_HOME="$T_TMP/color"
"$PT" run -q --date 2024-03-01 >"$T_TMP/pipe.txt" 2>/dev/null
check "no escape codes in a pipe" bash -c "! grep -q $'\e' '$T_TMP/pipe.txt'"
if command -v script >/dev/null; then
	TERM=xterm script -qec "$PT report" /dev/null >"$T_TMP/tty.txt" 2>&1
	check "colour on a terminal" grep -q $'\e\\[' "$T_TMP/tty.txt"
	NO_COLOR=1 TERM=xterm script -qec "$PT report" /dev/null >"$T_TMP/tty2.txt" 2>&1
	check "no colour under NO_COLOR" bash -c "! grep -q $'\e\\\\[' '$T_TMP/tty2.txt'"
fi

# init writes a commented config and does nothing the second time.
export PAPERTRADE_HOME="$T_TMP/init"
expect_rc "init" 0 init
check "init wrote papertrade.ini" test -f "$PAPERTRADE_HOME/papertrade.ini"
check "papertrade.ini is commented" grep -q "^;" "$PAPERTRADE_HOME/papertrade.ini"
h=$(db_hash)
expect_rc "init again" 0 init
same "init again changes nothing" "$(db_hash)" "$h"
done_testing
