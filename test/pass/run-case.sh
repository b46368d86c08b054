#!/usr/bin/env bash
# run-case.sh -- build one test/pass corpus case with ttst-cc at one
# optimisation level, run it, and check `ttst-ctl inspect --json` against
# the case's expectations.
#
# usage: run-case.sh build|check|all BUILD_DIR CASE_DIR OPT WORK_DIR
#   build  copy CASE_DIR's sources to WORK_DIR, compile each .c with
#          BUILD_DIR/bin/ttst-cc -OPT -c, link them into WORK_DIR/prog
#   check  run WORK_DIR/prog (must exit 0), inspect it, evaluate
#          test/pass/common.expect and CASE_DIR/<case>.expect
#   all    both
# Optional files in CASE_DIR: `env` (KEY=VALUE lines exported for the build,
# e.g. TTST_ALLOCATORS), `cflags` (extra compiler flags, one line), `ldflags`
# (extra link flags, one line).
# Expectation lines: `[O0|O2 ]JQ-EXPR ## message`; lines starting with # are
# comments.  JQ-EXPR must evaluate to true on the inspect JSON, with the
# helpers of lib.jq and source markers (/*@name*/) as $M.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 5 ] || { echo "usage: $0 build|check|all BUILD_DIR CASE_DIR OPT WORK_DIR" >&2; exit 2; }
mode=$1 build=$2 casedir=$3 opt=$4 work=$5
case_name=$(basename "$casedir")
cc=$build/bin/ttst-cc
ctl=$build/bin/ttst-ctl

say() { echo "pass[$case_name $opt]: $*"; }
die() { say "$*" >&2; exit 1; }

load_env() {
	[ -f "$casedir/env" ] || return 0
	local kv
	while IFS= read -r kv; do
		case $kv in ''|'#'*) continue ;; esac
		export "${kv?}"
	done <"$casedir/env"
}

do_build() {
	[ -x "$cc" ] || die "$cc not found: build ttst first (cmake --build $build)"
	rm -rf "$work"
	mkdir -p "$work" || die "cannot create $work"
	cp -r "$casedir"/. "$work"/ || die "cannot copy the sources of $casedir"
	load_env
	local extra="" f objs=() srcs=()
	[ -f "$casedir/cflags" ] && extra=$(cat "$casedir/cflags")
	cd "$work" || die "cannot enter $work"
	mapfile -t srcs < <(find . -name '*.c' | sed 's#^\./##' | sort)
	[ ${#srcs[@]} -gt 0 ] || die "no .c files in $casedir"
	for f in "${srcs[@]}"; do
		# shellcheck disable=SC2086
		"$cc" "-$opt" -Wall -Wextra -Werror $extra -c "$f" -o "${f%.c}.o" \
			|| die "compile failed: ttst-cc -$opt -c $f (in $work)"
		objs+=("${f%.c}.o")
	done
	local ldextra=""
	[ -f "$casedir/ldflags" ] && ldextra=$(cat "$casedir/ldflags")
	# shellcheck disable=SC2086
	"$cc" "-$opt" "${objs[@]}" $ldextra -o prog || die "link failed: ttst-cc -$opt ${objs[*]} $ldextra -o prog"
}

# Prints {"marker": {"file": F, "line": N}} for every /*@marker*/ in the sources.
markers_json() {
	{ (cd "$work" && grep -rHno --include='*.[ch]' '/\*@[A-Za-z0-9_]*\*/' . 2>/dev/null | sed 's#^\./##') || true; } |
		sed -E 's#^([^:]*):([0-9]+):/\*@([A-Za-z0-9_]*)\*/$#\3 \1 \2#' |
		jq -Rn '[inputs | split(" ") | {key: .[0], value: {file: .[1], line: (.[2] | tonumber)}}] | from_entries'
}

# Prints the parts of the inspect JSON that an expectation names: types,
# statics and sites whose name/id/function is one of its string literals,
# and sites at the markers it names; type ids are shown with their names.
relevant_json() {
	local expr=$1 names
	names=$(grep -o '"[^"]*"' <<<"$expr" | jq -s -c '.')
	jq -c --argjson N "$names" --argjson M "$markers" '
	  . as $root
	  | def tn($id): if $id == null then null
	      else ([$root.types[] | select(.id == $id) | .name][0] // "?\($id)") end;
	    def isin($s): $s != null and ($N | index([$s]) != null);
	    (.types[] | select(isin(.name))
	      | (if has("members") then .members |= map(. + {type_name: tn(.type)}) else . end)
	      | {type: .}),
	    (.statics[] | select(isin(.id) or isin(.name)) | {static: (. + {type_name: tn(.type)})}),
	    (.sites[] | select(isin(.id) or isin(.function))
	      | {site: (. + {type_name: tn(.type)})}),
	    ($N[] | select($M[.] != null) | . as $k | $M[$k] as $l
	      | $root.sites[] | select((.file | ltrimstr("./")) == $l.file and .line == $l.line)
	      | {site_at_marker: $k, site: (. + {type_name: tn(.type)})})
	' "$work/inspect.json" 2>&1 | head -n 40 | sed 's/^/    /'
}

# Prints the left operand of expr when expr is "LEFT == RIGHT" with exactly
# one == outside parentheses, brackets, braces and strings; else nothing.
top_level_lhs() {
	awk -v e="$1" 'BEGIN {
		depth = 0; instr = 0; n = 0; pos = 0
		for (i = 1; i <= length(e); i++) {
			c = substr(e, i, 1)
			if (instr) {
				if (c == "\\") i++
				else if (c == "\"") instr = 0
				continue
			}
			if (c == "\"") instr = 1
			else if (c == "(" || c == "[" || c == "{") depth++
			else if (c == ")" || c == "]" || c == "}") depth--
			else if (depth == 0 && substr(e, i, 4) == " == ") { n++; pos = i }
		}
		if (n == 1) print substr(e, 1, pos - 1)
	}'
}

# Evaluates one expectation file; increments $fails / $passes.
# shellcheck disable=SC2094 # basename only reads the name, not the file
check_file() {
	local file=$1 n=0 line expr msg only out rc lhs prog_head
	prog_head=". as \$root | $(cat "$here/lib.jq")" || die "cannot read $here/lib.jq"
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		case $line in ''|'#'*) continue ;; esac
		only=""
		if [[ $line =~ ^\[(O[0-3])\]\ (.*)$ ]]; then
			only=${BASH_REMATCH[1]} line=${BASH_REMATCH[2]}
		fi
		[ -n "$only" ] && [ "$only" != "$opt" ] && continue
		if [[ $line == *' ## '* ]]; then
			expr=${line% ## *} msg=${line##* ## }
		else
			expr=$line msg=$line
		fi
		out=$(jq --argjson M "$markers" "$prog_head
($expr)" "$work/inspect.json" 2>&1)
		rc=$?
		if [ $rc -eq 0 ] && [ "$out" = "true" ]; then
			passes=$((passes + 1))
			continue
		fi
		fails=$((fails + 1))
		echo "FAIL pass case=$case_name opt=$opt $(basename "$file"):$n: $msg"
		echo "  expect: $expr"
		echo "  got:    $(head -c 2000 <<<"$out" | tr '\n' ' ')"
		lhs=$(top_level_lhs "$expr")
		if [ -n "$lhs" ]; then
			echo "  left side ($lhs) is: $(jq -c --argjson M "$markers" "$prog_head
($lhs)" "$work/inspect.json" 2>&1 | head -c 3000 | tr '\n' ' ')"
		fi
		echo "  relevant JSON:"
		relevant_json "$expr"
	done <"$file"
}

# The text form of inspect agrees with the JSON: it states how many
# allocation sites are untyped and lists each of them by id.
check_text() {
	local text want id
	if ! text=$("$ctl" inspect "$work/prog" 2>&1); then
		fails=$((fails + 1))
		echo "FAIL pass case=$case_name opt=$opt: ttst-ctl inspect (text) failed: $(head -n 3 <<<"$text")"
		return
	fi
	want=$(jq -r '"\(.untyped_sites) of \(.allocation_sites) allocation sites are untyped"' "$work/inspect.json")
	if ! grep -qF "$want" <<<"$text"; then
		fails=$((fails + 1))
		echo "FAIL pass case=$case_name opt=$opt: text inspect lacks the line '$want'"
		echo "  got: $(grep 'allocation sites' <<<"$text")"
	else
		passes=$((passes + 1))
	fi
	for id in $(jq -r '.sites[] | select(.type == null and .free != true) | .id' "$work/inspect.json"); do
		if ! sed -n '/allocation sites are untyped/,$p' <<<"$text" | grep -qF -- " $id "; then
			fails=$((fails + 1))
			echo "FAIL pass case=$case_name opt=$opt: untyped site $id is not listed after the untyped count in text inspect"
		fi
	done
}

# Every allocation call in the case's objects was redirected to the
# runtime: no object references a libc allocator directly, each object with
# a site of allocator X references __ttst_X, and wrapper sites are bracketed.
check_redirect() {
	local o f undef a n=0
	local libc="malloc calloc realloc reallocarray strdup strndup posix_memalign aligned_alloc mmap munmap free"
	local objs
	mapfile -t objs < <(cd "$work" && find . -name '*.o' | sed 's#^\./##' | sort)
	for o in "${objs[@]}"; do
		f=${o%.o}.c
		o=$work/$o
		undef=$(nm -u "$o" | awk '{ print $NF }')
		for a in $libc; do
			if grep -qx "$a" <<<"$undef"; then
				fails=$((fails + 1))
				echo "FAIL pass case=$case_name opt=$opt: $(basename "$o") still calls $a directly (not redirected to __ttst_$a)"
			fi
		done
		for a in $(jq -r --arg f "$f" '[.sites[] | select((.file | ltrimstr("./")) == $f and (.wrapper | not)) | .allocator] | unique | .[]' "$work/inspect.json"); do
			n=$((n + 1))
			grep -qx "__ttst_$a" <<<"$undef" || {
				fails=$((fails + 1))
				echo "FAIL pass case=$case_name opt=$opt: $f has $a sites but $(basename "$o") does not call __ttst_$a"
			}
		done
		if [ "$(jq --arg f "$f" '[.sites[] | select((.file | ltrimstr("./")) == $f and .wrapper == true)] | length' "$work/inspect.json")" -gt 0 ]; then
			if ! grep -qx "__ttst_site_enter" <<<"$undef" || ! grep -qx "__ttst_site_leave" <<<"$undef"; then
				fails=$((fails + 1))
				echo "FAIL pass case=$case_name opt=$opt: $f has wrapper sites but $(basename "$o") does not call __ttst_site_enter/leave"
			fi
		fi
	done
	passes=$((passes + 1))
}

do_check() {
	[ -x "$work/prog" ] || die "$work/prog missing: the build step failed"
	[ -x "$ctl" ] || die "$ctl not found: build ttst first"
	rm -rf "$work/run"
	mkdir -m 700 "$work/run" || die "cannot create $work/run"
	(cd "$work" && TTST_RUNDIR="$work/run" timeout 30 ./prog >"$work/run.out" 2>&1)
	local rc=$?
	if [ $rc -ne 0 ]; then
		sed 's/^/    /' "$work/run.out" | head -n 30
		die "running the program failed: exit $rc (expected 0; 124 = timeout)"
	fi
	"$ctl" inspect --json "$work/prog" >"$work/inspect.json" 2>"$work/inspect.err"
	rc=$?
	[ $rc -eq 0 ] || die "ttst-ctl inspect --json prog: exit $rc: $(head -n 3 "$work/inspect.err")"
	jq -e 'type == "object"' "$work/inspect.json" >/dev/null ||
		die "ttst-ctl inspect --json did not print one JSON object (see $work/inspect.json)"
	markers=$(markers_json) || die "cannot collect source markers"
	fails=0 passes=0
	check_text
	check_redirect
	check_file "$here/common.expect"
	[ -f "$casedir/$case_name.expect" ] || die "missing $casedir/$case_name.expect"
	check_file "$casedir/$case_name.expect"
	say "$passes expectations passed, $fails failed (inspect JSON: $work/inspect.json)"
	[ $fails -eq 0 ]
}

case $mode in
build) do_build ;;
check) do_check ;;
all) do_build && do_check ;;
*) echo "usage: $0 build|check|all BUILD_DIR CASE_DIR OPT WORK_DIR" >&2; exit 2 ;;
esac
