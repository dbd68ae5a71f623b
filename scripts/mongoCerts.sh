#!/usr/bin/env bash
# Makes MongoDB's TLS files for docker-compose.yml in certs/mongo/ (git-ignored):
#   ca.key    the private CA's key: keep it off the server (it only signs)
#   ca.pem    the CA's certificate: the api and worker trust MongoDB through it
#   mongo.pem MongoDB's certificate for the name "mongo" and its key, in one file
# Run once per deployment (or when the certificate nears its end, after 825 days). An existing
# CA is reused, so renewing the server certificate needs no change on the clients.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=certs/mongo
mkdir -p "$dir"
umask 077

if [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -new -newkey rsa:3072 -nodes -days 3650 -subj "/CN=Zen MongoDB CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -new -newkey rsa:3072 -nodes -subj "/CN=mongo" \
  -keyout "$work/mongo.key" -out "$work/mongo.csr"
printf 'subjectAltName=DNS:mongo,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/mongo.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
  -CAcreateserial -days 825 -extfile "$work/ext" -out "$work/mongo.crt"
cat "$work/mongo.crt" "$work/mongo.key" >"$dir/mongo.pem"
# The mongo image runs mongod as uid 999: it must read its key; everyone may read the CA.
chmod 0644 "$dir/ca.pem"
chmod 0640 "$dir/mongo.pem"
chown 999:999 "$dir/mongo.pem" 2>/dev/null || echo "note: chown 999 certs/mongo/mongo.pem as root for the mongo image"
echo "MongoDB TLS files in $dir: ca.pem (public), mongo.pem (server), ca.key (keep safe)"
