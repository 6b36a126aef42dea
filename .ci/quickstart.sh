#!/usr/bin/env bash
# README's "run a node" and its quickstart, as a new user types them: the packaged jar started
# with no configuration at all (empty environment, fresh directory, port 8080), then the
# documented curl commands. Fails when the node does not come up, a command's answer is not the
# documented one, or ./data is not where README says. Needs gateway/target/parley-gateway.jar.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/gateway/target/parley-gateway.jar"
[ -f "$JAR" ] || { echo "quickstart: $JAR missing; run ./mvnw -B -ntp verify first" >&2; exit 1; }
if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
  echo "quickstart: port 8080 is taken; README's node needs it" >&2
  exit 1
fi

WORK=$(mktemp -d)
cd "$WORK"
env -i PATH="$PATH" HOME="$HOME" java -jar "$JAR" >node.log 2>&1 &
NODE=$!
finish() {
  kill "$NODE" 2>/dev/null && wait "$NODE" 2>/dev/null || true
  cd / && rm -rf "$WORK"
}
fail() {
  echo "quickstart: $*" >&2
  cat node.log >&2
  exit 1
}
trap finish EXIT

for _ in $(seq 1 120); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/ready)" = 200 ] && break
  kill -0 "$NODE" 2>/dev/null || fail "the node exited"
  sleep 0.5
done
[ "$(curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/ready)" = 200 ] || fail "not ready within 60 s"

# README: a development token.
ANSWER=$(curl -s -X POST http://localhost:8080/api/v1/dev/tokens -d '{"sub":"1"}')
TOKEN=$(printf '%s' "$ANSWER" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] && printf '%s' "$ANSWER" | grep -q '"token_type":"Bearer"' || fail "no token in: $ANSWER"

# docs/dialects.md: a group chat over REST with that token.
STATUS=$(curl -s -o chat.json -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  localhost:8080/api/v1/chats -d '{"kind":"group","members":["2"]}')
{ [ "$STATUS" = 201 ] || [ "$STATUS" = 200 ]; } && grep -q '"chat":{"id":"' chat.json \
  || fail "creating a chat answered $STATUS: $(cat chat.json)"

# README "Integrating your backend": its shell block as written (service token, booking chat,
# system message, close, revoke).
command -v jq >/dev/null || fail "README's backend example needs jq"
sed -n '/^## Integrating your backend/,/^## /p' "$ROOT/README.md" | sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' >backend.sh
[ -s backend.sh ] || fail "no shell block in README's 'Integrating your backend'"
bash -euo pipefail backend.sh >backend.out 2>&1 || fail "README's backend example failed: $(cat backend.out)"
grep -q '"sender_id":"system","text":"Booking confirmed: Saturday 10:00"' backend.out \
  || fail "README's backend example answered otherwise: $(cat backend.out)"
grep -q '"closed_at":"' backend.out || fail "README's close did not close: $(cat backend.out)"

# The page README sends the reader to, and the history store README names.
[ "$(curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/)" = 200 ] || fail "no page at /"
[ -d data ] || fail "no ./data directory"
echo "quickstart: README's node and commands work from the jar with zero configuration"
