"""Write ``tracing/scans/data/division_centres.tsv`` from cpca's ``adcodes.csv``.

    pip download --no-deps cpca==0.5.5 && unzip cpca-0.5.5-py3-none-any.whl 'cpca/resources/*'
    python scripts/gen_division_centres.py cpca/resources/adcodes.csv

cpca (MIT, github.com/DQinYuan/chinese_province_city_area_mapper) lists the 2020 divisions
with the position of each seat. Kept: every county- and prefecture-level division with a
position whose code python-stdnum's GB/T 2260 list (``stdnum/cn/loc.dat``) knows, and Hong
Kong, Macao and Taiwan as a whole (the list has no divisions below them). Positions are
rounded to 0.001 degree.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from tracing.codes import divisions

OUT = Path(__file__).resolve().parents[1] / "tracing" / "scans" / "data" / "division_centres.tsv"
WHOLE = ("71", "81", "82")


def main(source: str) -> int:
    known = divisions.table()
    rows = []
    with open(source, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            if not row["latitude"] or code not in known:
                continue
            if code.endswith("0000") and code[:2] not in WHOLE:
                continue
            rows.append((code, float(row["latitude"]), float(row["longitude"])))
    rows.sort()
    with open(OUT, "w", encoding="utf-8") as out:
        out.write("# code\tlat\tlng  (derived from cpca 0.5.5 adcodes.csv, MIT; see the script)\n")
        for code, lat, lng in rows:
            out.write(f"{code}\t{lat:.3f}\t{lng:.3f}\n")
    print(f"{len(rows)} divisions written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
