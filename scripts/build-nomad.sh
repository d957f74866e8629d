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

# Idempotent: an existing build with nom's change that runs is kept.
if nomad_is_ours "$bin" "$version"; then
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
# shellcheck source=scripts/go-modules.sh
. "$(dirname "$0")/go-modules.sh"

src=$(fetch "github.com/hashicorp/nomad@v$version")
commit=$(jq -r '.Origin.Hash // empty' "$work/last.json")
[ -z "$commit" ] || [ "$commit" = "$NOMAD_COMMIT" ] ||
  die "the proxy's Nomad v$version is commit $commit, not the pinned $NOMAD_COMMIT: not building it"
check_licence "$src" "github.com/hashicorp/nomad@v$version" Nomad
# The nested api module is not in Nomad's zip, and the proxy serves it at this commit only
# under its pseudo-version.
api=$(fetch "github.com/hashicorp/nomad/api@$NOMAD_API_VERSION")
check_licence "$api" "github.com/hashicorp/nomad/api@$NOMAD_API_VERSION" Nomad

# Build Nomad as the main module (so its own replace directives apply) from a writable copy;
# point its './api' replace at the downloaded api module.
start=$SECONDS
cp -r "$src" "$work/nomad" && chmod -R u+w "$work/nomad"
cd "$work/nomad"
go mod edit -replace "github.com/hashicorp/nomad/api=$api"
# go-plugin as Nomad requires it, with nom's one change: an agent that restarts SIGKILLs the
# recorded PID of a plugin helper it cannot reach, whichever program has that PID by now
# (hashicorp/nomad#23969, fixed only in Nomad's BUSL releases). Patched, it kills only a
# process of Nomad's own binary.
plugin_version=$(go mod edit -json | jq -r '.Require[] | select(.Path == "github.com/hashicorp/go-plugin") | .Version')
plugin_src=$(fetch "github.com/hashicorp/go-plugin@$plugin_version")
check_licence "$plugin_src" "github.com/hashicorp/go-plugin@$plugin_version" Nomad
cp -r "$plugin_src" "$work/go-plugin" && chmod -R u+w "$work/go-plugin"
(cd "$work/go-plugin" && git apply "$_nom_scripts/go-plugin-reattach.patch") || die "scripts/go-plugin-reattach.patch does not apply to go-plugin $plugin_version"
go mod edit -replace "github.com/hashicorp/go-plugin=$work/go-plugin"
say "building Nomad $version (commit $NOMAD_COMMIT, MPL-2.0); this takes 3-5 minutes on two cores, once"
# As Nomad's release Makefile does for Linux, minus the 'ui' tag (the web UI's assets need a
# node build of their own): generated msgpack codecs, cgo on.
GOFLAGS="${GOFLAGS:-} -mod=mod" CGO_ENABLED=1 go build -trimpath \
  -tags "codegen_generated" \
  -ldflags "-X github.com/hashicorp/nomad/version.GitCommit=$NOMAD_COMMIT+nom-$NOMAD_NOM" \
  -o "$work/nomad.bin" . || die "go build of Nomad $version failed (see above)"
mv "$work/nomad.bin" "$bin"
nomad_is_ours "$bin" "$version" || die "$bin was built but '$bin version' does not say Nomad v$version, revision $NOMAD_COMMIT+nom-$NOMAD_NOM"
say "built $("$bin" version | head -1) in $((SECONDS - start))s"
ln -sfn "$(basename "$bin")" "$bindir/nomad"
echo "$bin"
