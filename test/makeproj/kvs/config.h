/* config.h -- kvs: "key = value" configuration parser. */
#ifndef KVS_CONFIG_H
#define KVS_CONFIG_H

#include <stddef.h>

#include "sbuf.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct config_opt {
	char *key;
	char *value;
	unsigned line;
};

struct config {
	char *name;
	unsigned port;
	size_t max_entries;
	size_t nbuckets;
	enum log_level level;
	unsigned evict : 1;
	unsigned verbose : 1;
	struct config_opt *opts; /* every key = value line, in order */
	size_t nopts;
	size_t capopts;
};

/* Parses text (lines "key = value", '#' comments) into cfg, which starts
 * from the defaults.  Returns 0, or -1 with a message appended to err. */
int config_parse(struct config *cfg, const char *text, struct sbuf *err);
/* The value of the last line with this key, or NULL. */
const char *config_get(const struct config *cfg, const char *key);
void config_free(struct config *cfg);

#endif
