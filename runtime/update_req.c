/* update_req.c -- decodes an UPDATE request and refuses bad input before anything starts. */
#define _GNU_SOURCE
#include "update_req.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "ttst/meta.h"
#include "ttst/proto.h"

#define MAX_META_BYTES (256u << 20) /* a ttst_meta section larger than this is refused */

int ttst_update_req_parse(const void *payload, uint32_t len, struct ttst_update_args *a, char *err,
			  size_t n)
{
	struct ttst_update_req r;
	memset(a, 0, sizeof *a);
	if (len < sizeof r) {
		snprintf(err, n, "malformed UPDATE request: %u-byte payload, at least %zu expected",
			 len, sizeof r);
		return -1;
	}
	memcpy(&r, payload, sizeof r);
	size_t slen = len - sizeof r;
	const char *s = (const char *)payload + sizeof r;
	uint32_t known = TTST_UPDATE_VALIDATE | TTST_UPDATE_CHECK;
	if (r.argc < 1 || r.argc > slen || r.reserved || (r.flags & ~known)) {
		snprintf(err, n, "malformed UPDATE request: argc %u, flags 0x%x, reserved %u",
			 r.argc, r.flags, r.reserved);
		return -1;
	}
	a->buf = __libc_malloc(slen + 1);
	a->argv = __libc_calloc((size_t)r.argc + 1, sizeof *a->argv);
	if (!a->buf || !a->argv) {
		snprintf(err, n, "out of memory decoding the UPDATE request");
		goto err;
	}
	memcpy(a->buf, s, slen);
	a->buf[slen] = 0;
	size_t want = 2 + (size_t)r.argc, got = 0;
	for (size_t i = 0; i < slen; i++)
		got += s[i] == 0;
	if (got != want || s[slen - 1] != 0) { /* slen >= argc >= 1 */
		snprintf(
		    err, n,
		    "malformed UPDATE request: expected %zu NUL-terminated strings (binary, pid "
		    "file, %u arguments), got %zu bytes with %zu NULs",
		    want, r.argc, slen, got);
		goto err;
	}
	char *str = a->buf;
	for (size_t k = 0; k < want; k++, str += strlen(str) + 1) {
		if (k == 0)
			a->binary = str;
		else if (k == 1)
			a->pidfile = str;
		else
			a->argv[k - 2] = str;
	}
	a->argc = r.argc;
	a->timeout_ms = r.timeout_ms;
	a->validate = (r.flags & TTST_UPDATE_VALIDATE) != 0;
	if (r.flags & TTST_UPDATE_CHECK)
		a->validate = a->validate ? 2 : -1;
	if (a->validate < 0) {
		snprintf(err, n, "a check request must also ask for validation");
		goto err;
	}
	return 0;
err:
	ttst_update_req_free(a);
	return -1;
}

void ttst_update_req_free(struct ttst_update_args *a)
{
	__libc_free(a->buf);
	__libc_free(a->argv);
	memset(a, 0, sizeof *a);
}

/* Reads n bytes at off; returns 0 or -1. */
static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Finds section TTST_META_SECTION in the ELF file fd.  Returns 0 with its
 * offset and size, or -1 with the reason in why. */
static int find_meta(int fd, uint64_t *off, uint64_t *size, const char **why)
{
	Elf64_Ehdr eh;
	if (read_at(fd, &eh, sizeof eh, 0) < 0 || memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		*why = "not an ELF file";
		return -1;
	}
	const uint16_t one = 1;
	int little = *(const unsigned char *)&one == 1;
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != (little ? ELFDATA2LSB : ELFDATA2MSB) ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
	    eh.e_shstrndx >= eh.e_shnum) {
		*why = "not a 64-bit ELF file of this machine's byte order with section headers";
		return -1;
	}
	Elf64_Shdr strs, sh;
	if (read_at(fd, &strs, sizeof strs, eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof sh) < 0) {
		*why = "truncated section header table";
		return -1;
	}
	char name[sizeof TTST_META_SECTION];
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		if (read_at(fd, &sh, sizeof sh, eh.e_shoff + (uint64_t)i * sizeof sh) < 0) {
			*why = "truncated section header table";
			return -1;
		}
		if (sh.sh_name >= strs.sh_size ||
		    read_at(fd, name, sizeof name, strs.sh_offset + sh.sh_name) < 0 ||
		    memcmp(name, TTST_META_SECTION, sizeof name))
			continue;
		*off = sh.sh_offset;
		*size = sh.sh_type == SHT_NOBITS ? 0 : sh.sh_size;
		return 0;
	}
	*why = "not instrumented by ttst (no " TTST_META_SECTION " section; build it with ttst-cc)";
	return -1;
}

/* ttst_meta_walk callback: counts the blobs. */
static int count_blob(const struct ttst_tu_hdr *h, void *arg)
{
	(void)h;
	++*(unsigned *)arg;
	return 0;
}

/* Reads and validates the ttst_meta section of fd (blobs, ABI version). */
static int check_meta(int fd, const char *path, char *err, size_t n)
{
	uint64_t off, size;
	const char *why;
	if (find_meta(fd, &off, &size, &why) < 0) {
		snprintf(err, n, "%s: %s", path, why);
		return -1;
	}
	if (size < sizeof(struct ttst_tu_hdr) || size > MAX_META_BYTES) {
		snprintf(err, n, "%s: %s section of %llu bytes: not instrumented by ttst", path,
			 TTST_META_SECTION, (unsigned long long)size);
		return -1;
	}
	char *buf = __libc_malloc(size);
	if (!buf || read_at(fd, buf, size, off) < 0) {
		snprintf(err, n, "%s: cannot read its %s section (%llu bytes)", path,
			 TTST_META_SECTION, (unsigned long long)size);
		__libc_free(buf);
		return -1;
	}
	const struct ttst_tu_hdr *h = (const struct ttst_tu_hdr *)buf;
	char why2[256];
	unsigned blobs = 0;
	int r = 0;
	if (h->magic == TTST_META_MAGIC && h->abi_version != TTST_ABI_VERSION) {
		snprintf(
		    err, n,
		    "%s: metadata ABI version %u, but this process's runtime speaks version %d "
		    "(rebuild it with the ttst-cc of this ttst)",
		    path, h->abi_version, TTST_ABI_VERSION);
		r = -1;
	} else if (ttst_meta_walk(buf, size, count_blob, &blobs, why2, sizeof why2) < 0) {
		snprintf(err, n, "%s: malformed %s section: %s", path, TTST_META_SECTION, why2);
		r = -1;
	} else if (!blobs) {
		snprintf(err, n, "%s: empty %s section: not instrumented by ttst", path,
			 TTST_META_SECTION);
		r = -1;
	}
	__libc_free(buf);
	return r;
}

/* Checks that the directory of the pid file is writable. */
static int check_pidfile(const char *pidfile, char *err, size_t n)
{
	char dir[4096];
	if (snprintf(dir, sizeof dir, "%s", pidfile) >= (int)sizeof dir || pidfile[0] != '/') {
		snprintf(err, n, "pid file %s: not an absolute path", pidfile);
		return -1;
	}
	if (access(dirname(dir), W_OK | X_OK) < 0) {
		snprintf(err, n, "pid file %s: directory not writable: %s", pidfile,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int ttst_update_req_check(const struct ttst_update_args *a, char *err, size_t n)
{
	const char *p = a->binary;
	if (p[0] != '/') {
		snprintf(err, n, "binary '%s' is not an absolute path", p);
		return -1;
	}
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, n, "%s: %s", p, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int r = -1;
	if (!S_ISREG(st.st_mode))
		snprintf(err, n, "%s: not a regular file", p);
	else if (access(p, X_OK) < 0)
		snprintf(err, n, "%s: not executable: %s", p, strerror(errno));
	else if (check_meta(fd, p, err, n) == 0)
		r = 0;
	close(fd);
	if (r == 0 && a->pidfile[0])
		r = check_pidfile(a->pidfile, err, n);
	return r;
}
