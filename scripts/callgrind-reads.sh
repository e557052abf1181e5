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

db=${1:?"usage: $0 bench_database [conversations|messages] [requests] [server binary]"}
read=${2:-conversations}
requests=${3:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${4:-$root/target/server/switchboard}
[ -x "$bin" ] || { echo "$bin is missing: cargo build --profile server -p backend" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }

run=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$run"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port

DATABASE_URL="postgres://postgres@%2Fvar%2Frun%2Fpostgresql/$db" LISTEN_ADDR=127.0.0.1:$port \
  SECRET_KEY_BASE=$(printf '0123456789abcdef%.0s' 1 2 3 4 5 6 7 8) STATIC_DIR="$root/dist" \
  FRONTEND_URL=http://localhost:3000 FILE_STORE_DIR="$run/files" INSTAGRAM_APP_ID=123456 \
  INSTAGRAM_APP_SECRET=unused INSTAGRAM_VERIFY_TOKEN=unused WORKERS=0 READ_CACHE_MIB=0 \
  valgrind --tool=callgrind --callgrind-out-file="$run/callgrind.out" "$bin" serve >"$run/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do curl -s -o /dev/null "$base/api/v1/profile" && break; sleep 0.5; done

# The harness's administrator (bench/src/main.rs, `connect_instagram`).
account=$(curl -sf -c "$run/cookies" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"password123"}' "$base/auth/sign_in" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["account_id"])')
token=$(curl -sf -b "$run/cookies" "$base/api/v1/profile" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
case $read in
  conversations) path=conversations ;;
  messages)
    number=$(psql -h 127.0.0.1 -U postgres -d "$db" -Atc \
      "SELECT display_id FROM conversations ORDER BY last_activity_at DESC, id DESC LIMIT 1")
    path=conversations/$number/messages ;;
  *) echo "unknown read $read" >&2; exit 1 ;;
esac
url=$base/api/v1/accounts/$account/$path
get() { curl -sf -o /dev/null -H "api_access_token: $token" "$url"; }

for _ in 1 2 3 4 5; do get; done
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
