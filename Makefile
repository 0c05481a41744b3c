# The two entry points README promises: `make run` and `make test`. Each sets up what it needs first.
.PHONY: setup run test bench bench-full clean

setup:
	@scripts/setup.sh

run: setup
	./lowlatency run $(ARGS)

test: setup
	scripts/test.sh

bench: setup
	./lowlatency bench --check --quick

bench-full: setup
	./lowlatency bench --check

clean:
	rm -rf artifacts logs
