#!/usr/bin/env bash
# The quickstart's main job: bring up the local cluster (nom up: Nomad, Caddy and the router)
# and deploy the demo app with `nom deploy examples/hello-world`, ending with a command that
# reaches it over HTTPS at its hostname.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/nom.mjs ] || npm run --silent build

# Nomad 1.6.3 and Caddy: from the cache, else built from the Go module proxy (once).
. scripts/versions.sh
ensure_nomad
ensure_caddy

deps=()
[ "$(id -u)" = 0 ] && deps=(--install-deps)
./bin/nom up "${deps[@]}"
eval "$(./bin/nom env)"
export NOMAD_ADDR NOMAD_TOKEN NOM_INGRESS_HTTPS NOM_CA_CERT NOM_CONSOLE_URL

# The demo's Dockerfile copies its bundled server onto a base image made from this machine's
# own node binary: no registry is needed. Both are prepared here, then nom builds and deploys.
scripts/build-base-image.sh >/dev/null
(cd examples/hello-world && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build) >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
./bin/nom deploy examples/hello-world 2>&1 | tee "$log" >&2
url=$(tail -n 1 "$log")
host=${url#https://}
https=${NOM_INGRESS_HTTPS##*:}
# The router has given it its hostname: Caddy answers there with HTTPS from the cluster's own CA.
curl -fsS -o /dev/null --cacert "$NOM_CA_CERT" --resolve "$host:$https:127.0.0.1" "https://$host:$https/"
echo "demo: the console shows it too: $NOM_CONSOLE_URL (sign in with the token in ${NOM_HOME:-$HOME/.local/share/nom}/nomad/management-token)" >&2
echo "demo: it answers; try it yourself:" >&2
echo "curl --cacert $NOM_CA_CERT --resolve $host:$https:127.0.0.1 https://$host:$https/"
