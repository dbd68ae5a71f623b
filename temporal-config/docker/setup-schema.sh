#!/usr/bin/env bash
# One-shot run by the temporal-schema service in docker-compose.yml (admin-tools image) before
# the Temporal server starts: Temporal's own SQL tool creates its two databases, persistence
# and visibility, and brings their schemas to the version this server release expects (the
# schemas are built into the tool). Connection from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER
# and SQL_PASSWORD. Idempotent: an existing database is kept, and a schema already current is
# left as it is, so this is safe on every `docker-compose up` and upgrades after a new image.
set -euo pipefail

setup() {
  local database=$1 schema=$2
  temporal-sql-tool --db "$database" create-database
  # Version 0.0 only makes the version tables where they are missing.
  temporal-sql-tool --db "$database" setup-schema -v 0.0
  temporal-sql-tool --db "$database" update-schema --schema-name "$schema"
}

setup "${TEMPORAL_DB:-temporal}" postgresql/v12/temporal
setup "${TEMPORAL_VISIBILITY_DB:-temporal_visibility}" postgresql/v12/visibility
echo 'Temporal schemas are current.'
