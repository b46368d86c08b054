/* requests.c -- the control requests: STATUS (counters) and PARK (quiesce every thread). */
#define _GNU_SOURCE
#include "requests.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "options.h"
#include "quiesce.h"
#include "status.h"

void ttst_reply_error(struct ttst_reply *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(r->text, sizeof r->text, fmt, ap);
	va_end(ap);
	r->type = TTST_MSG_ERROR;
	r->len = w < 0 ? 0 : (uint32_t)strlen(r->text);
	r->close = 1;
	r->parked = 0;
	r->hold_ms = 0;
}

long ttst_request_payload_size(uint16_t type)
{
	switch (type) {
	case TTST_MSG_STATUS:
		return 0;
	case TTST_MSG_PARK:
		return (long)sizeof(struct ttst_park_req);
	default:
		return -1;
	}
}

static void handle_park(const struct ttst_park_req *req, struct ttst_reply *r)
{
	if (req->hold_ms > TTST_PROTO_MAX_HOLD_MS) {
		ttst_reply_error(r, "PARK: hold_ms %u exceeds the limit of %u", req->hold_ms,
				 TTST_PROTO_MAX_HOLD_MS);
		return;
	}
	unsigned timeout = req->timeout_ms ? req->timeout_ms : ttst_opts.park_timeout_ms;
	if (timeout > 3600000)
		timeout = 3600000;
	struct ttst_park_info info;
	char err[sizeof r->text];
	if (ttst_quiesce_park(timeout, &info, err, sizeof err) < 0) {
		ttst_reply_error(r, "%s", err);
		return;
	}
	int w =
	    snprintf(r->text, sizeof r->text, "threads=%u\nparked=%u\nblocked=%u\nwaited_ms=%u\n",
		     info.threads, info.parked, info.blocked, info.waited_ms);
	r->type = TTST_MSG_OK;
	r->len = (uint32_t)w;
	r->close = 0;
	r->parked = 1;
	r->hold_ms = req->hold_ms;
}

void ttst_request_handle(const struct ttst_msg_hdr *h, const void *payload, int parked,
			 struct ttst_reply *r)
{
	r->close = 0;
	r->parked = 0;
	r->hold_ms = 0;
	switch (h->type) {
	case TTST_MSG_STATUS:
		r->type = TTST_MSG_OK;
		r->len = (uint32_t)ttst_status_text(r->text, sizeof r->text, parked);
		return;
	case TTST_MSG_PARK: {
		struct ttst_park_req req;
		memcpy(&req, payload, sizeof req);
		handle_park(&req, r);
		return;
	}
	default:
		ttst_reply_error(r, "unknown request type %u", (unsigned)h->type);
	}
}
