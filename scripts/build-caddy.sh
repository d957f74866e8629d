#!/usr/bin/env bash
# Build a pinned Caddy from the Go module proxy, with nom's own module (caddy/: the router's
# upstream table, see docs/router.md), and cache it outside the repo.
# (Debian's caddy 2.6.2 is too old for us, and no release carries nom's module.)
#
#   scripts/build-caddy.sh [VERSION]     VERSION: the one in versions.json (default)
#   env: NOM_CADDY_VERSION (same as the argument), NOM_CACHE (cache root)
#
# Output: $NOM_CACHE/bin/caddy-<version>-nom-<hash of caddy/> and the symlink $NOM_CACHE/bin/caddy.
# The last line on stdout is the binary path. Messages go to stderr.
set -euo pipefail

die() { echo "build-caddy: error: $*" >&2; exit 1; }
say() { echo "build-caddy: $*" >&2; }

# shellcheck source=scripts/versions.sh
. "$(dirname "$0")/versions.sh"
version="${1:-${NOM_CADDY_VERSION:-$CADDY_VERSION}}"
version="${version#v}"
bindir="$NOM_CACHE/bin"
bin="$bindir/caddy-$version-nom-$CADDY_NOM"
module=$(cd "$(dirname "$0")/../caddy" && pwd)

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

# Caddy is a dependency of a small main package, as xcaddy builds it: its go.mod pins every
# dependency (minimal version selection keeps Caddy's own choices, nom's module adds none), and
# nom's module comes from this checkout. The version stamp names the module's hash, which is how
# a cached build is known. Static like Caddy's release builds (CGO off).
say "building Caddy $version with nom's module; this takes a few minutes"
start=$SECONDS
cat >"$work/main.go" <<'GO'
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"
	_ "nom.local/caddy"
)

func main() { caddycmd.Main() }
GO
cat >"$work/go.mod" <<MOD
module nom.local/caddy-build

go 1.25

require (
	github.com/caddyserver/caddy/v2 v$version
	nom.local/caddy v0.0.0
)

replace nom.local/caddy => $module
MOD
# -mod=mod records what the build needs (go mod tidy would fetch every dependency's tests too).
(cd "$work" && CGO_ENABLED=0 \
  go build -mod=mod -trimpath -ldflags "-X 'github.com/caddyserver/caddy/v2.CustomVersion=v$version nom-$CADDY_NOM'" -o caddy .) ||
  die "building Caddy v$version with nom's module failed (see above); is v$version on the proxy? try: go list -m -versions github.com/caddyserver/caddy/v2"
mv "$work/caddy" "$bin"
caddy_is "$bin" "$version" || die "$bin was built but '$bin version' does not say v$version nom-$CADDY_NOM"
say "built Caddy $("$bin" version) in $((SECONDS - start))s"
finish
