# papertrade - plain Makefile with pkg-config (STYLE.md "Repository").
#
#   make                  build build/papertrade
#   make check            build and run every test (unit, end-to-end)
#   make SANITIZE=1 check the same under ASan+UBSan, in build-san/
#   make CC=clang         any C11 compiler; warnings are errors
#   make lint             cppcheck and clang-tidy (.clang-tidy), any finding fails
#   make install          binary, man page, completions, systemd user units, docs
#                         under PREFIX (/usr/local; DESTDIR honoured); make uninstall
#
# Dependencies come from Debian packages: scripts/setup installs them.

CC ?= cc
PKGS := sqlite3 jansson inih libcurl zlib libmicrohttpd libzstd
TEST_PKGS := cmocka
# Open MPI (Debian libopenmpi-dev) gives `sweep` its distributed mode; the
# build goes on without it (MPI=0 leaves it out where it is installed).
MPI ?= $(shell pkg-config --exists ompi-c && echo 1)

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1
else
BUILD ?= build
SANFLAGS :=
OPT := -O2
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS := $(shell pkg-config --libs $(TEST_PKGS))

CFLAGS ?= $(OPT) -g
CFLAGS += -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS := $(PKG_LIBS) -lm -lpthread
ifeq ($(MPI),1)
CFLAGS += -DPT_MPI $(shell pkg-config --cflags ompi-c)
LDLIBS += $(shell pkg-config --libs ompi-c)
endif

SRCS := $(sort $(wildcard src/*.c src/*/*.c))
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/assets.o
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BUILD)/papertrade

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

# gcc or clang: the vectorising flags below are gcc's.
IS_CLANG := $(shell $(CC) -dM -E -x c /dev/null 2>/dev/null | grep -c __clang__)

# src/quant/lbr.c's whole-chain loops vectorise (docs/pricing.md): sqrt sets
# no errno (so it is an instruction, not a call), comparisons may be
# evaluated unconditionally (no FP traps: blends rather than branches), FMA
# may contract (only in its AVX2/AVX-512 clones: the scalar code is built
# for the baseline), and for gcc its dynamic cost model (-O2's very-cheap
# one refuses loops of unknown count) and if-conversion of blends of more
# than four values. The scalar functions' results do not change.
LBR_CFLAGS := -fno-math-errno -fno-trapping-math -ffp-contract=fast
ifeq ($(IS_CLANG),0)
LBR_CFLAGS += -fvect-cost-model=dynamic --param max-tree-if-conversion-phi-args=16
endif
$(BUILD)/src/quant/lbr.o: CFLAGS += $(LBR_CFLAGS)

# src/quant/chain.c's loop is vectorised (HACKING.md, "Vectorised loops"):
# gcc's cost model that allows a scalar epilogue, no errno from math
# functions (libmvec's vector exp, log and erfc set none), and no FP traps
# (so the selects of the loop body may be computed on every lane). None of
# these changes a result; -ffast-math would, and is not used. clang takes
# only -fno-math-errno and builds the loop with scalar calls.
ifeq ($(IS_CLANG),0)
VEC_CFLAGS := -ftree-vectorize -fvect-cost-model=dynamic -fno-math-errno -fno-trapping-math
else
VEC_CFLAGS := -fno-math-errno -fno-trapping-math
endif
$(BUILD)/src/quant/chain.o: CFLAGS += $(VEC_CFLAGS)

# Which loops of the vectorised files gcc vectorised, and the libmvec
# functions they call (_ZGVdN4v_*: AVX2, four lanes; _ZGVbN2v_*: SSE, two).
VEC_SRCS := src/quant/chain.c=VEC_CFLAGS src/quant/lbr.c=LBR_CFLAGS
vec-report:
	@if [ "$(IS_CLANG)" != 0 ]; then echo "vec-report: gcc's -fopt-info; CC=$(CC) is clang" >&2; exit 1; fi
	@mkdir -p $(BUILD)
	@$(foreach fv,$(VEC_SRCS),echo "$(word 1,$(subst =, ,$(fv))):"; \
		$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $($(word 2,$(subst =, ,$(fv)))) \
			-fopt-info-vec-optimized -c -o $(BUILD)/vec-report.o \
			$(word 1,$(subst =, ,$(fv))) 2>&1 | sort -u; \
		nm $(BUILD)/vec-report.o | awk '$$1 == "U" && $$2 ~ /^_ZGV/ { print "  calls " $$2 }';) \
	rm -f $(BUILD)/vec-report.o

# The page (web/, written by hand) and Chart.js (pinned in package-lock.json,
# installed by scripts/setup with npm ci) are embedded into the binary:
# tools/embed turns them into byte arrays with content types, ETags and gzip
# copies in $(BUILD)/gen/assets.c, a build output that is never committed.
CHARTJS := node_modules/chart.js/dist/chart.umd.min.js
WEB_FILES := $(sort $(shell find web -type f ! -name '.*' 2>/dev/null))

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(shell pkg-config --libs zlib)

$(CHARTJS):
	@echo "missing $@: run scripts/setup (npm ci installs Chart.js)" >&2; exit 1

$(BUILD)/gen/assets.c: $(BUILD)/tools/embed $(WEB_FILES) $(CHARTJS) Makefile
	@mkdir -p $(dir $@)
	@echo "  GEN $@"
	@$(BUILD)/tools/embed $@ $(foreach f,$(WEB_FILES),$(patsubst web/%,%,$(f))=$(f)) \
		vendor/chart.umd.min.js=$(CHARTJS)

$(BUILD)/gen/assets.o: $(BUILD)/gen/assets.c
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/libpapertrade.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/papertrade: $(BUILD)/src/main.o $(BUILD)/libpapertrade.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libpapertrade.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -Isrc -o $@ $< $(BUILD)/libpapertrade.a $(LDFLAGS) $(TEST_LIBS) $(LDLIBS)

# bench/sim_stats is built with the tests: tests/e2e/sim_stats.sh checks the
# sim's calibration table with it (docs/sim.md).
tests: $(TEST_BINS) $(BUILD)/bench/sim_stats

BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
$(BUILD)/bench/%: bench/%.c $(BUILD)/libpapertrade.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libpapertrade.a $(LDFLAGS) $(LDLIBS)

bench-tools: all $(BENCH_BINS)

check: all tests
	tests/run.sh $(BUILD)

# Static analysis; needs no build. clang-tidy runs two files at a time, keeps
# each file's report together and drops its "N warnings generated." counts
# (warnings in system headers it does not show); any finding fails the target.
TIDY_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(PKG_CFLAGS)
ifeq ($(MPI),1)
TIDY_CFLAGS += -DPT_MPI $(shell pkg-config --cflags ompi-c)
endif
lint:
	@echo "  CPPCHECK src tests/unit"
	@cppcheck --error-exitcode=1 --quiet --enable=warning,performance,portability --std=c11 \
		--inline-suppr -I src src tests/unit
	@echo "  CLANG-TIDY $(words $(SRCS)) files"
	@printf '%s\n' $(SRCS) | xargs -P2 -I{} sh -c \
		'out=$$(clang-tidy --quiet "$$1" -- $(TIDY_CFLAGS) 2>&1); rc=$$?; \
		 printf "%s\n" "$$out" | grep -v "^[0-9]* warnings\{0,1\} generated\.$$" | grep -v "^$$"; \
		 exit $$rc' sh {}

# Installation (docs/DESIGN.md §8). PREFIX defaults to /usr/local; DESTDIR
# stages the tree for a package (paths written into files leave it out).
# The user units go where systemd looks for them when PREFIX is ~/.local or
# /usr/local; nothing is enabled. Uninstall removes exactly what install put.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
SYSTEMDUSERDIR ?= $(PREFIX)/share/systemd/user
DOCDIR ?= $(PREFIX)/share/doc/papertrade
INSTALL ?= install
DOCS := README.md docs/DESIGN.md docs/margin.md docs/sim.md docs/strategies.md docs/metrics.md \
	docs/history.md docs/backtest.md docs/sweep.md docs/compare.md docs/pricing.md \
	docs/american.md docs/volatility.md docs/faults.md

install: $(BUILD)/papertrade
	@echo "  INSTALL $(DESTDIR)$(PREFIX)"
	@$(INSTALL) -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(BASHCOMPDIR)" \
		"$(DESTDIR)$(ZSHCOMPDIR)" "$(DESTDIR)$(SYSTEMDUSERDIR)" "$(DESTDIR)$(DOCDIR)"
	@$(INSTALL) -m 755 $(BUILD)/papertrade "$(DESTDIR)$(BINDIR)/papertrade"
	@$(INSTALL) -m 644 docs/papertrade.1 "$(DESTDIR)$(MANDIR)/man1/papertrade.1"
	@$(INSTALL) -m 644 completions/papertrade.bash "$(DESTDIR)$(BASHCOMPDIR)/papertrade"
	@$(INSTALL) -m 644 completions/_papertrade "$(DESTDIR)$(ZSHCOMPDIR)/_papertrade"
	@sed 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/papertrade.service.in \
		>"$(DESTDIR)$(SYSTEMDUSERDIR)/papertrade.service.tmp"
	@chmod 644 "$(DESTDIR)$(SYSTEMDUSERDIR)/papertrade.service.tmp"
	@mv -f "$(DESTDIR)$(SYSTEMDUSERDIR)/papertrade.service.tmp" "$(DESTDIR)$(SYSTEMDUSERDIR)/papertrade.service"
	@$(INSTALL) -m 644 contrib/systemd/papertrade.timer "$(DESTDIR)$(SYSTEMDUSERDIR)/papertrade.timer"
	@$(INSTALL) -m 644 $(DOCS) "$(DESTDIR)$(DOCDIR)/"

uninstall:
	@echo "  UNINSTALL $(DESTDIR)$(PREFIX)"
	@rm -f "$(DESTDIR)$(BINDIR)/papertrade" "$(DESTDIR)$(MANDIR)/man1/papertrade.1" \
		"$(DESTDIR)$(BASHCOMPDIR)/papertrade" "$(DESTDIR)$(ZSHCOMPDIR)/_papertrade" \
		"$(DESTDIR)$(SYSTEMDUSERDIR)/papertrade.service" "$(DESTDIR)$(SYSTEMDUSERDIR)/papertrade.timer"
	@rm -f $(foreach f,$(notdir $(DOCS)),"$(DESTDIR)$(DOCDIR)/$(f)")
	@for d in "$(DESTDIR)$(DOCDIR)" "$(DESTDIR)$(ZSHCOMPDIR)" "$(DESTDIR)$(BASHCOMPDIR)" \
		"$(DESTDIR)$(SYSTEMDUSERDIR)"; do rmdir "$$d" "$${d%/*}" 2>/dev/null || true; done

clean:
	rm -rf build build-san build-clang

.PHONY: all tests check clean bench-tools lint install uninstall vec-report
-include $(LIB_OBJS:.o=.d) $(BUILD)/src/main.d
