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
# Health and metrics: /health/live, /health/ready, /metrics. The TCP bridge (off by default) needs
# TEMPER_BRIDGE_ENABLED=true and TEMPER_BRIDGE_HOST=0.0.0.0 to be reachable from outside the container.
# serve --cluster: Hazelcast from 5701, and the event bus on TEMPER_CLUSTER_PORT (set a fixed one, and
# TEMPER_CLUSTER_HOST=0.0.0.0 with TEMPER_CLUSTER_PUBLIC_HOST=<this container's address>).
EXPOSE 8081 7000 5701
ENTRYPOINT ["java", "-jar", "/app/temper-store.jar"]
CMD ["serve"]
