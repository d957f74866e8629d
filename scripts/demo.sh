#!/usr/bin/env bash
# The quickstart's main job, as far as nom goes today: render the demo app's Nomad job from a
# GitLab-like environment. (Once `nom up` and `nom deploy` land, this brings up the local
# cluster and deploys the demo, ending with its URL.)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/nom.mjs ] || npm run --silent build

export CI_PROJECT_PATH_SLUG=examples-hello-world CI_PROJECT_NAME=hello-world \
  CI_COMMIT_REF_SLUG=main CI_COMMIT_SHA=0000000000000000000000000000000000000000 \
  CI_REGISTRY_IMAGE=localhost/examples/hello-world BASE_DOMAIN=nom.localhost
exec ./bin/nom render "$@"
