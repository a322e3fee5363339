#!/usr/bin/env bash
# SMS end to end with the text rendered from a template vs written inline, in one run.
#   bench/template-throughput.sh [messages=5000] [http-clients=32]
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_TEMPLATED=1 exec bench/sms-throughput.sh "$@"
