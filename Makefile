# The two commands of the README. Both set everything up from the lock file first.
.PHONY: run test

run:  ## akrim on SQLite with demo data at http://127.0.0.1:8000
	./scripts/dev run

test:  ## the whole test suite (DATABASE_URL/REDIS_URL when set; ARGS for pytest)
	./scripts/dev test $(ARGS)
