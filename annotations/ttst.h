/* ttst.h -- the public API a server includes to be live-updatable by ttst.
 *
 * Build with ttst-cc (it puts this header on the include path).  A server
 * needs one ttst_update_point() call in each long-running loop (per thread);
 * everything else is optional.
 */
#ifndef TTST_H
#define TTST_H

#ifdef __cplusplus
extern "C" {
#endif

/* --- Update points ------------------------------------------------------ */

/* Non-zero while the control thread asks threads to park.  Read through
 * ttst_update_point(); never write it. */
extern volatile int __ttst_update_pending;
/* Slow path: parks the calling thread until the request is over. */
void __ttst_update_point_slow(void);

/* Marks a point where this thread holds no transient state: an update may
 * happen here.  Costs one load when no update is pending. */
static inline void ttst_update_point(void)
{
	if (__builtin_expect(__ttst_update_pending, 0))
		__ttst_update_point_slow();
}

/* Returns 1 while this process is a new version re-initialising during a
 * live update (skip one-time side effects such as truncating a log file),
 * 0 otherwise. */
int ttst_is_updating(void);

/* --- Transfer annotations -------------------------------------------------
 * Recorded in debug info (btf_decl_tag) and carried by the pass into the
 * metadata; they cost nothing at run time.
 *
 *   struct conn {
 *           PXFER(uintptr_t) peer;  // an integer that holds a pointer
 *           IXFER(union val) v;     // copy the bytes, never translate
 *   };
 */
#if defined(__clang__)
#define TTST_TAG_(s) __attribute__((btf_decl_tag(s)))
#else
#define TTST_TAG_(s)
#endif
/* Transfer this member / variable as raw bytes: no pointer translation. */
#define IXFER(T) T TTST_TAG_("ttst_ixfer")
/* This integer member / variable holds a pointer: translate it. */
#define PXFER(T) T TTST_TAG_("ttst_pxfer")
/* The automatic locals of a function marked TTST_STATEFUL (besides main,
 * which is implicit) are part of the state: they live across the update
 * point that the function's loop contains. */
#define TTST_STATEFUL TTST_TAG_("ttst_stateful")

#ifdef __cplusplus
}
#endif

#endif /* TTST_H */
