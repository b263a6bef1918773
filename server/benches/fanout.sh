#!/usr/bin/env bash
# Fan-out and idle-connection benchmark for miricat-server.
#
# Builds in release mode, then runs the server and the load generator
# (fanout-bench) as separate processes on this machine:
#   1. fan-out: 500 clients in one room, 50 messages/s for 20 s; delivery latency
#      p50/p99 and the server's CPU and RSS;
#   2. idle: 5,000 authenticated connections doing nothing; the server's RSS per
#      connection;
#   3. under attack: the fan-out of 1. measured without, then with an attacker from
#      127.0.0.2-4 (1,000 idle sockets, Join/Leave churn in the room, 20 connections
#      guessing root's password), with honest sign-in times in each phase. This
#      server keeps the default argon2 cost, so each guess costs what it would.
# Usage: server/benches/fanout.sh [clients] [rate] [seconds] [idle-clients]
# Password hashing is made cheap (it would otherwise dominate the set-up of
# thousands of sign-ins); it plays no part in what is measured.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${1:-500}
RATE=${2:-50}
SECONDS_=${3:-20}
IDLE=${4:-5000}

ulimit -n 20000
cargo build --release -p miricat-server --bins >/dev/null
BIN=${CARGO_TARGET_DIR:-target}/release

DIR=$(mktemp -d)
trap 'kill $SERVER_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT

start_server() {
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local cheap=(--argon2-memory-kib 64 --argon2-iterations 1)
  [ "${2:-}" = real-hashing ] && cheap=()
  RUST_LOG=warn "$BIN/miricat-server" --listen "127.0.0.1:$PORT" --db "$DIR/$1.db" \
    --root-password bench-root --heartbeat-ms 600000 --max-connections 20000 \
    "${cheap[@]}" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
  done
}

echo "== fan-out: $CLIENTS clients, $RATE msg/s, $SECONDS_ s"
start_server fanout
"$BIN/fanout-bench" --mode fanout --addr "127.0.0.1:$PORT" --server-pid "$SERVER_PID" \
  --clients "$CLIENTS" --rate "$RATE" --seconds "$SECONDS_"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true

echo "== idle: $IDLE authenticated connections"
start_server idle
"$BIN/fanout-bench" --mode idle --addr "127.0.0.1:$PORT" --server-pid "$SERVER_PID" --clients "$IDLE"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true

echo "== under attack: $CLIENTS clients, $RATE msg/s, $SECONDS_ s without, then $SECONDS_ s with the attacker"
start_server attack real-hashing
"$BIN/fanout-bench" --mode fanout --attack --addr "127.0.0.1:$PORT" --server-pid "$SERVER_PID" \
  --clients "$CLIENTS" --rate "$RATE" --seconds "$SECONDS_"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
