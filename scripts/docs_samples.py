#!/usr/bin/env python3
"""Keeps the sample outputs in docs/ honest: each one is re-made by a real run.

A sample is a fenced ```text block right after a marker line

    <!-- sample: ID -->

where ID names a recipe below. A recipe compiles the doc's own C++ blocks
(a ```cpp block whose first line is `// NAME.cc`) against the build tree,
then either

  * runs a hidden command, and the block is its output (`run`), or
  * runs every `$ command` line the block shows, in one shell, and the
    block is the transcript: each command line followed by its output
    (stdout and stderr together; `$ echo $?` sees the previous status).

Volatile parts (pids, durations, dates, addresses) are compared in a
normalised form; paths of the scratch directory and of the build tree are
written as the docs show them (DISPLAY_DIR, /opt/lockscope/include).

  scripts/docs_samples.py --check  BUILD_DIR   exit 1 and a diff on mismatch
  scripts/docs_samples.py --update BUILD_DIR   rewrite the samples in place
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ID -> where the block lives and how it is made.
#   doc      the file under docs/ (or README.md)
#   sources  {NAME.cc doc block: path to build it at, relative to the work dir}
#   display  what the scratch work dir is called in the doc
#   absolute_paths  compile by full path (CMake-style __FILE__), not by name
#   setup    a command run first, output discarded
#   run      the hidden command whose output is the block (else: transcript)
RECIPES = {
    "findings-lock-order-cycle": {
        "doc": "docs/findings.md",
        "sources": {"lock_order_cycle.cc": "lock_order_cycle"},
        "display": "/tmp/findings",
        "run": "LOCKSCOPE_OPTIONS=trace=x.lstrace:stack_depth=4 "
               "./lock_order_cycle",
    },
    "findings-cross-thread-borrow": {
        "doc": "docs/findings.md",
        "sources": {"cross_thread_borrow.cc": "cross_thread_borrow"},
        "display": "/tmp/findings",
        "run": "LOCKSCOPE_OPTIONS=trace=x.lstrace:stack_depth=4 "
               "./cross_thread_borrow",
    },
    "findings-actual-deadlock": {
        "doc": "docs/findings.md",
        "sources": {"actual_deadlock.cc": "actual_deadlock"},
        "display": "/tmp/findings",
        # exec: the shell does not add its own "Aborted" line.
        "run": "LOCKSCOPE_OPTIONS=trace=x.lstrace:stack_depth=4:"
               "watchdog_ms=100 exec ./actual_deadlock",
    },
    "getting-started-report": {
        "doc": "docs/getting-started.md",
        "sources": {"bank.cc": "build/bank"},
        "display": "/tmp/bank",
        "absolute_paths": True,
    },
    "getting-started-summary": {
        "doc": "docs/getting-started.md",
        "sources": {"bank.cc": "build/bank"},
        "display": "/tmp/bank",
        "absolute_paths": True,
        "setup": "LOCKSCOPE_OPTIONS=report=off build/bank",
    },
}

MARKER = re.compile(r"^<!-- sample: (\S+) -->$")

# (pattern, replacement) applied to both sides before comparing.
VOLATILE = [
    (re.compile(r"\b(pid |\[pid |lockscope\.)\d+"), r"\1<pid>"),
    (re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"), "<date>"),
    (re.compile(r"\b\d+(\.\d+)?(ns|us|µs|ms|s)\b"), "<time>"),
    (re.compile(r"\b\d+\.\d+ sec\b"), "<time> sec"),
    (re.compile(r"\b0x[0-9a-f]{6,}\b"), "<addr>"),
]


def normalise(text):
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def doc_blocks(lines):
    """(marker id, first line index of the block body, end index) triples."""
    found = []
    for i, line in enumerate(lines):
        m = MARKER.match(line.rstrip("\n"))
        if not m:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            sys.exit(f"docs_samples: line {i + 1}: sample marker '{m.group(1)}'"
                     " is not followed by a ``` block")
        end = i + 2
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        if end == len(lines):
            sys.exit(f"docs_samples: line {i + 2}: unclosed ``` block")
        found.append((m.group(1), i + 2, end))
    return found


def cpp_source(lines, name):
    """The ```cpp block whose first line is `// NAME`, or which follows a
    `<!-- source: NAME -->` line."""
    for i, line in enumerate(lines):
        if not line.startswith("```cpp") or i + 1 >= len(lines):
            continue
        if lines[i + 1].strip() == f"// {name}" or \
                (i > 0 and lines[i - 1].strip() == f"<!-- source: {name} -->"):
            end = i + 1
            while not lines[end].startswith("```"):
                end += 1
            return "".join(lines[i + 1:end])
    sys.exit(f"docs_samples: no ```cpp block for {name} (first line "
             f"'// {name}' or a '<!-- source: {name} -->' line before it)")


def compile_source(source, name, out, work, build, absolute):
    """Writes the source as WORK/NAME (the path its stacks will show) and
    builds OUT from it, tracked, against the build tree. `absolute`: named
    by its full path (as CMake does: __FILE__ is absolute), else by NAME (as
    `c++ NAME` in its directory does)."""
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(source)
    cmd = ["c++", "-std=c++17", "-g", "-O0", "-DTRACK_THREAD_BORROWS",
           "-pthread", "-I" + os.path.join(ROOT, "instrument"),
           path if absolute else name,
           "-o", out, "-L" + os.path.join(build, "runtime"),
           "-Wl,-rpath," + os.path.join(build, "runtime"), "-llockscope"]
    r = subprocess.run(cmd, cwd=work, text=True, capture_output=True)
    if r.returncode != 0:
        sys.exit(f"docs_samples: compiling {name} failed:\n{r.stderr}")


def run_shell(script, work, build):
    env = dict(os.environ)
    env["PATH"] = os.path.join(build, "viewer") + os.pathsep + env["PATH"]
    env.pop("LOCKSCOPE_OPTIONS", None)
    env["LC_ALL"] = "C"
    r = subprocess.run(["bash", "-c", script], cwd=work, env=env, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return r.stdout


def displayed(text, work, build):
    """Real paths as the docs show them."""
    return (text.replace(os.path.join(ROOT, "instrument") + "/",
                         "/opt/lockscope/include/")
            .replace(work + "/", "<work>/").replace(work, "<work>"))


def make_sample(recipe, body, lines, build):
    work = tempfile.mkdtemp(prefix="lockscope-docs-")
    try:
        for name, out in recipe.get("sources", {}).items():
            os.makedirs(os.path.dirname(os.path.join(work, out)) or work,
                        exist_ok=True)
            compile_source(cpp_source(lines, name), name,
                           os.path.join(work, out), work, build,
                           recipe.get("absolute_paths", False))
        if "setup" in recipe:
            run_shell(recipe["setup"], work, build)
        if "run" in recipe:
            text = run_shell(recipe["run"], work, build)
        else:
            commands = [l[2:].rstrip("\n") for l in body if l.startswith("$ ")]
            if not commands:
                sys.exit("docs_samples: a transcript sample shows no '$ ' line")
            script = ["__s=0"]
            for i, c in enumerate(commands):
                script.append(f"printf '\\n@@sample {i}@@\\n'; (exit $__s); "
                              f"{{ {c}\n}} 2>&1; __s=$?")
            out = run_shell("\n".join(script), work, build)
            parts = re.split(r"\n@@sample \d+@@\n", out)[1:]
            text = "".join(f"$ {c}\n{p}" for c, p in zip(commands, parts))
        text = displayed(text, work, build)
        return text.replace("<work>", recipe["display"])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--update", action="store_true")
    parser.add_argument("build", help="the build directory")
    parser.add_argument("--only", help="one sample id")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    if not os.path.exists(os.path.join(build, "viewer", "lockscope")):
        sys.exit(f"docs_samples: {build}/viewer/lockscope not found: build "
                 "first")

    failed = []
    seen = set()
    for doc in sorted({r["doc"] for r in RECIPES.values()}):
        path = os.path.join(ROOT, doc)
        with open(path) as f:
            lines = f.readlines()
        # Bottom up, so that rewriting one block leaves the others' indices.
        for sample_id, start, end in reversed(doc_blocks(lines)):
            if sample_id not in RECIPES:
                sys.exit(f"docs_samples: {doc}: unknown sample '{sample_id}' "
                         f"(known: {', '.join(sorted(RECIPES))})")
            seen.add(sample_id)
            if args.only and sample_id != args.only:
                continue
            body = lines[start:end]
            real = make_sample(RECIPES[sample_id], body, lines, build)
            if not real.endswith("\n"):
                real += "\n"
            if normalise("".join(body)) == normalise(real):
                continue
            if args.update:
                lines[start:end] = [real] if real else []
                lines = "".join(lines).splitlines(keepends=True)
                print(f"docs_samples: updated {doc} sample {sample_id}")
            else:
                failed.append(sample_id)
                diff = difflib.unified_diff(
                    normalise("".join(body)).splitlines(keepends=True),
                    normalise(real).splitlines(keepends=True),
                    f"{doc} ({sample_id})", "a real run (normalised)")
                sys.stdout.writelines(diff)
        if args.update:
            with open(path, "w") as f:
                f.writelines(lines)
    missing = set(RECIPES) - seen
    if missing:
        sys.exit(f"docs_samples: no marker for {', '.join(sorted(missing))}")
    if failed:
        print(f"\ndocs_samples: {len(failed)} sample(s) differ from a real run:"
              f" {', '.join(failed)}\nIf the new output is right, update the "
              f"docs with:\n  scripts/docs_samples.sh --update {args.build}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
