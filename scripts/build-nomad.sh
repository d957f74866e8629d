#!/usr/bin/env bash
# Build a pinned Nomad from the Go module proxy and cache it outside the repo.
#
#   scripts/build-nomad.sh [VERSION]     VERSION: 2.0.5 (default) or 1.11.3
#   env: NOM_NOMAD_VERSION (same as the argument), NOM_CACHE (cache root)
#
# Output: $NOM_CACHE/bin/nomad-<version> and the symlink $NOM_CACHE/bin/nomad.
# The last line on stdout is the binary path. Messages go to stderr.
set -euo pipefail

die() { echo "build-nomad: error: $*" >&2; exit 1; }
say() { echo "build-nomad: $*" >&2; }

NOM_CACHE="${NOM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nom}"
version="${1:-${NOM_NOMAD_VERSION:-2.0.5}}"
bindir="$NOM_CACHE/bin"

# Pins. ref: what the proxy is asked for. Nomad 2.x keeps the module path
# github.com/hashicorp/nomad (no /v2), so its v2 tags are invalid for that
# path and we must ask for the commit. api_fallback: the nested api module
# is not in Nomad's zip; we want it at the same ref, but a proxy that only
# serves some of its versions may not have that one, so each release also
# names the nearest older api version the proxy serves that compiles with it.
pin() {
  case "$1" in
    2.0.5)  ref=5c8612bba6eb8e44cc3fc434125cb1b13463c309
            api_fallback=v0.0.0-20260724112153-37c73b2918bd ;;  # untested
    1.11.3) ref=v1.11.3  # commit 173ab08a0210789da531847c4ce3c3518f7fb34b
            api_fallback=v0.0.0-20260205205048-8315996478d1 ;;
    *) die "unknown Nomad version '$1': use 2.0.5 or 1.11.3" ;;
  esac
}

command -v go >/dev/null ||
  die "go not found: install Go >= 1.26 (apt-get install golang) or set PATH"

# Idempotent: an existing binary that runs is kept.
ready() { [ -x "$1" ] && "$1" version >/dev/null 2>&1; }
finish() { # $1 = binary; point the 'nomad' symlink at it and print it
  ln -sfn "$(basename "$1")" "$bindir/nomad"
  echo "$1"
  exit 0
}

# Downloads module@version; prints its source dir (read-only, in GOMODCACHE)
# and keeps go's JSON answer in $work/last.json (for the commit hash).
fetch() {
  (cd "$work" && go mod download -json "$1" >"$work/last.json" 2>/dev/null) || {
    say "the Go module proxy cannot serve $1: $(jq -r .Error "$work/last.json" 2>/dev/null)"
    return 1
  }
  jq -r .Dir "$work/last.json"
}

pin "$version"
bin="$bindir/nomad-$version"
if ready "$bin"; then say "already built: $bin"; finish "$bin"; fi

command -v jq >/dev/null || die "jq not found: apt-get install jq"
mkdir -p "$bindir" "$NOM_CACHE/build"
work=$(mktemp -d "$NOM_CACHE/build/nomad.XXXXXX")  # outside any go.mod
trap 'rm -rf "$work"' EXIT

if ! src=$(fetch "github.com/hashicorp/nomad@$ref"); then
  [ "$version" = 1.11.3 ] && die "cannot download Nomad 1.11.3 either: check GOPROXY ($(go env GOPROXY))"
  {
    echo "################################################################"
    echo "# WARNING: Nomad $version (github.com/hashicorp/nomad@$ref)"
    echo "# is not served by the Go module proxy. FALLING BACK TO 1.11.3."
    echo "################################################################"
  } >&2
  version=1.11.3; pin "$version"; bin="$bindir/nomad-$version"
  if ready "$bin"; then say "already built: $bin"; finish "$bin"; fi
  src=$(fetch "github.com/hashicorp/nomad@$ref") || die "cannot download Nomad $version either"
fi
commit=$(jq -r '.Origin.Hash // empty' "$work/last.json")
api=$(fetch "github.com/hashicorp/nomad/api@$ref") || {
  say "using the pinned api module $api_fallback instead"
  api=$(fetch "github.com/hashicorp/nomad/api@$api_fallback") || die "cannot download the Nomad api module"
}

# Build Nomad as the main module (so its own replace directives apply) from
# a writable copy; point its './api' replace at the downloaded api module.
start=$SECONDS
cp -r "$src" "$work/nomad" && chmod -R u+w "$work/nomad"
cd "$work/nomad"
go mod edit -replace "github.com/hashicorp/nomad/api=$api"
say "building Nomad $version (commit ${commit:-unknown}); this takes 10-25 minutes"
# As Nomad's release Makefile does for Linux, minus the 'ui' tag (no web UI
# assets, which need node): static (CGO off), generated msgpack codecs.
GOFLAGS="${GOFLAGS:-} -mod=mod" CGO_ENABLED=0 go build -trimpath \
  -tags "codegen_generated hashicorpmetrics" \
  -ldflags "-X github.com/hashicorp/nomad/version.GitCommit=$commit" \
  -o "$work/nomad.bin" . || die "go build of Nomad $version failed (see above)"
mv "$work/nomad.bin" "$bin"
ready "$bin" || die "$bin was built but '$bin version' fails"
say "built $("$bin" version | head -1) in $((SECONDS - start))s"
finish "$bin"
