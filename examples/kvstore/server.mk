# server.mk -- kvstore build rules shared by v1/Makefile and v2/Makefile (included, not run).
#
#   make -C examples/kvstore/v1                     plain build with $(CC), links ttst_plain.c
#   make -C examples/kvstore/v1 CC=/path/to/ttst-cc instrumented build, links libttst
# CC, CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS are honoured.  O= puts the objects elsewhere,
# BIN= names the binary (default: kvstore next to the Makefile).  Changing CC or the flags
# rebuilds everything.

KV_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
SRC_DIR := $(abspath $(dir $(firstword $(MAKEFILE_LIST))))
TOP_DIR := $(abspath $(KV_DIR)/../..)
KV_RULES := $(shell cksum < $(KV_DIR)/server.mk)

CFLAGS ?= -O2 -g
O ?= $(SRC_DIR)/obj
BIN ?= $(SRC_DIR)/kvstore
KV_CFLAGS := -std=c11 -Wall -Wextra -Werror -I$(SRC_DIR) -I$(TOP_DIR)/annotations

# A plain compiler needs the <ttst.h> runtime symbols from ttst_plain.c; under ttst-cc the
# runtime defines them and the stub would shadow it.  Override with TTST_PLAIN=0/1.
TTST_PLAIN ?= $(if $(findstring ttst-cc,$(CC)),0,1)

SRCS := main.c net.c proto.c table.c
OBJS := $(SRCS:%.c=$(O)/%.o)
ifeq ($(TTST_PLAIN),1)
OBJS += $(O)/ttst_plain.o
endif

.PHONY: all clean FORCE
all: $(BIN)

$(BIN): $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

# Rewritten only when the compiler, the flags or these rules change, so that a switch rebuilds.
$(O)/flags: FORCE
	@mkdir -p $(O)
	@echo '$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(TTST_PLAIN) $(KV_RULES)' | cmp -s - $@ || \
		echo '$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(TTST_PLAIN) $(KV_RULES)' > $@

# Compiled from the source directory under the bare file name: ttst's state IDs of file
# statics, string literals and static functions are "main.c:name" as given to the compiler,
# so v1 and v2 (in different directories) get the same IDs.
$(O)/%.o: $(SRC_DIR)/%.c $(SRC_DIR)/kvstore.h $(O)/flags
	cd $(SRC_DIR) && $(CC) $(KV_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $(abspath $@) $(notdir $<)

$(O)/ttst_plain.o: $(KV_DIR)/ttst_plain.c $(O)/flags
	$(CC) $(KV_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

clean:
	rm -rf $(O) $(BIN)
