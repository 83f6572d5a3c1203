"""Scan records and registered kiosks (Tortoise ORM).

A scan row keeps personal data out by construction: no openid, no IP address, no precise
position, no text the client wrote. ``user_hash`` is the pseudonym of
``accounts.sessions.user_hash`` (logged-in scans only); ``lat``/``lng`` are rounded to 0.1
degree (about 11 km); ``division`` is the city-level GB/T 2260 code the server derived
(``tracing.scans.places``); ``source`` says how far the scan is trusted
(``tracing.scans.client``): ``person`` (a logged-in consumer), ``kiosk`` (a registered kiosk
that proved its key: position and division are its registered place) or ``anonymous``.
``counted`` says the scan brought a new viewer to the public scan count (the first scan of a
person, or of a kiosk or anonymous client that day: ``tracing.scans.viewers``).

A kiosk row is a registered in-market terminal: its key is stored only as a SHA-256 hash.
``scan_id`` is the id a registered kiosk gives each scan (the same on every resend from its
offline queue); a scan id is recorded once per kiosk (unique index of migration 0012).
A kiosk's last heartbeat (its own report of camera, frame rate, decode rate, queue and
version) is one row of ``kiosk_heartbeat``, replaced by each heartbeat; staff read it.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.db import APP


class Scan(Model):
    id = fields.BigIntField(primary_key=True)
    subject = fields.CharField(128)  # what was resolved: a code, or gtin+lot+serial
    level = fields.CharField(10)  # batch | case | item | product
    batch_id = fields.CharField(128, null=True, db_index=True)
    scanned_at = fields.DatetimeField(db_index=True)
    channel = fields.CharField(10)  # miniapp | h5 | kiosk
    kiosk_id = fields.CharField(64, null=True)  # as claimed; trusted only with source=kiosk
    source = fields.CharField(10, default="anonymous", db_default="anonymous")  # or person, kiosk
    division = fields.CharField(6, null=True)  # city-level GB/T 2260 code, server-derived
    lat = fields.FloatField(null=True)
    lng = fields.FloatField(null=True)
    user_hash = fields.CharField(64, null=True)
    scan_id = fields.CharField(64, null=True)  # a registered kiosk's id of the scan
    # this scan brought a new viewer to the public count (tracing.scans.viewers)
    counted = fields.BooleanField(default=False, db_default=False)

    class Meta:
        app = APP
        table = "scan"
        indexes = (("subject", "scanned_at"),)  # suspicion reads one code's recent scans


class Kiosk(Model):
    id = fields.CharField(64, primary_key=True)
    key_hash = fields.CharField(64)
    market = fields.CharField(200)
    division_code = fields.CharField(6)  # county-level GB/T 2260 code of its market
    lat = fields.FloatField()
    lng = fields.FloatField()
    created_at = fields.DatetimeField()

    class Meta:
        app = APP
        table = "kiosk"


class KioskHeartbeat(Model):
    kiosk_id = fields.CharField(64, primary_key=True)
    received_at = fields.DatetimeField()
    camera = fields.CharField(10)  # ok | lost
    fps = fields.FloatField()
    decode_rate = fields.FloatField(null=True)  # None: no frame held a code yet
    queue = fields.IntField()
    version = fields.CharField(32)

    class Meta:
        app = APP
        table = "kiosk_heartbeat"
