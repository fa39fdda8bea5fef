#!/usr/bin/env bash
# Measures what the safeguard plugin adds to `sls package` of a generated
# 50-function service: medians of 5 runs with and without the plugin, run
# alternately on this machine in one go (BenchmarkPluginOverhead).
# Needs `npm ci` here first. The goal is under 100 ms (ms-added).
set -euo pipefail
cd "$(dirname "$0")"
exec go test -run '^$' -bench '^BenchmarkPluginOverhead$' -benchtime 1x -v . "$@"
