#!/usr/bin/env bash
# Profiles a running node (or any JVM) with async-profiler, attached through jcmd, while a
# benchmark drives it. Writes <out>.html (flame graph) and <out>.collapsed (one line per stack,
# for grep and scripts).
#
#   loadtest/profile.sh <pid|auto> <delay-seconds> <seconds> <out> [event]
#
# pid "auto": the first process running parley-gateway.jar, waited for up to two minutes (start
# the benchmark right after this script). event: cpu (default), alloc, lock or wall.
# async-profiler's native library comes from Maven Central (tools.profiler:async-profiler).
set -euo pipefail
[ $# -ge 4 ] || { sed -n 2,11p "$0"; exit 2; }
pid=$1 delay=$2 seconds=$3 out=$4 event=${5:-cpu}
version=4.1
dir=${TMPDIR:-/tmp}/parley-async-profiler-$version
lib=$dir/linux-x64/libasyncProfiler.so
if [ ! -f "$lib" ]; then
  mkdir -p "$dir"
  "$(dirname "$0")/../mvnw" -q -B dependency:copy -Dartifact=tools.profiler:async-profiler:$version:jar:linux-x64 -DoutputDirectory="$dir"
  (cd "$dir" && unzip -q -o "async-profiler-$version-linux-x64.jar" 'linux-x64/*')
fi
if [ "$pid" = auto ]; then
  for _ in $(seq 1 120); do
    pid=$(pgrep -f 'parley-gateway.jar' | head -1 || true)
    [ -n "$pid" ] && break
    sleep 1
  done
  [ -n "$pid" ] || { echo "no parley-gateway.jar process appeared" >&2; exit 1; }
fi
# jcmd splits its arguments at '=', so the agent's options go in quotes of their own.
agent() { jcmd "$pid" JVMTI.agent_load "$lib" "\"$1\"" >/dev/null; }
echo "profiling $pid ($event) in $delay s for $seconds s"
sleep "$delay"
case $event in cpu|wall) sampling=",interval=1ms" ;; *) sampling="" ;; esac
agent "start,event=$event$sampling"
sleep "$seconds"
agent "dump,collapsed,file=$(realpath -m "$out").collapsed"
agent "stop,file=$(realpath -m "$out").html"
echo "wrote $out.html and $out.collapsed"
