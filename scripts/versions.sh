# shellcheck shell=bash
# Sourced by every script that needs Nomad or Caddy: the one place for the pinned versions
# (read from versions.json, which nom's code reads too), the cache rule, and how a missing
# binary is found or built.
#
#   . scripts/versions.sh
#   ensure_nomad    # exports NOM_NOMAD_BIN: $NOM_NOMAD_BIN; else a nomad on PATH or in the
#                   # cache that is the pinned version; else one built by scripts/build-nomad.sh
#   ensure_caddy    # exports NOM_CADDY_BIN: the same for Caddy, built with nom's module (caddy/):
#                   # its `version` says "v<version> nom-<hash of caddy/>", so a change to the module builds anew
#   ensure_consul   # exports NOM_CONSUL_BIN: the same for Consul (clusters with Consul)
#
# What the demo and the tests run is the pinned version: a nomad or caddy on PATH of another
# version is passed over. Set NOM_NOMAD_BIN / NOM_CADDY_BIN to choose a binary on purpose.

NOM_CACHE="${NOM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nom}"
export NOM_CACHE
_nom_scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# versions.json -> NOMAD_VERSION NOMAD_COMMIT NOMAD_API_VERSION CADDY_VERSION CONSUL_VERSION NODE_VERSION
# shellcheck disable=SC2016 # the single quotes hold JavaScript, expanded by node
eval "$(node -e '
  const v = require(process.argv[1]);
  const q = (s) => JSON.stringify(String(s));
  console.log(`NOMAD_VERSION=${q(v.nomad.version)} NOMAD_COMMIT=${q(v.nomad.commit)} NOMAD_API_VERSION=${q(v.nomad.api)}`);
  console.log(`CADDY_VERSION=${q(v.caddy.version)} CONSUL_VERSION=${q(v.consul.version)} NODE_VERSION=${q(v.node.version)}`);
' "$_nom_scripts/../versions.json")"

# Nomad is built with one change of nom's to go-plugin (scripts/go-plugin-reattach.patch): a build
# says "Revision <commit>+nom-<hash of the patch>" in its `version`, and a cached build without it is
# built again.
# shellcheck disable=SC2034 # read by build-nomad.sh
NOMAD_NOM=$(sha256sum "$_nom_scripts/go-plugin-reattach.patch" | cut -c1-12)

# Caddy carries nom's own module (caddy/, see docs/router.md): a build is known by a hash of it.
# shellcheck disable=SC2034 # read by build-caddy.sh
CADDY_NOM=$(cat "$_nom_scripts/../caddy/go.mod" "$_nom_scripts"/../caddy/*.go | sha256sum | cut -c1-12)

# <name>_is <binary> <version>: the binary runs and its `version` says it is that release. The
# output is read whole: a pipe into head or grep -q may close early, and under pipefail the
# writer's SIGPIPE would count as "not that version".
_first_line_is() {
  local out
  [ -n "$1" ] && [ -x "$1" ] && out=$("$1" version 2>/dev/null) && [[ "${out%%$'\n'*}" =~ $2 ]]
}
nomad_is() { _first_line_is "$1" "^Nomad v${2//./\\.}([^0-9]|$)"; }
# A Nomad that scripts/build-nomad.sh built with nom's change (see NOMAD_NOM).
nomad_is_ours() { local out; nomad_is "$1" "$2" && out=$("$1" version 2>/dev/null) && [[ "$out" == *"Revision $NOMAD_COMMIT+nom-$NOMAD_NOM"* ]]; }
caddy_is() { _first_line_is "$1" "^v${2//./\\.} nom-$CADDY_NOM( |$)"; }
consul_is() { _first_line_is "$1" "^Consul v${2//./\\.}([^0-9]|$)"; }

# ensure_binary <name> <label> <version> <build time>: exports NOM_<NAME>_BIN (see the top).
ensure_binary() {
  local name=$1 label=$2 version=$3 var bin
  var="NOM_$(echo "$name" | tr '[:lower:]' '[:upper:]')_BIN"
  bin=${!var:-}
  if [ -n "$bin" ]; then
    "${name}_is" "$bin" "$version" ||
      echo "note: $var=$bin is not $label $version, the version nom is tested on" >&2
  elif "${name}_is" "$(command -v "$name")" "$version"; then
    bin=$(command -v "$name")
  else
    bin="$NOM_CACHE/bin/$name-$version"
    [ "$name" = caddy ] && bin="$bin-nom-$CADDY_NOM"
    local built="${name}_is"
    [ "$name" = nomad ] && built=nomad_is_ours
    if ! "$built" "$bin" "$version"; then
      echo "no $label $version in $NOM_CACHE/bin yet: building it from the Go module proxy (scripts/build-$name.sh; $4, once)" >&2
      bin=$(bash "$_nom_scripts/build-$name.sh" | tail -n 1) || return 1
    fi
  fi
  export "$var=$bin"
}

ensure_nomad() { ensure_binary nomad Nomad "$NOMAD_VERSION" '3-5 minutes'; }
ensure_caddy() { ensure_binary caddy Caddy "$CADDY_VERSION" 'a minute or two'; }
ensure_consul() { ensure_binary consul Consul "$CONSUL_VERSION" 'about two minutes'; }
