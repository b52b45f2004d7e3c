# The README's quick start: `make demo` and `make test` work on a fresh machine with Node.js.
PNPM_VERSION := 12.4.2

.PHONY: setup demo test

setup:
	@[ "$$(pnpm --version 2>/dev/null)" = "$(PNPM_VERSION)" ] || npm install -g pnpm@$(PNPM_VERSION)
	@pnpm install --frozen-lockfile

demo: setup
	pnpm demo

test: setup
	pnpm test
