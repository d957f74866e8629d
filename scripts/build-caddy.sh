#!/usr/bin/env bash
# Build a pinned Caddy from the Go module proxy and cache it outside the repo.
# (Debian's caddy 2.6.2 is too old for us.)
#
#   scripts/build-caddy.sh [VERSION]     VERSION: the one in versions.json (default)
#   env: NOM_CADDY_VERSION (same as the argument), NOM_CACHE (cache root)
#
# Output: $NOM_CACHE/bin/caddy-<version> and the symlink $NOM_CACHE/bin/caddy.
# The last line on stdout is the binary path. Messages go to stderr.
set -euo pipefail

die() { echo "build-caddy: error: $*" >&2; exit 1; }
say() { echo "build-caddy: $*" >&2; }

# shellcheck source=scripts/versions.sh
. "$(dirname "$0")/versions.sh"
version="${1:-${NOM_CADDY_VERSION:-$CADDY_VERSION}}"
version="${version#v}"
bindir="$NOM_CACHE/bin"
bin="$bindir/caddy-$version"

finish() { # point the 'caddy' symlink at $bin and print it
  ln -sfn "$(basename "$bin")" "$bindir/caddy"
  echo "$bin"
  exit 0
}

# Idempotent: an existing binary that runs is kept.
if caddy_is "$bin" "$version"; then
  say "already built: $bin"; finish
fi

command -v go >/dev/null ||
  die "go not found: install Go >= 1.26 (apt-get install golang) or set PATH"

mkdir -p "$bindir" "$NOM_CACHE/build"
work=$(mktemp -d "$NOM_CACHE/build/caddy.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 'go install pkg@version' builds Caddy as its own main module, so Caddy's
# go.mod/go.sum pin every dependency. Caddy reads its version only when it is
# a dependency (or from git), so we stamp it in; else 'caddy version' says
# "unknown". Static like Caddy's release builds (CGO off).
say "building Caddy $version; this takes a few minutes"
start=$SECONDS
(cd "$work" && GOBIN="$work" CGO_ENABLED=0 \
  go install -trimpath -ldflags "-X github.com/caddyserver/caddy/v2.CustomVersion=v$version" \
    "github.com/caddyserver/caddy/v2/cmd/caddy@v$version") ||
  die "go install of Caddy v$version failed (see above); is v$version on the proxy? try: go list -m -versions github.com/caddyserver/caddy/v2"
mv "$work/caddy" "$bin"
caddy_is "$bin" "$version" || die "$bin was built but '$bin version' does not say v$version"
say "built Caddy $("$bin" version) in $((SECONDS - start))s"
finish
