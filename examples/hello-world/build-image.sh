#!/usr/bin/env bash
# Build the hello-world image from this checkout, with no container registry:
# the base image from ../../scripts/build-base-image.sh, then the bundled server on it.
#
#   examples/hello-world/build-image.sh [TAG]
#     TAG: the short git commit, or "dev" outside git (never latest)
#   env: NOM_BASE_IMAGE (base image tag, default nom-node-base:local),
#        HELLO_IMAGE (image name, default hello-world)
#
# The last line on stdout is the image, e.g. hello-world:0123abc. Messages go to stderr.
set -euo pipefail

die() { echo "hello-world build-image: error: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
name="${HELLO_IMAGE:-hello-world}"
tag="${1:-$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo dev)}"
[ "$tag" != latest ] || die "use a tag other than latest (Nomad would try to pull it)"

# Its last stdout line is the base tag; its messages and errors go to stderr.
base=$("$here/../../scripts/build-base-image.sh" "${NOM_BASE_IMAGE:-nom-node-base:local}" | tail -n 1)

cd "$here"
# Its stdout would mix into ours; keep stdout for the image name.
{ npm ci --no-audit --no-fund && npm run build; } >&2 || die "npm ci / npm run build failed (see above)"

# The base image exists only locally. The legacy builder uses a local FROM image without
# pulling, and is what this CLI falls back to when the buildx plugin is missing (Debian's
# docker.io has none); DOCKER_BUILDKIT=0 asks for it outright, so the result is the same
# with or without buildx installed. Omit --pull for the same reason.
DOCKER_BUILDKIT=0 docker build --build-arg "BASE_IMAGE=$base" -t "$name:$tag" . >&2 ||
  die "docker build failed (see above)"
echo "$name:$tag"
