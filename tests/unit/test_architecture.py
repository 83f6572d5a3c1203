"""The layer rule holds: a module imports only from layers below it (import-linter's
contracts in pyproject.toml: layers, independent features, no Sanic below the HTTP layer, the
kiosk importing none of the server's packages)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_import_contracts_are_kept():
    linter = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "4 kept, 0 broken" in run.stdout


def test_every_feature_registers_its_own_parts():
    from api.features import FEATURES
    from core.features import Registry

    registry = Registry.of(FEATURES)
    assert registry.model_modules[:2] == ["tracing.model.models", "tracing.scans.models"]
    assert set(registry.http_modules) == {
        "api.blueprints.search", "api.blueprints.exchange", "api.blueprints.scan",
        "api.blueprints.resolver", "api.blueprints.scan_photo",
        "api.blueprints.auth", "api.blueprints.enterprises", "api.blueprints.enterprise_account",
        "api.blueprints.corrections", "api.blueprints.notices", "api.blueprints.subscriptions",
        "api.blueprints.media", "api.blueprints.products", "api.blueprints.exports",
        "api.blueprints.staff", "api.blueprints.complaints", "api.blueprints.uploads",
        "api.blueprints.triage", "api.blueprints.wechat_events", "api.blueprints.kiosks"}
    assert {"accounts.staff", "complaints.models"} <= set(registry.model_modules)
    assert {c.name for c in registry.commands} == {"import", "reindex", "demo-data", "verify",
                                                 "calendar", "enterprise", "staff",
                                                 "complaints", "kiosk"}
    assert len(registry.change_handlers) == 4  # search, trace views, profiles, recall warnings
