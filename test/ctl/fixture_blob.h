/* fixture_blob.h -- builds valid ttst_meta TU blobs without the pass, for the ctl and meta tests.
 */
#ifndef TTST_TEST_FIXTURE_BLOB_H
#define TTST_TEST_FIXTURE_BLOB_H

#include <stddef.h>

/* Which fixture TU to build. */
enum fixture_tu {
	FIXTURE_A = 0, /* fixture_a.c: ints, struct entry (bitfields, IXFER union), enum,
			  array, pointers, function pointer, statics, 5 sites */
	FIXTURE_B = 1, /* fixture_b.c: shares "int" with A, incomplete struct opaque, a
			  file static of the same name as A's, 1 untyped site */
};

/* Serialises fixture TU `which` (addresses all zero, correct checksum) into
 * buf.  Returns its total size, or 0 if cap is too small. */
size_t fixture_blob_build(enum fixture_tu which, unsigned char *buf, size_t cap);

/* Recomputes the checksum of the blob at buf (8-byte aligned) after a test
 * edited it; the blob's off_addrs must be in bounds. */
void fixture_blob_reseal(unsigned char *buf);

#endif /* TTST_TEST_FIXTURE_BLOB_H */
