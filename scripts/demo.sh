#!/usr/bin/env bash
# The quickstart's main job: bring up the local cluster (nom up) and deploy the demo app with
# `nom deploy examples/hello-world`, ending with the URL where it answers.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/nom.mjs ] || npm run --silent build

cache=${NOM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nom}
if ! command -v nomad >/dev/null && [ ! -x "$cache/bin/nomad" ] && [ -z "${NOM_NOMAD_BIN:-}" ]; then
  echo "demo: no nomad binary: building one from the Go module proxy (takes several minutes, once)" >&2
  bash scripts/build-nomad.sh >/dev/null
fi

deps=()
[ "$(id -u)" = 0 ] && deps=(--install-deps)
./bin/nom up "${deps[@]}"
eval "$(./bin/nom env)"
export NOMAD_ADDR NOMAD_TOKEN

# The demo's Dockerfile copies its bundled server onto a base image made from this machine's
# own node binary: no registry is needed. Both are prepared here, then nom builds and deploys.
scripts/build-base-image.sh >/dev/null
(cd examples/hello-world && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build) >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
./bin/nom deploy examples/hello-world 2>&1 | tee "$log" >&2
url=$(tail -n 1 "$log")
instance=$(grep -o 'instance http://[^ ]*' "$log" | tail -n 1 | cut -d' ' -f2)
echo "demo: $url will answer once the router runs (a later version of nom up starts it); until then:" >&2
curl -fsS -o /dev/null "$instance/" && echo "$instance/"
