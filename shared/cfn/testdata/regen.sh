#!/usr/bin/env bash
# Regenerates testdata/templates/*.json: the templates the real Serverless
# Framework (osls) compiles from testdata/services/*/serverless.yml with
# `sls package --stage production`, offline. Then run
#   go test ./shared/cfn/ -run TestCompiledTemplates -update
# to refresh the golden listings, and review the diff.
#
# SLS names the sls binary (default: the osls install the project probes with).
# Values that change on every run are replaced by fixed ones so a regeneration
# without a real change leaves the files as they are: the deployment
# timestamp in artifact paths and in the ApiGatewayDeployment logical id.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sls=${SLS:-/tmp/probe/node_modules/.bin/sls}
if [[ ! -x $sls ]]; then
  echo "regen.sh: no sls at $sls (set SLS to an osls 4.x binary)" >&2
  exit 2
fi
mkdir -p "$here/templates"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for dir in "$here"/services/*/; do
  name=$(basename "$dir")
  cp -R "$dir" "$work/$name"
  (
    cd "$work/$name"
    AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y SLS_TELEMETRY_DISABLED=1 \
      "$sls" package --stage production >"$work/$name.log" 2>&1 ||
      { cat "$work/$name.log" >&2; exit 1; }
  )
  sed -E \
    -e 's#(serverless/[^/"]+/[^/"]+/)[0-9]{13}-[0-9T:.-]+Z/#\10000000000000-2000-01-01T00:00:00.000Z/#g' \
    -e 's#ApiGatewayDeployment[0-9]{13}#ApiGatewayDeployment0000000000000#g' \
    "$work/$name/.serverless/cloudformation-template-update-stack.json" >"$here/templates/$name.json"
  echo "templates/$name.json"
done
