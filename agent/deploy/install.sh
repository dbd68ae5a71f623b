#!/usr/bin/env bash
# Installs (or updates) the Zen box agent on Raspberry Pi OS (Debian, arm64).
# Safe to run again: every step checks what is already there.
#
#   sudo agent/deploy/install.sh --api https://support.example.com --code ABCD-EFGH
#
#   --api URL        the Zen API (written to the config on first install)
#   --code CODE      a one-time enrollment code from the portal
#   --force-enroll   enroll again, replacing the device token
#
# Run it from a checkout or an unpacked release: it copies agent/ and the
# shared contracts/ to /opt/zen-agent, installs their npm packages and
# compiles them there.
set -euo pipefail

readonly user=zen-agent
readonly app_dir=/opt/zen-agent
readonly config_dir=/etc/zen-agent
readonly config_file=$config_dir/config.json
readonly state_dir=/var/lib/zen-agent
readonly unit_file=/etc/systemd/system/zen-agent.service
# Lets zen-agent (and no one else) make its fixes through NetworkManager.
readonly polkit_rule=/etc/polkit-1/rules.d/50-zen-agent.rules
# The Debian tools the agent's checks and fixes run.
readonly debian_packages=(iproute2 iputils-ping iputils-arping iw traceroute udhcpc)

api_url=""
code=""
force_enroll=false

usage() {
  sed -n '2,13s/^# \{0,1\}//p' "$0"
}

die() {
  echo "install.sh: $*" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --api) api_url="${2:-}"; shift 2 ;;
    --code) code="${2:-}"; shift 2 ;;
    --force-enroll) force_enroll=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run it as root (sudo)"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ ! -f "$src/agent/main.ts" ] || [ ! -d "$src/contracts" ]; then
  die "agent/ and contracts/ not found in $src"
fi
[ "$(uname -m)" = aarch64 ] || echo "Note: built for Raspberry Pi OS arm64; this machine is $(uname -m)."

echo "== Node.js 20 or newer"
command -v node >/dev/null || die "Node.js is missing: install Node.js 20 (e.g. the NodeSource nodejs package)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node.js $(node -v) is too old: the agent needs 20 or newer"
command -v npm >/dev/null || die "npm is missing (it comes with Node.js)"
[ "$(command -v node)" = /usr/bin/node ] || die "the service runs /usr/bin/node; this node is $(command -v node)"

echo "== Debian tools"
missing=()
for package in "${debian_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

echo "== User $user"
if ! id -u "$user" >/dev/null 2>&1; then
  useradd --system --home-dir "$state_dir" --no-create-home --shell /usr/sbin/nologin "$user"
fi
usermod -a -G dialout "$user"
install -d -o "$user" -g "$user" -m 0700 "$state_dir"

echo "== Agent code in $app_dir"
install -d -m 0755 "$app_dir"
rm -rf "$app_dir/agent" "$app_dir/contracts"
cp -r "$src/agent" "$src/contracts" "$app_dir/"
# One package.json at the top, so agent/ and contracts/ both find the packages.
install -m 0644 "$src/agent/package.json" "$app_dir/package.json"
# Compiled here (TypeScript is a build-time package only), then run by plain node.
(
  cd "$app_dir"
  npm install --no-audit --no-fund --loglevel=error
  npm run --silent build
  npm prune --omit=dev --no-audit --no-fund --loglevel=error
)

echo "== Config in $config_file"
install -d -m 0755 "$config_dir"
if [ ! -f "$config_file" ]; then
  [ -n "$api_url" ] || die "first install: give the API with --api"
  # JSON written by node, so no character in the URL can break the file.
  ZEN_API_URL="$api_url" ZEN_STATE_DIR="$state_dir" node -e "
    const dir = process.env.ZEN_STATE_DIR;
    const config = {
      apiUrl: process.env.ZEN_API_URL,
      tokenFile: dir + '/device-token',
      journalPath: dir + '/journal.json',
    };
    process.stdout.write(JSON.stringify(config, null, 2) + '\\n');
  " >"$config_file.tmp"
  chmod 0644 "$config_file.tmp"
  mv "$config_file.tmp" "$config_file"
elif [ -n "$api_url" ]; then
  echo "Keeping the existing config (edit $config_file to change the API)."
fi

echo "== Enrollment"
token_file="$state_dir/device-token"
if [ -n "$code" ] && { [ ! -f "$token_file" ] || $force_enroll; }; then
  enroll=(--config "$config_file" --enroll "$code")
  $force_enroll && enroll+=(--force)
  (cd "$app_dir" && runuser -u "$user" -- node dist/agent/main.js "${enroll[@]}")
elif [ -f "$token_file" ]; then
  echo "Already enrolled (--force-enroll with a new --code enrolls again)."
else
  echo "Not enrolled yet: run again with --code <code from the portal>."
fi

echo "== NetworkManager permission (polkit rule $polkit_rule)"
# Only what the agent's nmcli commands need (see the file); polkitd reloads it by itself.
install -D -m 0644 "$src/agent/deploy/zen-agent.rules" "$polkit_rule"

echo "== Service"
install -m 0644 "$src/agent/deploy/zen-agent.service" "$unit_file"
systemctl daemon-reload
systemctl enable zen-agent.service
if [ -f "$token_file" ]; then
  systemctl restart zen-agent.service
  echo "The agent is running: journalctl -u zen-agent -f"
fi
