# chat-node container image.
#
# The jar is built outside Docker, so build it first, from the repository root:
#
#   mvn -B package -DskipTests          # -> http-verticle/target/chat-node.jar
#   docker build -t chat-node:0.1.0 .
#
# Run it alone (embedded H2 under /var/lib/chat/data):
#   docker run --rm -p 8080:8080 chat-node:0.1.0
# On Kubernetes see k8s/ (kubectl apply -k k8s); every option comes from a
# CHAT_* environment variable there.
FROM eclipse-temurin:17-jre

# A fixed numeric, non-root user, so Kubernetes' runAsNonRoot can verify it.
ARG UID=10001
RUN groupadd --system --gid "${UID}" chat \
 && useradd --system --uid "${UID}" --gid chat --home-dir /var/lib/chat --no-create-home --shell /usr/sbin/nologin chat \
 && mkdir -p /var/lib/chat \
 && chown chat:chat /var/lib/chat

# The jar stays owned by root: readable, not writable, by the app user.
COPY http-verticle/target/chat-node.jar /opt/chat/chat-node.jar

# The working directory is the only place the node writes to, and only with the
# default embedded H2 database (./data). With --db-url/CHAT_DB_URL pointing at
# PostgreSQL it writes nothing but its temporary files (java.io.tmpdir, /tmp).
WORKDIR /var/lib/chat
USER ${UID}:${UID}

# 8080: HTTP (web client, REST, /eventbus, /ws, /sse, /health/*, /metrics)
# 5701: Hazelcast membership (--cluster-port)
# 5710: Vert.x clustered event bus (--eventbus-port; its default 0 picks a
#       random port, so fix it with CHAT_EVENTBUS_PORT=5710 when clustering)
EXPOSE 8080 5701 5710

# The node drains on SIGTERM (readiness 503, clients told to reconnect with
# 1012, cluster left) and exits within 10 s.
STOPSIGNAL SIGTERM

# Heap sized from the container's memory limit; the rest of the limit is left
# for metaspace, thread stacks and Netty's direct buffers. An OutOfMemoryError
# ends the process so the orchestrator restarts it rather than it limping on.
# Extra JVM flags: set JAVA_TOOL_OPTIONS. The exec form makes java PID 1, so it
# receives SIGTERM itself.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=70", "-XX:InitialRAMPercentage=25", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/chat/chat-node.jar"]
