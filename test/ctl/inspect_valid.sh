#!/usr/bin/env bash
# inspect_valid.sh -- `ttst-ctl inspect` on the pass-free fixture: exact JSON fields and text output.
# usage: inspect_valid.sh TTST_CTL FIXTURE WORKDIR
set -euo pipefail
ctl=$1 fx=$2 work=$3
. "$(dirname "$0")/lib.sh"
mkdir -p "$work"
j=$work/valid.json

"$ctl" inspect --json "$fx" >"$j" || fail "inspect --json exited $?"
[ "$(wc -l <"$j")" -eq 1 ] || fail "--json must print exactly one line"
jq_true top "$j" '.binary == "'"$fx"'" and .abi_version == 1 and .tus == 2 and .untyped_sites == 2 and .allocation_sites == 5'
jq_true "types dedup" "$j" '[.types[] | select(.name == "int")] | length == 1'
jq_true "type ids" "$j" 'all(.types[]; .id | test("^[0-9a-f]{16}$"))'
jq_true "unique ids" "$j" '[.types[].id] | length == (unique | length)'
jq_true kinds "$j" '[.types[].kind] | unique == ["array","enum","float","function","int","pointer","struct","union"]'
jq_true "struct entry" "$j" '.types[] | select(.name == "struct entry") | .kind == "struct" and .size == 40 and
  ([.members[] | [.name, .offset]] == [["key",0],["val",8],["next",16],["flags",24],["mode",24],["u",32]])'
jq_true bitfields "$j" '.types[] | select(.name == "struct entry") | .members[3].bit_offset == 0 and .members[3].bit_size == 3
  and .members[4].bit_offset == 3 and .members[4].bit_size == 2 and (.members[0] | has("bit_size") | not)'
jq_true "member types" "$j" '(.types | map({(.id): .name}) | add) as $n | .types[] | select(.name == "struct entry") |
  [.members[] | $n[.type]] == ["int","char *","struct entry *","unsigned int","unsigned int","union val"]'
jq_true "ixfer/pxfer" "$j" '(.types[] | select(.name == "struct entry") | .members[5].ixfer == true) and
  (.types[] | select(.name == "union val") | .members[1].pxfer == true and .kind == "union")'
jq_true array "$j" '(.types | map({(.id): .name}) | add) as $n | .types[] | select(.name == "int[4]") |
  .kind == "array" and .count == 4 and $n[.element] == "int" and .size == 16'
jq_true "void pointer" "$j" '.types[] | select(.name == "void *") | has("pointee") and .pointee == null'
jq_true "incomplete resolved" "$j" '(.types[] | select(.name == "struct opaque" and .size == 8) | .id) as $c |
  .types[] | select(.name == "struct opaque *") | .pointee == $c'
jq_true enum "$j" '.types[] | select(.name == "enum color") | .signed == true and .enumerators == [{"name":"RED","value":0},{"name":"GREEN","value":-7}]'
jq_true "int signed" "$j" '[.types[] | select(.kind == "int") | {(.name): .signed}] | add == {"int":true,"unsigned int":false,"char":true,"long":true}'
# The two blobs may be laid out in either order: statics and sites are compared by id.
jq_true statics "$j" '[.statics[] | [.id, .kind, .linkage, .size]] | sort == ([["g_table","variable","external",8],
  ["fixture_a.c:counter","variable","internal",4],["g_color","variable","external",4],["g_hist","variable","external",16],
  ["handler","function","external",0],["main:argc","local","none",4],["fixture_b.c:counter","variable","internal",4],
  ["g_opaque","variable","external",8]] | sort)'
jq_true "static types" "$j" '(.types | map({(.id): .name}) | add) as $n | (.statics | map({(.id): $n[.type]}) | add) ==
  {"g_table":"struct entry *","fixture_a.c:counter":"int","g_color":"enum color","g_hist":"int[4]","handler":"int (int)",
   "main:argc":"int","fixture_b.c:counter":"int","g_opaque":"struct opaque *"}'
jq_true "static flags" "$j" '(.statics | map({(.id): .}) | add) as $s | $s.g_hist.ixfer == true and
  ($s.g_color | has("ixfer") or has("pxfer") | not)'
jq_true "static file/line" "$j" '.statics[] | select(.id == "fixture_a.c:counter") | .name == "counter" and
  .file == "fixture_a.c" and .line == 11'
jq_true sites "$j" '[.sites[] | [.id, .function, .file, .line, .allocator]] | sort == ([["kv_put:e:0","kv_put","fixture_a.c",40,"malloc"],
  ["kv_put:?:0","kv_put","fixture_a.c",41,"malloc"],["kv_del:e:0","kv_del","fixture_a.c",50,"free"],
  ["vec_grow:v->items:0","vec_grow","fixture_a.c",60,"realloc"],["mk_name:s:0","mk_name","fixture_a.c",70,"xstrdup"],
  ["b_alloc:?:0","b_alloc","fixture_b.c",9,"calloc"]] | sort)'
jq_true "site types" "$j" '(.types | map({(.id): .name}) | add) as $n | (.sites | map({(.id): (if .type then $n[.type] else null end)}) | add) ==
  {"kv_put:e:0":"struct entry","kv_put:?:0":null,"kv_del:e:0":null,"vec_grow:v->items:0":"int","mk_name:s:0":"char","b_alloc:?:0":null}'
jq_true "site flags" "$j" '(.sites | map({(.id): .}) | add) as $s | $s["kv_del:e:0"].free == true and
  $s["mk_name:s:0"].wrapper == true and $s["vec_grow:v->items:0"].array == true and $s["kv_put:e:0"].const_size == 40 and
  ($s["kv_put:?:0"] | has("free") | not)'

t=$work/valid.txt
"$ctl" inspect "$fx" >"$t" || fail "inspect (text) exited $?"
grep -q "^$fx: ttst metadata ABI 1, 2 translation units$" "$t" || fail "text: header line"
grep -Eq '^  struct entry  \(struct, size 40, id [0-9a-f]{16}\)$' "$t" || fail "text: struct entry line"
grep -Eq '^ +24\.3:2 +mode +unsigned int$' "$t" || fail "text: bitfield member line"
grep -Eq '^  handler +int \(int\) +fixture_a.c:20  external$' "$t" || fail "text: address-taken function"
grep -Eq '^  variable g_hist +int\[4\] +size 16 +fixture_a.c:13  external  \[IXFER\]$' "$t" || fail "text: IXFER static"
grep -q '^2 of 5 allocation sites are untyped:$' "$t" || fail "text: untyped summary"
grep -q '^  fixture_a.c:41  kv_put:?:0  (malloc in kv_put)$' "$t" || fail "text: untyped site A"
grep -q '^  fixture_b.c:9  b_alloc:?:0  (calloc in b_alloc)$' "$t" || fail "text: untyped site B"
finish
