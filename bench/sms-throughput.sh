#!/usr/bin/env bash
# SMS throughput: Tandem vs raw jSMPP vs Kannel against one SMSC simulator, in one run.
#   bench/sms-throughput.sh [messages=5000] [http-clients=32]
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
exec "$JAVA" ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} -cp "target/bench-classes:$cp" dev.tandem.bench.SmsThroughputBench "$@"
