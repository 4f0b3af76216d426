# civgrid — `make` builds, `make run` runs the whole system, `make test` runs
# the whole suite under AddressSanitizer and UBSan, `make bench` measures.
#
# Layout of the build: $(OUT)/bin holds the daemons (civgrid-NAME, one per
# services/NAME) and the CLI (civgrid, from services/cli); $(OUT)/lib holds
# libcivgrid.a (proto/ + common/ + the embedded Lua scripts); $(OUT)/test the
# test binaries.  SAN=1 builds the same into build/asan with sanitizers.

SAN ?= 0
ifeq ($(SAN),1)
OUT      := build/asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT      := -O1
else
OUT      := build
SANFLAGS :=
OPT      := -O2
endif

PKGS     := libczmq libzmq msgpack hiredis libsodium gnutls libqrencode zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# -Wno-format-truncation: snprintf into a bounded buffer is how civgrid
# truncates on purpose; GCC's guess that it might is not a defect.
CFLAGS   := -std=gnu11 $(OPT) -g -Wall -Wextra -Werror -Wno-format-truncation -MMD -MP \
            -Iproto -Icommon $(SANFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS  := $(SANFLAGS)
LDLIBS   := $(PKG_LIBS) -lm

LIB_SRC  := $(wildcard proto/*.c common/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(OUT)/obj/%.o) $(OUT)/obj/gen/cg_scripts.o
LIB      := $(OUT)/lib/libcivgrid.a
LUA_LIBS := deploy/lua/prelude.lua
LUA      := $(filter-out $(LUA_LIBS) %/lib.lua,$(wildcard deploy/lua/*.lua deploy/lua/*/*.lua))

SERVICES := $(filter-out cli,$(notdir $(wildcard services/*)))
BINS     := $(SERVICES:%=$(OUT)/bin/civgrid-%) $(OUT)/bin/civgrid

# Extra libraries some services need
LIBS_gateway      := $(shell pkg-config --libs libmicrohttpd jansson 2>/dev/null)
LIBS_notification := $(shell pkg-config --libs libcurl 2>/dev/null)
LIBS_archive      := $(shell pkg-config --libs sqlite3 2>/dev/null)
LIBS_cli          := $(shell pkg-config --libs sqlite3 2>/dev/null)

TEST_SUPPORT := $(wildcard tests/support/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
INTEG_SRC := $(wildcard tests/integration/*.c)
TESTS    := $(OUT)/test/unit $(OUT)/test/integration
TEST_LIBS := $(shell pkg-config --libs criterion 2>/dev/null)
TEST_LIBS += $(shell pkg-config --libs libcurl jansson sqlite3 2>/dev/null)
# the Open311 tests parse the gateway's XML with a real parser
TEST_LIBS += $(shell pkg-config --libs libxml-2.0 2>/dev/null)
$(OUT)/obj/tests/%.o: CFLAGS += $(shell pkg-config --cflags libxml-2.0 2>/dev/null)

.PHONY: all tests run test bench clean deps docs fuzz
all: $(BINS)

tests: $(TESTS)

$(OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC   $<'
	@$(CC) $(CFLAGS) -c $< -o $@

# The prelude of every script: prelude.lua, then the rules written once in
# C for both (common/cg_share.h), made Lua by the C preprocessor.
$(OUT)/gen/prelude.lua: deploy/lua/prelude.lua deploy/lua/rules.lua.in common/cg_share.h
	@mkdir -p $(dir $@)
	{ cat deploy/lua/prelude.lua; \
	  $(CC) -E -P -x c -undef -include common/cg_share.h deploy/lua/rules.lua.in; } > $@.tmp
	mv $@.tmp $@

$(OUT)/gen/cg_scripts.c: tools/embed-lua.sh $(OUT)/gen/prelude.lua $(LUA) \
                         $(wildcard deploy/lua/*/lib.lua)
	@mkdir -p $(dir $@)
	tools/embed-lua.sh $@ $(OUT)/gen/prelude.lua $(LUA)

$(OUT)/obj/gen/cg_scripts.o: $(OUT)/gen/cg_scripts.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# One binary per service folder; the CLI is services/cli -> civgrid
define service_rule
$(1)_OBJ := $$(patsubst %.c,$(OUT)/obj/%.o,$$(wildcard services/$(1)/*.c))
$(2): $$($(1)_OBJ) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) $$^ -o $$@ $$(LDLIBS) $$(LIBS_$(1))
endef
$(foreach s,$(SERVICES),$(eval $(call service_rule,$(s),$(OUT)/bin/civgrid-$(s))))
$(eval $(call service_rule,cli,$(OUT)/bin/civgrid))

SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(OUT)/obj/%.o)
$(OUT)/obj/tests/%.o: CFLAGS += -Itests/support
# The services' rules that are functions of their inputs, tested as units
# with no Redis: dispatch's routing and deadlines, notification's rules,
# intake's table of classifications, the fund's points rules.
UNIT_SERVICE_SRC := services/dispatch/route.c services/dispatch/deadlines.c services/dispatch/plan.c \
                    services/notification/rules.c services/intake/classify.c \
                    services/fund/points.c
# notification first: test_rules.c means its rules.h (a dispatch header finds
# dispatch's own rules.h beside it)
$(OUT)/obj/tests/unit/%.o: CFLAGS += -Iservices/notification -Iservices/dispatch -Iservices/fund
$(OUT)/test/unit: $(UNIT_SRC:%.c=$(OUT)/obj/%.o) $(UNIT_SERVICE_SRC:%.c=$(OUT)/obj/%.o) \
                  $(SUPPORT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(TEST_LIBS) $(LDLIBS)
$(OUT)/test/integration: $(INTEG_SRC:%.c=$(OUT)/obj/%.o) $(SUPPORT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(TEST_LIBS) $(LDLIBS)

# libFuzzer targets (clang): one per intake decoder, and one for the text
# fields intake parses; see docs/INTAKE.md for a longer run.
FUZZ_CC      ?= clang
FUZZ_DIR     := build/fuzz
FUZZ_FLAGS   := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Iproto -Icommon \
                -Iservices/intake $(PKG_CFLAGS)
FUZZ_SRC     := proto/cg_msg.c common/cg_text.c common/cg_clock.c common/cg_orgtree.c common/cg_geo.c \
                services/intake/place.c
FUZZ_DECODERS := case_submit hotline_order grid_report open311_request device_alarm \
                 device_cancel intake_get
FUZZ_OBJ     := $(FUZZ_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_BINS    := $(FUZZ_DECODERS:%=$(FUZZ_DIR)/fuzz_%) $(FUZZ_DIR)/fuzz_fields \
                $(FUZZ_DIR)/fuzz_photo
fuzz: $(FUZZ_BINS)
$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  FUZZ $<'
	@$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@
$(FUZZ_DIR)/fuzz_fields: fuzz/fuzz_fields.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@ $(shell pkg-config --libs msgpack)
# the photo reader of grid reports, and the satisfaction levels
$(FUZZ_DIR)/fuzz_photo: fuzz/fuzz_photo.c $(FUZZ_DIR)/obj/common/cg_photo.o \
                        $(FUZZ_DIR)/obj/common/cg_satisfaction.o
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@ $(shell pkg-config --libs libsodium)
$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_decode.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_DEF=cg_$*_def $^ -o $@ $(shell pkg-config --libs msgpack)
# Every other reader of untrusted bytes (docs/ARCHITECTURE.md, "Fuzzing"):
# the decoders of the commands of consultation, fund, notification, dispatch
# and the archive; the
# JSON and text mapping onto messages; the gateway's readers; the loaders
# of the data files.  These link the whole library and the modules (not
# main.c) of the service whose reader they call.
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/gen/cg_scripts.o
FUZZ_LIBS    := $(PKG_LIBS) $(LIBS_gateway) $(LIBS_notification) -lm
FUZZ_SVC_OBJ  = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter-out %/main.c,$(wildcard services/$(1)/*.c)))
$(FUZZ_DIR)/obj/gen/cg_scripts.o: build/gen/cg_scripts.c
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) $(FUZZ_FLAGS) -c $< -o $@
FUZZ_DOMAINS := consultation fund notification dispatch archive powers
FUZZ_READERS := route form hotline last_event_id
FUZZ_LOADERS := orgtree catalog calendar rosters directory funds intake_map gazetteer \
                grids_geo devices kind points powers
FUZZ_MORE    := $(FUZZ_DOMAINS:%=$(FUZZ_DIR)/fuzz_commands_%) $(FUZZ_DIR)/fuzz_json \
                $(FUZZ_READERS:%=$(FUZZ_DIR)/fuzz_gateway_%) \
                $(FUZZ_LOADERS:%=$(FUZZ_DIR)/fuzz_load_%) $(FUZZ_DIR)/fuzz_load_rules
fuzz: $(FUZZ_MORE)
# explicit rules (a pattern would lose to fuzz_% above when an object of
# the service's is not built yet)
define fuzz_target
$(FUZZ_DIR)/fuzz_$(1): fuzz/$(2).c $(3) $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(4) $$^ -o $$@ $(FUZZ_LIBS)
endef
$(foreach d,$(FUZZ_DOMAINS),$(eval $(call fuzz_target,commands_$(d),fuzz_decode,,\
    -DFUZZ_DOMAIN=CG_MESSAGES_$(shell echo $(d) | tr a-z A-Z))))
$(eval $(call fuzz_target,json,fuzz_json))
$(foreach r,$(FUZZ_READERS),$(eval $(call fuzz_target,gateway_$(r),fuzz_gateway,\
    $(call FUZZ_SVC_OBJ,gateway),-DFUZZ_READER=$(r))))
$(eval $(call fuzz_target,load_rules,fuzz_rules,$(call FUZZ_SVC_OBJ,notification)))
$(foreach l,$(FUZZ_LOADERS),$(eval $(call fuzz_target,load_$(l),fuzz_loaders,\
    $(foreach s,consultation notification fund intake,$(call FUZZ_SVC_OBJ,$(s))),\
    -DFUZZ_LOADER=$(l))))

# The test receiver (webhook, hotline and SMTP far ends), a process of its own
RECEIVER_SRC := $(wildcard tests/receiver/*.c)
tests: $(OUT)/test/receiver
$(OUT)/test/receiver: $(RECEIVER_SRC:%.c=$(OUT)/obj/%.o) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS) $(shell pkg-config --libs libmicrohttpd 2>/dev/null) -lpthread
# The volume loader (a place's cases with realistic texts) the browser test runs
VOLUME_SRC := $(wildcard tests/volume/*.c)
tests: $(OUT)/test/volume
$(OUT)/test/volume: $(VOLUME_SRC:%.c=$(OUT)/obj/%.o) $(OUT)/obj/tests/support/cg_testload.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# The message reference is generated from proto/ by the CLI.
docs: $(OUT)/bin/civgrid
	$(OUT)/bin/civgrid messages > docs/MESSAGES.md

deps:
	@deploy/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(OUT)/bin/civgrid stack up --foreground --demo --dir var

test: deps
	@$(MAKE) --no-print-directory SAN=1 all tests
	@$(MAKE) --no-print-directory fuzz
	@tools/run-tests.sh build/asan

bench: deps
	@$(MAKE) --no-print-directory all
	@tools/run-bench.sh build $(if $(filter 1,$(QUICK)),--quick) $(if $(ONLY),--only $(ONLY))

# The benchmark harness (bench/), built only by tools/run-bench.sh.
# It links the archive's modules (not its main.c): bench/archive_load.c
# writes cases through the archive's own store functions.
BENCH_OBJ := $(patsubst %.c,$(OUT)/obj/%.o,$(wildcard bench/*.c) \
             $(filter-out %/main.c,$(wildcard services/archive/*.c)))
$(OUT)/bench/civgrid-bench: $(BENCH_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS) $(LIBS_archive)

# `make install` (PREFIX=/usr/local, DESTDIR honoured): the binaries; the
# data files, Lua-free since the scripts are built in, and the console under
# PREFIX/share/civgrid laid out as the tree is (deploy/, console/,
# node_modules/echarts), so that the gateway finds its console beside
# deploy/ and `CG_ROOT=PREFIX/share/civgrid civgrid stack up` works;
# /etc/civgrid/civgrid.cfg.dist (absolute paths; setup.sh makes civgrid.cfg
# from it, with a new intake/key, when there is none) and redis.conf; /var/lib/civgrid, /var/log/civgrid; a systemd unit per
# daemon, one for Redis and civgrid.target; the logrotate file; the docs.
# The Debian package (debian/) is this with PREFIX=/usr.
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
STATEDIR   ?= /var/lib/civgrid
LOGDIR     ?= /var/log/civgrid
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SHAREDIR   := $(PREFIX)/share/civgrid
DOCDIR     := $(PREFIX)/share/doc/civgrid
UNIT_SUBST := -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
              -e 's|@STATEDIR@|$(STATEDIR)|g' -e 's|@LOGDIR@|$(LOGDIR)|g' \
              -e 's|@DOCDIR@|$(DOCDIR)|g'
ECHARTS    := node_modules/echarts/dist/echarts.min.js

# The package builds, lists what make install installs, and the units
# verify (about 30 s on two cores; a stage of `make test` as well).
.PHONY: install package-test
package-test:
	@tools/test-package.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SHAREDIR)/deploy/notify/templates \
	    $(DESTDIR)$(SHAREDIR)/deploy/demo/powers $(DESTDIR)$(SHAREDIR)/console/public/sections \
	    $(DESTDIR)$(SYSCONFDIR)/civgrid $(DESTDIR)$(SYSCONFDIR)/logrotate.d \
	    $(DESTDIR)$(STATEDIR)/redis $(DESTDIR)$(LOGDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 deploy/civgrid.cfg $(DESTDIR)$(SHAREDIR)/deploy/
	install -m 644 $(filter-out %.sh %/powers,$(wildcard deploy/demo/*)) $(DESTDIR)$(SHAREDIR)/deploy/demo/
	install -m 644 $(wildcard deploy/demo/powers/*.tsv) $(DESTDIR)$(SHAREDIR)/deploy/demo/powers/
	install -m 644 $(wildcard deploy/notify/*.*) $(DESTDIR)$(SHAREDIR)/deploy/notify/
	install -m 644 $(wildcard deploy/notify/templates/*) $(DESTDIR)$(SHAREDIR)/deploy/notify/templates/
	install -m 644 $(filter-out %/public,$(wildcard console/*)) $(DESTDIR)$(SHAREDIR)/console/
	install -m 644 $(wildcard console/public/*.*) $(DESTDIR)$(SHAREDIR)/console/public/
	install -m 644 $(wildcard console/public/sections/*.js) $(DESTDIR)$(SHAREDIR)/console/public/sections/
	if [ -f $(ECHARTS) ]; then install -D -m 644 $(ECHARTS) $(DESTDIR)$(SHAREDIR)/$(ECHARTS); fi
	install -m 644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	sed -e 's|^\(    dir = \)var$$|\1$(STATEDIR)|' -e 's|= deploy/|= $(SHAREDIR)/deploy/|' \
	    deploy/civgrid.cfg > $(DESTDIR)$(SYSCONFDIR)/civgrid/civgrid.cfg.dist
	sed $(UNIT_SUBST) deploy/setup.sh.in > $(DESTDIR)$(SHAREDIR)/setup.sh
	chmod 755 $(DESTDIR)$(SHAREDIR)/setup.sh
	sed $(UNIT_SUBST) deploy/redis.conf.in > $(DESTDIR)$(SYSCONFDIR)/civgrid/redis.conf
	sed $(UNIT_SUBST) deploy/logrotate.in > $(DESTDIR)$(SYSCONFDIR)/logrotate.d/civgrid
	sed $(UNIT_SUBST) deploy/systemd/civgrid-redis.service.in \
	    > $(DESTDIR)$(UNITDIR)/civgrid-redis.service
	for d in $(SERVICES); do \
	    after="civgrid-redis.service civgrid-broker.service"; \
	    [ $$d = broker ] && after="civgrid-redis.service"; \
	    sed $(UNIT_SUBST) -e "s|@NAME@|$$d|g" -e "s|@AFTER@|$$after|g" \
	        deploy/systemd/civgrid-daemon.service.in > $(DESTDIR)$(UNITDIR)/civgrid-$$d.service; \
	done
	sed -e 's|@UNITS@|civgrid-redis.service $(SERVICES:%=civgrid-%.service)|' \
	    deploy/systemd/civgrid.target.in > $(DESTDIR)$(UNITDIR)/civgrid.target
	if [ -z "$(DESTDIR)" ] && [ "$(SETUP)" != no ]; then $(SHAREDIR)/setup.sh; fi

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
