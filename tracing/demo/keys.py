"""The well-known records of the demo data set: lots, codes and ids the first cluster always
holds, so demos, documentation and tests can name them (:data:`DEMO_KEYS`)."""

from __future__ import annotations

from tracing.codes.identifiers import gtin14
from tracing.demo.enterprises import CORE_DIVISIONS
from tracing.demo.names import gtin_for, uscc_for

ISSUER = "柳州市食品安全追溯平台"
OK_LOT, RECALLED_LOT, EXCURSION_LOT = "L260902A", "L260917A", "LS261002"
OK_CODE, RECALLED_CODE, EXCURSION_CODE = "LZ040000000001", "LZ040000000002", "LZ060000000003"
# The first batch of the first cluster made with an input past its expiry date (fresh wet
# rice noodles keep three days; a producer draws on its stock for up to twenty).
EXPIRED_INPUT_CODE = "LZ040000000004"
RECALL_ID = "ZH-2026-0007"
ENFORCEMENT_CASE = "LZSJ-CF-2026-0088"

DEMO_KEYS = {
    "ok_code": OK_CODE,
    "recalled_code": RECALLED_CODE,
    "excursion_code": EXCURSION_CODE,
    "expired_input_code": EXPIRED_INPUT_CODE,
    "item_code": OK_CODE + "000001",
    "withdrawn_code": OK_CODE + "000002",
    "case_code": OK_CODE + "C001",
    "gs1_digital_link": f"https://id.gs1.org/01/{gtin14(gtin_for(4, 0))}/10/{OK_LOT}/21/000001",
    "alias": "JJJ-110105-2609020173",
    "failed_sampling_uscc": uscc_for(4, CORE_DIVISIONS[4]),
    "enforced_uscc": uscc_for(9, CORE_DIVISIONS[9]),
    "recall_id": RECALL_ID,
}
