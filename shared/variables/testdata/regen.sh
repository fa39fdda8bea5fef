#!/usr/bin/env bash
# Regenerates the oracle golden files: what the real Framework (osls 4.3.1)
# resolves each service to.
#
# Rerun from anywhere with
#   shared/variables/testdata/regen.sh [parse|oracle|corpus|all]   (default all)
# SLS=/path/to/node_modules/.bin/sls picks another CLI; CORPUS=dir another
# corpus. Everything runs offline.
#
# parse: osls's parse.js over every string of parse_cases.json, into
# parse.golden.json (parse_test.go); needs node.
#
# oracle: the services under testdata/oracle use only offline sources.
# For each oracle/<name>/, every line "<stage> [<region>]" of its "runs" file
# becomes one `sls print --stage <stage> [--region <region>] --format json`
# with the KEY=VALUE lines of its "env" file in the environment. The output is
# written to <name>.<stage>.golden.json, or, when osls refuses the
# configuration, its error text to <name>.<stage>.golden.err.
# oracle_test.go compares Resolve's output with these files.
#
# corpus: every serverless.yml of the Hackney corpus, for every stage under
# its custom.vpc (and development, which not every file has). They read SSM parameters, so a moto server (python3 -m
# moto.server) stands in for AWS: seed_corpus.py stores each parameter the
# file reads with the value "SSM(<name>)" and passes each ${param:x} as
# --param x=PARAM(x). Plugins get empty stand-ins and configValidationMode
# is set to warn (the test ignores that key). Output goes to corpus/<file>.<stage>.golden.json (or
# .err); corpus_test.go maps Resolve's Unknown nodes onto those values.
set -euo pipefail
what="${1:-all}"

here="$(cd "$(dirname "$0")" && pwd)"
sls="${SLS:-/tmp/probe/node_modules/.bin/sls}"
if [[ ! -x "$sls" ]]; then
  echo "regen.sh: no Serverless CLI at $sls (set SLS)" >&2
  exit 2
fi

envs=(AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_EC2_METADATA_DISABLED=true SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off)

# run DIR BASE ARGS... runs `sls ARGS` in DIR and writes BASE.json or BASE.err.
run() {
  local dir="$1" base="$2"
  shift 2
  rm -f "$base.json" "$base.err"
  local out errfile
  errfile="$(mktemp)"
  if out="$(cd "$dir" && env "${envs[@]}" "$sls" "$@" 2>"$errfile")"; then
    printf '%s\n' "$out" > "$base.json"
    echo "wrote ${base#"$here"/}.json"
  else
    # Keep the error text only (osls prints an environment banner first).
    { printf '%s\n' "$out"; cat "$errfile"; } | sed -n '/^Error:$/,$p' | sed '1d' | sed '/^Environment: /,$d' |
      sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$base.err"
    echo "wrote ${base#"$here"/}.err"
  fi
  rm -f "$errfile"
}

if [[ "$what" == parse || "$what" == all ]]; then
  osls="$(cd "$(dirname "$(readlink -f "$sls")")/.." && pwd)"
  node "$here/parse_oracle.js" "$osls"
  echo "wrote parse.golden.json"
fi

if [[ "$what" == oracle || "$what" == all ]]; then
for dir in "$here"/oracle/*/; do
  name="$(basename "$dir")"
  while read -r stage region; do
    [[ -z "$stage" ]] && continue
    args=(print --stage "$stage" --format json)
    [[ -n "${region:-}" ]] && args+=(--region "$region")
    base="$here/$name.$stage.golden"
    saved=("${envs[@]}")
    if [[ -f "$dir/env" ]]; then
      while IFS= read -r line; do
        [[ -n "$line" ]] && envs+=("$line")
      done < "$dir/env"
    fi
    run "$dir" "$base" "${args[@]}"
    envs=("${saved[@]}")
  done < "$dir/runs"
done
fi

if [[ "$what" == corpus || "$what" == all ]]; then
  corpus="${CORPUS:-$(cd "$(dirname "$0")/../../../tests/corpus/hackney" && pwd)}"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  python3 -m moto.server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  moto=$!
  trap 'kill "$moto" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null && break
    sleep 0.2
  done
  envs+=("AWS_ENDPOINT_URL=http://127.0.0.1:$port")
  mkdir -p "$here/corpus"
  work="$(mktemp -d)"
  for file in "$corpus"/*.yml; do
    name="$(basename "$file" .yml)"
    stages="$(python3 -c '
import sys, yaml
class L(yaml.SafeLoader): pass
L.add_multi_constructor("!", lambda l, s, n: None)
doc = yaml.load(open(sys.argv[1]), Loader=L)
stages = list(((doc.get("custom") or {}).get("vpc") or {}).keys())
# documents-api has no development entry: osls must refuse that stage.
print(" ".join(stages + ([] if "development" in stages else ["development"])))' "$file")"
    for stage in $stages; do
      mapfile -t params < <(python3 "$here/seed_corpus.py" "http://127.0.0.1:$port" "$file" "$stage")
      rm -rf "$work/svc" && mkdir "$work/svc" && cp "$file" "$work/svc/serverless.yml"
      # The plugins are not installed: empty stand-ins let osls load, and none
      # of them adds a variable source. Schema errors (an old runtime) must
      # not stop the print, so validation only warns.
      for plugin in $(python3 -c '
import sys, yaml
class L(yaml.SafeLoader): pass
L.add_multi_constructor("!", lambda l, s, n: None)
print(" ".join(yaml.load(open(sys.argv[1]), Loader=L).get("plugins") or []))' "$file"); do
        mkdir -p "$work/svc/node_modules/$plugin"
        echo 'module.exports = class { constructor() { this.hooks = {}; } };' > "$work/svc/node_modules/$plugin/index.js"
      done
      printf '\nconfigValidationMode: warn\n' >> "$work/svc/serverless.yml"
      run "$work/svc" "$here/corpus/$name.$stage.golden" print --stage "$stage" --format json "${params[@]}"
    done
  done
  rm -rf "$work"
fi