# The README's quick start: `make demo` and `make test` work on a fresh machine with Node.js.
# Nothing global is written: a pnpm of the pinned version already on PATH is used; otherwise the
# pinned pnpm is installed into .tools/ (npm checks it against the registry's integrity).
PNPM_VERSION := 12.4.2
LOCAL_PNPM := .tools/node_modules/.bin/pnpm
PNPM := $(if $(filter $(PNPM_VERSION),$(shell pnpm --version 2>/dev/null)),pnpm,$(LOCAL_PNPM))
# The tests run `pnpm` in the example apps and scratch projects: the local one is found on PATH too.
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)

.PHONY: setup demo test

$(LOCAL_PNPM):
	npm install --no-save --no-audit --no-fund --loglevel=error --prefix .tools pnpm@$(PNPM_VERSION)

setup: $(if $(filter pnpm,$(PNPM)),,$(LOCAL_PNPM))
	@$(PNPM) install --frozen-lockfile

demo: setup
	$(PNPM) demo

test: setup
	$(PNPM) test
