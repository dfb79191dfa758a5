"""Fuzzing every operation of /openapi.json (schemathesis) against a real `tandem demo` server,
with each kind of credential: no server error, and no response outside the documented
schema (status codes, content type, body). Bounded: EXAMPLES generated requests per operation
and credential, so the run stays within a couple of minutes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from bench.local_servers import free_port
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 6
CREDENTIALS = ("none", "customer", "agent", "supervisor")
SEEN: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """`tandem demo` in its own process (the fuzzer's client is synchronous), ready when
    uvicorn says so. Returns the base URL and a header set per kind of credential."""
    data = Path(tmp_path_factory.mktemp("fuzz"))
    port = free_port()
    env = {
        **os.environ,
        "TANDEM_DATA_DIR": str(data),
        "TANDEM_LOG_LEVEL": "info",
        "TANDEM_ARGON2_TIME_COST": "1",
        "TANDEM_ARGON2_MEMORY_COST": "64",
        "TANDEM_RATE_LIMIT_PER_MINUTE": "100000",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tandem.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait on the server's own announcement, not on a timer
        if "Application startup complete" in line:
            break
    else:
        pytest.fail("tandem demo exited before it was ready")
    # Read the server's log as it comes: a full pipe (64 KB, a few hundred access lines)
    # would block the server's next write, and with it every request.
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    headers: dict[str, dict[str, str]] = {"none": {}}
    with httpx.Client(base_url=base) as c:
        opened = c.post("/api/v1/conversations", json={}).json()
        headers["customer"] = {"Authorization": f"Bearer {opened['customer_token']}"}
        for kind, user in (("agent", "agent1"), ("supervisor", "lead")):
            r = c.post("/api/v1/auth/login", json={"username": user, "password": "tandem-demo"})
            headers[kind] = {"Authorization": f"Bearer {r.json()['token']}"}
    try:
        yield {"url": base, "headers": headers, "conversation": opened["id"]}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        reader.join(timeout=30)
        # What the server wrote, to report any traceback the fuzz run caused.
        SEEN["tracebacks"] += sum(line.count("Traceback") for line in lines)


REQUEST_TIMEOUT = 30  # seconds


def _fuzzer(operation, fuzz_server, failures: list[str]):  # type: ignore[no-untyped-def]
    """The property for one operation (a function per operation: hypothesis allows no
    defaulted arguments to bind the loop's values)."""
    label = operation.label

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case) -> None:  # type: ignore[no-untyped-def]
        for who in CREDENTIALS:
            headers = dict(fuzz_server["headers"][who])
            try:
                response = case.call_and_validate(
                    base_url=str(fuzz_server["url"]),
                    headers=headers,
                    # A request that never answers is a finding, not a hung test.
                    timeout=REQUEST_TIMEOUT,
                    checks=[
                        not_a_server_error,
                        status_code_conformance,
                        content_type_conformance,
                        response_schema_conformance,
                    ],
                )
            except Exception as exc:  # collected: one report for the whole run
                failures.append(f"{label} as {who}: {str(exc)[:300]}")
                SEEN["failed"] += 1
                continue
            SEEN["requests"] += 1
            SEEN[f"{response.status_code // 100}xx"] += 1

    return fuzz


def test_every_operation_with_every_credential(fuzz_server) -> None:  # type: ignore[no-untyped-def]
    """Each generated request is sent once with each kind of credential."""
    api = schemathesis.openapi.from_url(f"{fuzz_server['url']}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        _fuzzer(operation, fuzz_server, failures)()
    print(f"fuzzed {operations} operations: {dict(SEEN)}")
    assert not failures, "\n".join(failures[:20])
