#!/usr/bin/env bash
# Log filtering speed: yunwei's log pipeline (split on raw bytes, decode, sanitise, mask,
# filter; benches/logfilter.rs) against `grep -E` on the same generated log file, three ways:
# blocks of complete lines at a time searched like grep (the way `yunwei logs --grep` should
# work), line by line (`--lines`), and grouped into multi-line records (`--records`).
#   benches/logfilter.sh                 1 GB file, pattern 'ERROR|Exception'
#   SIZE_MB=200 RE='身份证|timeout' benches/logfilter.sh
# The file mixes log4j lines with Java stack traces, Chinese text, resident ID and mobile
# numbers and a few escape sequences (UTF-8). Both sides write the kept lines to a file in the
# same temporary directory: GNU grep stops at the first match when its output is /dev/null, so
# `grep > /dev/null` would not read the whole file (its time is printed too, for reference).
# Each command runs RUNS times (default 3) on a warm page cache; the best wall time counts.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${SIZE_MB:-1024}
re=${RE:-'ERROR|Exception'}
runs=${RUNS:-3}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 >/dev/null; }

cargo bench --no-run --bench logfilter -q 2>/dev/null || cargo bench --no-run --bench logfilter
bin=$(cargo bench --no-run --bench logfilter --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*logfilter[^"]*"' | tail -1 | cut -d'"' -f4)
[ -x "$bin" ] || { echo "benches/logfilter.sh: bench binary not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/app.log
echo "generating ${size_mb} MB of log lines in $log"
python3 - "$log" "$size_mb" <<'PY'
import random, sys
path, size_mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def resident_id():
    body = "%06d%04d%02d%02d%03d" % (rnd.choice([110105, 320102, 440305, 510104]), rnd.randint(1940, 2010),
                                     rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 999))
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, W)) % 11]
def mobile():
    return "1%d%09d" % (rnd.randint(3, 9), rnd.randint(0, 10**9 - 1))
def ts():
    return "2026-11-%02d %02d:%02d:%02d,%03d" % (rnd.randint(1, 28), rnd.randint(0, 23), rnd.randint(0, 59),
                                                rnd.randint(0, 59), rnd.randint(0, 999))
threads = ["http-nio-8080-exec-%d" % i for i in range(1, 50)] + ["main", "scheduling-1", "kafka-producer"]
classes = ["c.g.p.service.PersonService", "c.g.p.web.HouseholdController", "c.g.p.dao.PopulationMapper",
           "org.springframework.web.servlet.DispatcherServlet", "com.zaxxer.hikari.pool.HikariPool"]
msgs = [
    lambda: "查询人口信息 户号=%010d 用户=zhangsan 耗时=%dms" % (rnd.randint(0, 10**10 - 1), rnd.randint(1, 900)),
    lambda: "办理户籍迁移 申请人身份证号=%s 联系电话=%s 状态=已受理" % (resident_id(), mobile()),
    lambda: "Completed 200 OK in %d ms for GET /api/v1/persons/%d" % (rnd.randint(1, 500), rnd.randint(1, 10**6)),
    lambda: "HikariPool-1 - Pool stats (total=20, active=%d, idle=%d, waiting=0)" % (rnd.randint(0, 20), rnd.randint(0, 20)),
    lambda: "用户登录成功 user=wang.wu ip=10.%d.%d.%d 手机号%s" % (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(0, 255), mobile()),
    lambda: "Processing batch %d of %d, records=%d" % (rnd.randint(1, 99), 100, rnd.randint(100, 5000)),
    lambda: "\x1b[32m缓存命中\x1b[0m key=person:%d" % rnd.randint(1, 10**8),
]
def record():
    r = rnd.random()
    head = "%s [%s] " % (ts(), rnd.choice(threads))
    if r < 0.03:
        lines = [head + "ERROR %s - 数据库连接失败 java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available" % rnd.choice(classes)]
        lines.append("java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.")
        for i in range(rnd.randint(5, 25)):
            lines.append("\tat %s.method%d(%s.java:%d)" % (rnd.choice(classes), i, "Source", rnd.randint(10, 900)))
        lines.append("Caused by: java.net.SocketTimeoutException: connect timed out")
        lines.append("\t... %d more" % rnd.randint(5, 40))
        return "\n".join(lines)
    level = "WARN " if r < 0.08 else ("DEBUG" if r < 0.25 else "INFO ")
    return head + level + " " + rnd.choice(classes) + " - " + rnd.choice(msgs)()
pool = [record() for _ in range(200000)]
target = size_mb * 1024 * 1024
written = 0
with open(path, "w", encoding="utf-8") as f:
    while written < target:
        block = "\n".join(rnd.choices(pool, k=20000)) + "\n"
        f.write(block)
        written += len(block.encode("utf-8"))
PY
lines=$(wc -l < "$log")
echo "file: $(du -m "$log" | cut -f1) MB, $lines lines; pattern: $re; LC_ALL=C.UTF-8"
cat "$log" > /dev/null   # warm the page cache

best() { # best wall time (s) and max RSS (KiB) of RUNS runs of "$@"
    local b="" m=""
    for _ in $(seq "$runs"); do
        read -r t rss < <( { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null; } | tail -1)
        if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; m=$rss; fi
    done
    echo "$b $m"
}
export LC_ALL=C.UTF-8
read -r g_t g_m < <(best sh -c 'grep -E "$1" "$2" > "$3"' sh "$re" "$log" "$work/grep.out")
read -r gn_t _ < <(best sh -c 'grep -E "$1" "$2" > /dev/null' sh "$re" "$log")
read -r y_t y_m < <(best sh -c '"$1" "$2" "$3" > "$4"' sh "$bin" "$re" "$log" "$work/yunwei.out")
read -r l_t l_m < <(best sh -c '"$1" --lines "$2" "$3" > "$4"' sh "$bin" "$re" "$log" "$work/lines.out")
read -r r_t r_m < <(best sh -c '"$1" --records "$2" "$3" > "$4"' sh "$bin" "$re" "$log" "$work/records.out")
cargo build --release -q
yw=$PWD/target/release/yunwei
read -r w_t w_m < <(best sh -c '"$1" logs --grep "$2" "$3" > "$4"' sh "$yw" "$re" "$log" "$work/yunwei-logs.out")
echo "kept lines: grep $(wc -l < "$work/grep.out"), logfilter $(wc -l < "$work/yunwei.out"), --lines $(wc -l < "$work/lines.out")"
printf '%-44s %8s %10s\n' "command" "wall s" "max RSS KiB"
printf '%-44s %8s %10s\n' "grep -E RE file > out" "$g_t" "$g_m"
printf '%-44s %8s %10s\n' "grep -E RE file > /dev/null (stops early)" "$gn_t" "-"
printf '%-44s %8s %10s\n' "logfilter RE file > out (blocks of lines)" "$y_t" "$y_m"
printf '%-44s %8s %10s\n' "logfilter --lines RE file > out" "$l_t" "$l_m"
printf '%-44s %8s %10s\n' "logfilter --records RE file > out" "$r_t" "$r_m"
printf '%-44s %8s %10s\n' "yunwei logs --grep RE file > out" "$w_t" "$w_m"
echo "kept lines: yunwei logs $(wc -l < "$work/yunwei-logs.out")"
awk -v w="$w_t" -v g="$g_t" 'BEGIN { if (g > 0) printf "yunwei logs --grep / grep -E: %.2f\n", w / g }'
awk -v y="$y_t" -v l="$l_t" -v g="$g_t" -v r="$r_t" 'BEGIN { if (g > 0) printf "ratio to grep: blocks %.2f, --lines %.2f, --records %.2f   (aim: <= 2)\n", y / g, l / g, r / g }'
