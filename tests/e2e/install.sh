# tests/e2e/install.sh - `make install` and `make uninstall` (docs/DESIGN.md
# §8): into a temporary PREFIX, and staged with DESTDIR, they install the
# binary, the man page, the bash and zsh completions, the systemd user units
# (with the installed path written in) and the docs, and remove exactly
# those; the installed binary runs outside the tree and its `schedule`
# names itself; the completions parse and complete the commands of
# `papertrade --help`.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"
build=$(cd "$(dirname "$PT")" && pwd)
p="$T_TMP/prefix"
# Install the binary this suite runs on; never rebuild it here (-o).
mk() { make -s -C "$PT_ROOT" BUILD="$build" -o "$build/papertrade" "$@"; }

cmds=$("$PT" --help | awk '/^commands:/{f=1;next} f && /^  [a-z]/{print $1}' | LC_ALL=C sort)
check "papertrade --help lists commands" test -n "$cmds"

mk install PREFIX="$p" >"$T_TMP/install.log" 2>&1
same "make install PREFIX=... exits 0" "$?" 0
check "the binary is installed and executable" test -x "$p/bin/papertrade"
check "the man page is installed" cmp -s "$PT_ROOT/docs/papertrade.1" "$p/share/man/man1/papertrade.1"
check "the bash completion is installed" test -s "$p/share/bash-completion/completions/papertrade"
check "the zsh completion is installed" test -s "$p/share/zsh/site-functions/_papertrade"
check "the systemd service is installed" test -s "$p/share/systemd/user/papertrade.service"
check "the systemd timer is installed" test -s "$p/share/systemd/user/papertrade.timer"
check "the design document is installed" cmp -s "$PT_ROOT/docs/DESIGN.md" "$p/share/doc/papertrade/DESIGN.md"
if command -v man >/dev/null; then
	same "man finds the page under the prefix" "$(MANPATH="$p/share/man" man -w papertrade 2>/dev/null)" \
		"$p/share/man/man1/papertrade.1"
fi

# The installed binary works on its own, away from the source tree.
(cd / && "$p/bin/papertrade" --help) >"$T_TMP/help" 2>&1
same "the installed binary runs --help" "$?" 0
same "its --help is the build's" "$(cat "$T_TMP/help")" "$("$PT" --help 2>&1)"
(cd / && PAPERTRADE_NOW=2024-12-02T10:00 "$p/bin/papertrade" --home "$T_TMP/h" run -q &&
	"$p/bin/papertrade" --home "$T_TMP/h" dashboard --out "$T_TMP/d.html") >"$T_TMP/run.log" 2>&1
same "the installed binary runs a session and writes the dashboard" "$?" 0
check "the dashboard has the embedded page" grep -q "<html" "$T_TMP/d.html"

# schedule names the installed binary (its real path), with no note; the
# build's binary is named too, with a note that it is a build folder's.
PT="$p/bin/papertrade" run_pt schedule --systemd --home /srv/pt
contains "installed schedule --systemd runs the installed binary" "$OUT" \
	"ExecStart=$p/bin/papertrade --home /srv/pt run --if-due"
same "installed schedule: nothing on stderr" "$ERR" ""
ln -s "$p/bin/papertrade" "$T_TMP/pt-link"
PT="$T_TMP/pt-link" run_pt schedule --cron --home /srv/pt
contains "through a symlink, cron runs the installed binary" "$OUT" "$p/bin/papertrade --home /srv/pt run --if-due --quiet"
run_pt schedule --cron --home /srv/pt
contains "the build's binary: cron names it" "$OUT" "$(readlink -f "$PT") --home /srv/pt run"
contains "the build's binary: a note says to install" "$ERR" "papertrade: schedule: note:"
same "the note is one line" "$(printf '%s\n' "$ERR" | grep -c .)" 1

# The systemd units: the installed path, 09:35 New York on weekdays.
svc="$p/share/systemd/user/papertrade.service" tmr="$p/share/systemd/user/papertrade.timer"
same "the service runs the installed binary" "$(grep '^ExecStart=' "$svc")" \
	"ExecStart=$p/bin/papertrade run --if-due"
check "no placeholder is left in the service" bash -c '! grep -q @ "$1"' _ "$svc"
same "the timer fires at 09:35 New York on weekdays" "$(grep '^OnCalendar=' "$tmr")" \
	"OnCalendar=Mon..Fri *-*-* 09:35 America/New_York"
check "the timer is persistent" grep -qx "Persistent=true" "$tmr"
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify: the installed units are clean" bash -c \
		'out=$(systemd-analyze verify "$1" "$2" 2>&1) && [ -z "$out" ]' _ "$svc" "$tmr"
fi

# The completions parse and know exactly the commands of --help.
bc="$p/share/bash-completion/completions/papertrade" zc="$p/share/zsh/site-functions/_papertrade"
check "bash -n parses the bash completion" bash -n "$bc"
if command -v zsh >/dev/null; then
	check "zsh -n parses the zsh completion" zsh -n "$zc"
fi
bash_cmds=$(bash -c 'source "$1"; printf "%s\n" $_papertrade_commands' _ "$bc" | LC_ALL=C sort)
same "the bash completion's commands are --help's" "$bash_cmds" "$cmds"
zsh_pairs=$(sed -n "s/^[[:space:]]*'\([a-z]*\):\(.*\)'\$/\1  \2/p" "$zc" | sed "s/'\"'\"'/'/g" | LC_ALL=C sort)
help_pairs=$("$PT" --help | awk '/^commands:/{f=1;next} f && /^  [a-z]/{n=$1; sub(/^  [a-z]+ +/, ""); print n "  " $0}' | LC_ALL=C sort)
same "the zsh completion's commands and summaries are --help's" "$zsh_pairs" "$help_pairs"
complete_bash() { # the words of a command line, the last being completed
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _papertrade
		printf "%s\n" "${COMPREPLY[@]}"' _ "$bc" "$@" | LC_ALL=C sort | tr '\n' ' '
}
same "bash completes every command" "$(complete_bash "$p/bin/papertrade" '')" "$(echo $cmds) "
same "bash completes a prefix after --home DIR" "$(complete_bash "$p/bin/papertrade" --home /x sc)" "scan schedule "
contains "bash completes run's options from its --help" "$(complete_bash "$p/bin/papertrade" run --if)" "--if-due"
same "bash completes tape's subcommands" "$(complete_bash "$p/bin/papertrade" tape '')" "export import list verify "
same "bash completes help's command" "$(complete_bash "$p/bin/papertrade" help sc)" "scan schedule "

# Uninstall removes every file it installed.
mk uninstall PREFIX="$p" >"$T_TMP/uninstall.log" 2>&1
same "make uninstall PREFIX=... exits 0" "$?" 0
same "nothing installed is left" "$(find "$p" ! -type d)" ""
check "the doc folder is gone" test ! -e "$p/share/doc/papertrade"

# DESTDIR stages the tree; the paths written into files are PREFIX's.
mk install DESTDIR="$T_TMP/stage" PREFIX=/usr >"$T_TMP/stage.log" 2>&1
same "make install DESTDIR=... exits 0" "$?" 0
check "DESTDIR: the binary is staged" test -x "$T_TMP/stage/usr/bin/papertrade"
same "DESTDIR: the service names PREFIX's path, not the stage's" \
	"$(grep '^ExecStart=' "$T_TMP/stage/usr/share/systemd/user/papertrade.service")" \
	"ExecStart=/usr/bin/papertrade run --if-due"
mk uninstall DESTDIR="$T_TMP/stage" PREFIX=/usr >>"$T_TMP/stage.log" 2>&1
same "DESTDIR: uninstall leaves nothing installed" "$(find "$T_TMP/stage" ! -type d)" ""
contains "the default PREFIX is /usr/local" "$(mk -n install)" '"/usr/local/bin/papertrade"'
done_testing
