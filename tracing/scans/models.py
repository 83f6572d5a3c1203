"""Scan records (Tortoise ORM): one row per consumer scan, written in batches.

Personal data is kept out by construction: no openid, no IP address, no precise position.
``user_hash`` is the pseudonym of ``accounts.sessions.user_hash`` (logged-in scans only);
``city`` is a city name and ``lat``/``lng`` are rounded to 0.1 degree (about 11 km).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.db import APP


class Scan(Model):
    id = fields.BigIntField(primary_key=True)
    subject = fields.CharField(128)  # what was resolved: a code, or gtin+lot+serial
    level = fields.CharField(10)  # batch | case | item | product
    batch_id = fields.CharField(64, null=True, db_index=True)
    scanned_at = fields.DatetimeField(db_index=True)
    channel = fields.CharField(10)  # miniapp | h5 | kiosk
    kiosk_id = fields.CharField(64, null=True)
    city = fields.CharField(40, null=True)
    lat = fields.FloatField(null=True)
    lng = fields.FloatField(null=True)
    user_hash = fields.CharField(64, null=True)

    class Meta:
        app = APP
        table = "scan"
        indexes = (("subject", "scanned_at"),)  # suspicion reads one code's recent scans
