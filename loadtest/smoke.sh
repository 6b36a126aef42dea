#!/usr/bin/env bash
# Gatling smoke run, so the load-test suite never rots (called by .ci/run after `./mvnw -B -ntp verify`):
# starts the packaged node in the background on a free port with a fresh HS256 secret, runs three
# simulations at tiny sizes against it, stops the node. Fails when a simulation's assertions fail.
# Takes about a minute. Needs gateway/target/parley-gateway.jar (mvn package or verify first).
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=gateway/target/parley-gateway.jar
[ -f "$JAR" ] || { echo "smoke: $JAR missing; run mvn -B -ntp verify (or package) first" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=$(( 20000 + RANDOM % 20000 ))
until port_free "$PORT"; do PORT=$(( 20000 + RANDOM % 20000 )); done
SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
WORK=$(mktemp -d)

PARLEY_PORT=$PORT PARLEY_BIND_ADDRESS=127.0.0.1 PARLEY_JWT_SECRET=$SECRET PARLEY_DATA_DIR="$WORK/data" \
  java -Xmx512m -jar "$JAR" >"$WORK/node.log" 2>&1 &
NODE=$!
stop_node() {
  kill "$NODE" 2>/dev/null && wait "$NODE" 2>/dev/null || true  # SIGTERM: graceful shutdown
  rm -rf "$WORK"
}
trap stop_node EXIT

# Ready within 60 s, or show the node's log and fail.
for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'GET /ready HTTP/1.0\r\n\r\n' >&3 && head -n1 <&3 | grep -q ' 200 ') 2>/dev/null; then
    break
  fi
  kill -0 "$NODE" 2>/dev/null || { cat "$WORK/node.log" >&2; echo "smoke: the node exited" >&2; exit 1; }
  sleep 0.5
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { cat "$WORK/node.log" >&2; echo "smoke: node not ready" >&2; exit 1; }

gatling() {
  timeout 300 ./mvnw -B -ntp -q -pl loadtest test-compile gatling:test -Dgatling.simulationClass="io.parley.loadtest.gatling.$1" \
    -Dbase="http://127.0.0.1:$PORT" -Dsecret="$SECRET" "${@:2}"
}
gatling PingPongSimulation -Dpairs=3 -Drounds=3 -DarmSeconds=2
gatling DialectMixSimulation -Dusers=5 -Diterations=2 -DrampSeconds=1
gatling ReconnectStormSimulation -Dusers=20 -DrampSeconds=2 -DholdSeconds=2 -DjitterMs=500 -DafterSeconds=2 -Dsenders=2
echo "smoke: Gatling simulations passed against a local node (reports under loadtest/target/gatling/)"
