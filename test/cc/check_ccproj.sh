# check_ccproj.sh -- sourced: jq checks of `ttst-ctl inspect --json` on the ccproj test program.
# check_ccproj WHAT JSON [exe|lib|all]: the parts of test/cc/proj recorded in that module.
check_ccproj() {
	local what=$1 j=$2 part=$3
	if [ "$part" != exe ]; then
		jq_true "$what: struct counter" "$j" '[.types[] | select(.name == "struct counter" and .kind == "struct")] |
		  length == 1 and (.[0] | .size == 24 and ([.members[] | [.name, .offset]] == [["name",0],["value",8],["next",16]]))'
		# CMake passes full paths; the state ID still carries only the basename.
		jq_true "$what: file static" "$j" '[.statics[] | select(.id == "util.c:created")] | length == 1 and
		  (.[0] | .kind == "variable" and .linkage == "internal" and .size == 8 and .type != null)'
		jq_true "$what: typed malloc site" "$j" '(.types | map({(.id): .name}) | add) as $n |
		  [.sites[] | select(.function == "counter_get" and .allocator == "malloc")] | length == 1 and
		  ($n[.[0].type] == "struct counter") and (.[0].id | startswith("counter_get:c:"))'
		jq_true "$what: free sites" "$j" '[.sites[] | select(.function == "counter_free_all" and .free == true)] | length == 2'
	fi
	if [ "$part" != lib ]; then
		jq_true "$what: global" "$j" '(.types | map({(.id): .name}) | add) as $n |
		  [.statics[] | select(.id == "g_counters")] | length == 1 and
		  (.[0] | .kind == "variable" and .linkage == "external" and .size == 8 and $n[.type] == "struct counter *")'
		jq_true "$what: main" "$j" '[.statics[] | select(.id == "main" and .kind == "function")] | length == 1'
	fi
	jq_true "$what: counts" "$j" '.abi_version == 1 and .tus >= 1 and (.untyped_sites | type == "number")'
}
