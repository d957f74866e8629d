#!/usr/bin/env bash
# Build Consul 1.14.11 from the Go module proxy and cache it outside the repo.
#
#   scripts/build-consul.sh
#   env: NOM_CACHE (cache root)
#
# Output: $NOM_CACHE/bin/consul-1.14.11 and the symlink $NOM_CACHE/bin/consul.
# The last line on stdout is the binary path. Messages go to stderr.
#
# Only 1.14.11: from 1.15 on Consul needs its envoyextensions and troubleshoot modules, which
# are not under an open-source licence; 1.14.11 (MPL-2.0) needs only its api, sdk and
# proto-public modules. The licence of each downloaded module is checked before building.
set -euo pipefail

die() { echo "build-consul: error: $*" >&2; exit 1; }
say() { echo "build-consul: $*" >&2; }

# shellcheck source=scripts/versions.sh
. "$(dirname "$0")/versions.sh"

version="${1:-$CONSUL_VERSION}"
version="${version#v}"
[ "$version" = "$CONSUL_VERSION" ] ||
  die "nom builds Consul $CONSUL_VERSION only, not '$version': later releases need modules that are not under an open-source licence"

bindir="$NOM_CACHE/bin"
bin="$bindir/consul-$version"

if consul_is "$bin" "$version"; then
  say "already built: $bin"
  ln -sfn "$(basename "$bin")" "$bindir/consul"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || die "go not found: install Go >= 1.21 (apt-get install golang) or set PATH"
command -v jq >/dev/null || die "jq not found: apt-get install jq"

mkdir -p "$bindir" "$NOM_CACHE/build"
work=$(mktemp -d "$NOM_CACHE/build/consul.XXXXXX")  # outside any go.mod
trap 'rm -rf "$work"' EXIT
# shellcheck source=scripts/go-modules.sh
. "$(dirname "$0")/go-modules.sh"

src=$(fetch "github.com/hashicorp/consul@v$version")
check_licence "$src" "github.com/hashicorp/consul@v$version" Consul

start=$SECONDS
cp -r "$src" "$work/consul" && chmod -R u+w "$work/consul"
cd "$work/consul"
# Its go.mod points api, sdk and proto-public at the repository's own directories, which the
# module zip lacks: take the versions its go.mod requires from the proxy instead, licence-checked.
go mod edit -dropreplace github.com/hashicorp/consul/api -dropreplace github.com/hashicorp/consul/sdk -dropreplace github.com/hashicorp/consul/proto-public
for m in api sdk proto-public; do
  v=$(go mod edit -json | jq -r --arg p "github.com/hashicorp/consul/$m" '.Require[] | select(.Path == $p) | .Version')
  [ -n "$v" ] || die "Consul $version's go.mod requires no github.com/hashicorp/consul/$m"
  check_licence "$(fetch "github.com/hashicorp/consul/$m@$v")" "github.com/hashicorp/consul/$m@$v" Consul
done
say "building Consul $version (MPL-2.0); this takes about two minutes on two cores, once"
GOFLAGS="${GOFLAGS:-} -mod=mod" CGO_ENABLED=0 go build -trimpath \
  -ldflags "-X github.com/hashicorp/consul/version.GitCommit=v$version" \
  -o "$work/consul.bin" . || die "go build of Consul $version failed (see above)"
mv "$work/consul.bin" "$bin"
consul_is "$bin" "$version" || die "$bin was built but '$bin version' does not say Consul v$version"
say "built $("$bin" version | head -1) in $((SECONDS - start))s"
ln -sfn "$(basename "$bin")" "$bindir/consul"
echo "$bin"
