#!/usr/bin/env bash
# bench/quant.sh - the pricing core against QuantLib, numpy and the brief's
# brentq, in one run on the same cases (issue 12, Deliver point 6 and the
# Goals): price + five greeks (bs_greeks, chain_greeks, QuantLib's
# BlackCalculator, numpy with scipy.special.ndtr) and implied volatility
# (bs_implied_vol, QuantLib's blackFormulaImpliedStdDevLiRS at 1e-10 and
# blackFormulaImpliedStdDev, scipy's brentq), each in ns per option (the
# median of 9 timed passes after a warm-up; brentq 3 on 2,000 cases) and
# accurate to what against a 50-digit mpmath reference. Prints one table.
#
#     make && bench/quant.sh [SEED]
#
# The cases (bench/quant_cases.py, deterministic from SEED, default 12)
# and their mpmath reference take about a minute to make; they are kept in
# /tmp/pt-quant-bench-SEED and made again only when missing. What this
# script builds goes to build/bench/ (never committed). This machine is
# noisy (two shared cores): the yardsticks run in the same run for that.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${1:-12}
dir=/tmp/pt-quant-bench-$seed
py=/usr/bin/python3

command -v g++ >/dev/null || { echo "bench: g++ missing (scripts/setup)" >&2; exit 1; }
pkg-config --exists quantlib && [ -f /usr/include/ql/quantlib.hpp ] ||
	{ echo "bench: QuantLib headers missing: libquantlib0-dev (scripts/setup)" >&2; exit 1; }

make -s build/libpapertrade.a build/bench/quant_c
g++ -O2 -std=c++17 -o build/bench/quant_ql bench/quant_ql.cpp \
	$(pkg-config --cflags --libs quantlib)

echo "bench: cases and mpmath reference in $dir (seed $seed)" >&2
$py bench/quant_cases.py gen "$dir" "$seed"
rm -f "$dir"/out_*.f64

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
flags=$(grep -m1 '^flags' /proc/cpuinfo)
avx2=no
case " $flags " in *" avx2 "*) avx2=yes ;; esac
{
	echo "info CPU: $model, $(nproc) cores online, AVX2: $avx2; $(uname -sr)"
	echo "info timings: median of 9 passes after a warm-up (brentq: 3); a noisy shared machine,"
	echo "info hence every method in the same run on the same cases"
} >"$dir/t_sys.txt"
echo "bench: papertrade" >&2
build/bench/quant_c "$dir" >"$dir/t_c.txt"
echo "bench: QuantLib" >&2
build/bench/quant_ql "$dir" >"$dir/t_ql.txt"
echo "bench: numpy, brentq" >&2
$py bench/quant_py.py "$dir" >"$dir/t_py.txt"
$py bench/quant_cases.py report "$dir" "$dir/t_sys.txt" "$dir/t_c.txt" "$dir/t_ql.txt" \
	"$dir/t_py.txt"
