#!/usr/bin/env bash
# Build Nomad 1.6.3 from the Go module proxy and cache it outside the repo.
#
#   scripts/build-nomad.sh
#   env: NOM_CACHE (cache root)
#
# Output: $NOM_CACHE/bin/nomad-1.6.3 and the symlink $NOM_CACHE/bin/nomad.
# The last line on stdout is the binary path. Messages go to stderr.
#
# Only 1.6.3: it is the newest Nomad under the MPL-2.0 that the proxy serves. From 1.7.0 on
# Nomad is under the Business Source License, which is not an open-source licence; this
# script refuses to build it, and checks the licence of what it downloaded before building.
set -euo pipefail

die() { echo "build-nomad: error: $*" >&2; exit 1; }
say() { echo "build-nomad: $*" >&2; }

# shellcheck source=scripts/versions.sh
. "$(dirname "$0")/versions.sh"

version="${1:-$NOMAD_VERSION}"
version="${version#v}"
[ "$version" = "$NOMAD_VERSION" ] ||
  die "nom builds Nomad $NOMAD_VERSION only, not '$version': it is the newest open-source (MPL-2.0) release the Go module proxy serves; Nomad 1.7.0 and later are under the Business Source License"

bindir="$NOM_CACHE/bin"
bin="$bindir/nomad-$version"

# Idempotent: an existing binary that runs is kept.
if nomad_is "$bin" "$version"; then
  say "already built: $bin"
  ln -sfn "$(basename "$bin")" "$bindir/nomad"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || die "go not found: install Go >= 1.21 (apt-get install golang) or set PATH"
command -v jq >/dev/null || die "jq not found: apt-get install jq"
# runc's nsenter (linked into the docker and exec drivers) is C: Nomad 1.6 needs cgo.
command -v "${CC:-gcc}" >/dev/null || die "a C compiler is needed (Nomad 1.6 builds with cgo): apt-get install gcc"

mkdir -p "$bindir" "$NOM_CACHE/build"
work=$(mktemp -d "$NOM_CACHE/build/nomad.XXXXXX")  # outside any go.mod
trap 'rm -rf "$work"' EXIT

# Downloads module@version; prints its source dir (read-only, in GOMODCACHE) and keeps go's
# JSON answer in $work/last.json (for the commit hash).
fetch() {
  (cd "$work" && go mod download -json "$1" >"$work/last.json" 2>/dev/null) ||
    die "the Go module proxy cannot serve $1: $(jq -r .Error "$work/last.json" 2>/dev/null) (GOPROXY=$(go env GOPROXY))"
  jq -r .Dir "$work/last.json"
}

# The licence decides, not the version number alone: a module whose LICENSE is not the MPL-2.0
# (or that names the Business Source License) is not built.
check_licence() { # $1 = module dir, $2 = its name
  local licence="$1/LICENSE"
  [ -f "$licence" ] || die "$2 has no LICENSE file: not building it"
  if grep -qi 'Business Source License' "$licence" || ! grep -q 'Mozilla Public License, version 2.0' "$licence"; then
    die "$2 is not under the Mozilla Public License 2.0 ($(head -c 200 "$licence" | tr '\n' ' ')...): nom builds only open-source Nomad"
  fi
}

src=$(fetch "github.com/hashicorp/nomad@v$version")
commit=$(jq -r '.Origin.Hash // empty' "$work/last.json")
[ -z "$commit" ] || [ "$commit" = "$NOMAD_COMMIT" ] ||
  die "the proxy's Nomad v$version is commit $commit, not the pinned $NOMAD_COMMIT: not building it"
check_licence "$src" "github.com/hashicorp/nomad@v$version"
# The nested api module is not in Nomad's zip, and the proxy serves it at this commit only
# under its pseudo-version.
api=$(fetch "github.com/hashicorp/nomad/api@$NOMAD_API_VERSION")
check_licence "$api" "github.com/hashicorp/nomad/api@$NOMAD_API_VERSION"

# Build Nomad as the main module (so its own replace directives apply) from a writable copy;
# point its './api' replace at the downloaded api module.
start=$SECONDS
cp -r "$src" "$work/nomad" && chmod -R u+w "$work/nomad"
cd "$work/nomad"
go mod edit -replace "github.com/hashicorp/nomad/api=$api"
say "building Nomad $version (commit $NOMAD_COMMIT, MPL-2.0); this takes 3-5 minutes on two cores, once"
# As Nomad's release Makefile does for Linux, minus the 'ui' tag (the web UI's assets need a
# node build of their own): generated msgpack codecs, cgo on.
GOFLAGS="${GOFLAGS:-} -mod=mod" CGO_ENABLED=1 go build -trimpath \
  -tags "codegen_generated" \
  -ldflags "-X github.com/hashicorp/nomad/version.GitCommit=$NOMAD_COMMIT" \
  -o "$work/nomad.bin" . || die "go build of Nomad $version failed (see above)"
mv "$work/nomad.bin" "$bin"
nomad_is "$bin" "$version" || die "$bin was built but '$bin version' does not say Nomad v$version"
say "built $("$bin" version | head -1) in $((SECONDS - start))s"
ln -sfn "$(basename "$bin")" "$bindir/nomad"
echo "$bin"
