# tests/e2e/history.sh - real end-of-day option history (docs/history.md):
# `history import` of the recorded AAPL day of 2025-10-29 written in each
# layout (tests/e2e/history_files.py says which numbers are real and which
# are not), and `run --provider history` on it trading what the brief's
# rules imply (tests/e2e/expected_aapl.py, computed independently with
# scipy, as of the quotes' time); bad rows counted, unknown layouts named,
# damaged and truncated files refused with the store exactly as before, the
# as-of boundary, tickers the history lacks, rates, no look-ahead, and the
# list, info, verify and remove verbs.
source "$PT_ROOT/tests/e2e/lib.sh"
: "${PT_FIXTURES:=$PT_ROOT/tests/fixtures}"
F="$T_TMP/files"
mkdir -p "$F"
/usr/bin/python3 "$PT_ROOT/tests/e2e/history_files.py" "$PT_FIXTURES" "$F" >"$T_TMP/counts"
read -r prior calls puts strikes <"$T_TMP/counts"

export PAPERTRADE_NOW=2025-10-29T16:05 PAPERTRADE_TICKERS=AAPL PAPERTRADE_RISK_FREE_RATE=0.04
export PAPERTRADE_TARGET_DTE=2 PAPERTRADE_INITIAL_CAPITAL=100000 PAPERTRADE_SIZING=margin

# the store's state: every file's name and bytes
state() { (cd "$PAPERTRADE_HOME/history" 2>/dev/null && ls && cat MANIFEST ./*.hist) | sha256sum; }
# the call the run sold: "STRIKE CONTRACTS"
sold() {
	"$PT" report --json | /usr/bin/python3 -c '
import json,sys
r=json.load(sys.stdin)
p=[x for x in r["open_positions"] if x["right"]=="C"]
print("none" if not p else "%g %.4f" % (p[0]["strike"], -p[0]["quantity"]))'
}
want() { /usr/bin/python3 "$PT_ROOT/tests/e2e/expected_aapl.py" "$PT_FIXTURES" 100000 "$@"; }

# Each layout: imported, and a run on it trades what the rules imply.
for layout in optionsdx cboe db; do
	case $layout in
	optionsdx) file=$F/aapl_eod_202510.txt asof=16:00 divs=nodivs rows=$((2 * strikes)) ;;
	cboe) file=$F/aapl_cboe_eod.csv asof=15:45 divs=nodivs rows=$((calls + puts)) ;;
	db) file=$F/aapl_options.db asof=16:00 divs=divs rows=$((calls + puts)) ;;
	esac
	export PAPERTRADE_HOME="$T_TMP/$layout"
	expect_rc "$layout: import" 0 history import --json "$file"
	got=$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json,sys
r=json.load(sys.stdin)
print(r["files"][0]["layout"], r["read"], r["kept"], r["tickers"][0]["ticker"], r["tickers"][0]["sessions"])')
	case $layout in
	optionsdx) same "$layout: every row read, the empty quotes dropped" "$got" \
		"optionsdx $((rows + 2 * prior)) $((calls + puts)) AAPL 1" ;;
	cboe) same "$layout: every row read, the empty quotes dropped" "$got" \
		"cboe $((rows + prior)) $((calls + puts)) AAPL 1" ;;
	db) same "$layout: every row read" "$got" "options-dataset-hist $rows $rows AAPL 1" ;;
	esac
	expect_rc "$layout: run --provider history" 0 run --provider history --date 2025-10-29
	w=$(want "$asof" "$divs")
	same "$layout: the trade is what the rules imply as of $asof (strike, contracts)" "$(sold)" \
		"$(echo "$w" | awk '{printf "%g %.4f", $1, $2}')"
	q=$("$PT" report --json | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r["open_positions"]))')
	same "$layout: one position" "$q" 1
	check "$layout: identities" bash -c "'$PT' report --json | /usr/bin/python3 '$PT_ROOT/tests/e2e/identities.py'"
done
export PAPERTRADE_HOME="$T_TMP/db"
q=$("$PT" run --provider history --date 2025-10-29 --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["run"]["tickers"][0]["qualified"])')
same "as many calls qualify as computed independently" "$q" "$(want 16:00 divs | awk '{print $3}')"

# zstd: the database compressed imports the same; truncated, it fails whole.
export PAPERTRADE_HOME="$T_TMP/zst"
zstd -q -o "$F/aapl_options.db.zst" "$F/aapl_options.db"
expect_rc "import a .db.zst" 0 history import "$F/aapl_options.db.zst"
contains "it says zstd" "$OUT" "(options-dataset-hist, zstd)"
cmp -s "$T_TMP/zst/history/AAPL-1.hist" "$T_TMP/db/history/AAPL-1.hist"
same "the same store as from the plain database" "$?" 0
before=$(state)
size=$(stat -c %s "$F/aapl_options.db.zst")
head -c $((size - 9)) "$F/aapl_options.db.zst" >"$F/cut.db.zst"
expect_rc "a truncated .zst" 1 history import "$F/cut.db.zst"
contains "says truncated" "$ERR" "cut.db.zst: truncated zstd data"
same "the store is as before" "$(state)" "$before"
printf 'not zstd at all' | cat <(head -c 4 "$F/aapl_options.db.zst") - >"$F/junk.zst"
expect_rc "a corrupt .zst" 1 history import "$F/junk.zst"
same "the store is as before" "$(state)" "$before"

# An unknown layout: the columns it lacks, nothing stored.
printf 'date,symbol,strike,bid,ask\n2025-10-29,AAPL,255,15.3,16\n' >"$F/other.csv"
expect_rc "an unknown layout" 1 history import "$F/other.csv"
contains "names the columns it lacks" "$ERR" "other.csv: not a known layout: as OptionsDX it lacks [QUOTE_DATE], [UNDERLYING_LAST], [EXPIRE_DATE], [C_BID], [C_ASK], [P_BID], [P_ASK]"
same "the store is as before" "$(state)" "$before"
# A failure midway (a good file, then a missing one): nothing of either.
expect_rc "good then missing" 1 history import "$F/aapl_eod_202510.txt" "$F/missing.txt"
contains "names the file" "$ERR" "missing.txt"
same "the store is as before" "$(state)" "$before"
# The same rows again: the same rows and sessions.
l1=$("$PT" history list)
expect_rc "re-import" 0 history import "$F/aapl_options.db.zst"
contains "says it merged the session" "$OUT" "(1 merged into stored sessions)"
same "the list is the same" "$("$PT" history list)" "$l1"
expect_rc "history verify" 0 history verify
contains "verify says ok" "$OUT" "AAPL      ok"

# Bad rows of each layout are counted by reason in --json.
{
	head -1 "$F/aapl_cboe_eod.csv"
	echo "AAPL,2025-10-29,AAPL,2025-10-31,255.0000,C,,,,15.45,4682,,16.00,,15.30,269.7,269.7,,269.7,0.69,,,,,,6100"
	echo "AAPL,2025-10-29,AAPL,2025-10-31,255.0000,C,,,,15.45,4682,,15.30,,15.30,269.7,269.7,,269.7,0.69,,,,,,6100"
	echo "AAPL,2025-10-29,AAPL,2025-10-31,255.0000,Q,,,,15.45,4682,,15.30,,16.00,269.7,269.7,,269.7,0.69,,,,,,6100"
	echo "AAPL,2025-10-26,AAPL,2025-10-31,255.0000,C,,,,15.45,4682,,15.30,,16.00,269.7,269.7,,269.7,0.69,,,,,,6100"
	echo "AAPL,2025-10-29,AAPL,2025-10-31,255.0000,C,,,,15.45,4682,,15.30,,16.00,269.7,269.7,,269.7,0.69,,,,,,lots"
} >"$F/bad.csv"
export PAPERTRADE_HOME="$T_TMP/bad"
expect_rc "a Cboe file of bad rows" 0 history import --json "$F/bad.csv"
got=$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json,sys
d=json.load(sys.stdin)["dropped"]
print(" ".join("%s=%d" % (k, v) for k, v in sorted(d.items()) if v))')
same "each dropped and counted" "$got" "bad_number=1 bad_right=1 crossed=1 not_a_session=1 zero_width=1"
contains "nothing imported" "$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["kept"])')" "0"
expect_rc "the text says so too" 0 history import "$F/bad.csv"
contains "reasons in words" "$OUT" "5 dropped: not an NYSE session (2000-2035) 1, neither call nor put 1, a bad or negative number 1, ask below bid 1, ask equal to bid 1"
contains "and that nothing changed" "$OUT" "nothing imported: the store is unchanged"

# The as-of boundary: quotes stamped 16:00 are not served to a run at 15:59.
export PAPERTRADE_HOME="$T_TMP/asof"
"$PT" history import "$F/aapl_eod_202510.txt" >/dev/null
PAPERTRADE_NOW=2025-10-29T15:59 expect_rc "a run before the quotes' time" 1 run --provider history --date 2025-10-29
contains "says why" "$ERR" "the history's quotes of 2025-10-29 are from 16:00 New York, after the as-of moment (2025-10-29 15:59)"
PAPERTRADE_NOW=2025-10-29T16:00 expect_rc "a run at the quotes' time" 0 run --provider history --date 2025-10-29

# A ticker the history lacks is reported, never invented.
export PAPERTRADE_HOME="$T_TMP/voo"
"$PT" history import "$F/aapl_eod_202510.txt" >/dev/null
PAPERTRADE_TICKERS=AAPL,VOO expect_rc "a first run needs every ticker" 1 run --provider history --date 2025-10-29
contains "names the ticker and what there is" "$ERR" "VOO: not in the history (imported: AAPL)"
PAPERTRADE_TICKERS=AAPL,VOO expect_rc "scan shows it" 0 scan --provider history --date 2025-10-29
contains "scan names it" "$OUT$ERR" "VOO: not in the history (imported: AAPL)"
expect_rc "a session outside the history" 1 run --provider history --date 2025-10-28
contains "says which range" "$ERR" "2025-10-28 is outside the history (2025-10-29..2025-10-29)"

# Rates: none, and risk_free_rate auto: one line saying what to do.
export PAPERTRADE_HOME="$T_TMP/rates"
"$PT" history import "$F/aapl_eod_202510.txt" >/dev/null
PAPERTRADE_RISK_FREE_RATE=auto expect_rc "no rate" 1 run --provider history --date 2025-10-29
contains "says how to get one" "$ERR" "no risk-free rate for 2025-10-29: the history has no 13-week bill rate (FRED DTB3) dated then or up to 10 days before; import one with 'papertrade history import --rates FILE' or set risk_free_rate"
# (rates made up for the test: FRED's layout, not FRED's numbers)
printf 'observation_date,DTB3\n2025-10-28,3.86\n2025-10-29,.\n' >"$F/dtb3.csv"
expect_rc "import rates" 0 history import --rates "$F/dtb3.csv"
contains "counts them" "$OUT" "rates: 1 DTB3 observations 2025-10-28..2025-10-28 (1 lines without a value)"
PAPERTRADE_RISK_FREE_RATE=auto expect_rc "a run with the imported rate" 0 run --provider history --date 2025-10-29
expect_rc "a bad rates file" 1 history import --rates "$F/aapl_cboe_eod.csv"
contains "says what it wants" "$ERR" "not a FRED DTB3 file"

# No look-ahead: every row dated after D changed, the run of D the same.
for v in a b; do
	python3 - "$F/aapl_eod_202510.txt" "$F/la-$v.txt" "$v" <<'EOF'
import sys
src, dst, v = sys.argv[1:4]
lines = open(src).read().splitlines()
m = 1.0 if v == "a" else 1.7
extra = []
for day in ("2025-10-30", "2025-10-31", "2025-11-03"):
    for l in lines[1:]:
        f = l.split(", ")
        if f[2] != "2025-10-29":
            continue
        f[0] = "0"; f[1] = day + " 16:00"; f[2] = day
        f[4] = "%.4f" % (float(f[4]) * m)
        if day == "2025-11-03":  # a later expiry: 10-31 is past
            f[5] = "2025-11-07"
        for i in (17, 18, 20, 21):
            if f[i].strip():
                f[i] = "%.4f" % (float(f[i]) * m)
        extra.append(", ".join(f))
open(dst, "w").write("\n".join(lines + extra) + "\n")
EOF
	export PAPERTRADE_HOME="$T_TMP/la-$v"
	"$PT" history import --ticker AAPL "$F/la-$v.txt" >/dev/null
	"$PT" run --provider history --date 2025-10-29 --json >"$T_TMP/la-$v.json" 2>/dev/null
	"$PT" report --json >"$T_TMP/la-$v.report"
	"$PT" scan --provider history --date 2025-10-29 --json >"$T_TMP/la-$v.scan" 2>/dev/null
done
check "the files differ after D" bash -c "! cmp -s '$F/la-a.txt' '$F/la-b.txt'"
check "the run of D is byte for byte the same" cmp -s "$T_TMP/la-a.json" "$T_TMP/la-b.json"
check "so is the report" cmp -s "$T_TMP/la-a.report" "$T_TMP/la-b.report"
check "and the scan of D" cmp -s "$T_TMP/la-a.scan" "$T_TMP/la-b.scan"
for v in a b; do
	PAPERTRADE_HOME="$T_TMP/la-$v" PAPERTRADE_NOW=2025-10-31T16:05 "$PT" scan --provider history --date 2025-10-31 --json >"$T_TMP/la-$v.scan31" 2>/dev/null
done
check "while the scan of 10-31 differs (the change is real)" bash -c "! cmp -s '$T_TMP/la-a.scan31' '$T_TMP/la-b.scan31'"
# Settlement: the call of 2025-10-31 is settled at the next session from
# that day's close in the history's bars (269.70 in a; 1.7 times that, above
# the strike, in b).
for v in a b; do
	PAPERTRADE_HOME="$T_TMP/la-$v" PAPERTRADE_NOW=2025-11-03T16:05 "$PT" run --provider history --date 2025-11-03 >/dev/null 2>&1
	PAPERTRADE_HOME="$T_TMP/la-$v" "$PT" report --json >"$T_TMP/la-$v.settled"
done
got=$(/usr/bin/python3 -c '
import json,sys
for f in sys.argv[1:]:
    t=[x for x in json.load(open(f))["closed_trades"] if x["right"]=="C"][0]
    print(t["reason"], "%.2f" % t["exit_price"], t["closed"])' "$T_TMP/la-a.settled" "$T_TMP/la-b.settled" | tr '\n' ' ')
w=$(want 16:00 nodivs | awk '{print $1}')
same "settled from the expiry's close in the bars" "$got" "expired 0.00 2025-10-31 assigned $(awk -v k="$w" 'BEGIN{printf "%.2f", 269.7*1.7-k}') 2025-10-31 "

# list, info, remove; usage errors.
export PAPERTRADE_HOME="$T_TMP/db"
expect_rc "history list" 0 history list
contains "list shows the ticker" "$OUT" "AAPL      2025-10-29  2025-10-29         1"
expect_rc "history list --json" 0 history list --json
contains "list --json" "$OUT" '"ticker": "AAPL"'
expect_rc "history info" 0 history info aapl
contains "info: bars and dividends" "$OUT" "dividends:    2"
contains "info: the quotes' time" "$OUT" "quotes as of: 16:00 New York"
expect_rc "history info --json" 0 history info AAPL --json
contains "info --json" "$OUT" '"rows": 112'
expect_rc "info of a ticker not there" 1 history info VOO
expect_rc "remove a ticker not there" 1 history remove VOO
contains "names it" "$ERR" "VOO is not in the history"
expect_rc "remove" 0 history remove AAPL
expect_rc "list after remove" 0 history list
contains "empty" "$OUT" "(no history"
expect_rc "no verb" 2 history
expect_rc "import without files" 2 history import
expect_rc "a bad verb" 2 history frobnicate
expect_rc "a bad --ticker" 2 history import --ticker 'A/B' x.txt
expect_rc "history --help" 0 history --help
contains "help names the layouts" "$OUT" "OptionsDX"
done_testing
