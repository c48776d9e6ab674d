# duckstore build. `make` builds build/duckstore; `make SAN=1` builds build-asan/duckstore with ASan+UBSan.
# Generated C (protobuf-c, the descriptor set for reflection, the message registry) goes to $(BUILD)/gen.
# Run ./scripts/setup.sh first (dependencies); ./scripts/test.sh runs everything.

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-asan
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT = -O1 -g
else
BUILD ?= build
SANFLAGS =
OPT = -O2 -g
endif

CC ?= cc
PKGS = grpc libprotobuf-c libmicrohttpd jansson libcrypto libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
WARN = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wwrite-strings -fno-common \
       -Wshadow -Wformat=2
CPPFLAGS = -D_GNU_SOURCE -Isrc -isystem $(BUILD)/gen -isystem deps/include $(PKG_CFLAGS)
CFLAGS = -std=c11 $(OPT) $(SANFLAGS) -pthread -MMD -MP
GENFLAGS = -std=c11 $(OPT) $(SANFLAGS) -w -I$(BUILD)/gen $(PKG_CFLAGS)
LDFLAGS = $(SANFLAGS) -pthread -Ldeps/lib -Wl,-rpath,'$$ORIGIN/../deps/lib'
LDLIBS = -lduckdb $(PKG_LIBS) -lm

PROTO_SRC := $(sort $(shell find proto/proto -name '*.proto'))
WKT := google/protobuf/any.proto google/protobuf/struct.proto google/protobuf/wrappers.proto \
       google/protobuf/descriptor.proto
GRPC_PROTO_DIR := /usr/share/grpc-proto
GRPC_PROTOS := grpc/health/v1/health.proto grpc/reflection/v1alpha/reflection.proto
GEN_C := $(patsubst proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTO_SRC)) \
         $(patsubst %.proto,$(BUILD)/gen/%.pb-c.c,$(WKT) $(GRPC_PROTOS))
GEN_OBJ := $(GEN_C:.c=.o) $(BUILD)/gen/registry.o $(BUILD)/gen/descriptor_set.o

SRC := $(sort $(shell find src -name '*.c'))
LIB_SRC := $(filter-out src/main.c,$(SRC))
LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all clean unit test-unit e2e bench-bins pyproto check-proto
all: $(BUILD)/duckstore $(UNIT_BIN) $(TOOL_BIN) pyproto

$(BUILD)/duckstore: $(BUILD)/obj/src/main.o $(LIB_OBJ) $(GEN_OBJ)
	@echo LINK $@
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: %.c | gen
	@mkdir -p $(dir $@)
	@echo CC $<
	@$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# --- generated code -----------------------------------------------------------------------------
.PHONY: gen
gen: $(GEN_C) $(BUILD)/gen/registry.c $(BUILD)/gen/descriptor_set.pb

$(BUILD)/gen/proto/%.pb-c.c: proto/proto/%.proto $(PROTO_SRC)
	@mkdir -p $(BUILD)/gen
	cd proto && protoc-c -I. -I/usr/include --c_out=../$(BUILD)/gen $(patsubst proto/%,%,$<)

$(BUILD)/gen/google/protobuf/%.pb-c.c: /usr/include/google/protobuf/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c -I/usr/include --c_out=$(BUILD)/gen google/protobuf/$*.proto

$(BUILD)/gen/grpc/%.pb-c.c: $(GRPC_PROTO_DIR)/grpc/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c -I$(GRPC_PROTO_DIR) -I/usr/include --c_out=$(BUILD)/gen grpc/$*.proto

# Every message descriptor, so that names from type URLs and JSON "@type" can be resolved.
$(BUILD)/gen/registry.c: $(GEN_C) scripts/gen-registry.sh
	scripts/gen-registry.sh $(BUILD)/gen > $@

# The FileDescriptorSet served by reflection (our protos plus health and reflection).
$(BUILD)/gen/descriptor_set.pb: $(PROTO_SRC)
	@mkdir -p $(BUILD)/gen
	cd proto && protoc -I. -I$(GRPC_PROTO_DIR) -I/usr/include --include_imports \
	  --descriptor_set_out=../$@ $(patsubst proto/%,%,$(PROTO_SRC)) $(GRPC_PROTOS) grpc/reflection/v1/reflection.proto

$(BUILD)/gen/descriptor_set.o: $(BUILD)/gen/descriptor_set.pb
	printf '.section .rodata\n.global ds_descriptor_set\n.balign 16\nds_descriptor_set:\n.incbin "%s"\n.global ds_descriptor_set_end\nds_descriptor_set_end:\n.section .note.GNU-stack,"",@progbits\n' "$<" > $(BUILD)/gen/descriptor_set.S
	$(CC) -c -o $@ $(BUILD)/gen/descriptor_set.S

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@echo CC $<
	@$(CC) $(GENFLAGS) -c -o $@ $<

# Python modules for the end-to-end tests (python3-protobuf from Debian).
pyproto: $(BUILD)/py/.stamp
$(BUILD)/py/.stamp: $(PROTO_SRC)
	@mkdir -p $(BUILD)/py
	cd proto && protoc -I. -I$(GRPC_PROTO_DIR) -I/usr/include --python_out=../$(BUILD)/py \
	  $(patsubst proto/%,%,$(PROTO_SRC)) $(GRPC_PROTOS)
	@touch $@

# --- tests and benchmarks -----------------------------------------------------------------------
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) $(GEN_OBJ) tests/unit/t.h
	@mkdir -p $(dir $@)
	@echo LINK $@
	@$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARN) -Wno-missing-prototypes -o $@ $< $(LIB_OBJ) $(GEN_OBJ) $(LDFLAGS) -Wl,-rpath,'$$ORIGIN/../../deps/lib' $(LDLIBS)

# Tools the end-to-end tests run (only DuckDB; see each file's header).
$(BUILD)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	@echo LINK $@
	@$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(LDFLAGS) -Wl,-rpath,'$$ORIGIN/../../../deps/lib' -lduckdb

unit test-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

check-proto: $(BUILD)/gen/descriptor_set.pb
	/usr/bin/python3 tests/proto/check_appendix.py $< tests/proto/appendix-a.txt

bench-bins: $(BENCH_BIN)
$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(LDFLAGS) -Wl,-rpath,'$$ORIGIN/../../deps/lib' -lduckdb $(PKG_LIBS) -lm

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
