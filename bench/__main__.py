"""`make bench`: run every benchmark, or the ones named (`python -m bench runtime overview`)."""
from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "runtime": "bench.runtime_bench",
    "rules": "bench.rules_bench",
    "sandbox": "bench.sandbox_bench",
    "decisions": "bench.decision_bench",
}
# Benchmarks that need PostgreSQL (CASEGRID_BENCH_PG_URL) register here too and skip without it.
OPTIONAL = {
    "overview": "bench.overview_bench",
    "bulletins": "bench.bulletin_bench",
    "concurrency": "bench.concurrency_bench",
}


def main(names: list[str]) -> None:
    from engine.app.boot import boot

    boot()  # the reactions every casegrid process registers at start-up
    chosen = names or list(BENCHMARKS) + list(OPTIONAL)
    for name in chosen:
        module_name = BENCHMARKS.get(name) or OPTIONAL.get(name)
        if module_name is None:
            raise SystemExit(f"unknown benchmark '{name}'; known: {', '.join([*BENCHMARKS, *OPTIONAL])}")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            print(f"[{name}] not available in this checkout")
            continue
        print(f"== {name} ==")
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
