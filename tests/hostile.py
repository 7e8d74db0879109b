"""Hostile inputs and conditions shared by the tests: a decompression bomb made in memory, a call made as user nobody."""

from __future__ import annotations

import os
import pickle
import zlib


def deflate_bomb(megabytes: int) -> bytes:
    """A one-page PDF whose content stream, deflated twice, inflates to `megabytes` MB of zeros."""
    deflate, chunk = zlib.compressobj(9), bytes(min(megabytes, 64) * 2**20)
    inner = b"".join(deflate.compress(chunk) for _ in range(max(1, megabytes // 64))) + deflate.flush()
    outer = zlib.compress(inner, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(outer) + outer + b"\nendstream",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return pdf + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def unprivileged(fn, *args):
    """Run fn(*args) in a child process as user nobody (root reads every file), returning its result."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            data = pickle.dumps(fn(*args))
        except BaseException as error:  # noqa: BLE001 - sent back to the test
            data = pickle.dumps(error)
        with os.fdopen(write_end, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        result = pickle.loads(f.read())
    os.waitpid(pid, 0)
    if isinstance(result, BaseException):
        raise result
    return result
