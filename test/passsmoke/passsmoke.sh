#!/usr/bin/env bash
# passsmoke.sh -- smoke tests of the pass plugin with plain clang-16 (no ttst-cc):
# blob validity and stability across -O levels, record contents, the rewritten IR,
# the no-debug-info path, and a --gc-sections link against the runtime.
#
# usage: passsmoke.sh levels|records|ir|nodebug|link BUILD_DIR SRC_DIR WORK_DIR PASSDUMP CLANG
set -uo pipefail
[ $# -eq 6 ] || { echo "usage: $0 MODE BUILD_DIR SRC_DIR WORK_DIR PASSDUMP CLANG" >&2; exit 2; }
mode=$1 build=$2 src=$3 work=$4 dump=$5 clang=$6
plugin=$build/lib/libttst-pass.so
llvmbin=$(dirname "$(readlink -f "$clang")")
objcopy=$llvmbin/llvm-objcopy
fails=0

say() { echo "passsmoke[$mode]: $*"; }
die() { say "$*" >&2; exit 1; }
fail() { say "FAIL: $*"; fails=$((fails + 1)); }
# expect LINE-REGEX MESSAGE: the dump must contain a matching line.
expect() { grep -Eq -- "$1" "$work/dump.txt" || fail "$2 (no line matching '$1' in $work/dump.txt)"; }

[ -f "$plugin" ] || die "$plugin missing: build target ttst-pass first"
[ -x "$objcopy" ] || objcopy=$(command -v llvm-objcopy-16) || die "llvm-objcopy (LLVM 16) not found"
mkdir -p "$work" || die "cannot create $work"
cd "$work" || die "cannot enter $work"
# Compile a copy by its relative name: IDs carry the file name as given.
cp "$src/smoke.c" . || die "cannot copy smoke.c"
cc() { "$clang" -g -I"$build/include" -fpass-plugin="$plugin" "$@"; }
# section FILE.o OUT.bin: dump the ttst_meta section and check it with passdump.
section() {
	"$objcopy" --dump-section "ttst_meta=$2" "$1" /dev/null 2>/dev/null ||
		"$objcopy" --dump-section "ttst_meta=$2" "$1" || { fail "$1 has no ttst_meta section"; return 1; }
	"$dump" "$2" >"${2%.bin}.txt" || { fail "$1: ttst_meta does not validate"; return 1; }
}

case $mode in
levels)
	for o in O0 O1 O2 O3 Os; do
		cc -"$o" -c smoke.c -o "smoke.$o.o" || die "clang -$o -c smoke.c failed"
		section "smoke.$o.o" "smoke.$o.bin" || continue
		cmp -s "smoke.O0.txt" "smoke.$o.txt" || fail "-$o records differ from -O0 (diff smoke.O0.txt smoke.$o.txt)"
	done ;;
records)
	cc -O2 -c smoke.c -o smoke.o || die "clang -O2 -c smoke.c failed"
	section smoke.o smoke.bin && cp smoke.txt dump.txt || die "no valid blob"
	h=$("$dump" --fnv hello)
	expect "^S smoke\.c:\.str#$h kind=0 name=\.str flags=0xb type=char\[6\]" "the literal \"hello\" is smoke.c:.str#<fnv of its bytes>, a const string char[6]"
	expect "^S smoke\.c:\.compoundliteral kind=0 .* type=struct pair " "a file-scope compound literal takes the type its pointer points to"
	expect "^S smoke\.c:\.compoundliteral\.1 kind=0 .* type=int\[3\] " "a compound literal array is int[3]"
	expect "^S g_raw kind=0 name=g_raw flags=0x10 type=long " "an IXFER global carries TTST_SF_IXFER"
	expect "^S serve:handled kind=2 " "the locals of a TTST_STATEFUL function are TTST_S_LOCAL statics"
	expect "^S serve:rounds kind=2 " "parameters of a TTST_STATEFUL function are locals too"
	grep -q "^S smoke\.c:get_item " dump.txt && fail "get_item is never address-taken, yet it is a static"
	expect "^X smoke\.c:sum:a->val\.items:0 .* alloc=malloc type=struct item " "malloc into a union is typed by the member its later uses name (items)"
	expect "^X smoke\.c:sum:a\[\]\.val\.vec:0 .* alloc=calloc type=double " "calloc into a union member used as double * is typed double"
	expect "^X smoke\.c:sum:\?:0 .* alloc=get_item type=struct item flags=0x2 " "a wrapper result with no destination takes the wrapper's DI return type"
	grep -q "^X .* alloc=find_item " dump.txt && fail "find_item may return existing memory, yet it is an allocator wrapper"
	expect "^X smoke\.c:find_item:g_items:0 .* alloc=calloc type=struct item " "the allocation inside find_item is typed from its global destination"
	expect "^X smoke\.c:sum:free\(a->val\.items\):0 .* alloc=free .*flags=0x4 " "deallocations are named free(<target>)"
	expect "^X main:copy:0 .* alloc=strdup type=char " "strdup is typed char"
	expect "^X main:slots:0 .* alloc=calloc type=struct slot flags=0x18 size=32 " "calloc(2, sizeof *slots) is an array of struct slot, const size 32" ;;
ir)
	cc -O2 -S -emit-llvm smoke.c -o smoke.ll || die "clang -O2 -S -emit-llvm smoke.c failed"
	if [ -x "$llvmbin/opt" ]; then
		"$llvmbin/opt" -passes=verify -disable-output smoke.ll || fail "the rewritten module does not verify"
	fi
	grep -Eq 'call .*@(malloc|calloc|realloc|reallocarray|strdup|strndup|posix_memalign|aligned_alloc|mmap|munmap|free)\(' smoke.ll && fail "a libc allocation call survived redirection (smoke.ll)"
	grep -Eq 'call .*@__ttst_malloc\(.*ptr (nonnull )?@__ttst_tu, i32 [0-9]+\)' smoke.ll || fail "malloc is not redirected to __ttst_malloc(..., tu, site)"
	grep -Eq 'call void @__ttst_site_enter\(ptr (nonnull )?@__ttst_tu, i32 [0-9]+\)' smoke.ll || fail "the wrapper call is not bracketed by __ttst_site_enter"
	grep -Eq 'call void @__ttst_local\(ptr (nonnull )?@__ttst_tu, i32 [0-9]+, ptr ' smoke.ll || fail "no __ttst_local registration"
	grep -Eq 'call void @__ttst_local_exit\(ptr (nonnull )?@__ttst_tu\)' smoke.ll || fail "no __ttst_local_exit before a return"
	grep -Eq '^@__ttst_tu = internal global \{ \[[0-9]+ x i8\], \[[0-9]+ x ptr\] \}.*section "ttst_meta", align 8' smoke.ll ||
		fail "__ttst_tu is not an internal { [N x i8], [M x ptr] } in ttst_meta, align 8"
	grep -Eq '@llvm\.(compiler\.)?used = .*@__ttst_tu' smoke.ll || fail "__ttst_tu is not in llvm.used" ;;
nodebug)
	"$clang" -O2 -g0 -I"$build/include" -fpass-plugin="$plugin" -c smoke.c -o nodebug.o 2>nodebug.err ||
		die "clang -g0 failed: $(head -n 3 nodebug.err)"
	grep -q "^ttst: .*smoke.c: compiled without debug info; types unavailable$" nodebug.err ||
		fail "no 'compiled without debug info' warning (got: $(head -n 3 nodebug.err))"
	[ "$(wc -l <nodebug.err)" -eq 1 ] || fail "expected exactly one warning line, got $(wc -l <nodebug.err)"
	section nodebug.o nodebug.bin && cp nodebug.txt dump.txt || die "no valid blob without debug info"
	grep -q '^T ' dump.txt && fail "a TU without debug info describes types"
	expect "^S g_items kind=0 .* type=- " "globals are still recorded, untyped"
	expect "^X .* alloc=malloc type=- " "allocation sites are still recorded, untyped" ;;
link)
	cc -O2 -c smoke.c -o smoke.o || die "clang -O2 -c smoke.c failed"
	"$clang" smoke.o "$build/lib/ttst_module.o" -L"$build/lib" -lttst -Wl,-rpath,"$build/lib" \
		-Wl,--gc-sections -o smoke || die "link with --gc-sections against libttst failed"
	section smoke smoke.bin || die "ttst_meta lost in the linked program"
	mkdir -p -m 700 run
	TTST_RUNDIR=$work/run timeout 20 ./smoke || fail "the instrumented program exited $? (expected 0)" ;;
*)
	die "unknown mode $mode" ;;
esac
[ $fails -eq 0 ] && say "ok" && exit 0
say "$fails failure(s)"
exit 1
