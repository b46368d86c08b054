/* dwarfcheck.c -- ttst-dwarfcheck: reads a binary's DWARF with libdwarf and
 * prints one canonical line per struct/union definition and per variable
 * with static storage, for comparison with `ttst-ctl inspect --json`.
 *
 * Output (one line each, unsorted):
 *   struct|union <size> <member>@<offset>[:<bit_offset>:<bit_size>] ...
 *   var <name> <size>|?
 * With -n, each struct/union line ends with a tab and its tag name ("" when
 * anonymous).
 * A bitfield's offset is the byte holding its first bit and bit_offset the
 * bit within that byte (the ttst_meta convention); anonymous members print
 * with an empty name ("@4").  Exit 0 on success, 1 if the DWARF cannot be
 * read, 2 on bad usage.
 */
#include <dwarf.h>
#include <errno.h>
#include <libdwarf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPE_DEPTH 64
#define SIZE_UNKNOWN UINT64_MAX

struct ctx {
	Dwarf_Debug dbg;
	const char *path;
	int failed; /* a libdwarf call failed: the output is incomplete */
	int names;  /* -n: append "\t<tag name>" to struct/union lines */
};

/* Reports a libdwarf error (naming the binary and what was being read),
 * marks the context failed and frees the error. */
static void report(struct ctx *c, const char *what, Dwarf_Error err)
{
	fprintf(stderr, "ttst-dwarfcheck: %s: reading %s: %s\n", c->path, what,
		err ? dwarf_errmsg(err) : "unexpected DWARF");
	if (err)
		dwarf_dealloc(c->dbg, err, DW_DLA_ERROR);
	c->failed = 1;
}

/* Reads an integer attribute (unsigned or signed form) of die into *v.
 * Returns 1 if present, 0 if absent, -1 on error (reported). */
static int get_int(struct ctx *c, Dwarf_Die die, Dwarf_Half at, int64_t *v)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	int rc = dwarf_attr(die, at, &attr, &err);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK) {
		report(c, "an attribute", err);
		return -1;
	}
	Dwarf_Unsigned u;
	Dwarf_Signed s;
	int ret = 1;
	if (dwarf_formudata(attr, &u, &err) == DW_DLV_OK) {
		*v = (int64_t)u;
	} else {
		if (err)
			dwarf_dealloc(c->dbg, err, DW_DLA_ERROR);
		err = NULL;
		if (dwarf_formsdata(attr, &s, &err) == DW_DLV_OK) {
			*v = (int64_t)s;
		} else {
			report(c, "an integer attribute", err);
			ret = -1;
		}
	}
	dwarf_dealloc_attribute(attr);
	return ret;
}

/* Returns 1 if die has attribute at, 0 if not (errors count as not). */
static int has_attr(Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Bool yes = 0;
	Dwarf_Error err = NULL;
	if (dwarf_hasattr(die, at, &yes, &err) != DW_DLV_OK)
		return 0;
	return yes != 0;
}

/* Follows reference attribute at (DW_AT_type, DW_AT_specification) of die.
 * Returns 1 with *out set (caller deallocates it), 0 if absent, -1 on error. */
static int follow_ref(struct ctx *c, Dwarf_Die die, Dwarf_Half at, Dwarf_Die *out)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	int rc = dwarf_attr(die, at, &attr, &err);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK) {
		report(c, "a reference", err);
		return -1;
	}
	Dwarf_Off off;
	Dwarf_Bool is_info = dwarf_get_die_infotypes_flag(die);
	rc = dwarf_global_formref(attr, &off, &err);
	dwarf_dealloc_attribute(attr);
	if (rc != DW_DLV_OK) {
		report(c, "a reference", err);
		return -1;
	}
	if (dwarf_offdie_b(c->dbg, off, is_info, out, &err) != DW_DLV_OK) {
		report(c, "a referenced DIE", err);
		return -1;
	}
	return 1;
}

static uint64_t type_size(struct ctx *c, Dwarf_Die type, int depth);

/* Size of an array type: element size times every subrange's count
 * (a subrange without count or bound is a flexible array: 0). */
static uint64_t array_size(struct ctx *c, Dwarf_Die arr, int depth)
{
	Dwarf_Die elem, child, next;
	Dwarf_Error err = NULL;
	if (follow_ref(c, arr, DW_AT_type, &elem) != 1)
		return SIZE_UNKNOWN;
	uint64_t total = type_size(c, elem, depth + 1);
	dwarf_dealloc_die(elem);
	if (total == SIZE_UNKNOWN || dwarf_child(arr, &child, &err) != DW_DLV_OK)
		return SIZE_UNKNOWN;
	while (child) {
		Dwarf_Half tag = 0;
		int64_t count, upper, lower = 0;
		if (dwarf_tag(child, &tag, &err) == DW_DLV_OK && tag == DW_TAG_subrange_type) {
			if (get_int(c, child, DW_AT_count, &count) == 1) {
				total *= (uint64_t)count;
			} else if (get_int(c, child, DW_AT_upper_bound, &upper) == 1) {
				get_int(c, child, DW_AT_lower_bound, &lower);
				total = upper < lower ? 0 : total * (uint64_t)(upper - lower + 1);
			} else {
				total = 0;
			}
		}
		int rc = dwarf_siblingof_b(c->dbg, child, 1, &next, &err);
		dwarf_dealloc_die(child);
		child = rc == DW_DLV_OK ? next : NULL;
	}
	return total;
}

/* Size in bytes of the type DIE (typedefs and qualifiers followed), or
 * SIZE_UNKNOWN. */
static uint64_t type_size(struct ctx *c, Dwarf_Die type, int depth)
{
	Dwarf_Half tag = 0;
	Dwarf_Error err = NULL;
	int64_t v;
	if (depth > MAX_TYPE_DEPTH || dwarf_tag(type, &tag, &err) != DW_DLV_OK)
		return SIZE_UNKNOWN;
	if (get_int(c, type, DW_AT_byte_size, &v) == 1)
		return (uint64_t)v;
	switch (tag) {
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type: {
		Dwarf_Die next;
		int rc = follow_ref(c, type, DW_AT_type, &next);
		if (rc != 1)
			return rc == 0 ? 0 : SIZE_UNKNOWN; /* const void */
		uint64_t s = type_size(c, next, depth + 1);
		dwarf_dealloc_die(next);
		return s;
	}
	case DW_TAG_pointer_type:
		return 8;
	case DW_TAG_array_type:
		return array_size(c, type, depth);
	case DW_TAG_subroutine_type:
		return 0;
	default:
		return SIZE_UNKNOWN;
	}
}

/* Decodes an unsigned LEB128 at *p (below end); returns 0 on truncation. */
static int uleb(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t r = 0;
	unsigned shift = 0;
	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			*v = r;
			return 1;
		}
	}
	return 0;
}

/* Decodes a DW_OP_plus_uconst location expression [p, p+len) into *off.
 * Returns 1 on success, 0 for any other expression. */
static int plus_uconst(const unsigned char *p, Dwarf_Unsigned len, uint64_t *off)
{
	if (len < 2 || p[0] != DW_OP_plus_uconst)
		return 0;
	p++;
	return uleb(&p, p + len - 1, off);
}

/* Reads DW_AT_data_member_location (a constant, or a DW_OP_plus_uconst
 * expression as exprloc or block) into *off; absent means 0 (union
 * members).  Returns 0/-1. */
static int member_location(struct ctx *c, Dwarf_Die m, uint64_t *off)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	*off = 0;
	int rc = dwarf_attr(m, DW_AT_data_member_location, &attr, &err);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK || dwarf_whatform(attr, &form, &err) != DW_DLV_OK) {
		report(c, "DW_AT_data_member_location", err);
		return -1;
	}
	int ok = 0;
	if (form == DW_FORM_exprloc) {
		Dwarf_Unsigned len = 0;
		Dwarf_Ptr ptr = NULL;
		if (dwarf_formexprloc(attr, &len, &ptr, &err) == DW_DLV_OK)
			ok = plus_uconst(ptr, len, off);
	} else if (form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 ||
		   form == DW_FORM_block) {
		Dwarf_Block *b = NULL;
		if (dwarf_formblock(attr, &b, &err) == DW_DLV_OK) {
			ok = plus_uconst(b->bl_data, b->bl_len, off);
			dwarf_dealloc(c->dbg, b, DW_DLA_BLOCK);
		}
	} else {
		Dwarf_Unsigned u = 0;
		ok = dwarf_formudata(attr, &u, &err) == DW_DLV_OK;
		*off = u;
	}
	dwarf_dealloc_attribute(attr);
	if (!ok) {
		report(c, "DW_AT_data_member_location (unsupported form or expression)", err);
		return -1;
	}
	return 0;
}

/* Position of member m in bits from the start of its aggregate, and its
 * bit size (0 unless a bitfield).  Handles DWARF 4+ DW_AT_data_bit_offset
 * and DWARF 2/3 DW_AT_bit_offset (big-endian numbering, little-endian
 * target).  Returns 0/-1. */
static int member_bits(struct ctx *c, Dwarf_Die m, uint64_t *bitpos, uint64_t *bitsize)
{
	int64_t bs = 0, dbo, old_bo, storage;
	uint64_t loc;
	if (get_int(c, m, DW_AT_bit_size, &bs) < 0)
		return -1;
	*bitsize = (uint64_t)bs;
	int rc = get_int(c, m, DW_AT_data_bit_offset, &dbo);
	if (rc != 0) {
		*bitpos = (uint64_t)dbo;
		return rc < 0 ? -1 : 0;
	}
	if (member_location(c, m, &loc) != 0)
		return -1;
	*bitpos = loc * 8;
	if (bs > 0 && get_int(c, m, DW_AT_bit_offset, &old_bo) == 1) {
		if (get_int(c, m, DW_AT_byte_size, &storage) != 1) {
			Dwarf_Die t;
			if (follow_ref(c, m, DW_AT_type, &t) != 1)
				return -1;
			storage = (int64_t)type_size(c, t, 0);
			dwarf_dealloc_die(t);
		}
		*bitpos += (uint64_t)(storage * 8 - old_bo - bs);
	}
	return 0;
}

/* Prints the canonical line of a struct/union definition. */
static void print_aggregate(struct ctx *c, Dwarf_Die die, Dwarf_Half tag, uint64_t size)
{
	Dwarf_Die child, next;
	Dwarf_Error err = NULL;
	printf("%s %llu", tag == DW_TAG_union_type ? "union" : "struct", (unsigned long long)size);
	int rc = dwarf_child(die, &child, &err);
	if (rc == DW_DLV_ERROR)
		report(c, "members", err);
	while (rc == DW_DLV_OK) {
		Dwarf_Half ctag = 0;
		char *name = NULL;
		uint64_t bitpos = 0, bitsize = 0;
		if (dwarf_tag(child, &ctag, &err) == DW_DLV_OK && ctag == DW_TAG_member &&
		    member_bits(c, child, &bitpos, &bitsize) == 0) {
			if (dwarf_diename(child, &name, &err) != DW_DLV_OK)
				name = NULL;
			if (bitsize)
				printf(" %s@%llu:%llu:%llu", name ? name : "",
				       (unsigned long long)(bitpos / 8),
				       (unsigned long long)(bitpos % 8),
				       (unsigned long long)bitsize);
			else
				printf(" %s@%llu", name ? name : "",
				       (unsigned long long)(bitpos / 8));
		}
		rc = dwarf_siblingof_b(c->dbg, child, 1, &next, &err);
		dwarf_dealloc_die(child);
		child = next;
	}
	if (rc == DW_DLV_ERROR)
		report(c, "members", err);
	if (c->names) {
		char *name = NULL;
		if (dwarf_diename(die, &name, &err) != DW_DLV_OK)
			name = NULL;
		printf("\t%s", name ? name : "");
	}
	printf("\n");
}

/* Returns 1 if the location expression [p, p+len) denotes static storage
 * (DW_OP_addr / DW_OP_addrx first, or a TLS operator last). */
static int static_location(const unsigned char *p, Dwarf_Unsigned len)
{
	if (len == 0)
		return 0;
	if (p[0] == DW_OP_addr || p[0] == DW_OP_addrx || p[0] == DW_OP_GNU_addr_index)
		return 1;
	return p[len - 1] == DW_OP_form_tls_address || p[len - 1] == DW_OP_GNU_push_tls_address;
}

/* Returns 1 if variable die has a single-expression location in static
 * storage, 0 otherwise (automatic, location list, no location). */
static int has_static_location(struct ctx *c, Dwarf_Die die)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	int yes = 0;
	if (dwarf_attr(die, DW_AT_location, &attr, &err) != DW_DLV_OK)
		return 0;
	if (dwarf_whatform(attr, &form, &err) == DW_DLV_OK) {
		if (form == DW_FORM_exprloc) {
			Dwarf_Unsigned len = 0;
			Dwarf_Ptr ptr = NULL;
			if (dwarf_formexprloc(attr, &len, &ptr, &err) == DW_DLV_OK)
				yes = static_location(ptr, len);
		} else if (form == DW_FORM_block1 || form == DW_FORM_block2 ||
			   form == DW_FORM_block4 || form == DW_FORM_block) {
			Dwarf_Block *b = NULL;
			if (dwarf_formblock(attr, &b, &err) == DW_DLV_OK) {
				yes = static_location(b->bl_data, b->bl_len);
				dwarf_dealloc(c->dbg, b, DW_DLA_BLOCK);
			}
		}
	}
	if (err)
		dwarf_dealloc(c->dbg, err, DW_DLA_ERROR);
	dwarf_dealloc_attribute(attr);
	return yes;
}

/* Prints "var <name> <size>" for a variable with static storage; name and
 * type come from DW_AT_specification when the definition lacks them. */
static void print_variable(struct ctx *c, Dwarf_Die die)
{
	Dwarf_Error err = NULL;
	Dwarf_Die spec = NULL, type = NULL;
	char *name = NULL;
	if (!has_static_location(c, die))
		return;
	if (follow_ref(c, die, DW_AT_specification, &spec) < 0)
		return;
	Dwarf_Die named = has_attr(die, DW_AT_name) || !spec ? die : spec;
	if (dwarf_diename(named, &name, &err) != DW_DLV_OK)
		goto out; /* unnamed: not a source-level variable */
	Dwarf_Die typed = has_attr(die, DW_AT_type) || !spec ? die : spec;
	uint64_t size = SIZE_UNKNOWN;
	if (follow_ref(c, typed, DW_AT_type, &type) == 1)
		size = type_size(c, type, 0);
	if (size == SIZE_UNKNOWN)
		printf("var %s ?\n", name);
	else
		printf("var %s %llu\n", name, (unsigned long long)size);
out:
	if (type)
		dwarf_dealloc_die(type);
	if (spec)
		dwarf_dealloc_die(spec);
}

/* Prints the line for die if it is a struct/union definition or a static
 * variable, then recurses into its children. */
static void walk(struct ctx *c, Dwarf_Die die, int depth)
{
	Dwarf_Half tag = 0;
	Dwarf_Error err = NULL;
	Dwarf_Die child, next;
	int64_t size;
	if (dwarf_tag(die, &tag, &err) != DW_DLV_OK) {
		report(c, "a DIE tag", err);
		return;
	}
	if ((tag == DW_TAG_structure_type || tag == DW_TAG_union_type) &&
	    !has_attr(die, DW_AT_declaration) && get_int(c, die, DW_AT_byte_size, &size) == 1)
		print_aggregate(c, die, tag, (uint64_t)size);
	else if (tag == DW_TAG_variable)
		print_variable(c, die);
	if (depth > 256)
		return;
	int rc = dwarf_child(die, &child, &err);
	while (rc == DW_DLV_OK) {
		walk(c, child, depth + 1);
		rc = dwarf_siblingof_b(c->dbg, child, 1, &next, &err);
		dwarf_dealloc_die(child);
		child = next;
	}
	if (rc == DW_DLV_ERROR)
		report(c, "DIE children", err);
}

/* Walks every compilation unit in .debug_info.  Returns the number of
 * units walked, or -1 on error (reported). */
static int walk_units(struct ctx *c)
{
	for (int n = 0;; n++) {
		Dwarf_Unsigned hdr_len, abbrev_off, next_off, typeoff;
		Dwarf_Half version, addr_size, len_size, ext_size, cu_type;
		Dwarf_Sig8 sig;
		Dwarf_Error err = NULL;
		Dwarf_Die cu;
		int rc = dwarf_next_cu_header_d(c->dbg, 1, &hdr_len, &version, &abbrev_off,
						&addr_size, &len_size, &ext_size, &sig, &typeoff,
						&next_off, &cu_type, &err);
		if (rc == DW_DLV_NO_ENTRY)
			return n;
		if (rc != DW_DLV_OK) {
			report(c, "a compilation unit header", err);
			return -1;
		}
		if (dwarf_siblingof_b(c->dbg, NULL, 1, &cu, &err) != DW_DLV_OK) {
			report(c, "a compilation unit DIE", err);
			return -1;
		}
		walk(c, cu, 0);
		dwarf_dealloc_die(cu);
	}
}

int main(int argc, char **argv)
{
	struct ctx c = {NULL, NULL, 0, 0};
	Dwarf_Error err = NULL;
	if (argc == 3 && strcmp(argv[1], "-n") == 0) {
		c.names = 1;
		argv++;
		argc--;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: ttst-dwarfcheck [-n] BINARY\n"
				"prints one canonical line per struct/union definition and per "
				"static-storage variable in BINARY's DWARF (-n: with tag names)\n");
		return 2;
	}
	c.path = argv[1];
	FILE *f = fopen(c.path, "rb");
	if (!f) {
		fprintf(stderr, "ttst-dwarfcheck: %s: %s\n", c.path, strerror(errno));
		return 1;
	}
	fclose(f);
	int rc = dwarf_init_path(c.path, NULL, 0, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL,
				 &c.dbg, NULL, 0, NULL, &err);
	if (rc == DW_DLV_NO_ENTRY) {
		fprintf(stderr, "ttst-dwarfcheck: %s: no DWARF debug info (build with -g)\n",
			c.path);
		return 1;
	}
	if (rc != DW_DLV_OK) {
		fprintf(stderr, "ttst-dwarfcheck: %s: cannot open: %s\n", c.path,
			err ? dwarf_errmsg(err) : "not a readable ELF object with DWARF");
		if (err)
			dwarf_dealloc(NULL, err, DW_DLA_ERROR);
		return 1;
	}
	int units = walk_units(&c);
	dwarf_finish(c.dbg, &err);
	if (units == 0) {
		fprintf(stderr, "ttst-dwarfcheck: %s: no DWARF compilation units (build with -g)\n",
			c.path);
		return 1;
	}
	if (fflush(stdout) != 0) {
		perror("ttst-dwarfcheck: stdout");
		return 1;
	}
	return c.failed ? 1 : 0;
}
