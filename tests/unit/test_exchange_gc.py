"""Imports relax the young-generation collector while they run and restore it after."""

import gc

from tracing.exchange.importer import GC_YOUNG_THRESHOLD, _fewer_collections


def test_the_threshold_is_restored_when_the_last_import_ends():
    before = gc.get_threshold()
    try:
        _fewer_collections(True)
        assert gc.get_threshold()[0] == max(before[0], GC_YOUNG_THRESHOLD)
        _fewer_collections(True)  # a second import at the same time
        _fewer_collections(False)
        assert gc.get_threshold()[0] == max(before[0], GC_YOUNG_THRESHOLD)
        _fewer_collections(False)
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)
