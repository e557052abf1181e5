#!/usr/bin/env bash
# Schema fuzzing: starts the real server on a fresh database, creates a super-admin with an account, and runs
# schemathesis against /api/openapi.json with that user's API token. Every response must be a non-5xx that the
# document describes (status code, content type and body schema).
#
#   scripts/schemathesis.sh [sqlite|postgres] [examples per operation]
#
# SWITCHBOARD_BIN (default: $CARGO_TARGET_DIR or target, /debug/switchboard) and SCHEMATHESIS (default:
# target/venv/bin/schemathesis, installed by `make schemathesis-setup`) can be overridden. PostgreSQL: a fresh
# database t_<uuid> on postgres://postgres@127.0.0.1:5432, dropped afterwards. Outbound APIs (Twilio,
# Instagram) point at a closed local port, so nothing leaves the machine. The run's directory (server log,
# JUnit report) is kept under target/schemathesis/ when the run fails.
set -euo pipefail

database=${1:-sqlite}
examples=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SWITCHBOARD_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/switchboard}
schemathesis=${SCHEMATHESIS:-$root/target/venv/bin/schemathesis}
[ -x "$bin" ] || { echo "$bin is missing: cargo build -p backend (or set SWITCHBOARD_BIN)" >&2; exit 1; }
[ -x "$schemathesis" ] || { echo "$schemathesis is missing: make schemathesis-setup" >&2; exit 1; }

run=$root/target/schemathesis/$database-$$
rm -rf "$run" && mkdir -p "$run"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port

case $database in
  sqlite) db_url="sqlite://$run/fuzz.db?mode=rwc"; pg_name= ;;
  postgres)
    pg_name=t_$(python3 -c 'import uuid; print(uuid.uuid4().hex)')
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $pg_name"
    db_url=postgres://postgres@127.0.0.1:5432/$pg_name ;;
  *) echo "usage: $0 [sqlite|postgres] [examples]" >&2; exit 2 ;;
esac

server=
cleanup() {
  status=$?
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  if [ -n "$pg_name" ]; then
    psql -X -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $pg_name WITH (FORCE)" || true
  fi
  if [ "$status" -eq 0 ]; then rm -rf "$run"; else echo "kept $run (server.log, junit.xml)" >&2; fi
}
trap cleanup EXIT

export DATABASE_URL=$db_url LISTEN_ADDR=127.0.0.1:$port FRONTEND_URL=$base STATIC_DIR=$run/dist \
  FILE_STORE_DIR=$run/files SECRET_KEY_BASE=$(python3 -c 'import secrets; print(secrets.token_hex(32))') \
  TWILIO_API_URL=http://127.0.0.1:9 INSTAGRAM_OAUTH_URL=http://127.0.0.1:9 \
  INSTAGRAM_API_URL=http://127.0.0.1:9 INSTAGRAM_GRAPH_URL=http://127.0.0.1:9
"$bin" serve >"$run/server.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
  curl -fsS "$base/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "the server exited:" >&2; tail -n 30 "$run/server.log" >&2; exit 1; }
  sleep 0.2
done
admin=$("$bin" create-admin --email fuzz@example.com --password 'fuzz-password-1' --name Fuzz \
  --account-name Fuzzing --super-admin | tail -n 1)
token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["access_token"])' "$admin")
account=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["account_id"])' "$admin")

# A little data to reach past the 404s: two API inboxes, an agent who is a member of the first, and a conversation.
api() {
  curl -fsS -X "$1" -H "api_access_token: $token" -H 'content-type: application/json' \
    "$base/api/v1/accounts/$account$2" ${3:+--data "$3"}
}
inbox1=$(api POST /inboxes '{"name":"Fuzz one","channel":{"type":"api"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
inbox2=$(api POST /inboxes '{"name":"Fuzz two","channel":{"type":"api"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
agent=$(api POST /agents '{"name":"Agent","email":"agent@example.com","role":"agent","password":"agent-password-1"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api POST /inbox_members "{\"inbox_id\":$inbox1,\"user_ids\":[$agent]}" >/dev/null
# No API call creates a conversation (customers do, through a channel), so one is written directly: conversation
# 1 of the first inbox with a customer, their message and a failed reply.
now=$(date +%s)
seed="
INSERT INTO contacts (account_id, name, additional_attributes, custom_attributes, created_at, updated_at)
  VALUES ($account, 'Fuzz customer', '{}', '{}', $now, $now);
INSERT INTO contact_inboxes (contact_id, inbox_id, source_id, created_at)
  SELECT MAX(id), $inbox1, 'fuzz-source', $now FROM contacts;
INSERT INTO conversations (account_id, inbox_id, contact_id, contact_inbox_id, display_id, status,
    last_activity_at, last_incoming_at, additional_attributes, created_at, updated_at)
  SELECT $account, $inbox1, contact_id, id, 1, 'open', $now, $now, '{}', $now, $now FROM contact_inboxes;
UPDATE accounts SET last_display_id = 1 WHERE id = $account;
INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content, content_type,
    content_attributes, private, status, sender_type, sender_id, created_at, updated_at)
  SELECT $account, $inbox1, id, 0, 'Hello', 'text', '{}', false, 'sent', 'Contact', contact_id, $now, $now
  FROM conversations;
INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content, content_type,
    content_attributes, private, status, sender_type, sender_id, created_at, updated_at)
  SELECT $account, $inbox1, id, 1, 'Hi', 'text', '{}', false, 'failed', 'User', 1, $now, $now
  FROM conversations;"
if [ -n "$pg_name" ]; then
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d "$pg_name" -c "$seed"
else
  python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.executescript(sys.argv[2]); db.commit()' \
    "$run/fuzz.db" "$seed"
fi

# The account in every path is the fuzzing account, and other ids are usually ones that exist, so operations
# get past the 404 and reach their logic. The event stream never ends, so it is fuzzed apart, in an account the
# caller is not in (404s), and its success answer is checked once below.
cat >"$run/account.toml" <<TOML
[dictionaries.ids]
values = [1, 2, $inbox1, $inbox2, $agent]

[parameters]
"path.account_id" = $account
"path.inbox_id" = { dictionary = "ids", probability = 0.7 }
"path.user_id" = { dictionary = "ids", probability = 0.7 }
"path.id" = { dictionary = "ids", probability = 0.7 }
"path.conversation_id" = { dictionary = "ids", probability = 0.7 }
"path.message_id" = { dictionary = "ids", probability = 0.7 }
"path.attachment_id" = { dictionary = "ids", probability = 0.7 }
"body.inbox_id" = { dictionary = "ids", probability = 0.7 }
"body.user_ids[*]" = { dictionary = "ids", probability = 0.7 }
TOML
cat >"$run/stranger.toml" <<TOML
[parameters]
"path.account_id" = $((account + 1000))
TOML

fuzz() {
  local config=$1 report=$2
  shift 2
  # From the run directory: schemathesis keeps a crash cache (for `st replay`) in ./.schemathesis.
  (cd "$run" && "$schemathesis" --config-file "$run/$config" run "$base/api/openapi.json" \
    --header "api_access_token: $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$examples" \
    --generation-with-security-parameters false \
    --generation-database "$root/target/schemathesis/examples" \
    --request-timeout 10 \
    --workers 1 \
    --no-color \
    --report junit --report-junit-path "$run/$report" "$@")
}

echo "schemathesis: $database, $examples examples per operation, $base"
result=0
fuzz account.toml junit.xml --exclude-path-regex '/events$' "${@:3}" || result=1
fuzz stranger.toml junit-events.xml --include-path-regex '/events$' "${@:3}" || result=1
# The stream never ends: curl cuts it after 2 s (its exit code 28, and no message: that is the expected end);
# only the status and content type it saw are judged.
stream=$(curl -s -o /dev/null --max-time 2 -w '%{http_code} %{content_type}' \
  -H "api_access_token: $token" "$base/api/v1/accounts/$account/events" || true)
case $stream in
  "200 text/event-stream"*) ;;
  *) echo "GET /api/v1/accounts/$account/events answered \"$stream\", not a 200 event stream" >&2; result=1 ;;
esac
python3 - "$database" "$run/junit.xml" "$run/junit-events.xml" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ops, failed = set(), set()
for path in sys.argv[2:]:
    for case in ET.parse(path).getroot().iter("testcase"):
        ops.add(case.get("name"))
        if any(child.tag in ("failure", "error") for child in case):
            failed.add(case.get("name"))
print(f"schemathesis ({sys.argv[1]}): {len(ops)} operations, {len(failed)} with failures or errors")
for name in sorted(failed):
    print(f"  failed: {name}")
PY
exit $result
