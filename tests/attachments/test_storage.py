"""The attachment stores behind one protocol: the local directory (default) and an
S3-compatible bucket, the latter against a real S3-compatible server (moto's) started on a
loopback port for this test."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from bench.local_servers import free_port

from tandem.attachments.storage import AttachmentStore, LocalStore, S3Store, build_store, new_key
from tandem.config import Settings
from tests.attachments.images import photo_with_exif
from tests.attachments.test_attachments_api import _upload
from tests.conftest import _missing

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    binary = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    if not Path(binary).exists():
        _missing("moto[server] (an S3-compatible test server)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    # Wait on the server's own announcement, not on a timer.
    for line in proc.stderr:
        if "Running on" in line:
            break
    else:
        pytest.fail("moto_server exited before it was ready")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def s3_settings(s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    boto3 = pytest.importorskip("boto3")
    # The test server accepts any credentials; boto3 wants some.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "tandem-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "tandem-test")
    bucket = "tandem-" + uuid.uuid4().hex[:10]
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    return Settings(
        data_dir=tmp_path,
        attachment_store="s3",
        attachment_s3_bucket=bucket,
        attachment_s3_endpoint_url=s3_endpoint,
    )


async def _round_trip(store: AttachmentStore) -> None:
    key = new_key("att_test", "jpg")
    await store.put(key, b"\xff\xd8 pixels", "image/jpeg")
    assert await store.get(key) == b"\xff\xd8 pixels"
    await store.delete(key)
    with pytest.raises(KeyError):
        await store.get(key)
    # Keys are ours: a climbing or foreign key is refused outright.
    with pytest.raises(ValueError):
        await store.put("../../etc/passwd", b"x", "text/plain")


async def test_the_local_store_round_trips_and_refuses_foreign_keys(tmp_path: Path) -> None:
    store = build_store(Settings(data_dir=tmp_path))
    assert isinstance(store, LocalStore) and store.root == tmp_path / "attachments"
    await _round_trip(store)
    # Nothing half-written is left behind.
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


async def test_the_s3_store_round_trips_against_a_real_s3_server(s3_settings: Settings) -> None:
    store = build_store(s3_settings)
    assert isinstance(store, S3Store)
    await _round_trip(store)


async def test_s3_without_a_bucket_says_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="TANDEM_ATTACHMENT_S3_BUCKET"):
        build_store(Settings(data_dir=tmp_path, attachment_store="s3"))


@pytest.fixture
async def s3_services(services, s3_settings: Settings) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    services.settings.attachment_store = "s3"
    services.settings.attachment_s3_bucket = s3_settings.attachment_s3_bucket
    services.settings.attachment_s3_endpoint_url = s3_settings.attachment_s3_endpoint_url
    yield services


async def test_an_upload_lands_in_the_bucket(
    s3_services, open_customer, s3_settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    customer = await open_customer()
    r = await _upload(customer, photo_with_exif())
    assert r.status_code == 201, r.text
    ref = r.json()["message"]["attachments"][0]
    got = await customer.client.get(ref["url"], headers=customer.headers)
    assert got.status_code == 200 and got.content[:2] == b"\xff\xd8"
    # It is in the bucket (photo and thumbnail), not in the data directory.
    boto3 = pytest.importorskip("boto3")
    listed = boto3.client(
        "s3", endpoint_url=s3_settings.attachment_s3_endpoint_url, region_name="us-east-1"
    ).list_objects_v2(Bucket=s3_settings.attachment_s3_bucket)
    assert len(listed["Contents"]) == 2
    assert not any(p.is_file() for p in (s3_settings.data_dir / "attachments").rglob("*"))
