#!/usr/bin/env bash
# A local PostgreSQL server from Debian's packages, started, with a superuser
# role the tests log in as over TCP (they create a throwaway role and database
# per test from it).
source "$(dirname "$0")/lib.sh"
PG_VERSION=15
ROLE="${MIGRATE_GATE_TEST_PG_ROLE:-migrate_gate_test}"
PASSWORD="${MIGRATE_GATE_TEST_PG_PASSWORD:-migrate-gate-test}"
apt_install "postgresql-$PG_VERSION" postgresql-client-$PG_VERSION
pg_lsclusters -h | grep -q "^$PG_VERSION main" || pg_createcluster $PG_VERSION main >/dev/null
if ! pg_lsclusters -h | grep "^$PG_VERSION main" | grep -q online; then
    log "starting PostgreSQL $PG_VERSION"
    pg_ctlcluster --skip-systemctl-redirect $PG_VERSION main start
fi
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
for _ in $(seq 1 30); do as_postgres "psql -qtAc 'select 1'" >/dev/null 2>&1 && break; sleep 0.5; done
exists=$(as_postgres "psql -qtAc \"select 1 from pg_roles where rolname = '$ROLE'\"")
if [ "$exists" != "1" ]; then
    log "creating role $ROLE"
    as_postgres "psql -qc \"create role $ROLE login superuser password '$PASSWORD'\""
fi
