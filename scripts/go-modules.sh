# shellcheck shell=bash
# Sourced by the scripts that build HashiCorp tools from the Go module proxy (build-nomad.sh,
# build-consul.sh): fetching a module and checking its licence. They expect `die` and `$work`
# (a scratch directory outside any go.mod) from the script that sources them.
#
#   src=$(fetch github.com/hashicorp/nomad@v1.6.3)   # its source dir; go's JSON answer in $work/last.json
#   check_licence "$src" github.com/hashicorp/nomad@v1.6.3 Nomad

# fetch <module@version>: downloads it and prints its source dir (read-only, in GOMODCACHE).
# shellcheck disable=SC2154 # $work is the sourcing script's scratch directory
fetch() {
  (cd "$work" && go mod download -json "$1" >"$work/last.json" 2>/dev/null) ||
    die "the Go module proxy cannot serve $1: $(jq -r .Error "$work/last.json" 2>/dev/null) (GOPROXY=$(go env GOPROXY))"
  jq -r .Dir "$work/last.json"
}

# check_licence <module dir> <module@version> <product>: the licence decides, not the version
# number alone; a module whose LICENSE is not the MPL-2.0 (or that names the Business Source
# License) is not built.
check_licence() {
  local licence="$1/LICENSE"
  [ -f "$licence" ] || die "$2 has no LICENSE file: not building it"
  if grep -qi 'Business Source License' "$licence" || ! grep -q 'Mozilla Public License, version 2.0' "$licence"; then
    die "$2 is not under the Mozilla Public License 2.0 ($(head -c 200 "$licence" | tr '\n' ' ')...): nom builds only open-source $3"
  fi
}
