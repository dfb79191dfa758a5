"""`pip install .` into a fresh venv gives a `tandem` that runs the demo: the declared runtime
dependencies are enough (no dev tool, nothing installed by hand).

Needs the package registry (pip resolves the runtime set, pinned by requirements.lock) and
takes a minute or two on an idle machine (10 minutes measured on our shared 2-core box):
marked `packaging` (deselect with `-m "not packaging"` when offline).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import httpx
import pytest
from bench.local_servers import free_port as _free_port

ROOT = Path(__file__).resolve().parents[1]

# Installing the runtime set (numpy, scipy, scikit-learn, the encoder) is most of the time.
pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]


def test_pip_install_gives_a_working_tandem_demo(tmp_path: Path) -> None:
    # A copy of the source tree without our venv or caches: what a user downloads.
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".venv", ".git", "*cache*", "__pycache__", "*.egg-info"),
    )
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        # --no-compile: byte-compiling scipy and scikit-learn is most of an install's CPU.
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "-c",
            src / "requirements.lock",
            src,
        ],
        check=True,
        timeout=600,
    )
    # Only the runtime set: none of the dev tools came along.
    installed = subprocess.run(
        [python, "-m", "pip", "list", "--format=freeze"], check=True, capture_output=True, text=True
    ).stdout.lower()
    assert "greenlet==" in installed
    for dev_tool in ("pytest==", "mypy==", "playwright==", "ruff=="):
        assert dev_tool not in installed

    port = _free_port()
    env = {
        **os.environ,
        "TANDEM_DATA_DIR": str(tmp_path / "data"),
        "TANDEM_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TANDEM_DATABASE_URL", None)
    demo = subprocess.Popen(
        [env_dir / "bin" / "tandem", "demo"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        assert demo.stdout is not None
        # Wait on the server's own word that it is listening, not on a timer.
        for line in demo.stdout:
            seen.append(line)
            if "Application startup complete" in line:
                break
        else:
            pytest.fail("tandem demo exited before it started:\n" + "".join(seen))
        printed = "".join(seen)
        assert "otc_medicine_unshipped" in printed
        assert printed.count("/chat?external_id=") == 16

        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/healthz").json()["status"] == "ok"
            opened = client.post("/api/v1/conversations", json={})
            assert opened.status_code == 201
            cid, token = opened.json()["id"], opened.json()["customer_token"]
            said = client.post(
                f"/api/v1/conversations/{cid}/messages",
                json={"text": "你好", "client_msg_id": "p-1"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert said.status_code == 201, said.text
            assert said.json()["replies"], "the AI answers"
            assert client.get("/docs").status_code == 200
    finally:
        demo.terminate()
        demo.wait(timeout=30)
