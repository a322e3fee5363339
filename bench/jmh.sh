#!/usr/bin/env bash
# Runs one JMH benchmark class from bench/jmh.
#   bench/jmh.sh CLASS [extra JMH options, e.g. -f 1 -wi 2 -i 3]
set -euo pipefail
CLASS="${1:?usage: bench/jmh.sh CLASS [JMH options]}"; shift
cd "$(dirname "$0")/.."
. bench/mvnw-offline-first.sh
if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
mvnw -q -B -DskipTests -Dspotless.check.skip=true package dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=runtime >/dev/null
for a in org.openjdk.jmh:jmh-core:1.37 org.openjdk.jmh:jmh-generator-annprocess:1.37; do
  mvnw -q -B dependency:get -Dartifact=$a >/dev/null 2>&1
done
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
JMH="$M2/org/openjdk/jmh/jmh-core/1.37/jmh-core-1.37.jar:$M2/net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar:$M2/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar"
PROC="$M2/org/openjdk/jmh/jmh-generator-annprocess/1.37/jmh-generator-annprocess-1.37.jar:$JMH"
cp="target/classes:$(cat target/bench-classpath.txt):$JMH"
rm -rf target/jmh-classes && mkdir -p target/jmh-classes
"$JAVAC" -nowarn -proc:full -processorpath "$PROC" -d target/jmh-classes -cp "$cp" $(find bench/jmh -name '*.java')
exec "$JAVA" -cp "target/jmh-classes:$cp" org.openjdk.jmh.Main "$CLASS" "$@"
