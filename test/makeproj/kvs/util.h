/* util.h -- kvs: checked allocation wrappers (declared as allocators so that
 * their callers' sites are typed), hashing and fatal errors. */
#ifndef KVS_UTIL_H
#define KVS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Allocate or abort: never return NULL. */
void *xmalloc(size_t n) __attribute__((malloc, alloc_size(1)));
void *xcalloc(size_t n, size_t size) __attribute__((malloc, alloc_size(1, 2)));
void *xrealloc(void *p, size_t n) __attribute__((alloc_size(2)));
char *xstrdup(const char *s) __attribute__((malloc));
char *xstrndup(const char *s, size_t n) __attribute__((malloc));

/* FNV-1a 64 of a NUL-terminated string. */
uint64_t hash_str(const char *s);

/* Prints "kvs: <message>" to stderr and exits 1. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Number of successful x*alloc calls so far. */
unsigned long util_alloc_count(void);

#endif
