#!/usr/bin/env python3
"""The mechanical migration from thiserror, applied to thiserror's own test suite.

    python3 tests/thiserror-suite/migrate.py THISERROR_CHECKOUT/tests tests/tests/thiserror_suite
    cargo fmt -p tests

For each tests/test_*.rs of a thiserror checkout, writes the migrated file. The migration is
exactly what derive.md's migration section tells a user to do, and nothing else:

1. `use thiserror::Error;` becomes `use error_core::ClassifiedError;`, and `Error` in a
   `#[derive(...)]` becomes `ClassifiedError`.
2. Every derived item gets, right after its derive, the item-level opt-outs:
   `#[class(internal, free_messages)]` (one class for all its errors, and no message style
   guard) and `#[kv(skip)]` (no ``key=`value` `` pairs), and an enum also `exhaustive`
   (a `pub` enum's `#[non_exhaustive]` guard).

The output is committed (this checkout has no thiserror sources); the header of each file
names the thiserror version it came from.
"""

import re
import sys
from pathlib import Path

VERSION = "2.0.19 (dtolnay/thiserror@aa9d91f)"


def migrate(text: str) -> str:
    text = text.replace("use thiserror::Error;", "use error_core::ClassifiedError;")

    def derive(match: re.Match) -> str:
        inner = match.group(2)
        names = [n.strip() for n in inner.split(",")]
        names = ["ClassifiedError" if n == "Error" else n for n in names]
        return f"{match.group(1)}#[derive({', '.join(names)})]"

    text = re.sub(r"^(\s*)#\[derive\(([^)]*\bError\b[^)]*)\)\]", derive, text, flags=re.M)

    out = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        out.append(line)
        if "#[derive(" in line and "ClassifiedError" in line:
            indent = line[: len(line) - len(line.lstrip())]
            # The item keyword after this derive (and any attributes between).
            item = next((l for l in lines[i + 1 :] if re.match(r"\s*(pub(\([^)]*\))?\s+)?(enum|struct)\b", l)), "")
            is_enum = re.search(r"\benum\b", item) is not None
            flags = "internal, free_messages, exhaustive" if is_enum else "internal, free_messages"
            out.append(f"{indent}#[class({flags})]")
            out.append(f"{indent}#[kv(skip)]")
    return "\n".join(out)


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("test_*.rs")):
        migrated = migrate(path.read_text())
        header = (
            f"// thiserror {VERSION}, tests/{path.name}, migrated by "
            "tests/thiserror-suite/migrate.py.\n"
            "// thiserror is MIT OR Apache-2.0, as this workspace is.\n"
            "// thiserror's code is kept as written, so this workspace's clippy settings do not\n"
            "// apply to it; the lints its tests deny inside them still do.\n"
            "#![allow(clippy::all, clippy::pedantic)]\n\n"
        )
        (target / path.name).write_text(header + migrated)


if __name__ == "__main__":
    main()
