"""The service's own secret keys: the audit chain's and the site archives' HMAC keys.

Each is read from settings (`PHB_AUDIT_KEY`, `PHB_ARCHIVE_KEY`, or their `*_FILE` variants). Where one is not set,
the key is generated once under `VAR_DIR/keys/` (readable by the service's user only) and read from there after: the
embedded run needs no set-up, and a production installation is told by `manage.py check --deploy` to set its own, so
that the key lives outside the database and outside any one machine's disk.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

KEY_SETTINGS = {"audit": "PHB_AUDIT_KEY", "archive": "PHB_ARCHIVE_KEY"}


def key_file(name: str) -> Path:
    return Path(settings.VAR_DIR) / "keys" / f"{name}.key"


def service_key(name: str) -> bytes:
    """The key called `name` ("audit" or "archive"), from settings or, failing that, from (or into) its file."""
    configured = getattr(settings, KEY_SETTINGS[name], "")
    if configured:
        return configured.encode()
    path = key_file(name)
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    try:
        # O_EXCL: two processes starting together agree on one key; the loser reads the winner's.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def key_is_configured(name: str) -> bool:
    return bool(getattr(settings, KEY_SETTINGS[name], ""))
