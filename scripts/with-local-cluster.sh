#!/usr/bin/env bash
# Runs a command against ONE fresh local cluster: brings it up with `nom up` in a temporary
# $NOM_HOME (installing and starting the Docker engine, and building Nomad and Caddy, when missing),
# builds the demo images, exports what the command needs, and always tears everything down.
#
#   scripts/with-local-cluster.sh <command> [args…]
#
# The command sees NOMAD_ADDR, NOMAD_TOKEN, NOM_HOME, NOM_INGRESS_HTTPS, NOM_INGRESS_HTTP,
# NOM_CA_CERT, NOM_CONSOLE_URL (Caddy and the router run too), NOM_PEBBLE_CERTS (a test ACME CA's certificates;
# its binaries are in the cache), and the demo image as
# NOM_TEST_IMAGE_REPO:NOM_TEST_IMAGE_TAG (plus -v2, a visibly different version, and -v3, a
# copy of v2). Exit code 77 means a prerequisite is missing (the reason is on stderr).
set -euo pipefail
cd "$(dirname "$0")/.."

missing() { echo "local cluster: $*" >&2; exit 77; }

# Docker engine: nom up --install-deps installs and starts one when we are root.
install_deps=()
[ "$(id -u)" = 0 ] && install_deps=(--install-deps)

# Nomad 1.6.3, Caddy and Consul 1.14.11 (for the Consul tests): the pinned versions, from the
# cache or built from the Go module proxy (scripts/versions.sh says how; a nomad, caddy or
# consul on PATH is not used).
# shellcheck source=scripts/versions.sh
. scripts/versions.sh
ensure_nomad || missing "no Nomad $NOMAD_VERSION: scripts/build-nomad.sh failed (see above)"
ensure_caddy || missing "no Caddy $CADDY_VERSION: scripts/build-caddy.sh failed (see above)"
ensure_consul || missing "no Consul $CONSUL_VERSION: scripts/build-consul.sh failed (see above)"

# The tools only tests use (Pebble, a registry, actionlint): built from the proxy once, then cached.
export NOM_PEBBLE_CERTS
NOM_PEBBLE_CERTS=$(bash scripts/build-test-tools.sh | tail -n 1) || missing "scripts/build-test-tools.sh failed"

export NOM_HOME
NOM_HOME=$(mktemp -d /tmp/nom-test.XXXXXX)
export NOM_NOMAD_PORT=${NOM_TEST_NOMAD_PORT:-24646}
export NOM_HTTPS_PORT=${NOM_TEST_HTTPS_PORT:-24443} NOM_HTTP_PORT=${NOM_TEST_HTTP_PORT:-24080}
# Never the user's ~/.config/nomad: the test cluster's exports go into its own home.
export NOM_NOMAD_CONFIG_FILE=$NOM_HOME/nomad-config
teardown() {
  local rc=$?
  ./bin/nom down --purge >&2 || rc=1
  rm -rf "$NOM_HOME"
  exit $rc
}
trap teardown EXIT

started=$(date +%s)
./bin/nom up "${install_deps[@]}" >&2 || missing "nom up could not start the local cluster (see above)"
echo "local cluster: up in $(( $(date +%s) - started ))s" >&2
eval "$(./bin/nom env)"
export NOMAD_ADDR NOMAD_TOKEN NOM_INGRESS_HTTPS NOM_INGRESS_HTTP NOM_CA_CERT NOM_CONSOLE_URL

started=$(date +%s)
image=$(bash examples/hello-world/build-image.sh | tail -n 1) || missing "the hello-world image did not build"
# The name a GitLab pipeline on main would give it: CI_REGISTRY_IMAGE/main:<commit>.
export NOM_TEST_IMAGE_REPO=nom.local/examples/hello-world/main NOM_TEST_IMAGE_TAG=${image##*:}
docker tag "$image" "$NOM_TEST_IMAGE_REPO:$NOM_TEST_IMAGE_TAG"
DOCKER_BUILDKIT=0 docker build -q --build-arg GREETING="hello v2" -t "$NOM_TEST_IMAGE_REPO:$NOM_TEST_IMAGE_TAG-v2" examples/hello-world >/dev/null 2>&1
docker tag "$NOM_TEST_IMAGE_REPO:$NOM_TEST_IMAGE_TAG-v2" "$NOM_TEST_IMAGE_REPO:$NOM_TEST_IMAGE_TAG-v3"
echo "local cluster: built $image (and -v2, -v3) in $(( $(date +%s) - started ))s" >&2

"$@"
