#!/usr/bin/env bash
# Makes the machine's own PostgreSQL 15 ready for the tests' external-database mode (see
# src/test/java/io/sagaorchestrator/testsupport/PostgresTestResource.java), then prints the
# variables that select it:
#
#   vars=$(bash .ci/pg15-test-db.sh) && eval "$vars" && ./mvnw test
#
# (not eval "$(...)": eval of an empty string succeeds, so a failure here would go unnoticed and
# the tests would quietly run on the embedded PostgreSQL instead)
#
# Idempotent: starts cluster 15/main if it is down, creates role (with CREATEROLE) and database
# saga_test if they are missing. The tests empty that database's schema public at every run: it must hold nothing
# else. Needs root (runs psql as the postgres user). Exits 3 when there is no PostgreSQL 15.
set -euo pipefail

readonly VERSION=15 CLUSTER=main NAME=saga_test

# Only the exports may reach stdout (the caller evals it): everything the tools below print
# (pg_ctlcluster says "Removed stale pid file." after an unclean stop) goes to stderr.
exec 3>&1 1>&2

fail() {
  echo "pg15-test-db: $*" >&2
  exit 3
}

command -v pg_lsclusters >/dev/null && [ -x "/usr/lib/postgresql/$VERSION/bin/postgres" ] \
  || fail "PostgreSQL $VERSION is not installed (apt-get install postgresql-$VERSION); without it the tests use the embedded PostgreSQL"

# pg_lsclusters -h: version cluster port status owner data-directory log-file
cluster=$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c')
[ -n "$cluster" ] || fail "PostgreSQL $VERSION has no cluster '$CLUSTER' (pg_createcluster $VERSION $CLUSTER)"
port=$(awk '{print $3}' <<<"$cluster")

if [ "$(awk '{print $4}' <<<"$cluster")" != online ]; then
  echo "pg15-test-db: starting cluster $VERSION/$CLUSTER" >&2
  # 3>&-: the postmaster must not inherit the caller's pipe, or $(...) would wait for it to exit
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start 3>&- </dev/null
fi

as_postgres() {
  # from / so that psql, running as postgres, does not complain about the caller's directory
  (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@")
}

if [ -z "$(as_postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$NAME'")" ]; then
  echo "pg15-test-db: creating role $NAME" >&2
  as_postgres -c "CREATE ROLE $NAME LOGIN PASSWORD '$NAME'"
fi
# CREATEROLE: the migration makes the role saga_dispatcher, and SqlDispatchTest a login role granted it (as an
# application's); roles belong to the whole cluster, so they outlive the schema the tests empty
as_postgres -c "ALTER ROLE $NAME CREATEROLE"
if [ -z "$(as_postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$NAME'")" ]; then
  echo "pg15-test-db: creating database $NAME" >&2
  as_postgres -c "CREATE DATABASE $NAME OWNER $NAME"
fi

cat >&3 <<EOF
export SAGA_TEST_DB_URL=jdbc:postgresql://127.0.0.1:$port/$NAME
export SAGA_TEST_DB_USER=$NAME
export SAGA_TEST_DB_PASSWORD=$NAME
EOF
