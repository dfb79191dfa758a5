"""What a file really is, and a clean copy of it.

The type comes from the bytes (`filetype` reads the magic numbers); the client's file name
and content type are never consulted. Images are decoded and written anew by Pillow, after
turning them the way their EXIF orientation says: the copy carries pixels only, no EXIF, GPS,
camera or editing metadata. Videos are accepted by type and size and kept as they are (a short
clip for the desk to play); they are never decoded on the server.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm", "video/x-m4v"})
# A decompression bomb (a tiny file that decodes to gigapixels) is refused before decoding.
MAX_PIXELS = 40_000_000
THUMBNAIL_SIDE = 360
_VIDEO_EXT = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-m4v": "mp4",
}


@dataclass(frozen=True)
class Limits:
    max_image_bytes: int
    max_video_bytes: int


@dataclass(frozen=True)
class Prepared:
    """A file ready to store: its clean bytes, what they are, and a thumbnail for images."""

    kind: str  # image | video
    content_type: str
    extension: str
    data: bytes
    width: int | None
    height: int | None
    thumbnail: bytes | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class Rejected(Exception):
    """A file we will not keep; `code` names why (see `wording.REJECTIONS`)."""

    def __init__(self, code: str, **facts: int) -> None:
        super().__init__(code)
        self.code = code
        self.facts = facts


def prepare(raw: bytes, limits: Limits) -> Prepared:
    """Check `raw` and return what to store. Raises Rejected with the reason."""
    if not raw:
        raise Rejected("empty")
    kind = filetype.guess(raw)
    mime = kind.mime if kind is not None else None
    if mime in IMAGE_TYPES:
        if len(raw) > limits.max_image_bytes:
            raise Rejected("image_too_large", size=len(raw), limit=limits.max_image_bytes)
        return _clean_image(raw)
    if mime in VIDEO_TYPES:
        if len(raw) > limits.max_video_bytes:
            raise Rejected("video_too_large", size=len(raw), limit=limits.max_video_bytes)
        return Prepared("video", mime, _VIDEO_EXT[mime], raw, None, None, None)
    raise Rejected("unsupported_type")


def _clean_image(raw: bytes) -> Prepared:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise Rejected("image_too_many_pixels", limit=MAX_PIXELS)
                probe.load()
                upright = ImageOps.exif_transpose(probe)
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
                    upright.mode == "P" and "transparency" in upright.info
                )
                mode = "RGBA" if has_alpha else "RGB"
                # A new image from the pixels alone: nothing of the original's info survives.
                pixels = upright.convert(mode)
                clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except Rejected:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise Rejected("corrupt_image") from exc
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, "PNG", optimize=True)
        content_type, extension = "image/png", "png"
    else:
        clean.save(out, "JPEG", quality=88, optimize=True)
        content_type, extension = "image/jpeg", "jpg"
    thumb = clean.convert("RGB") if not has_alpha else _on_white(clean)
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=80)
    return Prepared(
        "image",
        content_type,
        extension,
        out.getvalue(),
        clean.width,
        clean.height,
        thumb_out.getvalue(),
    )


def _on_white(image: Image.Image) -> Image.Image:
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background
