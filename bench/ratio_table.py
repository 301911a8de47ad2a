#!/usr/bin/env python3
"""Prints the performance table (markdown) from the JSON that
scripts/bench.sh collected: one file per benchmark run, RUN.json.

Every ratio compares two cases of the same process run (same binary, same
options, repetitions interleaved), so machine noise hits both sides alike.
A ratio is the median over repetitions of the per-repetition ratio, with
its range (min-max) over the repetitions; times are per-repetition medians.

Single-threaded cases compare CPU time (time this thread ran: what the
lock costs, without the time the thread waited for a core on a shared
machine); multi-threaded ones compare wall time, as they must.

Usage: ratio_table.py RESULTS_DIR [--interpose]
  --interpose   the interposer's table (`lockscope run`, its peers) instead
"""

import json
import os
import statistics
import sys

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


class Results:
    """Per-repetition values of every case of every run."""

    def __init__(self, directory):
        self.runs = {}
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(directory, name)) as f:
                try:
                    data = json.load(f)
                except json.JSONDecodeError:
                    continue
            # RUN.rN.json: repetition N of RUN made by a process of its own
            # (runs of different programs alternated by bench.sh).
            run, rep = name[:-5], None
            stem, dot, suffix = run.rpartition(".r")
            if dot and suffix.isdigit():
                run, rep = stem, int(suffix)
            cases = self.runs.setdefault(run, {})
            for b in data.get("benchmarks", []):
                if b.get("run_type") != "iteration" or b.get("error_occurred"):
                    continue
                if rep is not None:
                    b = dict(b, repetition_index=rep)
                cases.setdefault(b["run_name"], []).append(b)

    def values(self, run, case, field):
        """The field's value in each repetition (times in ns), in order."""
        reps = self.runs.get(run, {}).get(case, [])
        reps = sorted(reps, key=lambda b: b.get("repetition_index", 0))
        out = []
        for b in reps:
            if field in ("cpu_time", "real_time"):
                out.append(b[field] * UNIT_NS[b.get("time_unit", "ns")])
            elif field in b:
                out.append(float(b[field]))
        return out


def median(xs):
    return statistics.median(xs) if xs else None


def paired(xs, ys, fn):
    n = min(len(xs), len(ys))
    return [fn(xs[i], ys[i]) for i in range(n) if ys[i]]


def fmt_ns(v):
    if v is None:
        return "n/a"
    if v >= 1e6:
        return "%.1f ms" % (v / 1e6)
    if v >= 1e3:
        return "%.1f us" % (v / 1e3)
    return "%.2f ns" % v


def fmt_range(xs, fmt="%.2f"):
    if not xs:
        return "n/a"
    return (fmt + " [" + fmt + "-" + fmt + "]") % (median(xs), min(xs), max(xs))


class Table:
    def __init__(self, results):
        self.r = results
        self.rows = []

    def add(self, case, target, measured, detail, ok):
        verdict = "n/a" if ok is None else ("met" if ok else "**missed**")
        self.rows.append((case, target, measured, detail, verdict))

    def ratio(self, case, target, limit, run, mine, base, field="cpu_time",
              higher_is_better=False):
        xs = self.r.values(run, mine, field)
        bs = self.r.values(run, base, field)
        rs = paired(xs, bs, lambda x, b: x / b)
        ok = None
        if rs and limit is not None:
            ok = (median(rs) >= limit) if higher_is_better else (
                median(rs) <= limit)
        self.add(case, target, fmt_range(rs) + "x" if rs else "n/a",
                 "%s vs %s (%s, n=%d)" % (fmt_ns(median(xs)),
                                          fmt_ns(median(bs)),
                                          field.replace("_time", ""), len(rs)),
                 ok)
        return rs

    def scale(self, run, name):
        """Throughput at 2 threads over 1, per repetition."""
        one = self.r.values(run, name + "/real_time/threads:1",
                            "items_per_second")
        two = self.r.values(run, name + "/real_time/threads:2",
                            "items_per_second")
        return paired(two, one, lambda t, o: t / o)

    def scaling(self, case, target, limit, run, mine, base):
        sm, sb = self.scale(run, mine), self.scale(run, base)
        rs = paired(sm, sb, lambda m, b: m / b)
        ok = None if not rs or limit is None else median(rs) >= limit
        detail = "1->2 threads: %s vs %s" % (fmt_range(sm, "%.2f"),
                                             fmt_range(sb, "%.2f"))
        # Two threads that cannot run at once say nothing about scaling.
        machine = self.scale(run, "BM_PrivateWork")
        if machine and median(machine) < 1.5:
            detail += ("; lock-free work scaled only %.2fx here: two cores "
                       "were not free, so this is not measured" %
                       median(machine))
            ok = None
        self.add(case, target, fmt_range(rs) + "x" if rs else "n/a", detail,
                 ok)

    def cross(self, case, target, limit, run, base_run, name,
              field="cpu_time", base_name=None):
        """The same case in two runs (another process: preloaded, a peer
        tool) as time per operation, paired by repetition. `base_name`: the
        case's name in base_run when it differs (another iteration count)."""
        xs = self.r.values(run, name, field)
        bs = self.r.values(base_run, base_name or name, field)
        rs = paired(xs, bs, lambda x, b: x / b)
        ok = None if not rs or limit is None else median(rs) <= limit
        self.add(case, target, fmt_range(rs) + "x" if rs else "n/a",
                 "%s vs %s (%s, n=%d)" % (fmt_ns(median(xs)),
                                          fmt_ns(median(bs)),
                                          field.replace("_time", ""), len(rs)),
                 ok)

    def cross_scaling(self, case, target, limit, run, base_run, name):
        """Scaling 1->2 threads of `name` in `run` over that in
        `base_run`; not measured unless lock-free work scaled in both."""
        sm, sb = self.scale(run, name), self.scale(base_run, name)
        rs = paired(sm, sb, lambda m, b: m / b)
        ok = None if not rs or limit is None else median(rs) >= limit
        detail = "1->2 threads: %s vs %s" % (fmt_range(sm, "%.2f"),
                                             fmt_range(sb, "%.2f"))
        for r in (run, base_run):
            machine = self.scale(r, "BM_PrivateWork")
            if machine and median(machine) < 1.5:
                detail += ("; lock-free work scaled only %.2fx in %s: two "
                           "cores were not free, so this is not measured" %
                           (median(machine), r))
                ok = None
        self.add(case, target, fmt_range(rs) + "x" if rs else "n/a", detail,
                 ok)

    def difference(self, case, target, limit, run, mine, base, field,
                   scale=1.0, unit="", fmt="%.2f"):
        """mine - base per repetition (same run), scaled."""
        xs = self.r.values(run, mine, field)
        bs = self.r.values(run, base, field)
        ds = paired(xs, bs, lambda x, b: (x - b) * scale)
        ok = None if not ds or limit is None else median(ds) <= limit
        self.add(case, target, fmt_range(ds, fmt) + unit if ds else "n/a",
                 "%s vs %s (n=%d)" % (fmt_ns(median(xs)), fmt_ns(median(bs)),
                                      len(ds)), ok)

    def absolute(self, case, target, limit, run, name, field, scale=1.0,
                 unit="", higher_is_better=False, fmt="%.2f"):
        xs = [x * scale for x in self.r.values(run, name, field)]
        ok = None
        if xs and limit is not None:
            ok = (median(xs) >= limit) if higher_is_better else (
                median(xs) <= limit)
        self.add(case, target, fmt_range(xs, fmt) + unit if xs else "n/a",
                 "n=%d" % len(xs), ok)

    def markdown(self):
        lines = ["| case | target | measured: median [min-max] | detail | |",
                 "|---|---|---|---|---|"]
        for row in self.rows:
            lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines)


def main():
    r = Results(sys.argv[1])
    t = Table(r)
    std, ls = "<std::mutex>", "<lockscope::Mutex>"
    t.ratio("untracked `lockscope::Mutex` flat lock+unlock", "<= 1.02x",
            1.02, "mutex_plain", "BM_Flat" + ls, "BM_Flat" + std)
    t.ratio("tracked, default `events`, flat lock+unlock", "<= 1.5x", 1.5,
            "mutex_default", "BM_Flat" + ls, "BM_Flat" + std)
    t.ratio("tracked, nested 4 locks in a fixed order", "<= 1.5x", 1.5,
            "mutex_default", "BM_Nested4" + ls, "BM_Nested4" + std)
    t.scaling("tracked, 2 threads each nesting their own 4 locks: "
              "scaling 1->2 threads", ">= 0.95x std's", 0.95,
              "mutex_threads", "BM_Nested4Private" + ls,
              "BM_Nested4Private" + std)
    t.ratio("tracked, 2 threads contending one lock", "<= 1.5x", 1.5,
            "mutex_threads", "BM_Contended" + ls + "/real_time/threads:2",
            "BM_Contended" + std + "/real_time/threads:2", "real_time")
    t.ratio("tracked, `events=all` flat (this thread's CPU)", "<= 2.5x", 2.5,
            "mutex_all", "BM_Flat" + ls, "BM_Flat" + std)
    t.ratio("tracked, `events=all` flat (whole process CPU, incl. the "
            "collector)", "<= 4x", 4, "mutex_all",
            "BM_FlatProcessCpu" + ls + "/process_time",
            "BM_FlatProcessCpu" + std + "/process_time")
    t.ratio("tracked, 64 stripes of one class locked in order 200 times "
            "by 2 threads", "<= 1.2x", 1.2, "mutex_threads",
            "BM_Stripes64<lockscope::Mutex>/manual_time",
            "BM_Stripes64<std::mutex>/manual_time", "real_time")
    hold = "BM_HoldMany/%d/iterations:1/manual_time"
    t.absolute("one thread holding 1,000 distinct locks, 3 rounds: peak RSS "
               "(`trace=off`)", "<= 64 MiB", 64, "hold_many", hold % 1000,
               "max_rss_mib", unit=" MiB", fmt="%.1f")
    t.absolute("one thread holding 1,000 distinct locks, 3 rounds: time",
               "<= 1 s", 1, "hold_many", hold % 1000, "seconds", unit=" s",
               fmt="%.3f")
    t.ratio("tracked RwLock shared lock+unlock", "<= 1.5x shared_mutex", 1.5,
            "rwlock_default", "BM_SharedFlat<lockscope::RwLock>",
            "BM_SharedFlat<std::shared_mutex>")
    t.absolute("tracked AppCell borrow+release", "<= 10 ns", 10,
               "app_cell_default", "BM_Borrow", "cpu_time", unit=" ns")
    t.absolute("tracked AppCell borrow_mut+release", "<= 10 ns", 10,
               "app_cell_default", "BM_BorrowMut", "cpu_time", unit=" ns")
    for n in (2, 4, 8, 16, 32, 64):
        t.absolute("cycle-closing `lock()`, %d-lock cycle (p50)" % n,
                   "<= 50 us", 50, "cycle_report",
                   "BM_CycleClosingLock/%d/iterations:100/manual_time" % n,
                   "p50_us", unit=" us", fmt="%.1f")
    for workload in ("flat", "mixed"):
        t.absolute("trace size at `events=all` (%s workload)" % workload,
                   "<= 6 bytes/event", 6, "trace_size",
                   "BM_TraceSize/%s/iterations:1/manual_time" % workload,
                   "bytes_per_event", unit=" B/event")
    check = "BM_Check/flat_100M_events/iterations:1/manual_time"
    t.absolute("`lockscope check` on a 100 M-event trace: throughput",
               ">= 10 M events/s", 10, "check", check, "events_per_s",
               scale=1e-6, unit=" M events/s", higher_is_better=True,
               fmt="%.1f")
    t.absolute("`lockscope check` on a 100 M-event trace: peak RSS",
               "<= 1 GiB", 1024, "check", check, "max_rss_mib", unit=" MiB",
               fmt="%.1f")
    process_rows(t, r)
    fleet = "BM_CheckFleet/1000_traces/iterations:1/manual_time"
    t.absolute("`lockscope check` over 1,000 traces of 1,000 processes: time",
               "<= 2 s", 2, "check", fleet, "real_time", scale=1e-9,
               unit=" s", fmt="%.2f")
    t.absolute("`lockscope check` over 1,000 traces of 1,000 processes: "
               "peak RSS", "<= 256 MiB", 256, "check", fleet, "max_rss_mib",
               unit=" MiB", fmt="%.1f")
    t.absolute("`lockscope check` over 1,000 traces of 1,000 processes: "
               "CPU (user+sys)", "", None, "check", fleet, "cpu_s",
               unit=" s", fmt="%.2f")
    print(t.markdown())

    # Context: what each figure is made of, and the peers.
    c = Table(r)
    c.ratio("tracked flat, `trace=off` (events forced to none)", "", None,
            "mutex_off", "BM_Flat" + ls, "BM_Flat" + std)
    c.ratio("tracked nested 4, `trace=off`", "", None, "mutex_off",
            "BM_Nested4" + ls, "BM_Nested4" + std)
    c.ratio("tracked RwLock exclusive lock+unlock", "", None,
            "rwlock_default", "BM_ExclusiveFlat<lockscope::RwLock>",
            "BM_ExclusiveFlat<std::shared_mutex>")
    c.ratio("tracked RwLock, 2 threads reading one lock", "", None,
            "rwlock_threads",
            "BM_SharedReaders<lockscope::RwLock>/real_time/threads:2",
            "BM_SharedReaders<std::shared_mutex>/real_time/threads:2",
            "real_time")
    c.absolute("one thread holding 300 distinct locks, 3 rounds: peak RSS "
               "(`trace=off`)", "", None, "hold_many", hold % 300,
               "max_rss_mib", unit=" MiB", fmt="%.1f")
    c.absolute("the same 1,000-lock program untracked: peak RSS", "", None,
               "hold_many", hold % 1000, "plain_rss_mib", unit=" MiB",
               fmt="%.1f")
    c.absolute("untracked AppCell borrow+release", "", None, "app_cell_plain",
               "BM_Borrow", "cpu_time", unit=" ns")
    for n in (2, 16, 64):
        c.absolute("cycle-closing `lock()`, %d-lock cycle, `report=off` (p50)"
                   % n, "", None, "cycle_quiet",
                   "BM_CycleClosingLock/%d/iterations:100/manual_time" % n,
                   "p50_us", unit=" us", fmt="%.1f")
    c.absolute("first finding of a process, in cycle_benchmark's process "
               "(its warm-up cycle)", "", None,
               "cycle_report",
               "BM_CycleClosingLock/2/iterations:100/manual_time",
               "first_finding_us", scale=1e-3, unit=" ms", fmt="%.1f")
    c.absolute("`LoadTrace` read speed (flat workload)", "", None,
               "trace_size", "BM_TraceSize/flat/iterations:1/manual_time",
               "read_events_per_s", scale=1e-6, unit=" M events/s",
               fmt="%.1f")
    absl_d, absl_n = "<AbslDetect>", "<AbslNoDetect>"
    c.ratio("peer: `absl::Mutex`, deadlock detection on, flat", "", None,
            "absl", "BM_Flat" + absl_d, "BM_Flat" + std)
    c.ratio("peer: `absl::Mutex`, detection off, flat", "", None, "absl",
            "BM_Flat" + absl_n, "BM_Flat" + std)
    c.ratio("peer: `absl::Mutex`, detection on, nested 4", "", None, "absl",
            "BM_Nested4" + absl_d, "BM_Nested4" + std)
    c.scaling("peer: `absl::Mutex`, detection on, 2 threads x own 4 locks: "
              "scaling", "", None, "absl_threads",
              "BM_Nested4Private" + absl_d,
              "BM_Nested4Private" + std)
    c.ratio("peer: `absl::Mutex`, detection on, 2 threads contending", "",
            None, "absl_threads",
            "BM_Contended" + absl_d + "/real_time/threads:2",
            "BM_Contended" + std + "/real_time/threads:2", "real_time")
    process_context(c, r)
    first_finding_context(c)
    print()
    print(c.markdown().replace("| case | target |", "| context | |"))


TINY = "BM_TinySuite/%s/iterations:1/manual_time"


def process_rows(t, r):
    """A tiny tracked test process over the same untracked one, from the
    200-process suites of bench/process_benchmark.cc (run interleaved in one
    benchmark process, repetition N of each paired), and the first finding
    of a process."""
    for field, case, target, limit, unit in (
            ("per_process_ms", "a tiny test process (one lock), tracked, "
             "over untracked: wall time", "<= 10 ms", 10, " ms"),
            ("max_rss_mib", "a tiny test process (one lock), tracked, over "
             "untracked: peak RSS", "<= 8 MiB", 8, " MiB")):
        xs = r.values("process", TINY % "tracked", field)
        bs = r.values("process", TINY % "plain", field)
        ds = paired(xs, bs, lambda x, b: x - b)
        ok = None if not ds else median(ds) <= limit
        t.add(case, target, fmt_range(ds) + unit if ds else "n/a",
              "%s vs %s%s (200 processes a suite, n=%d)" % (
                  "%.2f" % median(xs) if xs else "n/a",
                  "%.2f" % median(bs) if bs else "n/a", unit, len(ds)), ok)
    for field, what in (("p50_us", "p50"), ("max_us", "max")):
        t.absolute("first finding of a process: the cycle-closing `lock()` "
                   "(%s of 20 processes)" % what, "<= 1 ms", 1000, "process",
                   "BM_FirstFinding/iterations:1/manual_time", field,
                   unit=" us", fmt="%.0f")


def first_finding_context(c):
    for field, what in (("cpu_p50_us", "p50"), ("cpu_max_us", "max")):
        c.absolute("first finding of a process: the cycle-closing `lock()`, "
                   "the thread's CPU time (%s of 20 processes)" % what, "",
                   None, "process",
                   "BM_FirstFinding/iterations:1/manual_time", field,
                   unit=" us", fmt="%.0f")


def process_context(c, r):
    xs = r.values("process", TINY % "tracked", "per_process_cpu_ms")
    bs = r.values("process", TINY % "plain", "per_process_cpu_ms")
    ds = paired(xs, bs, lambda x, b: x - b)
    c.add("a tiny test process, tracked, over untracked: CPU (user+sys)", "",
          fmt_range(ds) + " ms" if ds else "n/a",
          "%s vs %s ms (n=%d)" % ("%.2f" % median(xs) if xs else "n/a",
                                  "%.2f" % median(bs) if bs else "n/a",
                                  len(ds)), None)
    c.ratio("the 200-process suite of tiny tests, tracked over untracked", "",
            None, "process", TINY % "tracked", TINY % "plain", "real_time")


def interpose_main():
    """The table of the interposer (`lockscope run`) rows and its peers."""
    r = Results(sys.argv[1])
    t = Table(r)
    interposed_rows(t)
    print(t.markdown())
    c = Table(r)
    interposed_peers(c)
    print()
    print(c.markdown().replace("| case | target |", "| context | |"))


# The interposer's rows: bench/interpose_benchmark (plain std::mutex, no
# lockscope in it) preloaded against the same binary run without the
# preload, one process each, alternated repetition by repetition.
PLAIN, PRELOAD = "interpose_plain", "interpose_preload"
NEW_DELETE = "BM_NewDelete/iterations:%d/real_time/threads:2"


def new_delete_case(r, run):
    for name in r.runs.get(run, {}):
        if name.startswith("BM_NewDelete/"):
            return name
    return NEW_DELETE % 5000000


def interposed_rows(t):
    r = t.r
    t.cross("interposed `std::mutex` flat lock+unlock", "<= 1.5x", 1.5,
            PRELOAD, PLAIN, "BM_Flat")
    t.cross("interposed nested 4 locks in a fixed order", "<= 1.5x", 1.5,
            PRELOAD, PLAIN, "BM_Nested4")
    t.cross_scaling("interposed, 2 threads each nesting their own 4 locks: "
                    "scaling 1->2 threads", ">= 0.95x native's", 0.95,
                    PRELOAD, PLAIN, "BM_Nested4Private")
    t.cross("interposed, 2 threads contending one lock", "<= 1.5x", 1.5,
            PRELOAD, PLAIN, "BM_Contended/real_time/threads:2", "real_time")
    t.cross("interposed, 2 threads x 5 M `new`/`delete` of 64 bytes (the "
            "free hook)", "<= 1.15x", 1.15, PRELOAD, PLAIN,
            new_delete_case(r, PLAIN), "real_time")
    t.difference("`lockscope run` of a program that does nothing, over "
                 "running it directly", "<= 15 ms", 15, "interpose_startup",
                 "BM_LockscopeRun/iterations:20/manual_time",
                 "BM_Direct/iterations:20/manual_time", "real_time",
                 scale=1e-6, unit=" ms")


def interposed_peers(c):
    r = c.r
    for run, label in (("interpose_tsan", "TSan (`-fsanitize=thread`, "
                        "`detect_deadlocks=1`)"),
                       ("interpose_helgrind", "helgrind")):
        if run not in r.runs:
            continue
        c.cross("peer: %s, flat lock+unlock" % label, "", None, run, PLAIN,
                "BM_Flat")
        c.cross("peer: %s, nested 4" % label, "", None, run, PLAIN,
                "BM_Nested4")
        # Valgrind runs one thread at a time: helgrind has no scaling row.
        if run != "interpose_helgrind":
            c.cross_scaling("peer: %s, 2 threads x own 4 locks: scaling" %
                            label, "", None, run, PLAIN, "BM_Nested4Private")
        c.cross("peer: %s, 2 threads contending" % label, "", None, run,
                PLAIN, "BM_Contended/real_time/threads:2", "real_time")
        # Per operation: the peer runs fewer new/delete iterations.
        c.cross("peer: %s, 2 threads `new`/`delete`" % label, "", None, run,
                PLAIN, new_delete_case(r, run), "real_time",
                new_delete_case(r, PLAIN))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--interpose":
        interpose_main()
    else:
        main()
