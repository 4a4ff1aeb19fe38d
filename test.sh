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

# PostgreSQL, for the tests of the several-node setup (unless GRANTMANAGER_TEST_POSTGRES names a server already).
if [ -z "${GRANTMANAGER_TEST_POSTGRES:-}" ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "Installing PostgreSQL from Debian for the tests"
    $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq postgresql >/dev/null || { echo "Could not install postgresql"; exit 1; }
  fi
  pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  pg_lsclusters -h 2>/dev/null | grep -q "^$pg_version main" || $sudo_cmd pg_createcluster "$pg_version" main >/dev/null
  pg_lsclusters -h | grep -q "^$pg_version main .* online" || $sudo_cmd pg_ctlcluster "$pg_version" main start || { echo "Could not start PostgreSQL"; exit 1; }
  $sudo_cmd runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'grantmanager-tests'" >/dev/null || { echo "Could not set up PostgreSQL"; exit 1; }
  pg_port=$(pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" { print $3 }')
  export GRANTMANAGER_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=grantmanager-tests"
fi

log=$(mktemp)
dotnet test GrantManager.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-project summaries: "Passed!  - Failed: 0, Passed: 40, Skipped: 0, Total: 40".
read -r passed failed skipped < <(grep -E '^(Passed|Failed)! +- Failed: ' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
projects=$(grep -cE '^(Passed|Failed)! +- Failed: ' "$log")
rm -f "$log"
expected=$(ls -d tests/*/ | wc -l)
if [ "$projects" -lt "$expected" ] && [ "$status" -eq 0 ]; then
  echo "Only $projects of $expected test projects reported results"; status=1
fi
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
exit "$status"
