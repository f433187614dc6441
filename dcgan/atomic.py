"""The one way the product writes a file: temp file, fsync, rename; one clear error on failure.

A reader (or a crash, or a power cut) sees the old file or the new one, never half of one. A full
or read-only disk becomes an `OutputError` naming the file and the cause; what was on disk
before stays as it was.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

# The errors a full, read-only or size-limited file system gives: worth one line, not a traceback.
DISK_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EFBIG, errno.EDQUOT, errno.EACCES, errno.EPERM}


class OutputError(OSError):
    """A file cannot be written (read-only, full disk); the message names the file and cause."""


def cannot_write(path: str | Path, err: BaseException, hint: str = "") -> OutputError:
    """The one-line error for a failed write of `path`."""
    cause = getattr(err, "strerror", None) or str(err) or type(err).__name__
    if getattr(err, "errno", None) is None and _disk_is_full(Path(path).parent):
        cause = f"No space left on device ({cause})"  # a short write reported without errno
    tail = f"; {hint}" if hint else "; free space or choose a writable folder"
    return OutputError(f"cannot write {path}: {cause}{tail}")


def _disk_is_full(folder: Path) -> bool:
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some systems cannot open a folder; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    """The process's umask (reading it means setting it; it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, write: Callable[[Path], None], hint: str = "") -> Path:
    """Call `write(tmp)` for a temporary file beside `path`, make it durable, rename it over."""
    path = Path(path)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide outputs from the group
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise cannot_write(path, err, hint) from err
    except RuntimeError as err:  # torch.save reports a failed write as a RuntimeError
        if "write" not in str(err).lower() and "file" not in str(err).lower():
            raise
        raise cannot_write(path, _os_cause(err), hint) from err
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    _fsync_folder(path.parent)
    return path


PROBE_BYTES = 4096  # a full disk refuses this much; an empty probe file would still fit


def unwritable(folder: str | Path) -> str | None:
    """Why files cannot be written into `folder`, or None; creates nothing that stays."""
    folder = Path(os.path.abspath(os.path.expanduser(os.fspath(folder))))
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder (Not a directory)"
    try:
        fd, probe = tempfile.mkstemp(prefix=".write_check_", dir=existing)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as err:
        return err.strerror or str(err)
    return None


def write_bytes_atomic(path: str | Path, data: bytes, hint: str = "") -> Path:
    """Write `data` to `path` atomically."""
    return write_atomic(path, lambda tmp: tmp.write_bytes(data), hint)


def write_text_atomic(path: str | Path, text: str, hint: str = "") -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), hint)


def _os_cause(err: BaseException) -> BaseException:
    """The OSError behind a wrapped failure, if one is in the chain."""
    seen = err
    while seen is not None:
        if isinstance(seen, OSError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return err


def disk_error(err: BaseException) -> OSError | None:
    """The OSError of a full/read-only disk behind `err`, if that is what it is."""
    cause = _os_cause(err)
    return cause if isinstance(cause, OSError) and cause.errno in DISK_ERRNOS else None
