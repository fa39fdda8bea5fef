#!/usr/bin/env bash
# Regenerates the oracle golden files: what the real Framework (osls 4.3.1)
# resolves each service under testdata/oracle to.
#
# Rerun from anywhere with
#   shared/variables/testdata/regen.sh
# (SLS=/path/to/node_modules/.bin/sls to use another CLI; it runs offline).
#
# For each oracle/<name>/, every line "<stage> [<region>]" of its "runs" file
# becomes one `sls print --stage <stage> [--region <region>] --format json`
# with the KEY=VALUE lines of its "env" file in the environment. The output is
# written to <name>.<stage>.golden.json, or, when osls refuses the
# configuration, its error text to <name>.<stage>.golden.err.
# oracle_test.go compares Resolve's output with these files.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
sls="${SLS:-/tmp/probe/node_modules/.bin/sls}"
if [[ ! -x "$sls" ]]; then
  echo "regen.sh: no Serverless CLI at $sls (set SLS)" >&2
  exit 2
fi

for dir in "$here"/oracle/*/; do
  name="$(basename "$dir")"
  while read -r stage region; do
    [[ -z "$stage" ]] && continue
    args=(print --stage "$stage" --format json)
    [[ -n "${region:-}" ]] && args+=(--region "$region")
    envs=(AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off)
    if [[ -f "$dir/env" ]]; then
      while IFS= read -r line; do
        [[ -n "$line" ]] && envs+=("$line")
      done < "$dir/env"
    fi
    base="$here/$name.$stage.golden"
    rm -f "$base.json" "$base.err"
    if out="$(cd "$dir" && env "${envs[@]}" "$sls" "${args[@]}" 2>&1)"; then
      printf '%s\n' "$out" > "$base.json"
      echo "wrote $(basename "$base").json"
    else
      # Keep the error text only (osls prints an environment banner first).
      printf '%s\n' "$out" | sed -n '/^Error:$/,$p' | sed '1d' > "$base.err"
      echo "wrote $(basename "$base").err"
    fi
  done < "$dir/runs"
done
