#!/usr/bin/env bash
# bench/sweep.sh - a 1,000-combination sweep over ten sim years of the four
# ETFs (2015-01-02..2024-12-31: iv_edge x price_edge x target_dte, 10 values
# each), issue 11's goal: under 60 s on this 2-core machine, and MPI ranks
# scaling near-linearly. In the same run, the yardstick: the same
# combinations backtested one by one (`papertrade backtest`, one process a
# combination, a sample of them timed and the rest extrapolated), which is
# what a user without `sweep` would do. Prints wall time, combination-
# sessions/s, peak RSS, and the ratios.
#
#   bench/sweep.sh            the whole bench (about 5 minutes)
#   SAMPLE=5 bench/sweep.sh   fewer backtests in the yardstick's sample
#   FROM=2024-01-02 GRID="iv_edge=0.01,0.02" bench/sweep.sh   a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup >/dev/null
make -s -j2
pt=$PWD/build/papertrade
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
export PAPERTRADE_HOME=$w/home PAPERTRADE_NOW=2025-01-02T10:00
from=${FROM:-2015-01-02} to=${TO:-2024-12-31}
read -r -a grid <<<"${GRID:-iv_edge=0.01:0.10:0.01 price_edge=0.01:0.10:0.01 target_dte=20:65:5}"
sample=${SAMPLE:-10}
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# one sweep (the launcher, if any, then papertrade sweep's own flags): prints
# "seconds sessions combos peak-RSS-KiB" (RSS of the launched process)
sweep() {
	local launcher=()
	while [ "$1" != -- ]; do launcher+=("$1"); shift; done
	shift
	/usr/bin/time -f %M -o "$w/rss" "${launcher[@]}" "$pt" sweep -q --from $from --to $to --json \
		"$@" "${grid[@]}" >"$w/out.json"
	/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["sweep"]
print(s["seconds"], s["sessions"], s["combinations"])' "$w/out.json" | tr '\n' ' '
	tail -1 "$w/rss"
}

echo "sweep of ${grid[*]} over $from..$to on the simulated market"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %9s %9s %16s %9s\n' "" "wall s" "sweep s" "comb-sessions/s" "RSS MiB"

t0=$(now)
read -r secs sessions combos rss < <(sweep --)
t1=$(now)
wall2=$(calc %.2f "$t1 - $t0")
printf '%-34s %9s %9.2f %16s %9s\n' "one process, $(nproc) threads" "$wall2" "$secs" \
	"$(calc %.0f "$combos * $sessions / $secs")" "$(calc %.1f "$rss / 1024")"
cp "$w/out.json" "$w/threads.json"

mpi=0
if command -v mpirun >/dev/null && ldd "$pt" | grep -q libmpi; then
	mpi=1
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm=isolated \
		OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none \
		OMPI_MCA_rmaps_base_oversubscribe=1
	for np in 1 2; do
		t0=$(now)
		read -r secs sessions combos rss < <(sweep mpirun -np $np -- --threads 1)
		t1=$(now)
		wall=$(calc %.2f "$t1 - $t0")
		eval "wall_np$np=$wall"
		printf '%-34s %9s %9.2f %16s %9s\n' "mpirun -np $np, 1 thread a rank" "$wall" "$secs" \
			"$(calc %.0f "$combos * $sessions / $secs")" "-"
		/usr/bin/python3 - "$w/threads.json" "$w/out.json" <<'EOF' || { echo "bench: the MPI rows differ from one process's" >&2; exit 1; }
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for o in (a, b):
    for k in ("seconds", "threads", "ranks", "option_quotes"):
        o["sweep"].pop(k)
sys.exit(a != b)
EOF
	done
else
	echo "(no Open MPI in this build: the ranks are not measured)"
fi

# The yardstick: the same combinations as separate backtests.
t0=$(now)
for ((i = 0; i < sample; i++)); do
	iv=$(calc %.2f "0.01 + ($i % 10) * 0.01")
	pe=$(calc %.2f "0.01 + (int($i / 10) % 10) * 0.01")
	"$pt" backtest -q --from $from --to $to --set iv_edge="$iv" --set price_edge="$pe" \
		--set target_dte=45 >/dev/null
done
t1=$(now)
per=$(calc %.4f "($t1 - $t0) / $sample")
serial=$(calc %.1f "$per * $combos")
printf '%-34s %9s %9s %16s %9s\n' "$combos backtests one by one" "$serial" "-" \
	"$(calc %.0f "$sessions / $per")" "-"
echo "  ($sample of them timed: $per s each, extrapolated to $combos)"
echo
echo "sweep / one-by-one backtests: $(calc %.1f "$serial / $wall2")x faster"
if [ $mpi = 1 ]; then
	echo "2 ranks / 1 rank: $(calc %.2f "$wall_np1 / $wall_np2")x (linear: 2.00x)"
	echo "every rank count gave the same rows as one process"
fi
goal=$(awk "BEGIN { print ($wall2 < 60) ? \"PASS\" : \"FAIL\" }")
echo "goal: 1,000 combinations x 10 years under 60 s: $goal ($wall2 s)"
