# lib.sh -- shared helpers for the ttst-ctl shell tests (sourced, not run).
# Every check increments $fails on failure and prints what was expected.
fails=0

# fail MSG: records a failed check.
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# expect_err WHAT WANT_RC PATTERN CMD...: runs CMD, requires exit code WANT_RC, no signal,
# exactly one line on stderr that matches the grep -E PATTERN.
expect_err() {
	local what=$1 want=$2 pat=$3 rc out
	shift 3
	out=$("$@" 2>&1 >/dev/null) && rc=0 || rc=$?
	if [ "$rc" -ge 128 ]; then
		fail "$what: killed by signal $((rc - 128)): $out"
	elif [ "$rc" -ne "$want" ]; then
		fail "$what: exit $rc, want $want (stderr: $out)"
	elif [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ] || [ -z "$out" ]; then
		fail "$what: want one line on stderr, got: $out"
	elif ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		fail "$what: stderr '$out' does not match /$pat/"
	fi
}

# jq_true WHAT FILE EXPR: requires the jq expression EXPR to yield true on FILE.
jq_true() {
	local r
	r=$(jq -e "$3" "$2" 2>&1) || { fail "$1: jq '$3' gave: $r"; return; }
	[ "$r" = true ] || fail "$1: jq '$3' gave: $r"
}

# finish: exits 1 if any check failed.
finish() {
	if [ "$fails" -ne 0 ]; then
		echo "$fails check(s) failed" >&2
		exit 1
	fi
	echo "all checks passed"
}
