# One image recipe for every service: docker build --build-arg SERVICE=edge-proxy .
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -q -B -DskipTests -Dspotless.check.skip=true \
      -pl edge-proxy,key-vault-service,usage-analytics-service,webhook-dispatcher,admin-api -am package

FROM eclipse-temurin:17-jre
ARG SERVICE
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 symbolon
COPY --from=build /src/${SERVICE}/target/${SERVICE}-*-exec.jar /app/app.jar
USER 10001
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# Services listen on loopback unless told otherwise (service-support); in a container its network is the boundary.
ENV SYMBOLON_BIND_ADDRESS=0.0.0.0
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
