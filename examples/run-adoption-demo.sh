#!/usr/bin/env bash
# `make demo`, part 2: adopt healthgate on examples/legacy, a project with ten years of debt
# (a function of complexity F, 40% coverage, a high-severity bandit finding), in a scratch
# git repository: zero-config run -> `healthgate init` -> a change the ratchet fails.
# Exits 0 when every step ends as shown; anything else makes the demo fail.
set -uo pipefail
bin="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/healthgate-adoption-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r "$here/legacy" "$work/legacy"
rm -rf "$work/legacy/.healthgate" "$work/legacy/.coverage"
cd "$work/legacy"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com
export GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.com
git init -q && git add -A && git commit -qm "ten years of history"
failed=0

step() {  # step EXPECTED-STATUS TITLE COMMAND...
    local expected="$1" title="$2"
    shift 2
    printf '\n\033[1m$ %s\033[0m   # %s\n' "$*" "$title"
    "$@"
    local status=$?
    if [ "$status" -ne "$expected" ]; then
        echo "demo: expected exit status $expected, got $status" >&2
        failed=1
    fi
}

echo
echo "=== Part 2: adopting healthgate on a legacy project (a copy of examples/legacy) ==="
step 0 "no config: every figure shown, nothing the project already has fails" \
    "$bin/pytest" --healthgate -q -p no:cacheprovider
step 0 "adopt: write [tool.healthgate] and .healthgate/baseline.toml" \
    "$bin/healthgate" init -- -q -p no:cacheprovider
git add -A && git commit -qm "Adopt pytest-healthgate"
step 0 "after init: the old debt is inherited (WARN), the run passes" \
    "$bin/pytest" --healthgate -q -p no:cacheprovider
printf '\n\ndef deploy(target):\n    # TODO: check the target\n    return subprocess.call(target, shell=True)\n' \
    >> src/legacy/core.py
echo
echo "(a change adds a TODO and a shell=True call to src/legacy/core.py)"
step 1 "the ratchet fails, naming exactly what got worse" \
    "$bin/pytest" --healthgate -q -p no:cacheprovider
cat <<'TEXT'

Only what the change made worse failed: the TODO and the shell=True call are new
findings (debt, critical); the complexity-F function, the old bandit finding and the
low coverage are inherited from the baseline and WARN. See docs/adopting.md.
TEXT
exit "$failed"
