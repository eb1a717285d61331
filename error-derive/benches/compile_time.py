#!/usr/bin/env python3
"""Compile time of #[derive(ClassifiedError)] against thiserror and snafu.

Generates one crate per derive, each with N error enums of six variants (one enum per
module, as real crates are laid out), whose Display output is the same string in every
crate: thiserror's and snafu's messages spell out by hand the ``key=`value` `` part that
this derive appends. Builds every crate once (so that dependencies are compiled), then
rebuilds each crate R times, interleaved (a round touches and rebuilds every crate in
turn, in an order that rotates each round), and prints the median wall and CPU time of
each, and its ratio to thiserror's, for `cargo build` and `cargo check`.

    python3 error-derive/benches/compile_time.py [--enums 200] [--runs 7]
    python3 error-derive/benches/compile_time.py --instructions

Each rebuild compiles the crate whole (CARGO_INCREMENTAL=0): a touched file with
incremental compilation reuses most of the last build, and would measure little but the
derive's own run. `--instructions` runs each crate's rustc once under valgrind's callgrind
and prints the instructions it executed: the same count on every run, whatever else the
machine is doing, which is what the derive's design was tuned with.

The crates live in target/compile-time/ (a workspace of their own, with its own target
directory), so the project's own build is untouched. It needs the registry (thiserror,
snafu) the first time, and runs offline after.
"""

import argparse
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# (variant, fields, message before the pairs, pairs, our #[class(...)] for the variant)
# The pairs are what our derive appends: every field the message does not show.
VARIANTS = [
    ("NotFound", "{ key: String }", "key not found", "key=`{key}`", "invalid, status = not_found"),
    ("Busy", "{ pending: usize, max: usize }", "too many pending requests",
     "pending=`{pending}`, max=`{max}`", "busy, retry_after_ms = 50"),
    ("NotLeader", "{ leader: u64, term: u64 }", "not the leader", "leader=`{leader}`, term=`{term}`",
     "redirect"),
    ("Io", "{ #[from] source: std::io::Error }", "i/o failed", "", "transient"),
    ("Timeout", "{ ms: u64 }", "timed out after {ms} ms", "", "transient, code = \"timeout\""),
    ("Shutdown", "", "shutting down", "", "closed"),
]


def thiserror_message(message, pairs):
    return f"{message}. {pairs}" if pairs else message


def gen_ours(n, selectors):
    context = ", context" if selectors else ""
    out = ["#![allow(dead_code)]", "use error_core::ClassifiedError;"]
    for i in range(n):
        out.append(f"pub mod m{i} {{\n    use super::*;")
        out.append("    #[derive(Debug, ClassifiedError)]")
        out.append("    #[non_exhaustive]")
        out.append(f"    #[class(internal{context})]")
        out.append(f"    pub enum Error{i} {{")
        for name, fields, message, _pairs, class_ in VARIANTS:
            out.append(f'        #[error("{message}")]')
            out.append(f"        #[class({class_})]")
            out.append(f"        {name} {fields},")
        out.append("    }\n}")
    return "\n".join(out) + "\n"


def gen_thiserror(n):
    out = ["#![allow(dead_code)]", "use thiserror::Error;"]
    for i in range(n):
        out.append(f"pub mod m{i} {{\n    use super::*;")
        out.append("    #[derive(Debug, Error)]")
        out.append("    #[non_exhaustive]")
        out.append(f"    pub enum Error{i} {{")
        for name, fields, message, pairs, _class in VARIANTS:
            out.append(f'        #[error("{thiserror_message(message, pairs)}")]')
            out.append(f"        {name} {fields},")
        out.append("    }\n}")
    return "\n".join(out) + "\n"


def gen_snafu(n):
    out = ["#![allow(dead_code)]", "use snafu::Snafu;"]
    for i in range(n):
        out.append(f"pub mod m{i} {{\n    use super::*;")
        out.append("    #[derive(Debug, Snafu)]")
        out.append("    #[non_exhaustive]")
        out.append(f"    pub enum Error{i} {{")
        for name, fields, message, pairs, _class in VARIANTS:
            msg = thiserror_message(message, pairs)
            if "#[from]" in fields:
                # snafu's `From` for a source: `context(false)`.
                out.append(f'        #[snafu(context(false), display("{msg}"))]')
                fields = fields.replace("#[from] ", "")
            else:
                out.append(f'        #[snafu(display("{msg}"))]')
            out.append(f"        {name} {fields},")
        out.append("    }\n}")
    return "\n".join(out) + "\n"


CRATES = {
    "thiserror": ('thiserror = "2"', gen_thiserror),
    "snafu": ('snafu = "0.8"', gen_snafu),
    "ours": (f'error-core = {{ path = "{ROOT / "error-core"}" }}', lambda n: gen_ours(n, False)),
    "ours-selectors": (f'error-core = {{ path = "{ROOT / "error-core"}" }}',
                       lambda n: gen_ours(n, True)),
}


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def generate(base, n):
    members = []
    for name, (dep, gen) in CRATES.items():
        crate = f"ct-{name}"
        members.append(crate)
        write(base / crate / "Cargo.toml",
              f'[package]\nname = "{crate}"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
              f"[dependencies]\n{dep}\n")
        write(base / crate / "src" / "lib.rs", gen(n))
    write(base / "Cargo.toml",
          "[workspace]\nresolver = \"3\"\nmembers = [" + ", ".join(f'"{m}"' for m in members) + "]\n")
    return members


ENV = dict(os.environ, CARGO_INCREMENTAL="0")


def timed(base, command, crate):
    """Wall and CPU (user + system) seconds of one rebuild of `crate`."""
    lib = base / crate / "src" / "lib.rs"
    os.utime(lib)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["cargo", command, "-q", "-p", crate], cwd=base, check=True,
                   stdout=subprocess.DEVNULL, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def instructions(base, crate, command):
    """Instructions rustc executes for `cargo <command>` of `crate`, counted by callgrind."""
    os.utime(base / crate / "src" / "lib.rs")
    out = subprocess.run(["cargo", command, "-v", "-p", crate], cwd=base, check=True,
                         capture_output=True, text=True, env=ENV).stderr
    name = crate.replace("-", "_")
    command = next(line.split("Running `", 1)[1].rstrip("`")
                   for line in out.splitlines() if f"--crate-name {name} " in line)
    os.utime(base / crate / "src" / "lib.rs")
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          *shlex.split(command)], cwd=base, capture_output=True, text=True,
                         env=ENV)
    counts = re.findall(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or not counts:
        raise RuntimeError(f"callgrind failed for {crate}: {run.stderr[-2000:]}")
    return int(counts[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enums", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="a subset of: " + ", ".join(CRATES))
    parser.add_argument("--instructions", action="store_true",
                        help="count rustc's instructions with callgrind instead of timing")
    args = parser.parse_args()
    base = ROOT / "target" / "compile-time"
    members = generate(base, args.enums)
    if args.only:
        members = [f"ct-{name}" for name in args.only]
    env_note = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{args.enums} enums x {len(VARIANTS)} variants, {args.runs} interleaved runs, {env_note}")
    for crate in members:  # dependencies, and a warm first build
        subprocess.run(["cargo", "build", "-q", "-p", crate], cwd=base, check=True, env=ENV)
    if args.instructions:
        for command in ["build", "check"]:
            counts = {crate: instructions(base, crate, command) for crate in members}
            reference = counts.get("ct-thiserror") or counts[members[0]]
            print(f"\ncargo {command}, instructions executed by rustc (callgrind; ratio to thiserror)")
            for crate in members:
                print(f"  {crate:<18} {counts[crate] / 1e9:7.3f} G  {counts[crate] / reference:5.2f}x")
        return
    for command in ["build", "check"]:
        for crate in members:
            subprocess.run(["cargo", command, "-q", "-p", crate], cwd=base, check=True, env=ENV)
        times = {crate: [] for crate in members}
        for run in range(args.runs):
            order = members[run % len(members):] + members[:run % len(members)]
            for crate in order:
                times[crate].append(timed(base, command, crate))
        reference = times.get("ct-thiserror") or times[members[0]]
        base_wall = statistics.median(w for w, _ in reference)
        base_cpu = statistics.median(c for _, c in reference)
        print(f"\ncargo {command} (median of {args.runs}; seconds; ratio to thiserror)")
        for crate in members:
            wall = statistics.median(w for w, _ in times[crate])
            cpu = statistics.median(c for _, c in times[crate])
            print(f"  {crate:<18} wall {wall:6.3f} {wall / base_wall:5.2f}x"
                  f"   cpu {cpu:6.3f} {cpu / base_cpu:5.2f}x")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
