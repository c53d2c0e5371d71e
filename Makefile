# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# rodns — read-only DNSSEC replica. See README.md and docs/ARCHITECTURE.md.
#
#   make            build rodnsd, rodnsctl and the test programs into build/
#   make check      install missing Debian packages, unit tests, integration tests
#   make check-asan the unit suite under ASan + UBSan (build-asan/)
#   make fuzz       libFuzzer harnesses (clang), FUZZ_SECONDS each (default 60)
#   make bench      benchmarks against the peer servers (figures, not tests)
#   make demo       the main job: a replica serving a signed zone from a local primary
#   make fmt        clang-format every C file
#   make man        render the man pages (scdoc) into build/man
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

PKGS := openssl sqlite3 yaml-0.1
# Debian's libev-dev ships no pkg-config file; fall back to plain -lev.
EV_CFLAGS := $(shell $(PKG_CONFIG) --cflags libev 2>/dev/null)
EV_LIBS := $(shell $(PKG_CONFIG) --libs libev 2>/dev/null || echo -lev)
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) $(EV_CFLAGS)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lssl -lcrypto -lsqlite3 -lyaml) $(EV_LIBS) -lpthread -lm
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm)

WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla
OPT ?= -O2 -g
SAN ?=
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN) -I. $(DEP_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SAN) $(LDFLAGS)

# Library modules: every .c under these folders except programs (*_main.c).
LIB_DIRS := dns conf ipsec xfr store serve daemon
LIB_SRCS := $(filter-out %_main.c,$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/librodns.a

PROGS := $(patsubst daemon/%_main.c,$(BUILD)/%,$(wildcard daemon/*_main.c))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOLS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCHES := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)

UNIT_SRCS := $(wildcard tests/*/check_*.c)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/%.o)
UNIT := $(BUILD)/tests/unit

.PHONY: all check check-unit check-integration check-asan fuzz bench demo demo-stop fmt \
	install clean deps

all: $(LIB) $(PROGS) $(TOOLS) $(UNIT)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%: $(BUILD)/daemon/%_main.o $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(DEP_LIBS)

$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(DEP_LIBS)

$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(DEP_LIBS)

# The unit runner: one Check SRunner over every suite that tests/*/check_*.c
# defines (a function `Suite *NAME_suite(void)`), found by grep so that adding
# a test file needs no registration.
$(BUILD)/tests/unit_main.c: $(UNIT_SRCS) tests/unit_main.sh
	@mkdir -p $(dir $@)
	sh tests/unit_main.sh $(UNIT_SRCS) > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/unit_main.o: $(BUILD)/tests/unit_main.c
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -c $< -o $@

$(UNIT): $(BUILD)/tests/unit_main.o $(UNIT_OBJS) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(BUILD)/tests/unit_main.o $(UNIT_OBJS) $(LIB) $(DEP_LIBS) $(CHECK_LIBS)

deps:
	@sh scripts/deps.sh

check: deps
	$(MAKE) all
	$(MAKE) check-unit
	$(MAKE) check-integration

check-unit: $(UNIT)
	cd tests && RODNS_TOP=$(CURDIR) RODNS_BUILD=$(abspath $(BUILD)) $(abspath $(UNIT))

check-integration: all
	RODNS_BUILD=$(abspath $(BUILD)) sh tests/integration/run.sh

check-asan: deps
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" check-unit

FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)
# The harnesses exercise the parsers: dns/, the query dispatcher (with
# TSIG on NOTIFY, which needs conf/) and the VICI message parser.
FUZZ_LIB_SRCS := $(wildcard dns/*.c conf/*.c) serve/query.c serve/edns.c serve/cookie.c \
	serve/rrl.c ipsec/tsig.c ipsec/vici_msg.c
build-fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRCS)
	@mkdir -p build-fuzz
	clang -std=c11 -D_GNU_SOURCE -O1 -g -I. $(DEP_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(FUZZ_LIB_SRCS) $(DEP_LIBS)

fuzz: deps $(FUZZERS)
	@for f in $(FUZZERS); do \
		n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
		cp tests/data/malformed/*.bin tests/data/regress/*.bin build-fuzz/corpus-$$n/; \
		echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build-fuzz/ build-fuzz/corpus-$$n || exit 1; \
	done

bench: deps all $(BENCHES)
	sh tests/bench/run.sh

demo: deps all
	bash scripts/demo.sh

demo-stop:
	bash scripts/demo.sh stop

fmt:
	clang-format -i $$(git ls-files '*.c' '*.h')

# make man: the manual pages (man/*.scd, scdoc) into $(BUILD)/man/.
MAN_SRCS := $(wildcard man/*.scd)
MANS := $(MAN_SRCS:man/%.scd=$(BUILD)/man/%)
.PHONY: man
man: $(MANS)

$(BUILD)/man/%: man/%.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@.tmp && mv $@.tmp $@

# make install [PREFIX=/usr/local] [DESTDIR=]: rodnsd and rodnsctl in sbin/,
# the manual pages, the unit (its ExecStart pointed at $(PREFIX)/sbin), and
# the example configuration twice: in DOCDIR to read, in DATADIR as the
# pristine copy a package's postinst copies to /etc/rodns/rodns.yaml (files
# under /usr/share/doc may be left out of minimal systems). Nothing is
# written to /etc. The Debian package sets SYSTEMDUNITDIR=/lib/systemd/system.
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/rodns
DATADIR ?= $(PREFIX)/share/rodns
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DOCS := README.md docs/events.md docs/deployment.md docs/migrating-from-windows.md \
	docs/alerts.yml

install: all man
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	for p in $(PROGS); do install -m 0755 $$p $(DESTDIR)$(PREFIX)/sbin/; done
	for m in $(filter %.5,$(MANS)); do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	for m in $(filter %.8,$(MANS)); do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man8/; done
	install -m 0644 conf/rodns.example.yaml $(DESTDIR)$(DOCDIR)/rodns.example.yaml
	install -m 0644 conf/rodns.example.yaml $(DESTDIR)$(DATADIR)/rodns.example.yaml
	for d in $(DOCS); do [ ! -f $$d ] || install -m 0644 $$d $(DESTDIR)$(DOCDIR)/; done
	sed 's|/usr/sbin/rodnsd|$(PREFIX)/sbin/rodnsd|g' conf/rodnsd.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/rodnsd.service.tmp
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/rodnsd.service.tmp
	mv $(DESTDIR)$(SYSTEMDUNITDIR)/rodnsd.service.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/rodnsd.service

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
