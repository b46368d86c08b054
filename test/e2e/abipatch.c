/* abipatch.c -- e2e helper: rewrites the ABI version of every TU blob in a ttst_meta section of an
 * executable on disk and recomputes each blob's checksum (abi.h), making a well-formed binary of
 * another ABI version.
 * usage: abipatch FILE SECTION_OFFSET SECTION_SIZE VERSION   (offsets from readelf -S)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ttst/abi.h>

static int patch(unsigned char *sec, unsigned long size, unsigned version)
{
	unsigned long off = 0;
	int n = 0;

	while (off + sizeof(struct ttst_tu_hdr) <= size) {
		struct ttst_tu_hdr *h = (struct ttst_tu_hdr *)(sec + off);

		if (h->magic != TTST_META_MAGIC) { /* alignment padding between blobs */
			off += TTST_BLOB_ALIGN;
			continue;
		}
		if (h->total_size < sizeof *h || h->off_addrs > h->total_size ||
		    off + h->total_size > size) {
			fprintf(stderr, "abipatch: malformed blob at section offset %lu\n", off);
			return -1;
		}
		h->abi_version = (uint16_t)version;
		h->checksum = ttst_blob_checksum(h);
		off += h->total_size;
		n++;
	}
	return n;
}

/* Reads the file, patches the section, writes the file back.  Returns 0, 1 on failure. */
int main(int argc, char **argv)
{
	unsigned long off, size, flen;
	unsigned char *buf = NULL;
	FILE *f;
	int n, rc = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: abipatch FILE SECTION_OFFSET SECTION_SIZE VERSION\n");
		return 2;
	}
	off = strtoul(argv[2], NULL, 0);
	size = strtoul(argv[3], NULL, 0);
	f = fopen(argv[1], "r+b");
	if (!f || fseek(f, 0, SEEK_END) != 0) {
		fprintf(stderr, "abipatch: cannot open %s\n", argv[1]);
		goto out;
	}
	flen = (unsigned long)ftell(f);
	if (off + size > flen || !(buf = malloc(size)) || fseek(f, (long)off, SEEK_SET) != 0 ||
	    fread(buf, 1, size, f) != size) {
		fprintf(stderr, "abipatch: %s: cannot read the section at %lu+%lu\n", argv[1], off, size);
		goto out;
	}
	n = patch(buf, size, (unsigned)atoi(argv[4]));
	if (n <= 0) {
		fprintf(stderr, "abipatch: %s: no TU blob patched\n", argv[1]);
		goto out;
	}
	if (fseek(f, (long)off, SEEK_SET) != 0 || fwrite(buf, 1, size, f) != size) {
		fprintf(stderr, "abipatch: %s: cannot write the section back\n", argv[1]);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	if (f && fclose(f) != 0)
		rc = 1;
	return rc;
}
