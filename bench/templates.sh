#!/usr/bin/env bash
# Template renders per second (JMH): inline content as the baseline, a realistic template with its
# SMS variant, and the same template with the SMS derived from the email.
#   bench/templates.sh [extra JMH options, e.g. -f 1 -wi 2 -i 3]
exec "$(dirname "$0")/jmh.sh" TemplateBench "$@"
