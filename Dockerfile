# Build: docker build -t prefix-router:0.1.0 .
# Run:   docker run -p 8080:8080 -p 9090:9090 prefix-router:0.1.0 --spring.profiles.active=demo

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q package -DskipTests \
 && java -Djarmode=tools -jar target/prefix-router.jar extract --layers --launcher --destination /layers

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 router && useradd --system --uid 10001 --gid router --no-create-home router
WORKDIR /app
# Dependencies change less often than the application: separate layers keep rebuilds small.
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
COPY application.yml ./application.yml
USER 10001:10001
EXPOSE 8080 9090
# The JVM reads the container's memory limit. Heap: half of it (the router gives a quarter of the heap to the
# prefix index, at most 256MB, and a quarter to request memory, and refuses work beyond them); Netty's direct
# buffers: at most 256MB; metaspace bounded; the rest is code cache, thread stacks and GC. README, "Memory,
# bounded end to end", has the sizing rule. An OOM would end the process so that Kubernetes restarts it cleanly.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:MaxDirectMemorySize=256m -XX:MaxMetaspaceSize=160m -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
