# The two commands a newcomer needs: `make run` and `make test`.
.PHONY: run test venv lint format bench clean-db

venv:
	@scripts/venv

run: venv
	@scripts/run

test: venv
	@scripts/test $(ARGS)

lint: venv
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: venv
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

bench: venv
	@bench/run

clean-db:
	.venv/bin/python -m reex.embedded_db stop; rm -rf var/pgdata
