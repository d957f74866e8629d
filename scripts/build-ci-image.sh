#!/usr/bin/env bash
# Builds the nom CI image (ci/Dockerfile) and tags it by the tag scheme of docs/ci.md:
#   <repo>:<version>        this release, e.g. nom:0.1.0 (never moves)
#   <repo>:<major>.<minor>  the newest release of that line, e.g. nom:0.1 (what the templates use)
#   <repo>:sha-<commit>     this exact build
# With --push, pushes all three.
#
#   scripts/build-ci-image.sh [--push] [REPO]     REPO: nom (default), e.g. ghcr.io/nom-paas/nom
#   env: NODE_IMAGE (the base: node:20-alpine by default; any image with node >= 20 and /bin/sh)
# The last line on stdout is the <version> tag.
set -euo pipefail
cd "$(dirname "$0")/.."

push=false
if [ "${1:-}" = --push ]; then push=true; shift; fi
repo=${1:-nom}
[ -f dist/nom.mjs ] || { echo "build-ci-image: dist/nom.mjs is missing: run npm ci first" >&2; exit 1; }
version=$(node -p 'require("./package.json").version')
minor=${version%.*}
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
tags=("$repo:$version" "$repo:$minor" "$repo:sha-$commit")
args=()
for t in "${tags[@]}"; do args+=(--tag "$t"); done
DOCKER_BUILDKIT=0 docker build --quiet --file ci/Dockerfile --build-arg "NODE_IMAGE=${NODE_IMAGE:-node:20-alpine}" \
  --build-arg "NOM_VERSION=$version" "${args[@]}" . >&2
if $push; then for t in "${tags[@]}"; do docker push "$t" >&2; done; fi
echo "${tags[0]}"
