#!/usr/bin/env bash
# One-shot run by the temporal-setup service in docker-compose.yml once the server has started.
# Idempotent: safe on every `docker-compose up`.
set -euo pipefail

namespace=zen

# The server takes a while to join its own ring after its start (TEMPORAL_ADDRESS).
for _ in $(seq 120); do
  temporal operator cluster health 2>/dev/null | grep -q SERVING && break
  sleep 1
done

# Closed case workflows' histories are kept as long as the closed cases themselves
# (RETENTION_CLOSED_CASE_DAYS, README "What we keep, why, and for how long").
retention="$(( ${RETENTION_CLOSED_CASE_DAYS:-730} * 24 ))h"
if ! temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  temporal operator namespace create --namespace "$namespace" --retention "$retention"
else
  temporal operator namespace update --namespace "$namespace" --retention "$retention"
fi

# A new namespace takes a few seconds to reach the frontend's cache.
for _ in $(seq 60); do
  temporal operator search-attribute list --namespace "$namespace" >/dev/null 2>&1 && break
  sleep 1
done

# Re-adding an existing attribute with the same type is a no-op on SQL visibility.
temporal operator search-attribute create --namespace "$namespace" \
  --name CaseStatus --type Keyword \
  --name CustomerId --type Keyword \
  --name DeviceId --type Keyword \
  --name CaseChannel --type Keyword \
  --name IssueCategory --type Keyword

temporal operator search-attribute list --namespace "$namespace"
