#!/usr/bin/env bash
# Regenerates testdata/services/<name>/template.json and config.json with the
# real Serverless Framework (osls 4.3.1), the oracle the compiler is tested
# against. Run from anywhere:
#
#   SLS=/path/to/node_modules/.bin/sls shared/serverless/testdata/regen.sh [name...]
#
# Each service is packaged in a scratch copy so the tree stays clean. The
# file args (optional) holds the CLI options, default "--stage production".
# The Framework runs offline with dummy credentials; no service uses ${ssm:}.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
sls="${SLS:-/tmp/probe/node_modules/.bin/sls}"
[ -x "$sls" ] || { echo "osls not found at $sls (set SLS)" >&2; exit 2; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for d in "$here"/services/*/; do names+=("$(basename "$d")"); done
fi

export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
for name in "${names[@]}"; do
  src="$here/services/$name"
  args="--stage production"
  [ -f "$src/args" ] && args="$(cat "$src/args")"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -r "$src"/. "$work"/
  rm -f "$work/template.json" "$work/config.json"
  echo "== $name ($args)"
  # shellcheck disable=SC2086
  (cd "$work" && "$sls" package $args >"$work/package.log" 2>&1) || { cat "$work/package.log" >&2; exit 1; }
  python3 -m json.tool --indent 2 "$work/.serverless/cloudformation-template-update-stack.json" >"$src/template.json"
  # shellcheck disable=SC2086
  (cd "$work" && "$sls" print --format json $args 2>/dev/null) | python3 -m json.tool --indent 2 >"$src/config.json"
  rm -rf "$work"
  trap - EXIT
done
