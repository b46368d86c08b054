/* image.c -- reads and validates the ttst_meta section of an ELF file on disk (libelf). */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ttst/meta.h"

/* Formats "ttst-ctl: <path>: <msg>" into err; returns -1. */
static int fail(char *err, size_t errlen, const char *path, const char *msg)
{
	snprintf(err, errlen, "ttst-ctl: %s: %s", path, msg);
	return -1;
}

/* Opens path read-only and refuses anything but a regular file. */
static int open_regular(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, path, strerror(errno));
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = "is a directory, not a binary";
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	if (why) {
		close(fd);
		return fail(err, errlen, path, why);
	}
	return fd;
}

/* Checks that e is an ELF file whose class and byte order match this host
 * (the metadata records are read in host format). */
static int check_elf(Elf *e, const char *path, char *err, size_t errlen)
{
	if (elf_kind(e) == ELF_K_AR)
		return fail(err, errlen, path,
			    "is an archive; inspect a linked binary or one of its objects");
	if (elf_kind(e) != ELF_K_ELF)
		return fail(err, errlen, path, "not an ELF file");
	size_t n;
	const char *id = elf_getident(e, &n);
	const uint16_t one = 1;
	int little = *(const unsigned char *)&one == 1;
	if (!id || n < EI_NIDENT)
		return fail(err, errlen, path, "not an ELF file (truncated identification)");
	if (id[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    id[EI_DATA] != (little ? ELFDATA2LSB : ELFDATA2MSB))
		return fail(err, errlen, path,
			    "ELF class or byte order differs from this host's; run ttst-ctl on "
			    "the machine type the binary was built for");
	GElf_Ehdr eh;
	size_t fsize = 0;
	if (!gelf_getehdr(e, &eh) || !elf_rawfile(e, &fsize))
		return fail(err, errlen, path, "malformed ELF file (bad ELF header)");
	if (eh.e_shoff > fsize || (uint64_t)eh.e_shnum * eh.e_shentsize > fsize - eh.e_shoff)
		return fail(err, errlen, path,
			    "truncated ELF file (section headers lie beyond its end)");
	return 0;
}

/* Appends the contents of section scn to the buffer (*buf, *len), starting
 * at an 8-byte boundary.  Returns 0, or -1 (message in err). */
static int append_section(Elf_Scn *scn, const GElf_Shdr *sh, const char *path, char **buf,
			  size_t *len, char *err, size_t errlen)
{
	if (sh->sh_type == SHT_NOBITS)
		return fail(err, errlen, path, "ttst_meta section has no contents (SHT_NOBITS)");
	size_t start = (*len + TTST_BLOB_ALIGN - 1) & ~(size_t)(TTST_BLOB_ALIGN - 1);
	if (sh->sh_size > SIZE_MAX - start - TTST_BLOB_ALIGN)
		return fail(err, errlen, path, "ttst_meta section is impossibly large");
	char *nb = realloc(*buf, start + sh->sh_size + 1);
	if (!nb)
		return fail(err, errlen, path, "out of memory reading the ttst_meta section");
	*buf = nb;
	memset(nb + *len, 0, start - *len);
	size_t got = 0;
	Elf_Data *d = NULL;
	while ((d = elf_rawdata(scn, d)) != NULL) {
		if (!d->d_buf || d->d_size > sh->sh_size - got)
			break;
		memcpy(nb + start + got, d->d_buf, d->d_size);
		got += d->d_size;
	}
	if (got != sh->sh_size)
		return fail(err, errlen, path,
			    "ttst_meta section extends past the end of the file (truncated file?)");
	*len = start + got;
	return 0;
}

/* Collects every section named ttst_meta of e into (*buf, *len); returns
 * the number found, or -1 (message in err). */
static int collect(Elf *e, const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return fail(err, errlen, path, "malformed ELF file (no section name table)");
	int found = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return fail(err, errlen, path, "malformed ELF file (bad section header)");
		const char *name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || strcmp(name, TTST_META_SECTION) != 0)
			continue;
		if (append_section(scn, &sh, path, buf, len, err, errlen) < 0)
			return -1;
		found++;
	}
	return found;
}

/* ttst_meta_walk() callback: counts the blobs. */
static int count_blob(const struct ttst_tu_hdr *h, void *arg)
{
	(void)h;
	++*(size_t *)arg;
	return 0;
}

/* Validates the collected section: at least one blob, all well-formed. */
static int validate(const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
	char why[256];
	size_t nblobs = 0;
	if (ttst_meta_walk(buf, len, count_blob, &nblobs, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "ttst-ctl: %s: %s: %s", path, TTST_META_SECTION, why);
		return -1;
	}
	if (nblobs == 0)
		return fail(err, errlen, path,
			    "ttst_meta section holds no metadata (not built with ttst-cc?)");
	return 0;
}

int ctl_image_load(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	int rc = -1, fd;
	Elf *e = NULL;

	*out = NULL;
	*len = 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, errlen, path, "libelf is unusable (version mismatch)");
	if ((fd = open_regular(path, err, errlen)) < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e) {
		fail(err, errlen, path, "not an ELF file");
		goto out;
	}
	if (check_elf(e, path, err, errlen) < 0)
		goto out;
	int n = collect(e, path, out, len, err, errlen);
	if (n == 0)
		fail(err, errlen, path, "no ttst_meta section (not built with ttst-cc?)");
	if (n <= 0 || validate(path, *out, *len, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}
