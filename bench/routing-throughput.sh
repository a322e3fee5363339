#!/usr/bin/env bash
# SMS end to end with routing on (no channels named) vs channels named, in one run.
#   bench/routing-throughput.sh [messages=5000] [http-clients=32]
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_ROUTED=1 exec bench/sms-throughput.sh "$@"
