#!/usr/bin/env bash
# The quickstart's main job: bring up the local cluster (nom up), build the demo app's image
# without any registry, run it with the house job, and end with its URL.
# (When `nom deploy` lands, the last steps become `nom deploy examples/hello-world`.)
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

image=$(bash examples/hello-world/build-image.sh | tail -n 1)
tag=${image##*:}
# The name a GitLab pipeline on main gives the image: CI_REGISTRY_IMAGE/main:<commit>.
docker tag "$image" "nom.local/examples/hello-world/main:$tag"

CI_PROJECT_PATH_SLUG=examples-hello-world CI_PROJECT_NAME=hello-world CI_COMMIT_REF_SLUG=main \
  CI_COMMIT_SHA=$tag CI_REGISTRY_IMAGE=nom.local/examples/hello-world BASE_DOMAIN=nom.localhost \
  NOMAD_VAR_CHECK_PATH=/healthcheck exec node --import tsx scripts/demo-run.ts
