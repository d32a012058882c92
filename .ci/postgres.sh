#!/usr/bin/env bash
# Start a local PostgreSQL server (Debian packaging) and create the govlab test role and database.
# Idempotent: fine if the cluster is already running or the role/database exist. Runs as root with
# no standard input. The tests read GOVLAB_TEST_POSTGRES_URL, which .ci/run exports:
#   postgresql+psycopg://govlab:govlab@127.0.0.1:5432/govlab_test
set -euo pipefail
ROLE=${GOVLAB_PG_ROLE:-govlab}
PASSWORD=${GOVLAB_PG_PASSWORD:-govlab}
DATABASE=${GOVLAB_PG_DATABASE:-govlab_test}

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if [ -z "$version" ]; then
  echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p 5432

as_postgres() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtA $*" </dev/null; }
if [ "$(as_postgres "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'\"")" != "1" ]; then
  as_postgres "-c \"CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'\""
fi
if [ "$(as_postgres "-c \"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'\"")" != "1" ]; then
  as_postgres "-c \"CREATE DATABASE $DATABASE OWNER $ROLE\""
fi
