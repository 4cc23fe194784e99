"""Precompressed twins (``file.br``, ``file.gz``) of the runtime and the start-up snapshot.

A host sends each file compressed without compressing it on every request (nginx
``brotli_static on; gzip_static on;``, a CDN, or the emulator: ``portal_emulator.server``
sends a fresh twin the browser accepts). The runtime's twins are written once per machine
and pin, when the runtime is installed (``assets.ensure_runtime``), and reach a checkout's
``static/vendor`` and every ``pyb24 build`` with the files; ``pyb24 build`` writes the rest
(the snapshot under its hashed name), compressing only files without a fresh twin.

A twin is written only where it saves at least a tenth. Gzip at 9; brotli at its best, 11,
for the runtime (about a minute on a 2-core machine, files side by side, for a megabyte less
on the wire than quality 9) and at 10 for the snapshot, which changes with the app (about
40 s for 0.4 MB less than 9); ``pyb24 build`` keeps the snapshot's twins by content in the
per-machine cache, so a rebuild of an unchanged app compresses nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli

TWINS = (".br", ".gz")  # what a twin's name adds; also never compressed again
MIN_SIZE = 1024
WORTH = 0.9  # a twin must be at most this share of the file
BROTLI_QUALITY = 11
SNAPSHOT_BROTLI_QUALITY = 10  # files named *.snapshot
GZIP_LEVEL = 9
_LAYOUT = b"twins2"  # bump when the levels change: the cache keys change with it


def write_twins(folder: Path, cache: Path | None = None) -> int:
    """Write the twins every file under ``folder`` lacks (none where a fresh one is there);
    ``cache``: a folder of twins by content, read before compressing and filled after.
    Returns how many were written. Files are compressed side by side (brotli lets go of the
    GIL), the largest first."""
    jobs = []
    for file in sorted(folder.rglob("*"), key=lambda path: -path.stat().st_size):
        if not file.is_file() or file.suffix in TWINS or file.stat().st_size < MIN_SIZE:
            continue
        quality = SNAPSHOT_BROTLI_QUALITY if file.suffix == ".snapshot" else BROTLI_QUALITY
        jobs += [(file, suffix, quality) for suffix in TWINS if not _fresh(file, suffix)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return sum(pool.map(lambda job: _write_twin(*job, cache), jobs))


def _fresh(file: Path, suffix: str) -> bool:
    """A twin is there and not older than its file (the rule the emulator sends it by)."""
    twin = file.with_name(file.name + suffix)
    return twin.is_file() and twin.stat().st_mtime >= file.stat().st_mtime


def _write_twin(file: Path, suffix: str, quality: int, cache: Path | None) -> int:
    data = file.read_bytes()
    key = hashlib.sha256(_LAYOUT + bytes([quality]) + data).hexdigest()[:32] + suffix
    if cache is not None and (cache / key).is_file():
        body = (cache / key).read_bytes()
    else:
        body = (
            bytes(brotli.compress(data, quality=quality))
            if suffix == ".br"
            else gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
        )
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            write_atomically(cache / key, body)
    if len(body) > WORTH * len(data):
        return 0
    write_atomically(file.with_name(file.name + suffix), body)
    return 1


def write_atomically(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    os.fchmod(handle, 0o644)  # mkstemp's 0600 would keep a web server from reading a twin
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, target)
