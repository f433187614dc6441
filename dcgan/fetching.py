"""Reaching a download address first, and saying why a download failed in a user's words."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

REACH_TIMEOUT_S = 30  # an offline machine must not hang on the first request


def reach(url: str, timeout: float = REACH_TIMEOUT_S) -> None:
    """Raise the error of an address that cannot be reached; any HTTP answer means it can.

    Asked before a library's own download, whose errors come back as its text (torchvision's
    MNIST lists every mirror it tried), so that an offline machine gets one reason in words.
    """
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            pass
    except urllib.error.HTTPError:
        pass  # a server answered: the download itself says more


def fetch_failure(err: BaseException) -> str:
    """`no network: name or service not known` or `connection refused`, not the exception's
    repr (`<urlopen error [Errno -2] Name or service not known>`)."""
    if isinstance(err, urllib.error.HTTPError):
        return f"the server answered {err.code} {err.reason}"
    reason = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(reason, socket.gaierror):
        return f"no network: {str(reason.strerror or 'name not found').lower()}"
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    if isinstance(reason, OSError) and reason.strerror:
        return str(reason.strerror).lower()
    text = " ".join(str(reason).split())[:200]
    return text or type(reason).__name__
