#!/usr/bin/env bash
# sandbox.sh -- a server under a seccomp filter that refuses process_vm_readv (inherited by v2):
# v2 reads v1's state through the update channel instead, the update commits with the
# connection, the counter and a list of 30,000 heap nodes (enough for the transfer's two
# threads, which then share the channel), and the transfer event says how the state was read.
# usage: sandbox.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/common.sh"

start_v1 sb1
connect
for i in 1 2 3; do expect_reply inc "count=$i"; done
expect_reply "fill 30000" items=30000
update --no-validate "$pid" "$bin/echosrv-sb2"
[ "$rc" -eq 0 ] || fail "update sb1 -> sb2 exited $rc: $out"
grep -qE "process_vm_readv refused: [0-9]+ reads through the update channel" <<<"$out" ||
	fail "the transfer did not go through the update channel: $out"
new=$(sed -n 's/^committed in [0-9]* ms: pid \([0-9]*\) serves now.*/\1/p' <<<"$out")
pids+=("$new")
expect_reply inc count=4
expect_reply sum "items=30000 sum=450015000"
expect_reply ver "version=sb2 pid=$new mode=7"
say "OK: $(grep -oE '[0-9]+ reads through the update channel' <<<"$out"), committed to $new"
