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
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from workbench.exceptions import SourceFileError

#: Largest raw file read (bytes); a catalog entry may set ``max_bytes``.
MAX_BYTES = 512 * 1024 * 1024
#: Largest decompressed size of an archive member, and largest expansion ratio (zip bombs).
MAX_DECOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 200

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def confined_path(path: str | Path, root: str | Path, also: tuple[str | Path, ...] = (),
                  max_bytes: int | None = None) -> Path:
    """Check a source path before anything opens or hashes it.

    The path is resolved (``..`` and every symlink followed); the real file must lie
    inside the workspace ``root`` (or one of the folders in ``also``) and be a regular
    file: a catalog path like ``../../../../etc/passwd``, a symlink to a file outside,
    a folder, a FIFO (which would hang a reader), a device or a socket is refused.

    Parameters
    ----------
    path : str or Path
        The path as the catalog gives it.
    root : str or Path
        The workspace folder.
    also : tuple of str or Path
        Further folders a source may live in (declared explicitly).
    max_bytes : int, optional
        Largest size on disk accepted (every collector, whatever it reads the file with).

    Returns
    -------
    Path
        The resolved path of the regular file.

    Raises
    ------
    SourceFileError
        Naming the path and why it is refused.
    """
    given = Path(path)
    try:
        real = given.resolve(strict=True)
    except FileNotFoundError:
        raise SourceFileError(f"{given}: no such file") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a permission problem
        raise SourceFileError(f"{given}: cannot be resolved ({exc})") from None
    roots = [Path(r).resolve() for r in (root, *also)]
    if not any(real == r or real.is_relative_to(r) for r in roots):
        raise SourceFileError(f"{given}: resolves to {real}, outside the workspace {roots[0]}: refused")
    try:
        mode = os.stat(real).st_mode
    except OSError as exc:
        raise SourceFileError(f"{given}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "not a regular file")
        raise SourceFileError(f"{given}: is {kind}, not a regular file: refused")
    size = os.stat(real).st_size
    if max_bytes is not None and size > max_bytes:
        raise SourceFileError(f"{given}: {size:,} bytes is over the limit of {max_bytes:,} (metadata.max_bytes)")
    return real


def _regular(path: Path) -> None:
    """Refuse anything but an existing regular file, without opening it (a FIFO never hangs)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise SourceFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise SourceFileError(f"{path}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise SourceFileError(f"{path}: not a regular file (a folder, FIFO, device or socket): refused")


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
    _regular(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceFileError(f"{path}: {size:,} bytes is over the limit of {max_bytes:,}")
    with open(path, "rb") as handle:  # never more than max_bytes, even if the file grows meanwhile
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise SourceFileError(f"{path}: more than {max_bytes:,} bytes: over the limit")
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
    chosen = encoding or sniff_encoding(data, path)
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


def sniff_encoding(data: bytes, path: str | Path = "file") -> str:
    """Tell a file's encoding from a byte-order mark or the pattern of NUL bytes.

    UTF-8 text never holds NUL bytes; UTF-16 and UTF-32 text in the Latin, Cyrillic or
    Greek ranges has them at every other (every fourth) byte, on the side that tells the
    byte order. Files without a BOM are recognised that way; NUL bytes in no such pattern
    leave the file UTF-8 (the records holding them are rejected one by one, and text in
    another encoding fails UTF-8 decoding with the byte and line named).

    Parameters
    ----------
    data : bytes
        The file's content (the first 64 KiB are looked at).
    path : str or Path
        For messages.

    Returns
    -------
    str
        A Python codec name (``utf-8-sig``, ``utf-16``, ``utf-16-le``, ``utf-32-be``...,
        ``utf-8`` when there are no NUL bytes).

    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:65536]
    if b"\x00" not in head:
        return "utf-8"
    n = len(head) - len(head) % 4
    if n >= 4:
        quads = [head[i:n:4].count(0) for i in range(4)]
        share = [q / (n // 4) for q in quads]
        if share[1] > 0.9 and share[2] > 0.9 and share[3] > 0.9 and share[0] < 0.1:
            return "utf-32-le"
        if share[0] > 0.9 and share[1] > 0.9 and share[2] > 0.9 and share[3] < 0.1:
            return "utf-32-be"
    m = len(head) - len(head) % 2
    if m >= 2:
        even, odd = head[0:m:2].count(0) / (m // 2), head[1:m:2].count(0) / (m // 2)
        if odd > 0.6 and even < 0.05:
            return "utf-16-le"
        if even > 0.6 and odd < 0.05:
            return "utf-16-be"
    return "utf-8"  # stray NUL bytes: UTF-8 with damaged records, each rejected on its own


#: Deepest nesting of arrays and objects accepted in one JSON record.
MAX_JSON_DEPTH = 64
#: Longest run of digits accepted in one JSON number.
MAX_JSON_DIGITS = 64
_JSON_WS = " \t\n\r"
_LONG_NUMBER = re.compile(r"\d{%d,}" % (MAX_JSON_DIGITS + 1))


@dataclass
class Framed:
    """One record cut out of a source file, parsed or not.

    Attributes
    ----------
    position : str
        Where it is (``line 12``, ``line 12, value 2``, ``item 3``).
    value : Any
        The parsed JSON value, or None when ``problem`` is set.
    raw : str
        The record's text (for the quarantine).
    problem : str or None
        Why the record could not be read (naming what is wrong), else None.
    """

    position: str
    value: Any
    raw: str
    problem: str | None = None


class _JSONProblem(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _JSONProblem(f"{name} is not a JSON number")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JSONProblem(f"field {key!r} is given twice")
        out[key] = value
    return out


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_no_constant, strict=False)


def _depth_ok(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def _decode_values(text: str) -> Iterator[tuple[Any, str, str | None]]:
    """Decode the JSON values in ``text`` one after another (JSON whitespace between them)."""
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in _JSON_WS:
            pos += 1
        if pos >= end:
            return
        start = pos
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except _JSONProblem as exc:
            yield None, text[start:], f"invalid JSON ({exc})"
            return
        except json.JSONDecodeError as exc:
            yield None, text[start:], f"invalid JSON ({exc.msg}, column {exc.colno})"
            return
        except RecursionError:
            yield None, text[start:], f"invalid JSON (nested deeper than {MAX_JSON_DEPTH} levels)"
            return
        except ValueError as exc:  # e.g. an integer beyond Python's digit limit
            yield None, text[start:], f"invalid JSON ({exc})"
            return
        raw = text[start:pos]
        if not _depth_ok(value):
            yield None, raw, f"invalid JSON (nested deeper than {MAX_JSON_DEPTH} levels)"
        elif _LONG_NUMBER.search(raw) and _has_long_number(value):
            yield None, raw, f"a number has more than {MAX_JSON_DIGITS} digits"
        else:
            yield value, raw, None


def _has_long_number(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and len(str(abs(item))) > MAX_JSON_DIGITS:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _records_list(value: Any) -> bool:
    """A JSON array that holds records: non-empty, objects only."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _split_lines(data: bytes, path: str | Path, encoding: str | None) -> tuple[list[str | bytes], str | None]:
    """The file's lines (UTF-8 ones still bytes, decoded line by line) and, when it opens with ``[``, its
    whole text (None otherwise, or when it is not valid UTF-8)."""
    chosen = encoding or sniff_encoding(data, path)
    if chosen in ("utf-8", "utf-8-sig"):
        body = data.removeprefix(codecs.BOM_UTF8)
        lines: list[str | bytes] = list(body.split(b"\n"))
        whole = None
        if body.lstrip(b" \t\r\n").startswith(b"["):
            try:
                whole = body.decode("utf-8")
            except UnicodeDecodeError:
                whole = None
        return lines, whole
    text = decode_text(data, path, chosen)
    return list(text.split("\n")), (text if text.lstrip(_JSON_WS).startswith("[") else None)

def frame_json_records(data: bytes, path: str | Path, encoding: str | None = None) -> list[Framed]:
    """Cut a JSON-lines (or JSON array) file into records, keeping every one accounted for.

    - Lines end only at ``\\n`` (a ``\\r`` before it is dropped): U+2028, U+2029, U+0085,
      form feeds and the ASCII separators 0x1C-0x1E are ordinary characters inside a JSON
      string, never line ends.
    - Several JSON objects on one line (separated by JSON whitespace, e.g. a lone ``\\r``)
      are several records; a non-empty JSON array of objects (the whole file, or one
      line) gives one record per object. Any other value is one record (which the
      collector rejects as not an object).
    - Encoding: a BOM, else the declared ``encoding``, else UTF-8, with UTF-16/32 without
      a BOM recognised (:func:`sniff_encoding`). UTF-8 is decoded line by line, so one
      undecodable line is one bad record.
    - Strict JSON: ``NaN``/``Infinity``, a key given twice, nesting deeper than
      :data:`MAX_JSON_DEPTH` and numbers longer than :data:`MAX_JSON_DIGITS` digits make
      that record bad (never the file).

    Parameters
    ----------
    data : bytes
        The file's content.
    path : str or Path
        For messages.
    encoding : str, optional
        Declared encoding.

    Returns
    -------
    list of Framed
        In file order; ``problem`` set for records that could not be read.

    Raises
    ------
    SourceFileError
        When the file as a whole cannot be decoded (a non-UTF-8 encoding with bad bytes,
        binary content).
    """
    lines, whole = _split_lines(data, path, encoding)
    if whole is not None:  # a JSON array of records (possibly pretty-printed over many lines)
        values = list(_decode_values(whole))
        if len(values) == 1 and values[0][2] is None and _records_list(values[0][0]):
            return [Framed(f"item {i}", item, json.dumps(item, ensure_ascii=False, default=str)[:4000])
                    for i, item in enumerate(values[0][0], start=1)]
    out: list[Framed] = []
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                out.append(Framed(f"line {number}", None, repr(line[:200]),
                                  f"not UTF-8 ({exc.reason} at byte {exc.start} of the line)"))
                continue
        line = line.removesuffix("\r")
        if not line.strip(_JSON_WS + "\ufeff"):
            continue
        values = list(_decode_values(line.lstrip("\ufeff")))
        if len(values) > 1 and not all(p is None and isinstance(v, dict) for v, _, p in values):
            # several values on a line are several records only when each is an object
            # (records separated by a lone \r); anything else is one bad line
            bad = next((p for _, _, p in values if p is not None), None)
            out.append(Framed(f"line {number}", None, line, bad or "invalid JSON (extra data after the first value)"))
            continue
        several = len(values) > 1
        for k, (value, raw, problem) in enumerate(values, start=1):
            where = f"line {number}, value {k}" if several else f"line {number}"
            if problem is None and _records_list(value):
                out.extend(Framed(f"{where}, item {i}", item, json.dumps(item, ensure_ascii=False, default=str))
                           for i, item in enumerate(value, start=1))
            else:
                out.append(Framed(where, value, raw, problem))
    return out


class _Bounded(io.RawIOBase):
    """A read-only stream that fails once more than ``limit`` bytes came through."""

    def __init__(self, stream: Any, path: Path, limit: int) -> None:
        self._stream, self._path, self._limit, self._seen = stream, path, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            chunk = self._stream.read(len(buffer))
        except (OSError, EOFError) as exc:
            raise SourceFileError(f"{self._path}: damaged or truncated archive ({exc})") from exc
        self._seen += len(chunk)
        if self._seen > self._limit:
            raise SourceFileError(f"{self._path}: more than {self._limit:,} bytes (decompressed): over the limit")
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            super().close()


def open_source_stream(path: str | Path, max_bytes: int = MAX_BYTES) -> io.BufferedReader:
    """Open a source file for streaming, decompressing ``.gz``, with the size cap enforced.

    Parameters
    ----------
    path : str or Path
        The file (plain or gzip, told by its magic bytes).
    max_bytes : int
        Largest size accepted, on disk and decompressed (and at most
        :data:`MAX_RATIO` times the compressed size).

    Returns
    -------
    io.BufferedReader
        A binary stream; reading past a limit raises :class:`SourceFileError`.

    Raises
    ------
    SourceFileError
        When the file is missing, not a regular file or too large.
    """
    path = Path(path)
    _regular(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceFileError(f"{path}: {size:,} bytes is over the limit of {max_bytes:,}")
    handle = open(path, "rb")
    if handle.read(2) == b"\x1f\x8b":
        handle.seek(0)
        limit = min(MAX_DECOMPRESSED, max_bytes, MAX_RATIO * max(size, 1))
        return io.BufferedReader(_Bounded(gzip.GzipFile(fileobj=handle), path, limit), 1 << 20)
    handle.seek(0)
    return io.BufferedReader(_Bounded(handle, path, max_bytes), 1 << 20)
