#!/usr/bin/env bash
# `npm test`: type-check, build, unit tests, then the integration tests against a real local
# cluster (Nomad + Docker) that scripts/test-integration.sh brings up and tears down.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run --silent typecheck
npm run --silent build
# The demo app has its own dependencies (ws) and its own tests.
(cd examples/hello-world && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck)
node --import tsx --test --test-concurrency=2 test/unit/*.test.ts test/cli/*.test.ts examples/hello-world/test/*.test.ts
bash scripts/test-integration.sh
