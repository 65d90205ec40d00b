# A thin wrapper over meson and ninja. `make run` and `make test` are all a
# newcomer needs on Debian 12; both install missing packages first.
BUILDDIR ?= _build
ASANDIR ?= _build-asan
MESON_ARGS ?=
B ?=

ifeq ($(CI),true)
MESON_ARGS += -Dwerror=true
endif

.PHONY: all deps setup build run test test-flaky asan valgrind bench screenshot clean

all: build

deps:
	@sh tools/install-deps.sh

$(BUILDDIR)/build.ninja:
	@sh tools/install-deps.sh
	meson setup $(BUILDDIR) $(MESON_ARGS)

setup: $(BUILDDIR)/build.ninja

build: deps setup
	meson compile -C $(BUILDDIR)

run: build
	meson devenv -C $(BUILDDIR) -w . tandem

# Tests known to fail now and then are in the suite "flaky": fixed next,
# run on their own with `make test-flaky` meanwhile.
test: build
	meson test -C $(BUILDDIR) --print-errorlogs --num-processes 2 --no-suite flaky

test-flaky: build
	meson test -C $(BUILDDIR) --print-errorlogs --suite flaky

asan: deps
	@test -f $(ASANDIR)/build.ninja || meson setup $(ASANDIR) $(MESON_ARGS) -Db_sanitize=address,undefined -Db_lundef=false
	meson compile -C $(ASANDIR)
	meson test -C $(ASANDIR) --setup asan --print-errorlogs --num-processes 2

valgrind: build
	meson test -C $(BUILDDIR) --setup valgrind --print-errorlogs --num-processes 2

bench: build
	@sh bench/run-bench.sh $(BUILDDIR) $(B)

screenshot: build
	sh tools/screenshot.sh $(BUILDDIR) data/screenshots

clean:
	rm -rf $(BUILDDIR) $(ASANDIR)
