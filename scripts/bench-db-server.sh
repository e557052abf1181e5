# Sourced by scripts/callgrind-reads.sh and scripts/cpu-reads.sh: starts a server binary on a database kept by the
# harness (`BENCH_KEEP_DB=1`) with nothing kept (READ_CACHE_MIB=0, no workers), under `$wrap` if set (a command
# and its arguments, e.g. valgrind), signs in as the harness's administrator and reads five times to warm up.
# Takes the caller's arguments, bench_database [conversations|messages] [requests, else `requests_by_default`]
# [server binary], and sets `db`, `read`, `requests`, `bin`, `pid`, `url` (the read asked for), `token` and `get`
# (one read); `run`, a scratch folder removed at exit, is made unless the caller made it.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
db=${1:?"usage: $0 bench_database [conversations|messages] [requests] [server binary]"}
read=${2:-conversations}
requests=${3:-$requests_by_default}
bin=${4:-$root/target/server/switchboard}
[ -x "$bin" ] || { echo "$bin is missing: cargo build --profile server -p backend" >&2; exit 1; }

run=${run:-$(mktemp -d)}
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$run"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port

DATABASE_URL="postgres://postgres@%2Fvar%2Frun%2Fpostgresql/$db" LISTEN_ADDR=127.0.0.1:$port \
  SECRET_KEY_BASE=$(printf '0123456789abcdef%.0s' 1 2 3 4 5 6 7 8) STATIC_DIR="$root/dist" \
  FRONTEND_URL=http://localhost:3000 FILE_STORE_DIR="$run/files" INSTAGRAM_APP_ID=123456 \
  INSTAGRAM_APP_SECRET=unused INSTAGRAM_VERIFY_TOKEN=unused WORKERS=0 READ_CACHE_MIB=0 \
  ${wrap[@]+"${wrap[@]}"} "$bin" serve >"$run/server.log" 2>&1 &
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
