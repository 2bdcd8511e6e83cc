# The finnhub-stream image: the service's fat jar (the emulator and tools' jar stays in the build stage),
# conf/app.json, and an entrypoint that needs only APP_ENV (plus the secrets: FINNHUB_TOKEN and
# KAFKA_PASSWORD as variables, or LOCKBOX_SECRETS naming where Lockbox keeps them). Build and push with
# scripts/image.sh (docs/deployment.md). ServiceImageIT builds it and runs the container (docs/testing.md).
# It builds with BuildKit and with the legacy builder alike (no RUN --mount, no COPY --chmod): the build
# machines' Docker engine has only the latter.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-noble

FROM ${BUILD_IMAGE} AS build
WORKDIR /build
COPY pom.xml ./
# The dependencies in a layer of their own: rebuilt only when pom.xml changes, not on every source edit.
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
# Tests need a Kafka broker and run in CI (ci/test.sh) before the image is built; here only the jar.
RUN mvn -B -ntp -q -DskipTests package

FROM ${RUNTIME_IMAGE}
# Managed Kafka's broker certificates are signed by Yandex's own root CA, which no JRE trusts by default:
# put it into the JRE's trust store, so SASL_SSL needs no truststore setting (the certificate is public).
# An argument only so that a build without Internet access (ServiceImageIT) can serve a CA of its own.
ARG YANDEX_CA_URL=https://storage.yandexcloud.net/cloud-certs/CA.pem
ADD ${YANDEX_CA_URL} /usr/local/share/ca-certificates/yandex-cloud-ca.crt
RUN keytool -importcert -noprompt -cacerts -storepass changeit -alias yandex-cloud-ca \
      -file /usr/local/share/ca-certificates/yandex-cloud-ca.crt \
 && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin finnhub \
 && mkdir -p /var/lib/finnhub-stream/kafka-buffer \
 && chown -R 10001:10001 /var/lib/finnhub-stream
# The Kafka writer's on-disk outage buffer (kafka.disk_buffer_dir): writable by the service user, and a volume
# so that the trades it holds survive a container restart when the runtime mounts it.
VOLUME ["/var/lib/finnhub-stream/kafka-buffer"]

# The service reads conf/app.json relative to its working directory.
WORKDIR /app
COPY --from=build /build/target/finnhub-stream-fat.jar finnhub-stream.jar
COPY conf/app.json conf/app.json
# Executable in git; COPY keeps the mode.
COPY docker/entrypoint.sh entrypoint.sh

# The heap every figure was measured with (docs/design.md, heap limit): what the service holds is bounded by its
# queues, so a share of a 2 GB VM (-XX:MaxRAMPercentage) would only let garbage pile up; and a clean restart rather
# than a limping JVM after an OutOfMemoryError. Override the whole list with -e JAVA_OPTS=...
ENV JAVA_OPTS="-Xmx256m -XX:+ExitOnOutOfMemoryError"

USER 10001:10001
# The status port (http.port): GET /health, GET /status, and the metrics.
EXPOSE 8080
# Liveness only (the process answers), never "connected to Finnhub": a Finnhub outage must not get the
# container restarted. bash's /dev/tcp needs no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${HTTP_PORT:-8080} && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -c 16 <&3 | grep -q '^HTTP/1\\.[01] 200'"]
ENTRYPOINT ["/app/entrypoint.sh"]
