# syntax=docker/dockerfile:1
# The Meridian node image: `docker build -t meridian-node .` (docker-compose.yaml builds it).
# Build stage: bin/meridian's build of the node module, so the image runs exactly what `bin/meridian node` runs.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds (BuildKit); tests run in CI, not here.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests -pl node -am package

# Runtime: the jar and its runtime classpath (node/target/lib, referenced from the jar's manifest as lib/).
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 meridian \
    && useradd --system --uid 10001 --gid meridian --home-dir /opt/meridian --no-create-home meridian \
    && mkdir -p /opt/meridian /var/lib/meridian \
    && chown meridian:meridian /var/lib/meridian
WORKDIR /opt/meridian
COPY --from=build /src/node/target/meridian-node.jar /opt/meridian/meridian-node.jar
COPY --from=build /src/node/target/lib /opt/meridian/lib
# The applier's RocksDB stores; mount a volume here (docker-compose.yaml does) so a restart does not re-read the WAL.
ENV MERIDIAN_STATE_DIR=/var/lib/meridian/state
# Size the heap from the container's memory limit; die on OOM so the orchestrator restarts the node.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
USER meridian
EXPOSE 8080
VOLUME ["/var/lib/meridian"]
# Configuration comes from MERIDIAN_* variables (MERIDIAN_HTTP_PORT sets http.port), or append --config FILE.
ENTRYPOINT ["java", "-jar", "meridian-node.jar", "node"]
