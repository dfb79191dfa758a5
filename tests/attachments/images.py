"""Test files made on the spot: photos with EXIF (orientation, GPS, camera), a corrupt one,
a tiny MP4. Nothing downloaded, nothing shipped."""

from __future__ import annotations

import io

from PIL import Image

ORIENTATION, MAKE, GPS_IFD = 0x0112, 0x010F, 0x8825


def photo_with_exif(width: int = 60, height: int = 30, orientation: int = 6) -> bytes:
    """A JPEG `width` x `height` whose EXIF says "rotate 90° clockwise" (6), names a
    camera and carries a GPS position. Left half red, right half blue."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "SpyCam 3000"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def png_with_alpha(width: int = 20, height: int = 10) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 128, 0, 128))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def corrupt_jpeg() -> bytes:
    """The first bytes of a real JPEG (so its type reads as JPEG), then garbage."""
    return photo_with_exif()[:200] + b"\x00garbage" * 20


def tiny_mp4() -> bytes:
    """An ISO base media file: an `ftyp` box (brand isom) and an empty `mdat` box."""
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    mdat = b"\x00\x00\x00\x08mdat"
    return ftyp + mdat
