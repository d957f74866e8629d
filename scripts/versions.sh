# shellcheck shell=bash
# Sourced by every script that needs Nomad or Caddy: the one place for the pinned versions
# (read from versions.json, which nom's code reads too), the cache rule, and how a missing
# binary is found or built.
#
#   . scripts/versions.sh
#   ensure_nomad    # exports NOM_NOMAD_BIN: $NOM_NOMAD_BIN; else a nomad on PATH or in the
#                   # cache that is the pinned version; else one built by scripts/build-nomad.sh
#   ensure_caddy    # exports NOM_CADDY_BIN: the same for Caddy
#
# What the demo and the tests run is the pinned version: a nomad or caddy on PATH of another
# version is passed over. Set NOM_NOMAD_BIN / NOM_CADDY_BIN to choose a binary on purpose.

NOM_CACHE="${NOM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nom}"
export NOM_CACHE
_nom_scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# versions.json -> NOMAD_VERSION NOMAD_COMMIT NOMAD_API_VERSION CADDY_VERSION NODE_VERSION
# shellcheck disable=SC2016 # the single quotes hold JavaScript, expanded by node
eval "$(node -e '
  const v = require(process.argv[1]);
  const q = (s) => JSON.stringify(String(s));
  console.log(`NOMAD_VERSION=${q(v.nomad.version)} NOMAD_COMMIT=${q(v.nomad.commit)} NOMAD_API_VERSION=${q(v.nomad.api)}`);
  console.log(`CADDY_VERSION=${q(v.caddy.version)} NODE_VERSION=${q(v.node.version)}`);
' "$_nom_scripts/../versions.json")"

# nomad_is <binary> <version>: the binary runs and says it is Nomad v<version>.
nomad_is() {
  [ -n "$1" ] && [ -x "$1" ] && "$1" version 2>/dev/null | head -n 1 | grep -q "^Nomad v$2\\b"
}

# caddy_is <binary> <version>: the binary runs and says it is Caddy v<version>.
caddy_is() {
  [ -n "$1" ] && [ -x "$1" ] && "$1" version 2>/dev/null | grep -q "^v$2\\b"
}

ensure_nomad() {
  if [ -n "${NOM_NOMAD_BIN:-}" ]; then
    nomad_is "$NOM_NOMAD_BIN" "$NOMAD_VERSION" ||
      echo "note: NOM_NOMAD_BIN=$NOM_NOMAD_BIN is not Nomad $NOMAD_VERSION, the version nom is tested on" >&2
  elif nomad_is "$(command -v nomad)" "$NOMAD_VERSION"; then
    NOM_NOMAD_BIN=$(command -v nomad)
  else
    NOM_NOMAD_BIN="$NOM_CACHE/bin/nomad-$NOMAD_VERSION"
    if ! nomad_is "$NOM_NOMAD_BIN" "$NOMAD_VERSION"; then
      echo "no Nomad $NOMAD_VERSION in $NOM_CACHE/bin yet: building it from the Go module proxy (scripts/build-nomad.sh; 3-5 minutes, once)" >&2
      NOM_NOMAD_BIN=$(bash "$_nom_scripts/build-nomad.sh" | tail -n 1) || return 1
    fi
  fi
  export NOM_NOMAD_BIN
}

ensure_caddy() {
  if [ -n "${NOM_CADDY_BIN:-}" ]; then
    caddy_is "$NOM_CADDY_BIN" "$CADDY_VERSION" ||
      echo "note: NOM_CADDY_BIN=$NOM_CADDY_BIN is not Caddy $CADDY_VERSION, the version nom is tested on" >&2
  elif caddy_is "$(command -v caddy)" "$CADDY_VERSION"; then
    NOM_CADDY_BIN=$(command -v caddy)
  else
    NOM_CADDY_BIN="$NOM_CACHE/bin/caddy-$CADDY_VERSION"
    if ! caddy_is "$NOM_CADDY_BIN" "$CADDY_VERSION"; then
      echo "no Caddy $CADDY_VERSION in $NOM_CACHE/bin yet: building it from the Go module proxy (scripts/build-caddy.sh; a few minutes, once)" >&2
      NOM_CADDY_BIN=$(bash "$_nom_scripts/build-caddy.sh" | tail -n 1) || return 1
    fi
  fi
  export NOM_CADDY_BIN
}
