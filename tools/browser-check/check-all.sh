#!/usr/bin/env bash
# Every browser check against nodes from the built jar, as CI runs them: the chat page and the
# protocol explorer, the API docs, the node view. Needs the jar (./mvnw verify or package) and
# Node 20; installs Debian's chromium and the npm packages when they are missing. Stops its nodes
# by itself.
set -euo pipefail
cd "$(dirname "$0")"
JAR=../../gateway/target/parley-gateway.jar
[ -f "$JAR" ] || { echo "no $JAR: build first (./mvnw -B -ntp package -DskipTests)"; exit 1; }
if ! command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1 && [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  apt-get install -y --no-install-recommends chromium \
    || { apt-get update && apt-get install -y --no-install-recommends chromium; }
fi
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund

DATA=$(mktemp -d)
PIDS=()
stop() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DATA"; }
trap stop EXIT

# A node that signs short-lived development tokens (browser-chat.mjs waits for the page's token
# refresh), one with the default lifetime (the other checks' sockets must not expire midway: the
# explorer's do not refresh their tokens), and one with development tokens off (the docs page
# must say so).
start() { # port, data dir, extra environment...
  local port=$1 dir=$2; shift 2
  env PARLEY_PORT="$port" PARLEY_DATA_DIR="$dir" "$@" java -jar "$JAR" >"$dir.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do
    curl -fs "http://localhost:$port/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "node on $port did not become ready; its log:"; cat "$dir.log"; return 1
}
start 18080 "$DATA/short-tokens" PARLEY_DEV_TOKEN_TTL=30s
start 18081 "$DATA/main"
start 18182 "$DATA/no-dev-tokens" PARLEY_DEV_TOKENS=false

# The checks named as arguments (browser-chat console-chat admin docs), all of them by default.
CHECKS=("${@:-browser-chat console-chat admin docs}")
for check in ${CHECKS[*]}; do
  case "$check" in
    browser-chat) node browser-chat.mjs http://localhost:18080 ;;
    console-chat) node console-chat.mjs http://localhost:18081 ;;
    admin) node admin.mjs http://localhost:18081 ;;
    docs) node docs.mjs http://localhost:18081 http://localhost:18182 ;;
    *) echo "no browser check named $check"; exit 1 ;;
  esac
done
