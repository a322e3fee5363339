# syntax=docker/dockerfile:1
# Tandem's container image: built from source with the Maven wrapper on a JDK 21, run on a JRE 21
# as an unprivileged user. docs/operations.md#container says how to run it (compose.yaml: with
# PostgreSQL). The tests are not run here: CI runs them (./mvnw verify) on the same sources.

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY src/main/ src/main/
# maven.test.skip: no test compilation; codegen.skip: the OpenAPI client exists for tests only
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -Dmaven.test.skip=true -Dcodegen.skip=true -Dspotless.check.skip=true package \
 && cp target/tandem.jar /tandem.jar

FROM eclipse-temurin:21-jre
# A fixed numeric id, so that orchestrators can check it is not root (runAsNonRoot) and volumes
# can be chowned ahead. Its home is the data directory: the embedded PostgreSQL's binaries are
# unpacked under ~/.cache, which must be this user's own.
RUN groupadd --system --gid 10001 tandem \
 && useradd --system --uid 10001 --gid tandem --home-dir /var/lib/tandem --shell /usr/sbin/nologin tandem \
 && install -d -o tandem -g tandem -m 0700 /var/lib/tandem
COPY --from=build /tandem.jar /opt/tandem/tandem.jar
COPY --chmod=0755 packaging/healthcheck.sh /opt/tandem/healthcheck.sh

# Configuration comes from TANDEM_* variables (docs/configuration.md); these are the image's own.
# Without TANDEM_DB_URL the embedded PostgreSQL runs in the data volume (linux/amd64 only).
ENV TANDEM_DATA_DIR=/var/lib/tandem \
    TANDEM_HTTP_HOST=0.0.0.0 \
    TANDEM_HTTP_PORT=8080
VOLUME ["/var/lib/tandem"]
WORKDIR /var/lib/tandem
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/opt/tandem/healthcheck.sh"]
# exec form: java is PID 1 and gets SIGTERM, so Tandem stops its work and its PostgreSQL cleanly
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/tandem/tandem.jar"]
CMD ["serve"]
