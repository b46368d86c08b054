#!/usr/bin/env bash
# commit.sh -- a validated update (the default) of echosrv v1 -> v2 commits: the kept connection
# and the counter survive, the result says validated, v1' is gone, and a validated update back
# to v1 commits too.
# usage: commit.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/../update/common.sh"

start_v1 v1
connect
expect_reply inc count=1
expect_reply inc count=2
old=$pid
json=$("$ctl" update --json "$old" "$bin/echosrv-v2")
[ $? -eq 0 ] || fail "validated update failed: $json"
res=$(tail -1 <<<"$json")
jq -e '.outcome == "committed" and .validated == 1 and .compared > 0' <<<"$res" >/dev/null ||
	fail "result: $res"
new=$(jq -r .new_pid <<<"$res")
v1r=$(jq -r .v1r_pid <<<"$res")
pids+=("$new")
gone "$old" || fail "v1 (pid $old) still runs after the commit"
gone "$v1r" || fail "v1' (pid $v1r) still runs after the commit"
expect_reply get count=2
req ver
grep -q "^version=v2 pid=$new" <<<"$reply" || fail "after commit: $reply"
say "OK: validated update committed, pid $old -> $new, v1' $v1r gone, count kept"

update "$new" "$bin/echosrv-v1"
[ "$rc" -eq 0 ] && grep -q "^committed in [0-9]* ms: pid [0-9]* serves now (was $new; validated)" <<<"$out" || fail "update back: $out"
back=$(sed -n 's/^committed in [0-9]* ms: pid \([0-9]*\) serves now.*/\1/p' <<<"$out")
pids+=("$back")
expect_reply get count=2
say "OK: validated update back to v1 committed (pid $back)"
