# The two entry points README promises: `make run` and `make test`. Each sets up what it needs first.
# `make probe` runs only the CLI probe (part of `make test`).
.PHONY: setup run test probe bench bench-full clean

setup:
	@scripts/setup.sh

run: setup
	./lowlatency run $(ARGS)

test: setup
	scripts/test.sh

probe: setup
	scripts/probe.sh

bench: setup
	./lowlatency bench --check --quick

bench-full: setup
	./lowlatency bench --check

clean:
	rm -rf artifacts logs
