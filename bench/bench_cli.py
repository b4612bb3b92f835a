"""What choosing a language costs a sub-command before it runs: building the whole parser (every
command's help text read from the table cli_help) in English and in Chinese, table read afresh
each time, as in a new process.

Run: ``python3 bench/bench_cli.py [--repeat N]``. Prints the median and the slowest, in ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from explorer.commands import build_parser
from explorer.knowledge.tables import load


def _build(lang: str) -> float:
    load.cache_clear()  # a new process reads the table once: so does each measurement
    start = time.perf_counter()
    build_parser(lang)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="parsers built per language (default 50)")
    repeat = parser.parse_args().repeat
    build_parser("en")  # imports the command modules once, as the first measurement would
    for lang in ("en", "zh"):
        times = [_build(lang) for _ in range(repeat)]
        print(f"build_parser({lang!r}): median {statistics.median(times):.2f} ms, "
              f"slowest {max(times):.2f} ms ({repeat} builds)")


if __name__ == "__main__":
    main()
