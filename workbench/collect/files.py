"""Opening raw source files safely: size caps, compressed files, encodings.

Partners send what they have: UTF-8 with or without a BOM, UTF-16 from spreadsheet
exports, Latin-1 from old systems, gzip or zip archives, sometimes a file far larger than
it should be. Every reader gets its bytes through :func:`read_source_bytes` and its text
through :func:`decode_text`, so each of those cases ends in decoded text or in a
:class:`SourceFileError` that names the file and what is wrong.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile
from pathlib import Path

#: Largest raw file read (bytes); a catalog entry may set ``max_bytes``.
MAX_BYTES = 512 * 1024 * 1024
#: Largest decompressed size of an archive member, and largest expansion ratio (zip bombs).
MAX_DECOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 200

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


class SourceFileError(ValueError):
    """A source file as a whole cannot be read; the message names the file and why."""


def read_source_bytes(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a source file's bytes, decompressing ``.gz`` and single-member ``.zip`` files.

    Parameters
    ----------
    path : str or Path
        The file.
    max_bytes : int
        Largest size accepted, before and after decompression.

    Returns
    -------
    bytes
        The (decompressed) content.

    Raises
    ------
    SourceFileError
        When the file is missing, too large, a zip with several members, or expands
        beyond the limits (a zip bomb).
    """
    path = Path(path)
    if not path.is_file():
        raise SourceFileError(f"{path}: no such file")
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceFileError(f"{path}: {size:,} bytes is over the limit of {max_bytes:,}")
    raw = path.read_bytes()
    limit = min(MAX_DECOMPRESSED, max_bytes)
    if raw[:2] == b"\x1f\x8b":
        return _bounded(gzip.GzipFile(fileobj=io.BytesIO(raw)), path, len(raw), limit)
    if raw[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(raw))
        except zipfile.BadZipFile as exc:
            raise SourceFileError(f"{path}: damaged zip archive ({exc})") from exc
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            raise SourceFileError(f"{path}: a zip must hold exactly one file, it holds {len(members)}")
        member = members[0]
        if member.file_size > limit or member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise SourceFileError(
                f"{path}: member {member.filename!r} would expand to {member.file_size:,} bytes "
                f"from {member.compress_size:,} (limit {limit:,}, ratio {MAX_RATIO}): refused"
            )
        return _bounded(archive.open(member), path, len(raw), limit)
    return raw


def _bounded(stream, path: Path, compressed: int, limit: int) -> bytes:
    """Read a decompressing stream, stopping as soon as it passes the limits."""
    out = io.BytesIO()
    try:
        while chunk := stream.read(1 << 20):
            out.write(chunk)
            if out.tell() > limit or out.tell() > MAX_RATIO * max(compressed, 1):
                raise SourceFileError(
                    f"{path}: expands beyond {out.tell():,} bytes from {compressed:,} compressed: refused as a "
                    "decompression bomb"
                )
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise SourceFileError(f"{path}: damaged or truncated archive ({exc})") from exc
    return out.getvalue()


def decode_text(data: bytes, path: str | Path, encoding: str | None = None) -> str:
    """Decode a file's bytes to text.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32); else the declared ``encoding``;
    else UTF-8. Undecodable bytes are an error naming the file, the byte offset and the
    line, never silently replaced.

    Parameters
    ----------
    data : bytes
        The content.
    path : str or Path
        For messages.
    encoding : str, optional
        Encoding declared in the catalog (e.g. ``latin-1``).

    Returns
    -------
    str
        The text, without a BOM.

    Raises
    ------
    SourceFileError
        When the bytes are not valid in the encoding.
    """
    chosen = encoding or "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            chosen = name
            break
    else:
        if encoding is None and len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:1] != b"\x00":
            chosen = "utf-16-le"  # UTF-16 without a BOM (ASCII-range text): every other byte is NUL
    try:
        return data.decode(chosen)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceFileError(
            f"{path}: not valid {chosen} at byte {exc.start} (line {line}): {exc.reason}; declare the file's "
            "encoding in its catalog entry (metadata.encoding)"
        ) from exc
    except LookupError as exc:
        raise SourceFileError(f"{path}: unknown encoding {chosen!r}") from exc
