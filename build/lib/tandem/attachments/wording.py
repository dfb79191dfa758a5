"""What the customer is told when a file is refused: Chinese first, English on request.

Each says what is wrong and what to do instead; nothing the customer sent before is affected.
"""

from __future__ import annotations

from tandem.attachments.media import Rejected


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


REJECTIONS: dict[str, tuple[str, str]] = {
    "empty": (
        "这个文件是空的（0 字节），请重新选择照片或视频。",
        "The file is empty (0 bytes): choose the photo or video again.",
    ),
    "unsupported_type": (
        "暂不支持这种文件。请发送 JPG、PNG、WEBP、GIF 图片，或 MP4、MOV、WEBM 视频。",
        "This kind of file is not supported. Send a JPG, PNG, WEBP or GIF photo, "
        "or an MP4, MOV or WEBM video.",
    ),
    "image_too_large": (
        "图片太大了（{size}），单张图片请不要超过 {limit}。可以截图或压缩后再发送。",
        "The photo is too large ({size}); one photo may be at most {limit}. "
        "Send a screenshot or a smaller copy.",
    ),
    "video_too_large": (
        "视频太大了（{size}），请发送不超过 {limit} 的短视频（十几秒即可）。",
        "The video is too large ({size}); send a short clip of at most {limit} "
        "(a few seconds is enough).",
    ),
    "image_too_many_pixels": (
        "图片尺寸太大，无法处理。请截图或缩小后再发送。",
        "The picture's dimensions are too large to process. Send a screenshot or a smaller copy.",
    ),
    "corrupt_image": (
        "这张图片打不开，可能已损坏。请重新拍一张或换一张图片发送。",
        "This picture cannot be opened; it may be damaged. Take the photo again or send another.",
    ),
    "no_file": (
        "没有收到文件，请选择要发送的照片或视频。",
        "No file arrived: choose the photo or video to send.",
    ),
}

PLACEHOLDER = {
    ("image", "zh"): "[图片]",
    ("image", "en"): "[Photo]",
    ("video", "zh"): "[视频]",
    ("video", "en"): "[Video]",
}


def rejection_text(rejected: Rejected, language: str) -> str:
    zh, en = REJECTIONS[rejected.code]
    template = en if language == "en" else zh
    facts = {k: _mb(v) for k, v in rejected.facts.items()}
    return template.format(**facts)
