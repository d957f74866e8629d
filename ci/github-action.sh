#!/usr/bin/env bash
# The script of nom's GitHub action (action.yml): `nom deploy`, or `nom stop --purge` with
# NOM_COMMAND=stop, in GitHub Actions' environment (GITHUB_REPOSITORY, GITHUB_REF_NAME,
# GITHUB_SHA, GITHUB_OUTPUT…) with the action's inputs as variables. nom writes the outputs
# url and job, and a summary, itself.
set -euo pipefail
nom="${NOM:-$(dirname "$0")/../bin/nom}"
case "${NOM_COMMAND:-deploy}" in
  deploy) exec "$nom" deploy ;;
  stop) exec "$nom" stop --purge ;;
  *) echo "nom action: command is \"$NOM_COMMAND\": use deploy or stop" >&2; exit 2 ;;
esac
