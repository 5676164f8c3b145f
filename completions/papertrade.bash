# bash completion for papertrade (installed by `make install` as
# share/bash-completion/completions/papertrade).
#
# Commands are listed here by hand; tests/e2e/install.sh checks the list
# against `papertrade --help`. A command's options are read from its own
# `papertrade CMD --help` when completed, so they never go stale.

_papertrade_commands="init run report scan positions trades export import
	calendar expirations price iv quote chain tape history backtest sweep compare
	serve dashboard schedule doctor help"

_papertrade()
{
	local cur prev cmd i words_before
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The command is the first word that is not a global option or the
	# value of --home.
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--home) ((i++)) ;;
		--home=* | -*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	# Values that are paths.
	case $prev in
	--home | --assets-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--out | -o | --token-file | --bin | --rates | --html)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--provider)
		COMPREPLY=($(compgen -W "sim yahoo cboe tape history" -- "$cur"))
		return
		;;
	esac

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --help --version -V" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_papertrade_commands" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	tape)
		if [ "$prev" = tape ]; then
			COMPREPLY=($(compgen -W "list verify export import" -- "$cur"))
			return
		fi
		;;
	history)
		if [ "$prev" = history ]; then
			COMPREPLY=($(compgen -W "import list info verify remove" -- "$cur"))
			return
		fi
		;;
	help)
		if [ "$prev" = help ]; then
			COMPREPLY=($(compgen -W "$_papertrade_commands" -- "$cur"))
		fi
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		words_before=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null |
			grep -oE -- '--[a-z][a-z-]*' | sort -u)
		COMPREPLY=($(compgen -W "$words_before" -- "$cur"))
		return
	fi
	case $cmd in
	import | tape | history | compare)
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	esac
}
complete -F _papertrade papertrade
