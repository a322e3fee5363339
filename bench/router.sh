#!/usr/bin/env bash
# Router decisions per second (JMH): a named-channels baseline, a routed transactional message and
# a marketing message with quiet hours, caps and a 50-entry history.
#   bench/router.sh [extra JMH options, e.g. -f 1 -wi 2 -i 3]
exec "$(dirname "$0")/jmh.sh" RouterBench "$@"
