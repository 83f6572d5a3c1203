"""``ComplaintFigures.changed`` tells every listener the enterprises whose figures changed; a
case without an enterprise tells no one, and a failing listener never fails the caller (the
case is committed already)."""

from __future__ import annotations

import logging

from core.complaint_figures import NoComplaintFigures


async def test_listeners_hear_known_enterprises_and_a_failure_is_only_logged(caplog):
    figures, heard = NoComplaintFigures(), []

    async def broken(usccs):
        raise RuntimeError("cache down")

    async def listener(usccs):
        heard.append(usccs)

    figures.on_change(broken)
    figures.on_change(listener)
    await figures.changed({None})
    assert heard == [] and not caplog.records
    with caplog.at_level(logging.ERROR, logger="gongzhi.complaint_figures"):
        await figures.changed({"91450204000000018X", None})
    assert heard == [{"91450204000000018X"}]
    assert "91450204000000018X" in caplog.records[0].getMessage()
    await NoComplaintFigures().changed({"X"})  # no listeners: nothing to do
