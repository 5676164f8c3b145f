# tests/e2e/docs.sh - the man page is mandoc-lint clean, names every command
# the binary dispatches, and every command's --help works (exit 0, usage on
# stdout) and agrees with the man page on the command's name.
source "$PT_ROOT/tests/e2e/lib.sh"
man="$PT_ROOT/docs/papertrade.1"
if command -v mandoc >/dev/null; then
	check "man page is mandoc -Tlint clean" bash -c "mandoc -Tlint -W warning '$man' 2>&1 | grep -v 'mandoc.db' | (! grep .)"
fi
cmds=$("$PT" --help | awk '/^commands:/{f=1;next} f && /^  [a-z]/{print $1}')
check "papertrade --help lists commands" test -n "$cmds"
for c in $cmds; do
	expect_rc "$c --help" 0 "$c" --help
	contains "$c --help is a usage" "$OUT" "usage: papertrade"
	check "man page documents $c" grep -q "^\.It Cm $c\b" "$man"
done
expect_rc "--version" 0 --version
expect_rc "no command is usage" 2
done_testing
