# Build: docker build -t prefix-router:0.1.0 .
# Run:   docker run -p 8080:8080 -p 9090:9090 prefix-router:0.1.0 --spring.profiles.active=demo

# Base images, pinned by exact version tag: Java 17 (the version the tests run on), Temurin 17.0.15+6 to build and
# to run, and Maven 3.9.9 copied from its official image into the build stage (so the build's JDK is the pinned one,
# not whatever the Maven image was last rebuilt with). To update: pick the new tags from Docker Hub
# (eclipse-temurin: <major>.<minor>.<patch>_<build>-jdk / -jre; maven: <version>-eclipse-temurin-17), change the
# three ARGs, build, and run `mvn -B verify` on the same JDK. For a digest pin as well, append @sha256:... as printed
# by `docker buildx imagetools inspect eclipse-temurin:17.0.15_6-jre`; or override at build time:
#   docker build --build-arg JRE_IMAGE=eclipse-temurin:17.0.16_8-jre ...
ARG MAVEN_IMAGE=maven:3.9.9-eclipse-temurin-17
ARG JDK_IMAGE=eclipse-temurin:17.0.15_6-jdk
ARG JRE_IMAGE=eclipse-temurin:17.0.15_6-jre

FROM ${MAVEN_IMAGE} AS maven

FROM ${JDK_IMAGE} AS build
ENV MAVEN_HOME=/usr/share/maven
COPY --from=maven ${MAVEN_HOME} ${MAVEN_HOME}
RUN ln -s ${MAVEN_HOME}/bin/mvn /usr/bin/mvn
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q package -DskipTests \
 && java -Djarmode=tools -jar target/prefix-router.jar extract --layers --launcher --destination /layers

FROM ${JRE_IMAGE}
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
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+UseParallelGC -XX:MaxDirectMemorySize=256m -XX:MaxMetaspaceSize=160m -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
