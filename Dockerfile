# temper-store: multi-stage build of the fat jar, run as a non-root user.
#   docker build -t temper-store .
#   docker run --rm -e DATABASE_URL=postgres://temper:secret@db:5432/temper temper-store
# Without DATABASE_URL the image starts an embedded PostgreSQL whose data lives in the /app/data volume.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --create-home --home-dir /home/temper temper \
 && mkdir -p /app/data \
 && chown temper /app/data
WORKDIR /app
COPY --from=build /src/target/temper-store.jar /app/temper-store.jar
COPY conf /app/conf
USER temper
VOLUME /app/data
# Only the operator's HTTP port is served by default: /health/live, /health/ready, /metrics.
# The TCP bridge (off by default, loopback by default) needs TEMPER_BRIDGE_ENABLED=true, TEMPER_BRIDGE_HOST=0.0.0.0
# and authentication (docs/security.md) to be reachable from outside: publish its port (7000) then.
# serve --cluster: Hazelcast from 5701, and the event bus on TEMPER_CLUSTER_PORT (set a fixed one, and
# TEMPER_CLUSTER_HOST=0.0.0.0 with TEMPER_CLUSTER_PUBLIC_HOST=<this container's address>).
EXPOSE 8081
# Ready: migrated and the database reachable. Bash's /dev/tcp, since the JRE image has no HTTP client.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${TEMPER_HTTP_PORT:-8081} && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["java", "-jar", "/app/temper-store.jar"]
CMD ["serve"]
