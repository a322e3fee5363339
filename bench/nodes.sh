#!/usr/bin/env bash
# Several nodes, one PostgreSQL: SMS throughput through 1 and 3 Tandem processes sharing one database.
#   bench/nodes.sh [messages=3000] [runs=1,3,1,3] [http-clients=32]
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
exec "$JAVA" -cp "target/bench-classes:$cp" dev.tandem.bench.NodesBench "$@"
