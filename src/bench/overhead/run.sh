#!/usr/bin/env bash
# Proxy overhead of the router against calling the engine directly and against nginx, side by side in one run.
#
#   mvn -B -q package -DskipTests          # this script builds nothing: it runs target/prefix-router.jar
#   src/bench/overhead/run.sh
#
# Starts ONE simulated engine (zero TTFT / ITL, so it answers as fast as it can), the router in front of it and
# nginx in front of it, all on 127.0.0.1; warms each up; then runs wrk against direct / nginx / router,
# interleaved, for every concurrency level and mode; prints Markdown tables. Everything it started is stopped on
# exit. It installs nothing: wrk and nginx must be there (it prints the apt-get line otherwise).
#
# Environment (defaults in brackets):
#   DURATION [15s]  each measured wrk run       WARMUP [20s]   each warm-up run (per target and mode, at c=32)
#   CONCURRENCY ["1 32 256"]                    MODES ["plain stream"]           ROUNDS [1] repeats of the matrix
#   THREADS [2]     wrk threads (never more than the connections)
#   NGINX_WORKERS [auto]                        UPSTREAM_KEEPALIVE [512]
#   ENGINE_JAVA_OPTS ["-Xms1g -Xmx1g"]  ROUTER_JAVA_OPTS ["-Xms1g -Xmx1g -XX:+UseParallelGC", the collector the
#                                       image and k8s/ ship with] (e.g. add JFR to the router)
#   ROUTER_ARGS [""]  extra router arguments    MODEL [demo-model]
#   ENGINE_PORT [8100] NGINX_PORT [8090] (and +1 for streaming) ROUTER_PORT [8080] ROUTER_MANAGEMENT_PORT [9090]
#   JAR [target/prefix-router.jar]              OUT_DIR [target/bench/overhead-<time>]  raw wrk output, tables, logs
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)

DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-20s}
CONCURRENCY=${CONCURRENCY:-"1 32 256"}
MODES=${MODES:-"plain stream"}
ROUNDS=${ROUNDS:-1}
THREADS=${THREADS:-2}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
UPSTREAM_KEEPALIVE=${UPSTREAM_KEEPALIVE:-512}
ENGINE_JAVA_OPTS=${ENGINE_JAVA_OPTS:-"-Xms1g -Xmx1g"}
ROUTER_JAVA_OPTS=${ROUTER_JAVA_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC"}
ROUTER_ARGS=${ROUTER_ARGS:-}
export MODEL=${MODEL:-demo-model}
ENGINE_PORT=${ENGINE_PORT:-8100}
NGINX_PORT=${NGINX_PORT:-8090}
NGINX_STREAM_PORT=$((NGINX_PORT + 1))
ROUTER_PORT=${ROUTER_PORT:-8080}
ROUTER_MANAGEMENT_PORT=${ROUTER_MANAGEMENT_PORT:-9090}
JAR=${JAR:-$ROOT/target/prefix-router.jar}
OUT_DIR=${OUT_DIR:-$ROOT/target/bench/overhead-$(date +%Y%m%d-%H%M%S)}
NCPU=$(nproc)
HZ=$(getconf CLK_TCK)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---- preconditions: nothing is built or installed here ------------------------------------------------------------
NGINX_BIN=$(command -v nginx || true)
[[ -z $NGINX_BIN && -x /usr/sbin/nginx ]] && NGINX_BIN=/usr/sbin/nginx
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -n $NGINX_BIN ]] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    die "missing ${missing[*]}; install with: apt-get install -y ${missing[*]}"
fi
command -v java >/dev/null || die "java not found (JDK 17+)"
[[ -f $JAR ]] || die "$JAR not found; build it first: mvn -B -q package -DskipTests"
for port in "$ENGINE_PORT" "$NGINX_PORT" "$NGINX_STREAM_PORT" "$ROUTER_PORT" "$ROUTER_MANAGEMENT_PORT"; do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
        die "port $port is already in use"
    fi
done

cd "$ROOT"   # the router reads application.yml from its working directory, as documented
TMP=$(mktemp -d -t overhead-XXXXXX)
mkdir -p "$OUT_DIR"
PIDS=()

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid ignored SIGTERM for 10 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    cp "$TMP"/*.log "$OUT_DIR"/ 2>/dev/null || true
    cp "$TMP"/nginx/error.log "$OUT_DIR"/nginx-error.log 2>/dev/null || true
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'log "failed: line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() { # name url expected-status pid
    local name=$1 url=$2 expected=$3 pid=$4 code
    for _ in $(seq 1 600); do
        kill -0 "$pid" 2>/dev/null || die "$name exited during start-up; see $TMP/$name.log"
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)
        [[ $code == "$expected" ]] && return 0
        sleep 0.1
    done
    die "$name did not answer $expected on $url within 60 s"
}

# ---- start the engine, the router and nginx ----------------------------------------------------------------------
log "engine on :$ENGINE_PORT ($ENGINE_JAVA_OPTS)"
# shellcheck disable=SC2086 # the *_JAVA_OPTS are lists of flags
java $ENGINE_JAVA_OPTS -jar "$JAR" sim --port="$ENGINE_PORT" --engines=1 --model="$MODEL" \
    --ttft=0ms --itl=0ms --max-tokens=16 >"$TMP/engine.log" 2>&1 &
ENGINE_PID=$!
PIDS+=("$ENGINE_PID")
wait_for engine "http://127.0.0.1:$ENGINE_PORT/health" 200 "$ENGINE_PID"

log "router on :$ROUTER_PORT ($ROUTER_JAVA_OPTS)"
# shellcheck disable=SC2086
java $ROUTER_JAVA_OPTS -jar "$JAR" --router.backends[0].id=e0 \
    --router.backends[0].url="http://127.0.0.1:$ENGINE_PORT" --server.address=127.0.0.1 \
    --server.port="$ROUTER_PORT" --management.server.port="$ROUTER_MANAGEMENT_PORT" \
    --management.server.address=127.0.0.1 --router.routing.policy=round-robin $ROUTER_ARGS \
    >"$TMP/router.log" 2>&1 &
ROUTER_PID=$!
PIDS+=("$ROUTER_PID")
wait_for router "http://127.0.0.1:$ROUTER_PORT/health" 200 "$ROUTER_PID"

log "nginx on :$NGINX_PORT (buffered) and :$NGINX_STREAM_PORT (proxy_buffering off), worker_processes $NGINX_WORKERS"
mkdir -p "$TMP/nginx"
sed -e "s|@PREFIX@|$TMP/nginx|g" -e "s|@WORKERS@|$NGINX_WORKERS|g" -e "s|@ENGINE_PORT@|$ENGINE_PORT|g" \
    -e "s|@NGINX_PORT@|$NGINX_PORT|g" -e "s|@NGINX_STREAM_PORT@|$NGINX_STREAM_PORT|g" \
    -e "s|@UPSTREAM_KEEPALIVE@|$UPSTREAM_KEEPALIVE|g" "$HERE/nginx.conf" >"$TMP/nginx/nginx.conf"
cp "$TMP/nginx/nginx.conf" "$OUT_DIR/nginx.conf"
NGINX_CMD=("$NGINX_BIN" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log")
if ((EUID == 0)); then
    # Never run nginx as root here: drop to nobody (it only needs its prefix dir and unprivileged ports).
    chmod 755 "$TMP"
    chown -R nobody "$TMP/nginx"
    NGINX_CMD=(setpriv --reuid=nobody --regid=nogroup --clear-groups "${NGINX_CMD[@]}")
fi
"${NGINX_CMD[@]}" >"$TMP/nginx.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_for nginx "http://127.0.0.1:$NGINX_PORT/health" 200 "$NGINX_PID"

declare -A URL=(
    [direct/plain]="http://127.0.0.1:$ENGINE_PORT" [direct/stream]="http://127.0.0.1:$ENGINE_PORT"
    [nginx/plain]="http://127.0.0.1:$NGINX_PORT" [nginx/stream]="http://127.0.0.1:$NGINX_STREAM_PORT"
    [router/plain]="http://127.0.0.1:$ROUTER_PORT" [router/stream]="http://127.0.0.1:$ROUTER_PORT"
)
declare -A SCRIPT=([plain]="$HERE/post.lua" [stream]="$HERE/stream.lua")
declare -A BODY=(
    [plain]='{"model":"'"$MODEL"'","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
    [stream]='{"model":"'"$MODEL"'","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}'
)
TARGETS=(direct nginx router)

# One request per target and mode before any load: the answer must be a completion (or a finished stream).
for target in "${TARGETS[@]}"; do
    for mode in $MODES; do
        answer=$(curl -s --max-time 5 -H 'Content-Type: application/json' -d "${BODY[$mode]}" \
            "${URL[$target/$mode]}/v1/chat/completions" || true)
        if [[ $mode == stream ]]; then
            [[ $answer == *"data: [DONE]"* ]] || die "$target ($mode) gave no finished stream: ${answer:0:300}"
        else
            [[ $answer == *'"choices"'* ]] || die "$target ($mode) gave no completion: ${answer:0:300}"
        fi
    done
done
log "all three targets answer; results go to $OUT_DIR"

# ---- CPU accounting: how much of the machine went to processes other than the ones under test -------------------
busy_jiffies() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
proc_jiffies() { # utime + stime of the given pids (fields 14 and 15, counted after the ")" of the name)
    local total=0 pid fields
    for pid in "$@"; do
        fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
        total=$((total + $(awk '{print $12 + $13}' <<<"$fields")))
    done
    echo "$total"
}
nginx_pids() { echo "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); }

# run_wrk target mode connections duration file: runs wrk, output in file; prints "other-CPU% engine-µs/req
# proxy-µs/req": the share of the machine other processes took during the run, and the CPU time the engine and the
# proxy under test (router or nginx; "-" when direct) spent per request.
run_wrk() {
    local target=$1 mode=$2 connections=$3 duration=$4 file=$5
    local threads=$((THREADS < connections ? THREADS : connections))
    local busy0 engine0 router0 nginx0 start end busy1 engine1 router1 nginx1 wrk_cpu requests
    busy0=$(busy_jiffies); engine0=$(proc_jiffies "$ENGINE_PID"); router0=$(proc_jiffies "$ROUTER_PID")
    nginx0=$(proc_jiffies $(nginx_pids)); start=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$file.cpu" \
        wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s --latency -s "${SCRIPT[$mode]}" \
        "${URL[$target/$mode]}/v1/chat/completions" >"$file"
    end=$(date +%s.%N); busy1=$(busy_jiffies); engine1=$(proc_jiffies "$ENGINE_PID")
    router1=$(proc_jiffies "$ROUTER_PID"); nginx1=$(proc_jiffies $(nginx_pids))
    wrk_cpu=$(awk -v hz="$HZ" '{print ($1 + $2) * hz}' "$file.cpu")
    requests=$(awk '/ requests in /{print $1}' "$file")
    awk -v b="$((busy1 - busy0))" -v e="$((engine1 - engine0))" -v r="$((router1 - router0))" \
        -v x="$((nginx1 - nginx0))" -v w="$wrk_cpu" -v t0="$start" -v t1="$end" -v n="$NCPU" -v hz="$HZ" \
        -v req="${requests:-0}" -v target="$target" 'BEGIN {
            other = (b - e - r - x - w) / ((t1 - t0) * hz * n) * 100
            us = req > 0 ? 1e6 / hz / req : 0
            proxy = target == "router" ? sprintf("%.0f", r * us) : target == "nginx" ? sprintf("%.0f", x * us) : "-"
            printf "%.0f %.0f %s\n", other < 0 ? 0 : other, e * us, proxy
        }'
}

# parse_wrk file: prints "req/s p50_ms p99_ms errors"
parse_wrk() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /m$/) return substr(v, 1, length(v) - 1) * 60000
            if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /^Requests\/sec:/ { rps = $2 }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
        END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, errors }
    ' "$1"
}

# ---- warm-up, then the interleaved matrix ------------------------------------------------------------------------
for target in "${TARGETS[@]}"; do
    for mode in $MODES; do
        log "warm-up: $target $mode, c=32 for $WARMUP"
        run_wrk "$target" "$mode" 32 "$WARMUP" "$OUT_DIR/warmup-$target-$mode.txt" >/dev/null
    done
done

RESULTS=$OUT_DIR/results.tsv
printf 'round\tmode\tconcurrency\ttarget\treq_per_s\tp50_ms\tp99_ms\terrors\tother_cpu_pct\tengine_cpu_us_per_req\tproxy_cpu_us_per_req\n' \
    >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
    for c in $CONCURRENCY; do
        for mode in $MODES; do
            for target in "${TARGETS[@]}"; do
                file=$OUT_DIR/wrk-r$round-$mode-c$c-$target.txt
                read -r other engine_us proxy_us < <(run_wrk "$target" "$mode" "$c" "$DURATION" "$file")
                read -r rps p50 p99 errors < <(parse_wrk "$file")
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$mode" "$c" "$target" "$rps" "$p50" \
                    "$p99" "$errors" "$other" "$engine_us" "$proxy_us" >>"$RESULTS"
                log "round $round  $mode c=$c  $target: $rps req/s  p50 $p50 ms  p99 $p99 ms  errors $errors" \
                    " CPU/req engine ${engine_us}µs proxy ${proxy_us}µs  other load $other%"
            done
        done
    done
done

# ---- tables (medians over rounds) --------------------------------------------------------------------------------
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
values_of() { # mode c target column -> that column of every round
    awk -F'\t' -v m="$1" -v c="$2" -v t="$3" -v k="$4" 'NR > 1 && $2 == m && $3 == c && $4 == t {print $k}' "$RESULTS"
}
column_of() { values_of "$@" | median; }
range_of() { values_of "$@" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {print lo "–" hi}'; }

{
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'): $ROUNDS round(s) of $DURATION per cell after $WARMUP warm-ups," \
        "wrk ≤ $THREADS threads, nginx worker_processes $NGINX_WORKERS; medians over rounds."
    echo "CPU/req: CPU time (user + system) the engine and the proxy spent per request. Other load: share of the" \
        "machine's $NCPU cores taken by processes outside the benchmark during the run."
    echo
    range_head="" range_rule=""
    if ((ROUNDS > 1)); then range_head=" req/s range |"; range_rule="---:|"; fi
    echo "| mode | c | target | req/s |$range_head p50 ms | p99 ms | errors | engine CPU µs/req | proxy CPU µs/req | other load |"
    echo "|---|---:|---|---:|$range_rule---:|---:|---:|---:|---:|---:|"
    for mode in $MODES; do
        for c in $CONCURRENCY; do
            for target in "${TARGETS[@]}"; do
                range=""
                ((ROUNDS > 1)) && range=" $(range_of "$mode" "$c" "$target" 5) |"
                proxy="–"
                [[ $target != direct ]] && proxy=$(printf '%.0f' "$(column_of "$mode" "$c" "$target" 11)")
                printf '| %s | %s | %s | %.0f |%s %.3f | %.2f | %.0f | %.0f | %s | %.0f%% |\n' "$mode" "$c" "$target" \
                    "$(column_of "$mode" "$c" "$target" 5)" "$range" "$(column_of "$mode" "$c" "$target" 6)" \
                    "$(column_of "$mode" "$c" "$target" 7)" "$(column_of "$mode" "$c" "$target" 8)" \
                    "$(column_of "$mode" "$c" "$target" 10)" "$proxy" "$(column_of "$mode" "$c" "$target" 9)"
            done
        done
    done
    echo
    echo "Targets: router req/s ≥ 0.7 × nginx's; router's added p50 (its p50 − direct p50) ≤ 1.5 × nginx's added p50."
    echo
    echo "| mode | c | router/nginx req/s | router/direct | nginx/direct | nginx added p50 ms | router added p50 ms | router/nginx added p50 | throughput target | latency target |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
    for mode in $MODES; do
        for c in $CONCURRENCY; do
            awk -v mode="$mode" -v c="$c" \
                -v dr="$(column_of "$mode" "$c" direct 5)" -v nr="$(column_of "$mode" "$c" nginx 5)" \
                -v rr="$(column_of "$mode" "$c" router 5)" -v dp="$(column_of "$mode" "$c" direct 6)" \
                -v np="$(column_of "$mode" "$c" nginx 6)" -v rp="$(column_of "$mode" "$c" router 6)" 'BEGIN {
                    tput = rr / nr; na = np - dp; ra = rp - dp
                    if (na > 0) { ratio = sprintf("%.2f", ra / na); ok = (ra <= 1.5 * na) ? "met" : "missed" }
                    else { ratio = "n/a (nginx added ≤ 0)"; ok = (ra <= 0) ? "met" : "missed" }
                    printf "| %s | %s | %.2f | %.2f | %.2f | %.3f | %.3f | %s | %s | %s |\n", mode, c, tput,
                        rr / dr, nr / dr, na, ra, ratio, (tput >= 0.7) ? "met" : "missed", ok
                }'
        done
    done
} >"$OUT_DIR/table.md"
cat "$OUT_DIR/table.md"
log "raw wrk output, results.tsv, table.md, nginx.conf and logs in $OUT_DIR"
