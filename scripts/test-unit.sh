#!/usr/bin/env bash
# The tests that need no cluster: test/unit mirrors src/ (test/unit/router/caddy-config.test.ts
# tests src/router/caddy-config.ts), test/cli runs the built nom, test/repo checks the docs and
# the layers, test/scripts and test/ci the shell scripts and CI templates. Extra arguments are
# more test files.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar
exec node --import tsx --test --test-concurrency=2 test/unit/**/*.test.ts test/{cli,repo,scripts,ci}/*.test.ts "$@"
