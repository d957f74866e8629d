#!/usr/bin/env bash
# Build Let's Encrypt's test ACME server, Pebble, and its mock DNS server from the Go module
# proxy into the cache, for the router's ACME and on-demand TLS integration tests (no real CA is
# reachable from a test, and none should be).
#
#   scripts/build-pebble.sh [VERSION]     VERSION: 2.10.1 (default)
#   env: NOM_PEBBLE_VERSION (same as the argument), NOM_CACHE (cache root)
#
# Output: $NOM_CACHE/bin/pebble-<version> and pebble-challtestsrv-<version>, with the symlinks
# pebble and pebble-challtestsrv, and Pebble's own test certificates (for its HTTPS listener) in
# $NOM_CACHE/pebble-<version>/certs. The last line on stdout is that certificate directory.
set -euo pipefail

die() { echo "build-pebble: error: $*" >&2; exit 1; }
say() { echo "build-pebble: $*" >&2; }

NOM_CACHE="${NOM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nom}"
version="${1:-${NOM_PEBBLE_VERSION:-2.10.1}}"
version="${version#v}"
bindir="$NOM_CACHE/bin"

certs="$NOM_CACHE/pebble-$version/certs"
if [ -x "$bindir/pebble-$version" ] && [ -x "$bindir/pebble-challtestsrv-$version" ] && [ -f "$certs/localhost/cert.pem" ]; then
  say "already built: pebble $version"
else
  command -v go >/dev/null || die "go not found: install Go >= 1.26 (apt-get install golang) or set PATH"
  mkdir -p "$bindir" "$NOM_CACHE/build"
  work=$(mktemp -d "$NOM_CACHE/build/pebble.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  say "building Pebble $version"
  start=$SECONDS
  (cd "$work" && GOBIN="$work" CGO_ENABLED=0 go install -trimpath \
    "github.com/letsencrypt/pebble/v2/cmd/pebble@v$version" \
    "github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@v$version") ||
    die "go install of Pebble v$version failed (see above); try: go list -m -versions github.com/letsencrypt/pebble/v2"
  # The module's test certificates: Pebble serves ACME over HTTPS with them.
  src="$(go env GOMODCACHE)/github.com/letsencrypt/pebble/v2@v$version/test/certs"
  [ -f "$src/localhost/cert.pem" ] || die "Pebble's test certificates are not in the module cache ($src)"
  mkdir -p "$certs/localhost"
  cp "$src/pebble.minica.pem" "$certs/" && cp "$src/localhost/cert.pem" "$src/localhost/key.pem" "$certs/localhost/"
  mv "$work/pebble" "$bindir/pebble-$version"
  mv "$work/pebble-challtestsrv" "$bindir/pebble-challtestsrv-$version"
  say "built Pebble $version in $((SECONDS - start))s"
fi
ln -sfn "pebble-$version" "$bindir/pebble"
ln -sfn "pebble-challtestsrv-$version" "$bindir/pebble-challtestsrv"
echo "$certs"
