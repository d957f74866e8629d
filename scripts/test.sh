#!/usr/bin/env bash
# `npm test`: type-check, build, unit tests, then the integration tests against a real local
# cluster (Nomad + Docker) that scripts/test-integration.sh brings up and tears down.
set -euo pipefail
cd "$(dirname "$0")/.."

# Programs the tests drive: tmux (an interactive `nom ssh` in a terminal), zsh (completion),
# rsync (gitlab-ci-local copies the project with it), shellcheck (actionlint runs it) and sshd
# (the machines `nom cluster create` sets up over SSH), chromium (the console's browser tests,
# driven by playwright-core); tool:package.
missing=()
for need in tmux:tmux zsh:zsh rsync:rsync shellcheck:shellcheck sshd:openssh-server ssh:openssh-client chromium:chromium; do
  command -v "${need%%:*}" >/dev/null || [ -x "/usr/sbin/${need%%:*}" ] || missing+=("${need#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing ${missing[*]} (Debian packages)" >&2
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }
  else
    echo "test: the tests need ${missing[*]}: install them (apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
fi

# The test-only tools (Pebble, a registry, actionlint): built from the Go module proxy once.
bash scripts/build-test-tools.sh >/dev/null

npm run --silent typecheck
npm run --silent build
# The demo app has its own dependencies (ws) and its own tests.
(cd examples/hello-world && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck)
bash scripts/test-unit.sh examples/hello-world/test/*.test.ts
bash scripts/test-integration.sh
