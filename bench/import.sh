#!/usr/bin/env bash
# Contact import: two overlapping lists of N rows each, then the first again; rows/s, peak memory,
# and raw PostgreSQL COPY of the same rows as the baseline, in one run. The heap is capped at
# 512 MB on purpose: the import streams, so it must fit whatever the file size.
#   bench/import.sh [rows=500000]
# The same list imported fresh, and again right after its dry run on another data directory (the
# two times and their ratio):
#   bench/import.sh after-dry-run [rows=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/mvnw-offline-first.sh
if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mvnw -q -B -DskipTests -Dspotless.check.skip=true package dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=runtime >/dev/null
cp="target/classes:$(cat target/bench-classpath.txt)"
rm -rf target/bench-classes && mkdir -p target/bench-classes
"${JAVA_HOME:+$JAVA_HOME/bin/}javac" -nowarn -d target/bench-classes -cp "$cp" $(find bench/src -name '*.java')
main=dev.tandem.bench.ImportBench
if [ "${1:-}" = after-dry-run ]; then main=dev.tandem.bench.ImportAfterDryRunBench; shift; fi
exec "$JAVA" -Xmx512m -cp "target/bench-classes:$cp" "$main" "$@"
