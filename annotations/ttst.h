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

/* --- Renames and transfer callbacks ----------------------------------------
 * Written in the NEW version's source, at file scope.  Each macro expands to
 * a constructor that registers the entry with the runtime before main, so
 * they are in force when the new version receives the old version's state.
 * Names are those of the metadata (`ttst-ctl inspect` shows them): state IDs
 * ("name", "file.c:name", "func:name", "main:name"), site IDs
 * ("caller:target:ordinal") and C type names ("struct entry").
 *
 *   TTST_RENAME("old_count", "g_count");             // a global was renamed
 *   TTST_RENAME_MEMBER("struct entry", "cnt", "hits"); // a member was renamed
 *   static int entry_cb(const struct ttst_xfer_obj *o) {
 *           struct entry *e = o->new_obj;              // already transferred
 *           e->created = time(NULL);                   // semantic change
 *           return 0;
 *   }
 *   TTST_TYPE_CALLBACK("struct entry", entry_cb);
 */

/* What a transfer callback receives.  `old_bytes` are the old object's bytes
 * as the old version had them (its pointers are old addresses: translate
 * them with ttst_xfer_translate); `new_obj` has already been transferred
 * automatically (added members are zero, pointers translated). */
struct ttst_xfer_obj {
	const void *old_bytes;
	unsigned long old_size;
	const char *old_type; /* old C type name, "" if untyped */
	void *new_obj;
	unsigned long new_size;
	const char *new_type; /* new C type name, "" if untyped */
	const char *id;	      /* state ID (statics, locals) or site ID (heap) of the
				 enclosing object */
};

/* A transfer callback: returns 0, or non-zero to fail the update (the old
 * version keeps running; the message names the object). */
typedef int (*ttst_xfer_cb)(const struct ttst_xfer_obj *o);

/* Registration functions behind the macros below (callable directly too,
 * before the first update point).  They copy nothing: the strings must stay
 * valid (string literals).  Out of memory is reported and the entry lost. */
void ttst_register_rename(const char *old_id, const char *new_id);
void ttst_register_member_rename(const char *type, const char *old_name, const char *new_name);
void ttst_register_type_callback(const char *type, ttst_xfer_cb fn);
void ttst_register_object_callback(const char *id, ttst_xfer_cb fn);
void ttst_register_init_callback(int (*fn)(void));

/* During a callback: the new address for an old pointer value (base,
 * interior or past-the-end pointer into any transferred object, static or
 * function), or NULL if it has none (or outside a transfer). */
void *ttst_xfer_translate(const void *old_ptr);

#define TTST_CAT2_(a, b) a##b
#define TTST_CAT_(a, b) TTST_CAT2_(a, b)
#define TTST_CTOR_(body)                                                                     \
	__attribute__((constructor)) static void TTST_CAT_(ttst_ann_, __COUNTER__)(void) { body; }

/* State ID old_id of the old version is state ID new_id here (statics,
 * static locals, locals of main, functions). */
#define TTST_RENAME(old_id, new_id) TTST_CTOR_(ttst_register_rename(old_id, new_id))
/* Member old_name of `type` ("struct entry") is called new_name here. */
#define TTST_RENAME_MEMBER(type, old_name, new_name)                                         \
	TTST_CTOR_(ttst_register_member_rename(type, old_name, new_name))
/* fn runs for every transferred value whose new type is `type` (whole
 * objects, members and array elements), right after it was transferred. */
#define TTST_TYPE_CALLBACK(type, fn) TTST_CTOR_(ttst_register_type_callback(type, fn))
/* fn runs once per transferred object whose new state ID is id (a static or
 * local), or for every heap object of site ID id, after its transfer. */
#define TTST_OBJECT_CALLBACK(id, fn) TTST_CTOR_(ttst_register_object_callback(id, fn))
/* fn runs once after the whole automatic transfer and every other
 * callback: initialise state that only the new version has.  Returns 0, or
 * non-zero to fail the update. */
#define TTST_INIT_CALLBACK(fn) TTST_CTOR_(ttst_register_init_callback(fn))

#ifdef __cplusplus
}
#endif

#endif /* TTST_H */
