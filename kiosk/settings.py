"""The kiosk's settings: one frozen object from the command line, with ``GONGZHI_KIOSK_*``
environment variables as defaults (the device key is best given that way, not in ``ps``).
A bad value stops the program at start, naming the setting."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

KIOSK_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # as the server accepts it
KEY = re.compile(r"^[\x21-\x7e]{1,512}$")


class SettingError(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


@dataclass(frozen=True)
class KioskSettings:
    server: str
    kiosk_id: str
    key: str
    source: str = "camera"
    host: str = "127.0.0.1"
    port: int = 8090
    data_dir: Path = Path("var/kiosk")
    idle_seconds: float = 30.0
    alert_idle_seconds: float = 60.0
    speech: bool = True
    heartbeat_seconds: float = 30.0
    budget_ms: float = 30.0
    debounce_seconds: float = 2.0
    scan_timeout: float = 3.0
    phone_base: str = ""  # phone links: <phone_base>/t/<code>; default: the server
    complaint_url: str = ""  # with {code}; default: <phone_base>/complaint?code={code}
    orientation: str = "auto"
    loop: bool = False

    def __post_init__(self):
        parts = urlsplit(self.server)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingError("server", f"an http(s) URL is needed, got {self.server!r}")
        if not KIOSK_ID.match(self.kiosk_id or ""):
            raise SettingError("kiosk_id", "1-64 letters, digits, '.', '_' or '-'")
        if not KEY.match(self.key or ""):
            raise SettingError("key", "the device key: 1-512 printable ASCII characters")
        for name in ("idle_seconds", "alert_idle_seconds", "heartbeat_seconds", "budget_ms",
                     "debounce_seconds", "scan_timeout"):
            if not 0 < getattr(self, name) <= 86400:
                raise SettingError(name, "must be a positive number of seconds (ms for budget)")
        if not 0 <= self.port <= 65535:
            raise SettingError("port", "0-65535")
        if self.orientation not in ("auto", "portrait", "landscape"):
            raise SettingError("orientation", "auto, portrait or landscape")
        if not self.phone_base:
            object.__setattr__(self, "phone_base", self.server.rstrip("/"))
        if not self.complaint_url:
            object.__setattr__(self, "complaint_url",
                               self.phone_base.rstrip("/") + "/complaint?code={code}")
        if "{code}" not in self.complaint_url:
            raise SettingError("complaint_url", "must contain {code}")


def env_default(name: str, default=None):
    """``GONGZHI_KIOSK_<NAME>`` or ``default``."""
    return os.environ.get(f"GONGZHI_KIOSK_{name.upper()}", default)
