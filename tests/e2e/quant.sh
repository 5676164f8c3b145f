# tests/e2e/quant.sh - `papertrade price --csv` and `papertrade iv --csv
# [--why]` (DESIGN.md §5): the QuantLib reference table
# (tests/data/quant_ref.csv, from tests/gen_quant_ref.py) through the real
# binary, the price -> iv round trip, prices with no implied volatility and
# why, and every kind of bad input.
# shellcheck shell=bash
source "${PT_ROOT:-.}/tests/e2e/lib.sh"

REF="${PT_ROOT:-.}/tests/data/quant_ref.csv"
grep -v '^#' "$REF" >"$T_TMP/ref"	# header + rows: right,S,K,T,r,q,sigma,price,...
nref=$(($(wc -l <"$T_TMP/ref") - 1))

# pt_to FILE ARGS... : runs papertrade with stdout (exactly, trailing empty
# lines included) to FILE; status in $RC, stderr in $ERR.
pt_to() {
	local f=$1
	shift
	"$PT" "$@" >"$f" 2>"$T_TMP/pt_to.err"
	RC=$?
	ERR=$(cat "$T_TMP/pt_to.err")
}

# --help
run_pt price --help
check "price --help exits 0" [ "$RC" -eq 0 ]
contains "price --help shows usage" "$OUT" "usage: papertrade price --csv"
run_pt iv --help
check "iv --help exits 0" [ "$RC" -eq 0 ]
contains "iv --help shows usage" "$OUT" "usage: papertrade iv --csv"

# The whole reference table through price --csv, compared with QuantLib at
# the unit test's tolerances (relative, then an absolute floor).
cut -d, -f1-7 "$T_TMP/ref" >"$T_TMP/price.in"
pt_to "$T_TMP/price.out" price --csv <"$T_TMP/price.in"
same "price --csv on the reference table" "$RC:$ERR" "0:"
same "price header" "$(head -n 1 "$T_TMP/price.out")" "price,delta,gamma,vega,theta,rho"
same "one output row per input row" "$(($(wc -l <"$T_TMP/price.out") - 1))" "$nref"
bad=$(paste -d, <(tail -n +2 "$T_TMP/ref") <(tail -n +2 "$T_TMP/price.out") | awk -F, '
	BEGIN {
		split("price delta gamma vega theta rho", name, " ")
		split("1e-8 1e-8 1e-7 1e-7 1e-7 1e-7", rel, " ")
		split("1e-12 1e-12 1e-12 1e-10 1e-8 1e-10", abs_, " ")
	}
	NF != 19 { print "row " NR ": " NF " fields"; next }
	{
		for (i = 1; i <= 6; i++) {
			want = $(7 + i); got = $(13 + i)
			d = got - want; if (d < 0) d = -d
			w = want < 0 ? -want : want
			if (d > rel[i] * w + abs_[i])
				print "row " NR ": " name[i] " " got ", QuantLib " want
		}
	}' | head -n 5)
same "price --csv matches QuantLib on all $nref rows" "$bad" ""

# Round trip: the prices price --csv wrote, back through iv --csv. Where the
# price is well inside its bounds and tells sigma apart (vega >= 1e-4 and
# >= 1e-3 x price), iv must give sigma back to 1e-6; elsewhere it may be
# empty, but never a wrong number.
paste -d, "$T_TMP/price.in" "$T_TMP/price.out" | awk -F, 'NR == 1 { print "right,S,K,T,r,q,price"; next }
	{ print $1 "," $2 "," $3 "," $4 "," $5 "," $6 "," $8 }' >"$T_TMP/iv.in"
pt_to "$T_TMP/iv.out" iv --csv <"$T_TMP/iv.in"
same "iv --csv on the table's prices" "$RC:$ERR" "0:"
same "iv header" "$(head -n 1 "$T_TMP/iv.out")" "iv"
same "one iv per input row" "$(($(wc -l <"$T_TMP/iv.out") - 1))" "$nref"
res=$(paste -d, <(tail -n +2 "$T_TMP/price.in") <(tail -n +2 "$T_TMP/price.out") \
	<(tail -n +2 "$T_TMP/iv.out") | awk -F, '
	{
		sigma = $7; price = $8; vega = $11; iv = $14
		good = vega >= 1e-4 && vega >= 1e-3 * price
		if (iv == "") { if (good) { print "row " NR ": no iv for sigma " sigma; bad++ }; next }
		d = iv - sigma; if (d < 0) d = -d
		if (good) n++
		if (d > 1e-6 && (good || d > 1e-3)) { print "row " NR ": iv " iv ", sigma " sigma; bad++ }
	}
	END { print "checked " n }' | head -n 5)
contains "iv --csv gives sigma back" "$res" "checked"
same "iv --csv gives sigma back to 1e-6" "$(printf '%s\n' "$res" | grep -v '^checked')" ""
n=$(printf '%s\n' "$res" | sed -n 's/^checked //p')
check "round trip covers most of the table ($n rows)" [ "${n:-0}" -ge 120 ]

# Known values and prices with no volatility: at the lower bound (0 for an
# out-of-the-money option), at the upper bound S e^{-qT}, above it,
# negative, and T = 0.
cat >"$T_TMP/iv2.in" <<'EOF'
right,S,K,T,r,q,price
C,42,40,0.5,0.1,0,4.759422392871532
P,42,40,0.5,0.1,0,0.808599372900092
C,100,120,0.25,0.05,0,0
C,100,120,0.25,0,0,100
C,100,120,0.25,0.05,0,150
P,100,80,1,0.05,0.02,-1
C,100,100,0,0.05,0.02,1
EOF
pt_to "$T_TMP/iv2.out" iv --csv <"$T_TMP/iv2.in"
same "iv --csv on hand-picked quotes" "$RC:$ERR" "0:"
same "Hull's call and put give 20%; no iv at or beyond the bounds, or at T = 0" "$(awk -F, 'NR > 1 && $1 != "" { printf "%.9f\n", $1 } NR > 1 && $1 == "" { print "-" }' "$T_TMP/iv2.out")" \
	"$(printf '0.200000000\n0.200000000\n-\n-\n-\n-\n-')"

# --why: the reason beside each empty volatility (and an empty one beside a
# volatility); issue 12's 0.5% an hour out and 500% two days deep in the
# money (50-digit mpmath prices, tests/gen_quant_ref.py's bsm_mp), and a
# price an ulp below its upper bound, which still has a volatility.
cat "$T_TMP/iv2.in" - >"$T_TMP/iv3.in" <<'EOF'
C,100,100,0.00011415525114155251,0.045,0.013,0.0023188400544280276
C,100,50,0.005479452054794521,0.045,0.013,50.31111543780599
C,100,120,0.25,0,0,99.99999999999999
EOF
pt_to "$T_TMP/iv3.out" iv --csv --why <"$T_TMP/iv3.in"
same "iv --csv --why" "$RC:$ERR" "0:"
same "iv --csv --why: header" "$(head -n 1 "$T_TMP/iv3.out")" "iv,why"
same "iv --csv --why: a reason for each empty volatility" \
	"$(awk -F, 'NR > 1 && $1 == "" { print "-," $2; next }
		NR > 1 && $1 > 10 { print "big," $2; next }
		NR > 1 { printf "%.12f,%s\n", $1, $2 }' "$T_TMP/iv3.out")" \
	"$(printf '0.200000000000,\n0.200000000000,\n-,below_intrinsic\n-,above_upper_bound\n-,above_upper_bound\n-,below_intrinsic\n-,zero_time\n0.005000000000,\n5.000000000000,\nbig,')"
run_pt iv --help
contains "iv --help documents --why" "$OUT" "--why"
contains "iv --help names the reasons" "$OUT" "below_intrinsic    price <= max(0, S e^-qT - K e^-rT)"
expect_rc "price has no --why" 2 price --csv --why </dev/null
same "price --why: message" "$ERR" "papertrade: price: unknown option '--why' (see papertrade price --help)"

# Bad input: exit 2, one line "papertrade: price: line N: why", and nothing
# on stdout even though a good row came first.
good='C,42,40,0.5,0.1,0,0.2'
bad_case() { # bad_case DESC CMD MESSAGE INPUT
	printf '%b' "$4" >"$T_TMP/bad.in"
	expect_rc "$1: exit 2" 2 "$2" --csv <"$T_TMP/bad.in"
	same "$1: message" "$ERR" "$3"
	same "$1: nothing on stdout" "$OUT" ""
}
bad_case "wrong header" price "papertrade: price: line 1: want the header 'right,S,K,T,r,q,sigma'" \
	'right,S,K,T,r,q,vol\n'"$good"'\n'
bad_case "iv wants price, not sigma" iv "papertrade: iv: line 1: want the header 'right,S,K,T,r,q,price'" \
	'right,S,K,T,r,q,sigma\n'"$good"'\n'
bad_case "too few columns" price "papertrade: price: line 3: want 7 fields, got 6" \
	'right,S,K,T,r,q,sigma\n'"$good"'\nC,42,40,0.5,0.1,0\n'
bad_case "too many columns" price "papertrade: price: line 3: want 7 fields, got 8" \
	'right,S,K,T,r,q,sigma\n'"$good"'\nC,42,40,0.5,0.1,0,0.2,1\n'
bad_case "not a number" price "papertrade: price: line 3: K is not a number: '40x'" \
	'right,S,K,T,r,q,sigma\n'"$good"'\nC,42,40x,0.5,0.1,0,0.2\n'
bad_case "empty number" iv "papertrade: iv: line 3: price is not a number: ''" \
	'right,S,K,T,r,q,price\nC,42,40,0.5,0.1,0,4.7\nC,42,40,0.5,0.1,0,\n'
bad_case "nan is not a number" price "papertrade: price: line 3: r is not a number: 'nan'" \
	'right,S,K,T,r,q,sigma\n'"$good"'\nC,42,40,0.5,nan,0,0.2\n'
bad_case "right not C or P" price "papertrade: price: line 3: right must be C or P, not 'call'" \
	'right,S,K,T,r,q,sigma\n'"$good"'\ncall,42,40,0.5,0.1,0,0.2\n'
bad_case "negative S" price "papertrade: price: line 3: S must be positive, not -42" \
	'right,S,K,T,r,q,sigma\n'"$good"'\nP,-42,40,0.5,0.1,0,0.2\n'
bad_case "negative S (iv)" iv "papertrade: iv: line 2: S must be positive, not -42" \
	'right,S,K,T,r,q,price\nP,-42,40,0.5,0.1,0,1\n'
bad_case "zero K" price "papertrade: price: line 2: K must be positive, not 0" \
	'right,S,K,T,r,q,sigma\nP,42,0,0.5,0.1,0,0.2\n'
bad_case "negative T" price "papertrade: price: line 2: T must not be negative, not -0.5" \
	'right,S,K,T,r,q,sigma\nP,42,40,-0.5,0.1,0,0.2\n'
bad_case "negative sigma" price "papertrade: price: line 2: sigma must not be negative, not -0.2" \
	'right,S,K,T,r,q,sigma\nP,42,40,0.5,0.1,0,-0.2\n'
bad_case "empty input" price "papertrade: price: empty input: want the header 'right,S,K,T,r,q,sigma'" ''
bad_case "NUL byte" price "papertrade: price: line 2: holds a NUL byte" \
	'right,S,K,T,r,q,sigma\nC,42,40,0.5,0.1,0,0.2\0\n'

# Lines: 4096 bytes are fine (padding is trimmed), 4097 are not.
pad=$(printf '%*s' $((4096 - ${#good})) '')
printf 'right,S,K,T,r,q,sigma\n%s%s\n' "$good" "$pad" >"$T_TMP/long.in"
expect_rc "a 4096-byte line is accepted" 0 price --csv <"$T_TMP/long.in"
contains "and priced" "$OUT" "4.75942239287"
printf 'right,S,K,T,r,q,sigma\n%s%s \n' "$good" "$pad" >"$T_TMP/long.in"
expect_rc "a 4097-byte line: exit 2" 2 price --csv <"$T_TMP/long.in"
same "a 4097-byte line: message" "$ERR" "papertrade: price: line 2: longer than 4096 bytes"
same "a 4097-byte line: nothing on stdout" "$OUT" ""

# Blank lines and CRLF are fine; a header alone gives a header alone.
printf 'right,S,K,T,r,q,sigma\r\n\r\n C , 42 , 40 , 0.5 , 0.1 , 0 , 0.2 \r\n\n' >"$T_TMP/crlf.in"
expect_rc "CRLF, blank lines and spaces" 0 price --csv <"$T_TMP/crlf.in"
same "CRLF input priced" "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" "2"
printf 'right,S,K,T,r,q,price\n' >"$T_TMP/hdr.in"
expect_rc "header only" 0 iv --csv <"$T_TMP/hdr.in"
same "header only gives the header" "$OUT" "iv"

# Usage errors.
expect_rc "price without --csv" 2 price </dev/null
same "price without --csv: message" "$ERR" \
	"papertrade: price: --csv is required (see papertrade price --help)"
expect_rc "iv without --csv" 2 iv </dev/null
expect_rc "unknown option" 2 price --csv --json </dev/null
expect_rc "stray argument" 2 iv --csv file.csv </dev/null

done_testing
