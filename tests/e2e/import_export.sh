# tests/e2e/import_export.sh - `papertrade export` and `import` (DESIGN.md §5):
# the brief's portfolio_data.json in and out of a home, refusals that leave
# the stored state alone, and bad files that leave nothing behind.
# shellcheck shell=bash
source "$PT_ROOT/tests/e2e/lib.sh"

json_field() { # json_field FILE KEY : prints a top-level value as Python sees it
	/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

cat >"$T_TMP/brief.json" <<'EOF'
{
  "start_date": "2024-11-21",
  "initial_capital": 1000,
  "current_cash": 1050.25,
  "positions": [
    {
      "ticker": "SPY",
      "action": "SELL",
      "strike": 605,
      "expiration": "2024-12-20",
      "contracts": 2,
      "entry_price": 3.50,
      "status": "OPEN"
    }
  ],
  "closed_trades": [],
  "daily_snapshots": []
}
EOF

expect_rc "export --help" 0 export --help
contains "export --help shows usage" "$OUT" "usage: papertrade export"
expect_rc "import --help" 0 import --help
contains "import --help shows usage" "$OUT" "usage: papertrade import"
expect_rc "export with a bad flag is a usage error" 2 export --bogus
expect_rc "import without FILE is a usage error" 2 import
expect_rc "import with two files is a usage error" 2 import a b

expect_rc "export without a portfolio fails" 1 export
contains "and says to run init" "$ERR" "no portfolio in $PAPERTRADE_HOME; run 'papertrade init'"

expect_rc "import the brief's example" 0 import "$T_TMP/brief.json"
check "the database exists" test -f "$PAPERTRADE_HOME/papertrade.db"
expect_rc "export it again" 0 export
printf '%s\n' "$OUT" >"$T_TMP/out1.json"
same "current_cash survives" "$(json_field "$T_TMP/out1.json" current_cash)" "1050.25"
same "initial_capital is the opening balance: cash less the premium" "$(json_field "$T_TMP/out1.json" initial_capital)" "350.25"
same "start_date survives" "$(json_field "$T_TMP/out1.json" start_date)" "2024-11-21"
same "one open position" "$(/usr/bin/python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["positions"]; print(len(p), p[0]["ticker"], p[0]["action"], p[0]["contracts"], p[0]["premium_collected"])' "$T_TMP/out1.json")" "1 SPY SELL 2 700.0"

before=$(db_hash)
expect_rc "a second import is refused" 1 import "$T_TMP/brief.json"
contains "saying why" "$ERR" "home already has a portfolio; import into a new --home"
same "and the stored state is unchanged" "$(db_hash)" "$before"

expect_rc "export --out FILE" 0 export --out "$T_TMP/out2.json"
same "writes the same as stdout" "$(cat "$T_TMP/out2.json")" "$(cat "$T_TMP/out1.json")"
check "and leaves no temporary file" test -z "$(find "$T_TMP" -maxdepth 1 -name 'out2.json.tmp.*')"
expect_rc "export --out into a missing folder fails" 1 export --out "$T_TMP/nope/x.json"

# Round trip through a second home, from standard input: the same file comes back.
export PAPERTRADE_HOME="$T_TMP/home2"
run_pt import - <"$T_TMP/out1.json"
same "import - reads standard input" "$RC" "0"
expect_rc "export from the second home" 0 export
same "export -> import -> export is identical" "$OUT" "$(cat "$T_TMP/out1.json")"

# Bad files: exit 1, one line naming the problem, nothing left behind.
export PAPERTRADE_HOME="$T_TMP/home3"
printf '{"start_date": "2024-11-21", "initial_capital": 1000, ' >"$T_TMP/bad.json"
expect_rc "truncated JSON fails" 1 import "$T_TMP/bad.json"
contains "naming the file" "$ERR" "papertrade: import: $T_TMP/bad.json: not valid JSON"
check "no database left behind" test ! -e "$PAPERTRADE_HOME/papertrade.db"
check "no home made" test ! -e "$PAPERTRADE_HOME"
sed 's/"strike": 605/"strike": -605/' "$T_TMP/brief.json" >"$T_TMP/bad2.json"
expect_rc "a negative strike fails" 1 import "$T_TMP/bad2.json"
contains "naming the field" "$ERR" "positions[0].strike: not a positive number"
check "still no database" test ! -e "$PAPERTRADE_HOME/papertrade.db"
expect_rc "a missing file fails" 1 import "$T_TMP/missing.json"
contains "saying so" "$ERR" "No such file"

# A database that is not ours is refused and left as it was.
mkdir -p "$PAPERTRADE_HOME"
head -c 4096 /dev/urandom >"$PAPERTRADE_HOME/papertrade.db"
sum=$(sha256sum <"$PAPERTRADE_HOME/papertrade.db")
expect_rc "import into a home with a foreign file fails" 1 import "$T_TMP/brief.json"
contains "saying what it is" "$ERR" "not an SQLite database"
same "and the file is untouched" "$(sha256sum <"$PAPERTRADE_HOME/papertrade.db")" "$sum"
expect_rc "export from it fails too" 1 export

done_testing
