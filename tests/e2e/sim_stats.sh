# tests/e2e/sim_stats.sh - the simulated market's calibration (docs/sim.md,
# DESIGN.md §4 errata 11): bench/sim_stats, built with the tests, measures
# every statistic of the table on 2000-2035 and each must lie inside its
# bounds; docs/sim.md must state the same statistics, sources and bounds as
# the tool, so neither can drift silently.
source "$PT_ROOT/tests/e2e/lib.sh"
tool="$(dirname "$PT")/bench/sim_stats"
doc="$PT_ROOT/docs/sim.md"
if [ ! -x "$tool" ]; then
	not_ok "sim_stats is built" "missing $tool (make tests builds it)"
	done_testing
	exit 1
fi
"$tool" >"$T_TMP/table" 2>"$T_TMP/err"
rc=$?
same "sim_stats exits 0 (every statistic inside its bounds)" "$rc" 0
rows=$(grep -c '^| [^s-]' "$T_TMP/table" || true)
check "sim_stats prints its rows ($rows)" test "$rows" -ge 30
while IFS= read -r line; do
	name=$(printf '%s' "$line" | cut -d'|' -f2 | sed 's/^ //; s/ $//')
	verdict=$(printf '%s' "$line" | awk -F'|' '{print $7}' | tr -d ' ')
	same "within bounds: $name" "$verdict" ok
	# the statistic, published value, source and bounds, as the doc states them
	key="$(printf '%s' "$line" | cut -d'|' -f1-5)|"
	check "docs/sim.md states the bounds of: $name" grep -qF -- "$key" "$doc"
done < <(grep '^| ' "$T_TMP/table" | grep -v '^| statistic ')
doc_rows=$(sed -n '/^| statistic /,/^$/p' "$doc" | grep -c '^| [^s-]' || true)
same "docs/sim.md has as many rows as sim_stats" "$doc_rows" "$rows"
done_testing
