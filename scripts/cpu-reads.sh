#!/usr/bin/env bash
# The CPU time an uncached read costs the server and PostgreSQL, from /proc, over many reads at a fixed
# concurrency through `ab` (apache2-utils): time, not instructions, where `scripts/callgrind-reads.sh` counts
# instructions (at stop 41 a change that took 13% of them off a list saved no CPU time measurable here: README,
# "What changed", stop 41). The machine's drift moves it too (7% over four runs of one build there): alternate the
# builds over several runs.
#
#   BENCH_KEEP_DB=1 BENCH_DATABASES=postgres target/server/bench      # prints "kept PostgreSQL database bench_…"
#   scripts/cpu-reads.sh bench_… [conversations|messages] [requests] [server binary]    # CONCURRENCY=8
set -euo pipefail

requests_by_default=100000
command -v ab >/dev/null || { echo "ab is missing: apt-get install apache2-utils" >&2; exit 1; }
# shellcheck source=scripts/bench-db-server.sh
. "$(dirname "$0")/bench-db-server.sh"

concurrency=${CONCURRENCY:-8}
# `ab` counts a 4xx as a read like any other: a run with one is refused.
reads() {
  local out
  out=$(ab -k -q -n "$1" -c "$concurrency" -H "api_access_token: $token" "$url")
  if grep -qE '^(Non-2xx responses|Failed requests: +[1-9])' <<<"$out"; then
    echo "$out" >&2
    exit 1
  fi
  awk '/Requests per second/ {print $4}' <<<"$out"
}
# Enough reads in flight to open every pooled connection first, so that all of their backends are counted.
reads 2000 >/dev/null
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
backends=$(pgrep -f "postgres: .*$db" | tr '\n' ' ')
s0=$(ticks "$pid")
# shellcheck disable=SC2086
p0=$(ticks $backends)
rate=$(reads "$requests")
s1=$(ticks "$pid")
# shellcheck disable=SC2086
p1=$(ticks $backends)
hz=$(getconf CLK_TCK)
python3 -c "
per = lambda t: t * 1e6 / $hz / $requests
print(f'$read: server {per($s1 - $s0):.1f} µs, PostgreSQL {per($p1 - $p0):.1f} µs of CPU a read, $rate reads/s ($requests at $concurrency, $bin)')"
