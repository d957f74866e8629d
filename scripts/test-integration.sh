#!/usr/bin/env bash
# Brings up ONE local cluster for the whole run (installing the Docker engine and building Nomad
# when they are missing), builds the demo image, runs test/integration/*.test.ts against it,
# and tears everything down. With CI=true a missing prerequisite or a skipped test fails the run;
# elsewhere the integration tests are skipped with a note saying what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

ci=${CI:-}
missing() {
  if [ -n "$ci" ]; then echo "integration: FAIL: $*" >&2; exit 1; fi
  echo "integration: SKIPPED: $* (CI=true makes this a failure)" >&2
  exit 0
}

root=$([ "$(id -u)" = 0 ] && echo yes || echo no)

# Docker engine: nom up --install-deps installs and starts one when we are root.
install_deps=()
[ "$root" = yes ] && install_deps=(--install-deps)

# Nomad: PATH, the cache, or built from the Go module proxy (no release downloads here).
if ! command -v nomad >/dev/null && [ ! -x "${NOM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nom}/bin/nomad" ] && [ -z "${NOM_NOMAD_BIN:-}" ]; then
  echo "integration: no nomad binary yet: building it from the Go module proxy (scripts/build-nomad.sh)"
  command -v go >/dev/null || missing "no nomad binary and no Go toolchain to build one"
  bash scripts/build-nomad.sh >/dev/null || missing "scripts/build-nomad.sh failed"
fi

export NOM_HOME
NOM_HOME=$(mktemp -d /tmp/nom-test.XXXXXX)
export NOM_NOMAD_PORT=${NOM_TEST_NOMAD_PORT:-24646}
# Never the user's ~/.config/nomad: the test cluster's exports go into its own home.
export NOM_NOMAD_CONFIG_FILE=$NOM_HOME/nomad-config
teardown() {
  local rc=$?
  ./bin/nom down --purge || rc=1
  rm -rf "$NOM_HOME"
  exit $rc
}
trap teardown EXIT

started=$(date +%s)
./bin/nom up "${install_deps[@]}" || missing "nom up could not start the local cluster (see above)"
echo "integration: cluster up in $(( $(date +%s) - started ))s"
eval "$(./bin/nom env)"
export NOMAD_ADDR NOMAD_TOKEN

started=$(date +%s)
image=$(bash examples/hello-world/build-image.sh | tail -n 1) || missing "the hello-world image did not build"
echo "integration: built $image in $(( $(date +%s) - started ))s"
# The name a GitLab pipeline on main would give it: CI_REGISTRY_IMAGE/main:<commit>.
export NOM_TEST_IMAGE_REPO=nom.local/examples/hello-world/main NOM_TEST_IMAGE_TAG=${image##*:}
docker tag "$image" "$NOM_TEST_IMAGE_REPO:$NOM_TEST_IMAGE_TAG"
# A second version that differs visibly, for rollouts; and a third tag of it, for a broken deploy.
DOCKER_BUILDKIT=0 docker build -q --build-arg GREETING="hello v2" -t "$NOM_TEST_IMAGE_REPO:$NOM_TEST_IMAGE_TAG-v2" examples/hello-world >/dev/null
docker tag "$NOM_TEST_IMAGE_REPO:$NOM_TEST_IMAGE_TAG-v2" "$NOM_TEST_IMAGE_REPO:$NOM_TEST_IMAGE_TAG-v3"

report=$NOM_HOME/integration.tap
node --import tsx --test --test-concurrency=1 --test-reporter=tap --test-reporter-destination=stdout \
  test/integration/*.test.ts | tee "$report"
if ! grep -q '^# skipped 0$' "$report" || ! grep -q '^# todo 0$' "$report"; then
  echo "integration: FAIL: skipped or todo integration tests" >&2
  exit 1
fi
