#!/usr/bin/env bash
# inspect_malformed.sh -- `ttst-ctl inspect` on bad input: one line naming the file, exit 2, never a crash.
# usage: inspect_malformed.sh TTST_CTL FIXTURE FIXTURE_TOOL OBJCOPY WORKDIR
set -euo pipefail
ctl=$1 fx=$2 tool=$3 objcopy=$4 work=$5
. "$(dirname "$0")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

# Usage errors.
expect_err "no binary" 2 '^ttst-ctl: inspect: missing BINARY; usage: ttst-ctl inspect' "$ctl" inspect
expect_err "two binaries" 2 "^ttst-ctl: inspect: one BINARY only" "$ctl" inspect "$fx" "$fx"
expect_err "bad option" 2 "^ttst-ctl: inspect: unknown option '--bogus'; usage:" "$ctl" inspect --bogus "$fx"
expect_err "unknown command" 2 "^ttst-ctl: unknown command 'frobnicate'" "$ctl" frobnicate

# Files that are not instrumented binaries.
expect_err missing 2 '^ttst-ctl: \./nope: No such file or directory$' "$ctl" inspect ./nope
printf 'hello, world\n' >text.txt
expect_err "not ELF" 2 '^ttst-ctl: text.txt: not an ELF file$' "$ctl" inspect text.txt
: >empty
expect_err "empty file" 2 '^ttst-ctl: empty: not an ELF file$' "$ctl" inspect empty
mkdir -p adir
expect_err directory 2 '^ttst-ctl: adir: is a directory' "$ctl" inspect adir
"$objcopy" --remove-section ttst_meta "$fx" nometa
expect_err "no section" 2 '^ttst-ctl: nometa: no ttst_meta section \(not built with ttst-cc\?\)$' "$ctl" inspect nometa
printf '\t.section ttst_meta,"aw",@nobits\n\t.zero 128\n' >nobits.s
cc -c nobits.s -o nobits.o
expect_err nobits 2 '^ttst-ctl: nobits.o: ttst_meta section has no contents' "$ctl" inspect nobits.o
head -c "$(($(wc -c <"$fx") - 100))" "$fx" >cut
expect_err "truncated file" 2 '^ttst-ctl: cut: truncated ELF file' "$ctl" inspect cut
"$objcopy" --dump-section ttst_meta=sec.bin "$fx" probe
size=$(wc -c <sec.bin)
zeros=$(head -c "$size" /dev/zero | tee zero.bin | wc -c)
"$objcopy" --update-section ttst_meta=zero.bin "$fx" allzero
expect_err "all-zero section" 2 '^ttst-ctl: allzero: ttst_meta section holds no metadata' "$ctl" inspect allzero
[ "$zeros" -eq "$size" ] || fail "could not build the all-zero section"

# Truncated sections.
for n in 8 95 96 200 $((size / 2)) $((size - 8)); do
	head -c "$n" sec.bin >short.bin
	"$objcopy" --update-section ttst_meta=short.bin "$fx" short
	expect_err "section cut to $n bytes" 2 '^ttst-ctl: short: ttst_meta: TU blob at offset [0-9]+: ' \
		"$ctl" inspect short
done

# Header fields with a correct checksum, so that the structural checks are what stops them.
set_field() { # set_field FIELD VALUE OUT
	"$tool" set sec.bin mod.bin "$1" "$2"
	"$objcopy" --update-section ttst_meta=mod.bin "$fx" "$3"
}
set_field magic 0x12345678 badmagic
expect_err "wrong magic" 2 '^ttst-ctl: badmagic: ttst_meta: TU blob at offset 0: bad magic 0x12345678' "$ctl" inspect badmagic
set_field abi_version 7 abi7
expect_err "ABI version" 2 '^ttst-ctl: abi7: ttst_meta: TU blob at offset 0: ABI version 7; this ttst understands 1$' \
	"$ctl" inspect abi7
for f in ntypes nmembers nenums nsites strings_size; do
	set_field "$f" 0x7fffffff "big_$f"
	expect_err "oversize $f" 2 "^ttst-ctl: big_$f: ttst_meta: TU blob at offset 0: .*(does not fit|outside)" \
		"$ctl" inspect "big_$f"
done
set_field nstatics 0xffffffff big_nstatics
expect_err "oversize nstatics" 2 '^ttst-ctl: big_nstatics: ttst_meta: TU blob at offset 0: address array' \
	"$ctl" inspect big_nstatics
set_field total_size 0x7ffffff8 big_total
expect_err "oversize total_size" 2 'exceeds the [0-9]+ bytes left in the section' "$ctl" inspect big_total

# Bit flips spread over the whole section: detected (exit 2, one line) unless they hit bytes the
# readers ignore (address arrays, rt_site_base), where the output must be unchanged.
"$ctl" inspect --json "$fx" | sed 's|"binary":"[^"]*"||' >ref.json
bits=$((size * 8))
step=$((bits / 220 + 1))
nflip=0
for ((bit = 3; bit < bits; bit += step)); do
	verdict=$("$tool" flip sec.bin flip.bin "$bit")
	"$objcopy" --update-section ttst_meta=flip.bin "$fx" flipped
	if [ "$verdict" = benign ]; then
		rc=0
		"$ctl" inspect --json flipped 2>err.txt | sed 's|"binary":"[^"]*"||' >out.json || rc=$?
		[ "$rc" -eq 0 ] && cmp -s out.json ref.json || fail "flip of bit $bit (ignored bytes): exit $rc $(cat err.txt)"
	else
		expect_err "flip of bit $bit" 2 '^ttst-ctl: flipped: ttst_meta: TU blob at offset [0-9]+: ' \
			"$ctl" inspect flipped
	fi
	nflip=$((nflip + 1))
done
[ "$nflip" -ge 200 ] || fail "only $nflip bit flips tried"
echo "$nflip bit flips tried"
finish
