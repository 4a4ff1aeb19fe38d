#!/usr/bin/env bash
# Runs every GrantManager test project. On a fresh Debian machine it first installs what the
# suite needs (Debian's Chromium for the browser tests, the .NET tools in dotnet-tools.json;
# npm packages are installed by the build). Ends with one line: N passed, N failed[, N skipped].
set -uo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium from Debian for the browser tests"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium >/dev/null || { echo "Could not install chromium"; exit 1; }
fi
dotnet tool restore >/dev/null || { echo "dotnet tool restore failed"; exit 1; }

# PostgreSQL, for the tests of the several-node setup (unless GRANTMANAGER_TEST_POSTGRES names a server already):
# a private server in a temporary folder on a free port, so no earlier server's state can get in the way.
if [ -z "${GRANTMANAGER_TEST_POSTGRES:-}" ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "Installing PostgreSQL from Debian for the tests"
    $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq postgresql >/dev/null || { echo "Could not install postgresql"; exit 1; }
  fi
  pg_bin=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -n 1)/bin
  pg_dir=$(mktemp -d /tmp/grantmanager-pg.XXXXXX)
  as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
  as_pg sh -c "echo grantmanager-tests > '$pg_dir/pw' && chmod 600 '$pg_dir/pw'"
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A scram-sha-256 --pwfile="$pg_dir/pw" >/dev/null || { echo "Could not initialise PostgreSQL"; exit 1; }
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || { echo "Could not start PostgreSQL:"; tail -n 20 "$pg_dir/log"; exit 1; }
  trap 'as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1; rm -rf "$pg_dir"' EXIT
  export GRANTMANAGER_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=grantmanager-tests"
fi

has_args=$#
log=$(mktemp)
dotnet test GrantManager.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-project summaries: "Passed!  - Failed: 0, Passed: 40, Skipped: 0, Total: 40".
read -r passed failed skipped < <(grep -E '^(Passed|Failed)! +- Failed: ' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
projects=$(grep -cE '^(Passed|Failed)! +- Failed: ' "$log")
rm -f "$log"
expected=$(ls -d tests/*/ | wc -l)
# Without a filter every test project must report; a crashed test host must not pass as "0 failed".
if [ "$has_args" -eq 0 ] && [ "$projects" -lt "$expected" ] && [ "$status" -eq 0 ]; then
  echo "Only $projects of $expected test projects reported results"; status=1
fi
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
exit "$status"
