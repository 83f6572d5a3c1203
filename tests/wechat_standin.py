"""The stand-in WeChat API server for tests: the test mini-program's credentials and the
stand-in's runner module (``miniapp-mock`` is no package: loaded once from its file). The
``standin_url`` fixture (tests/conftest.py) runs one stand-in per test module."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

APPID, SECRET = "wx5e1f00ddc0ffee00", "standin-secret-0123456789abcdef"
STANDIN = Path(__file__).parents[1] / "miniapp-mock" / "wechat_server" / "standin.py"


@functools.cache
def load_standin():
    """``miniapp-mock/wechat_server/standin.py``: ``running_standin``, ``call``."""
    spec = importlib.util.spec_from_file_location("wechat_standin", STANDIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
