"""The REST API under concurrent clients on PostgreSQL (issue 16, point 4). PostgreSQL only.

Run: ``CASEGRID_BENCH_PG_URL=postgresql+psycopg://user@host/postgres python -m bench concurrency``
(part of ``make bench``). It creates its own database ``casegrid_bench_concurrency`` (dropped at the
end), deploys the benchmark's six-step process, and starts on 127.0.0.1:

- gunicorn serving ``web.wsgi:app`` with 2 workers × THREADS threads (the production shape on two
  cores: docs/operations.md);
- 2 ``casegrid worker`` processes (timer workers, polling the same database).

Then 1, 4 and 8 client threads each run cases through the API for SECONDS seconds: ``POST /cases``,
then ``POST /tasks/{id}/complete`` for every task it opens, on keep-alive connections. It prints the
completed requests per second at each level, p50/p95 latency of a completion, any failed request,
and the 8-client throughput against the 1-client one with the target (>= 2.5x) and PASS/FAIL.
Everything runs on one machine: the clients, gunicorn and PostgreSQL share its cores.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.history import scratch_database
from bench.measure import on_postgresql

DB_NAME = "casegrid_bench_concurrency"
THREADS = 4
SECONDS = 10.0
LEVELS = (1, 4, 8)
TARGET = 2.5
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Client(threading.Thread):
    def __init__(self, port: int, token: str, until: float, timeout: float = 60) -> None:
        super().__init__(daemon=True)
        self.port, self.until, self.timeout = port, until, timeout
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.requests = 0
        self.failures: list[str] = []
        self.latencies: list[float] = []

    def _post(self, connection: http.client.HTTPConnection, path: str, body: dict) -> dict | None:
        start = time.perf_counter()
        try:
            connection.request("POST", path, json.dumps(body), self.headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.failures.append(f"{path}: {exc!r}")
            connection.close()
            return None
        elapsed = time.perf_counter() - start
        if response.status not in (200, 201):
            self.failures.append(f"{path}: {response.status} {payload[:200]!r}")
            return None
        self.requests += 1
        if path.endswith("/complete"):
            self.latencies.append(elapsed)
        return json.loads(payload)

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        from bench.runtime_bench import PROCESS, STEP_DATA

        while time.perf_counter() < self.until:
            started = self._post(connection, "/api/v1/cases", {"process_key": PROCESS, "data": {}})
            tasks = (started or {}).get("tasks", [])
            while tasks and time.perf_counter() < self.until:
                done = self._post(connection, f"/api/v1/tasks/{tasks[0]['id']}/complete", {"data": STEP_DATA})
                tasks = (done or {}).get("created_tasks", [])
        connection.close()


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) clock ticks of every core since boot, from /proc/stat; None where there is none."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float:
    """The share of all the machine's cores that was busy between two readings (nan without /proc/stat)."""
    if before is None or after is None or after[1] == before[1]:
        return float("nan")
    return (after[0] - before[0]) / (after[1] - before[1])


def _level(port: int, token: str, clients: int) -> dict[str, float]:
    until = time.perf_counter() + SECONDS
    threads = [_Client(port, token, until) for _ in range(clients)]
    ticks = _cpu_ticks()
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + 120)
    elapsed = time.perf_counter() - start
    busy = _busy_share(ticks, _cpu_ticks())
    latencies = sorted(x for t in threads for x in t.latencies)
    failures = [f for t in threads for f in t.failures]
    for failure in failures[:5]:
        print(f"    failed: {failure}")
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else float("nan")
    return {"rate": sum(t.requests for t in threads) / elapsed, "failures": len(failures),
            "p50": statistics.median(latencies) if latencies else float("nan"), "p95": p95, "busy": busy}


def _warm(port: int, token: str) -> None:
    """Each gunicorn worker's first request parses the process and compiles its expressions (a minute on
    a busy two-core machine): a few concurrent cases, with a long timeout, are not measured."""
    for _round in range(3):
        threads = [_Client(port, token, time.perf_counter() + 1, timeout=600) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(660)


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited: " + (process.stdout.read().decode(errors="replace")[-2000:]
                                                      if process.stdout else ""))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _serve_and_measure(url: str, token: str) -> dict[int, dict[str, float]]:
    """gunicorn (2 workers) and two timer workers on ``url``, every level of clients driven against them."""
    processes: list[subprocess.Popen] = []
    try:
        port = _free_port()
        env = {**os.environ, "CASEGRID_DATABASE_URL": url, "CASEGRID_SECRET_KEY": "bench-concurrency",
               "CASEGRID_WORKER_POLL_SECONDS": "1"}
        bin_dir = Path(sys.executable).parent
        web = subprocess.Popen([str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
                                "--threads", str(THREADS), "--log-level", "warning", "web.wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        processes.append(web)
        for _ in range(2):
            processes.append(subprocess.Popen([sys.executable, "-m", "engine.app.cli", "worker"], cwd=ROOT, env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_for(port, web)
        _warm(port, token)
        return {clients: _level(port, token, clients) for clients in LEVELS}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def run(admin_url: str) -> dict[str, dict[str, float]]:
    from bench.runtime_bench import _api_user_token, deploy_bench_definitions

    with scratch_database(admin_url, DB_NAME) as db:
        token = _api_user_token(deploy_bench_definitions(db))
        results = _serve_and_measure(db.url, token)
    print(f"REST API on PostgreSQL: gunicorn 2 workers x {THREADS} threads, 2 timer workers, {SECONDS:.0f} s per level")
    print(f"{'clients':>8}{'requests/s':>12}{'p50 ms':>9}{'p95 ms':>9}{'failed':>8}{'machine busy':>14}")
    for clients, r in results.items():
        print(f"{clients:>8}{r['rate']:>12.1f}{r['p50'] * 1000:>9.0f}{r['p95'] * 1000:>9.0f}{r['failures']:>8}"
              f"{r['busy']:>13.0%}")
    ratio = results[8]["rate"] / results[1]["rate"] if results[1]["rate"] else float("nan")
    # Clients, gunicorn, the workers and PostgreSQL share this machine: 8 clients can at most use all of it,
    # so the ratio cannot pass 1 / (the share one client keeps busy), whatever the server does.
    one = results[1]["busy"]
    print(f"one client keeps {one:.0%} of this machine's {os.cpu_count()} cores busy: 8 clients can reach at most"
          f" {1 / one if one > 0 else float('nan'):.2f}x here")
    failed = sum(r["failures"] for r in results.values())
    print(f"throughput 8 clients vs 1: {ratio:.2f}x  target >= {TARGET}x  {'PASS' if ratio >= TARGET else 'FAIL'}")
    print(f"failed requests: {failed}  target 0  {'PASS' if failed == 0 else 'FAIL'}")
    return {str(k): v for k, v in results.items()}


def main() -> None:
    on_postgresql("concurrency", run)


if __name__ == "__main__":
    main()
