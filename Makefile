# The two commands of the README. Both set everything up from the lock file first.
.PHONY: run test

run:  ## akrim on SQLite with demo data at http://127.0.0.1:8000
	./scripts/dev run

test:  ## the whole test suite (DATABASE_URL/REDIS_URL when set; ARGS for pytest)
	./scripts/dev test $(ARGS)

# Benchmarks (PostgreSQL on 127.0.0.1:5432; docs/performance.md).
.PHONY: bench bench-full

bench:  ## benchmarks a-d on a generated ~100,000-row database akrim_bench_small (< 5 min)
	./scripts/dev sync
	.venv/bin/python -m bench.run --db akrim_bench_small --scale 0.1 --repeat 5 --duration 15

bench-full:  ## the same at full size: 1M cases, 1M inspections, 3M findings, 2M grants
	./scripts/dev sync
	.venv/bin/python -m bench.run --db akrim_bench --scale 1

# Backup and restore (docs/operations.md): pg_dump/pg_restore plus the private files.
.PHONY: backup restore

backup:  ## back up PostgreSQL (DATABASE_URL) and the private files into DIR (docs/operations.md)
	./scripts/dev sync
	.venv/bin/python scripts/backup.py $(DIR)

restore:  ## restore DIR into DATABASE_URL and the private files, then verify (FORCE=1 replaces)
	@test -n "$(DIR)" || { echo "usage: make restore DIR=backups/akrim-... [FORCE=1]" >&2; exit 2; }
	./scripts/dev sync
	.venv/bin/python scripts/restore.py $(DIR) $(if $(FORCE),--force)
