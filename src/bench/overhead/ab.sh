#!/usr/bin/env bash
# A/B of two router builds or settings behind ONE simulated engine: router A on :8080, router B on :8081, both
# running at once (an idle router costs nothing), wrk alternating between them (A B, then B A, ...) so that both
# see the same load from the rest of the machine. Prints one line per run and medians per variant: req/s, p50 and
# the router's CPU time per request, the steadiest of the three on a shared machine.
#
#   JAR_B=/tmp/candidate.jar src/bench/overhead/ab.sh
#   OPTS_B=-Dreactor.netty.ioWorkerCount=2 src/bench/overhead/ab.sh
#
# Environment: JAR_A / JAR_B [target/prefix-router.jar], OPTS_A / OPTS_B (JVM flags, after -Xms1g -Xmx1g),
# JAVA_A / JAVA_B [java] (the java binary running each router, e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java),
# ARGS_A / ARGS_B (router arguments), ROUNDS [3], DURATION [8s], WARMUP [25s, per variant and mode, c=32],
# CONCURRENCY ["1 32"], MODES ["post stream"] (the .lua scripts beside this file), OUT [target/bench/ab-<time>.tsv].
# Builds and installs nothing; stops what it started on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
JAR_A=${JAR_A:-$ROOT/target/prefix-router.jar}
JAR_B=${JAR_B:-$JAR_A}
OPTS_A=${OPTS_A:-}
OPTS_B=${OPTS_B:-}
JAVA_A=${JAVA_A:-java}
JAVA_B=${JAVA_B:-java}
ARGS_A=${ARGS_A:-}
ARGS_B=${ARGS_B:-}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-25s}
CONCURRENCY=${CONCURRENCY:-"1 32"}
MODES=${MODES:-"post stream"}
OUT=${OUT:-$ROOT/target/bench/ab-$(date +%Y%m%d-%H%M%S).tsv}
HZ=$(getconf CLK_TCK)

command -v wrk >/dev/null || { echo "wrk missing; install with: apt-get install -y wrk" >&2; exit 1; }
cd "$ROOT"
mkdir -p "$(dirname "$OUT")"
LOGS=$(mktemp -d -t ab-XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$LOGS"
}
trap cleanup EXIT

java -Xms1g -Xmx1g -jar "$JAR_A" sim --port=8100 --engines=1 --model=demo-model --ttft=0ms --itl=0ms \
    --max-tokens=16 >"$LOGS/engine.log" 2>&1 &
PIDS+=($!)
start_router() { # jar opts args port management-port java
    # shellcheck disable=SC2086 # opts and args are lists
    "$6" -Xms1g -Xmx1g $2 -jar "$1" --router.backends[0].id=e0 --router.backends[0].url=http://127.0.0.1:8100 \
        --server.address=127.0.0.1 --server.port="$4" --management.server.port="$5" \
        --management.server.address=127.0.0.1 --router.routing.policy=round-robin $3 >"$LOGS/router-$4.log" 2>&1 &
    PIDS+=($!)
}
start_router "$JAR_A" "$OPTS_A" "$ARGS_A" 8080 9090 "$JAVA_A"
start_router "$JAR_B" "$OPTS_B" "$ARGS_B" 8081 9091 "$JAVA_B"
declare -A PID=([A]=${PIDS[1]} [B]=${PIDS[2]}) PORT=([A]=8080 [B]=8081)
for port in 8080 8081; do
    for i in $(seq 1 240); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break
        ((i < 240)) || { echo "router on :$port did not become healthy" >&2; exit 1; }
        sleep 0.25
    done
done

jiffies() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
url() { echo "http://127.0.0.1:${PORT[$1]}/v1/chat/completions"; }
for v in A B; do
    for m in $MODES; do wrk -t2 -c32 -d"$WARMUP" -s "$HERE/$m.lua" "$(url $v)" >/dev/null; done
done

printf 'round\tmode\tc\tvariant\treq_per_s\tp50_ms\trouter_cpu_us_per_req\tload1\terrors\n' >"$OUT"
for r in $(seq 1 "$ROUNDS"); do
    for c in $CONCURRENCY; do
        for m in $MODES; do
            order="A B"
            ((r % 2 == 0)) && order="B A"
            for v in $order; do
                before=$(jiffies "${PID[$v]}")
                result=$(wrk -t$((c < 2 ? 1 : 2)) -c"$c" -d"$DURATION" --latency -s "$HERE/$m.lua" "$(url $v)")
                after=$(jiffies "${PID[$v]}")
                awk -v r="$r" -v m="$m" -v c="$c" -v v="$v" -v j="$((after - before))" -v hz="$HZ" \
                    -v load="$(cut -d' ' -f1 /proc/loadavg)" '
                    function ms(x) {
                        if (x ~ /us$/) return substr(x, 1, length(x) - 2) / 1000
                        if (x ~ /ms$/) return substr(x, 1, length(x) - 2) + 0
                        return substr(x, 1, length(x) - 1) * 1000
                    }
                    / requests in / { n = $1 }
                    /^ +50%/ { p50 = ms($2) }
                    /^Requests\/sec:/ { rps = $2 }
                    /Non-2xx or 3xx responses:/ { errors += $NF }
                    /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
                    END { printf "%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%d\n", r, m, c, v, rps, p50, j * 1e6 / hz / n, load,
                          errors }' <<<"$result" | tee -a "$OUT"
            done
        done
    done
done

echo "medians over $ROUNDS rounds:"
for m in $MODES; do
    for c in $CONCURRENCY; do
        for v in A B; do
            median() {
                awk -F'\t' -v m="$m" -v c="$c" -v v="$v" -v k="$1" 'NR > 1 && $2 == m && $3 == c && $4 == v {print $k}' \
                    "$OUT" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
            }
            printf '%s\tc=%s\t%s\treq/s %s\tp50 %s ms\trouter CPU %s µs/req\n' "$m" "$c" "$v" "$(median 5)" \
                "$(median 6)" "$(median 7)"
        done
    done
done
echo "per-run lines in $OUT"
