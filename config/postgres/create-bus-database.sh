#!/usr/bin/env bash
# One-shot run by the zen-bus-database service in docker-compose.yml (psql of the postgres
# image), as PostgreSQL's administrator (PGHOST, PGUSER, PGPASSWORD): makes the role zen_bus,
# with ZEN_BUS_DB_PASSWORD, and the database zen_bus that it owns. There the API instances'
# socket.io adapter (SOCKET_BUS_URL) keeps its one table and passes messages between them.
# Idempotent: safe on every `docker-compose up`; a changed password is applied.
set -euo pipefail

if [[ -z "${ZEN_BUS_DB_PASSWORD:-}" ]]; then
  echo 'ZEN_BUS_DB_PASSWORD is not set: the API instances would have no bus (see .env.example).' >&2
  exit 1
fi

# The password reaches psql as a variable (:'password' quotes it), never spliced into SQL.
psql --no-psqlrc --set ON_ERROR_STOP=1 --dbname postgres \
  --set password="$ZEN_BUS_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE zen_bus LOGIN'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'zen_bus') \gexec
ALTER ROLE zen_bus WITH LOGIN PASSWORD :'password';
SELECT 'CREATE DATABASE zen_bus OWNER zen_bus'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'zen_bus') \gexec
-- Only its owner (and the administrator) may connect.
REVOKE ALL ON DATABASE zen_bus FROM PUBLIC;
SQL
echo 'Database zen_bus is ready for the API instances.'
