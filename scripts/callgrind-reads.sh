#!/usr/bin/env bash
# The server's instructions per uncached read, counted by valgrind's callgrind: a measure that does not move
# with the machine's speed, for A/Bs of the server's part of a read where the harness's req/s and CPU per
# request drift by a fifth between runs (README, "What changed", stop 39). PostgreSQL's part is not counted.
#
#   BENCH_KEEP_DB=1 BENCH_DATABASES=postgres target/server/bench      # prints "kept PostgreSQL database bench_…"
#   scripts/callgrind-reads.sh bench_… [conversations|messages] [requests] [server binary]
#
# Starts the binary (default target/server/switchboard) under callgrind on that database with nothing kept
# (READ_CACHE_MIB=0, no workers), signs in as the harness's administrator, reads a few times to warm up, zeroes
# the counters, reads `requests` times (default 200) one after the other, and prints the instructions per read
# and where the dump of those reads is kept (target/callgrind/), for `callgrind_annotate --tree=caller`.
# `messages` reads the thread of the conversation with the latest activity. Drop the database afterwards:
# psql -h 127.0.0.1 -U postgres -d test -c 'DROP DATABASE bench_…'.
set -euo pipefail

requests_by_default=200
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
run=$(mktemp -d)
wrap=(valgrind --tool=callgrind --callgrind-out-file="$run/callgrind.out")
# shellcheck source=scripts/bench-db-server.sh
. "$(dirname "$0")/bench-db-server.sh"

callgrind_control -z "$pid" >/dev/null 2>&1
for _ in $(seq 1 "$requests"); do get; done
callgrind_control -d "$pid" >/dev/null 2>&1
sleep 1
# The dump of the reads alone (`-d` writes callgrind.out.1); the one written at exit holds start-up too.
kept=$root/target/callgrind/$read-$(date +%Y%m%d-%H%M%S).out
mkdir -p "$(dirname "$kept")"
cp "$run/callgrind.out.1" "$kept"
total=$(awk '/^summary:/ {print $2}' "$kept")
python3 -c "print(f'{\"$read\"}: {$total / $requests:,.0f} instructions a read ({$requests} reads, $bin)')"
echo "dump: $kept"
