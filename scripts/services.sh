#!/usr/bin/env bash
# Make the services the tests need ready: PostgreSQL, Redis and MinIO on 127.0.0.1, and
# Chromium for the console's browser tests. Idempotent: anything already answering is left
# alone. Exits non-zero, naming what could not be made ready.
#
# With --dev (used by `make dev`) it only tries to start a local PostgreSQL and never fails.
#
# Env: JIANYI_CACHE (default ~/.cache/jianyi) holds the MinIO binary and its data.
set -euo pipefail

CACHE="${JIANYI_CACHE:-$HOME/.cache/jianyi}"
MINIO_BIN="$CACHE/bin/minio"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
MINIO_DATA="$CACHE/minio-data"
MINIO_LOG="$CACHE/minio.log"

say() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

# wait_for <seconds> <description> <command...>
wait_for() {
	local secs=$1 what=$2
	shift 2
	local i
	for ((i = 0; i < secs * 4; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.25
	done
	return 1
}

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi
}

# ---------- PostgreSQL ----------
pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432; }
start_postgres() {
	if pg_ready; then say "postgresql: ready"; return; fi
	command -v pg_ctlcluster >/dev/null || die "postgresql is not accepting on 127.0.0.1:5432 and pg_ctlcluster is missing (install postgresql)"
	local ver
	ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
	[ -n "$ver" ] || die "postgresql: no cluster under /etc/postgresql"
	say "postgresql: starting cluster $ver/main"
	as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
	wait_for 30 postgresql pg_ready || die "postgresql $ver/main did not accept connections on 127.0.0.1:5432 within 30s (see /var/log/postgresql/)"
	say "postgresql: ready"
}

# ---------- Redis ----------
redis_ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
start_redis() {
	command -v redis-cli >/dev/null || die "redis-cli not found (install redis-server / redis-tools)"
	if redis_ready; then say "redis: ready"; return; fi
	command -v redis-server >/dev/null || die "redis is not answering on 127.0.0.1:6379 and redis-server is missing"
	say "redis: starting"
	redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null ||
		die "redis-server failed to start"
	wait_for 15 redis redis_ready || die "redis did not answer PING on 127.0.0.1:6379 within 15s"
	say "redis: ready"
}

# ---------- MinIO ----------
minio_ready() { curl -fs -o /dev/null --max-time 2 http://127.0.0.1:9000/minio/health/live; }
ensure_minio_binary() {
	if [ -x "$MINIO_BIN" ]; then return; fi
	mkdir -p "$CACHE/bin"
	# A build may already be running (go install writes the binary only at the end): wait for it.
	if pgrep -f "go install github.com/minio/minio@" >/dev/null 2>&1; then
		say "minio: a build is already running, waiting for $MINIO_BIN (up to 15 min)"
		local i
		for ((i = 0; i < 900; i++)); do
			[ -x "$MINIO_BIN" ] && return
			pgrep -f "go install github.com/minio/minio@" >/dev/null 2>&1 || break
			sleep 1
		done
		[ -x "$MINIO_BIN" ] && return
	fi
	command -v go >/dev/null || die "minio binary missing at $MINIO_BIN and go is not installed to build it"
	say "minio: building $MINIO_VERSION into $CACHE/bin (about 3 minutes, once)"
	GOBIN="$CACHE/bin" go install "github.com/minio/minio@$MINIO_VERSION" >"$CACHE/minio-build.log" 2>&1 ||
		die "building minio failed; see $CACHE/minio-build.log"
	[ -x "$MINIO_BIN" ] || die "minio build finished but $MINIO_BIN is missing"
}
start_minio() {
	if minio_ready; then say "minio: ready"; return; fi
	ensure_minio_binary
	mkdir -p "$MINIO_DATA"
	say "minio: starting on 127.0.0.1:9000 (console 9001), data in $MINIO_DATA, log $MINIO_LOG"
	MINIO_ROOT_USER=minioadmin MINIO_ROOT_PASSWORD=minioadmin MINIO_BROWSER=on \
		nohup "$MINIO_BIN" server "$MINIO_DATA" --address 127.0.0.1:9000 --console-address 127.0.0.1:9001 \
		>"$MINIO_LOG" 2>&1 </dev/null &
	disown || true
	wait_for 60 minio minio_ready || die "minio did not answer /minio/health/live within 60s; see $MINIO_LOG"
	say "minio: ready"
}

# ---------- Chromium (console browser tests) ----------
ensure_chromium() {
	local need=()
	if ! { [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; }; then need+=(chromium); fi
	# Without a CJK font headless Chromium draws every Chinese character of the console's
	# screenshots as a box.
	local fonts
	fonts=$(fc-list 2>/dev/null || true) # not piped into grep -q: under pipefail its early exit fails the pipe
	if ! grep -qi 'wqy\|noto.*cjk' <<<"$fonts"; then need+=(fonts-wqy-zenhei); fi
	if [ ${#need[@]} -eq 0 ]; then say "chromium: present"; return; fi
	command -v apt-get >/dev/null || die "${need[*]} missing and apt-get unavailable (needed by console browser tests)"
	say "chromium: installing ${need[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update -qq || die "apt-get update failed (${need[*]} needed by console browser tests)"
	as_root apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
	say "chromium: installed ${need[*]}"
}

case "${1:-}" in
--dev)
	# `make dev`: best effort only. jianyi dev falls back to embedded services for anything
	# missing, so nothing here may fail the run.
	if command -v pg_ctlcluster >/dev/null 2>&1; then (start_postgres) || say "postgresql: not started; jianyi dev will use an embedded one"; fi
	exit 0
	;;
"") ;;
*) die "usage: scripts/services.sh [--dev]" ;;
esac

start_postgres
start_redis
start_minio
ensure_chromium
say "all services ready"
