#!/usr/bin/env bash
# Build the programs only the tests use, from the Go module proxy, into the cache (each once;
# seconds to two minutes cold, nothing when cached):
#   pebble, pebble-challtestsrv   Let's Encrypt's test ACME CA and its mock DNS (router TLS tests)
#   registry                      the CNCF distribution registry (the CI templates push and pull)
#   actionlint                    the GitHub Actions linter (the GitHub workflow and action)
#
#   scripts/build-test-tools.sh
#   env: NOM_CACHE (cache root)
#
# Output: $NOM_CACHE/bin/<tool>-<version> with a <tool> symlink each, and Pebble's own test
# certificates (for its HTTPS listener) in $NOM_CACHE/pebble-<version>/certs. The last line on
# stdout is that certificate directory. Messages go to stderr.
set -euo pipefail

die() { echo "build-test-tools: error: $*" >&2; exit 1; }
say() { echo "build-test-tools: $*" >&2; }

# shellcheck source=scripts/versions.sh
. "$(dirname "$0")/versions.sh"   # the cache rule
bindir="$NOM_CACHE/bin"
PEBBLE=2.10.1 REGISTRY=3.1.2 ACTIONLINT=1.7.12

# build <tool> <version> <package>: go install <package>@v<version> as $bindir/<tool>-<version>.
build() {
  local tool=$1 version=$2 package=$3 work start
  if [ ! -x "$bindir/$tool-$version" ]; then
    command -v go >/dev/null || die "go not found: install Go >= 1.26 (apt-get install golang) to build $tool"
    mkdir -p "$bindir" "$NOM_CACHE/build"
    work=$(mktemp -d "$NOM_CACHE/build/$tool.XXXXXX")
    say "building $tool $version"
    start=$SECONDS
    (cd "$work" && GOBIN="$work" CGO_ENABLED=0 go install -trimpath "$package@v$version") ||
      { rm -rf "$work"; die "go install $package@v$version failed (see above)"; }
    mv "$work/$(basename "$package")" "$bindir/$tool-$version"
    rm -rf "$work"
    say "built $tool $version in $((SECONDS - start))s"
  fi
  ln -sfn "$tool-$version" "$bindir/$tool"
}

build pebble "$PEBBLE" github.com/letsencrypt/pebble/v2/cmd/pebble
build pebble-challtestsrv "$PEBBLE" github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv
build registry "$REGISTRY" github.com/distribution/distribution/v3/cmd/registry
build actionlint "$ACTIONLINT" github.com/rhysd/actionlint/cmd/actionlint

# Pebble serves ACME over HTTPS with its module's test certificates.
certs="$NOM_CACHE/pebble-$PEBBLE/certs"
if [ ! -f "$certs/localhost/cert.pem" ]; then
  src="$(go env GOMODCACHE)/github.com/letsencrypt/pebble/v2@v$PEBBLE/test/certs"
  [ -f "$src/localhost/cert.pem" ] || (cd "$(mktemp -d)" && go mod download "github.com/letsencrypt/pebble/v2@v$PEBBLE" >/dev/null) ||
    die "cannot get Pebble's test certificates from the Go module proxy"
  mkdir -p "$certs/localhost"
  cp "$src/pebble.minica.pem" "$certs/"
  cp "$src/localhost/cert.pem" "$src/localhost/key.pem" "$certs/localhost/"
fi
echo "$certs"
