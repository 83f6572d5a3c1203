"""GS1 content checks ("linters") named by the Barcode Syntax Dictionary. Pure functions.

Each linter takes one component value (already of the right length and character set) and
returns ``None`` or ``(rule, reason)``: a stable rule code and a Chinese clause saying what is
wrong. :mod:`tracing.codes.gs1` turns that into a :class:`~tracing.codes.gs1.GS1Error`.

Written from the rules GS1 publishes with the dictionary (General Specifications; the
reference "syntax tests"); the ISO code lists are those GS1's linters carry. Not checked:
``couponcode``, ``couponposoffer`` (North American coupons, AIs 8110/8112) and
``packagetype`` (UN/ECE Rec. 21, AI 7041): values of those AIs are checked for length and
character set only.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from core.i18n import T
from tracing.codes.gs1_codes import ISO3166, ISO3166_ALPHA2, ISO4217

Problem = tuple[str, str] | None
Linter = Callable[[str], Problem]

CSET82 = ("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
          "abcdefghijklmnopqrstuvwxyz")
CSET82_VALUE = {ch: i for i, ch in enumerate(CSET82)}
CSET39 = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
CSET64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79,
          83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
          173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263,
          269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347, 349, 353, 359, 367,
          373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433, 439, 443, 449, 457, 461, 463,
          467, 479, 487, 491, 499, 503, 509)
IMPORTER_INDEX = frozenset("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
MEDIA_TYPES = frozenset([f"{n:02d}" for n in range(1, 11)] + [str(n) for n in range(80, 100)])
HEX = frozenset("0123456789ABCDEFabcdef")
SHANGHAI_OFFSET = 8 * 3600  # Asia/Shanghai has had no daylight saving time since 1991


def mod10_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of the digits ``body`` (weights 3, 1, ... from the right)."""
    total = 3 * sum(map(int, body[::-2])) + sum(map(int, body[-2::-2]))
    return str(-total % 10)


_year = [0.0, 0]  # [valid until (epoch seconds), year]


def current_year() -> int:
    """This year in Asia/Shanghai (looked up again once an hour)."""
    now = time.time()
    if now >= _year[0]:
        _year[:] = [now + 3600 - now % 3600, time.gmtime(now + SHANGHAI_OFFSET).tm_year]
    return _year[1]


def full_year(yy: int, this_year: int | None = None) -> int:
    """The year of a two-digit ``yy`` by GS1's sliding century (General Specifications 7.12).

    Within 49 years ahead or 50 years back of this year: ``yy - this_yy`` from 51 to 99 is the
    previous century, from -99 to -50 the next one, otherwise this one.
    """
    this_year = this_year or current_year()
    century, this_yy = divmod(this_year, 100)
    diff = yy - this_yy
    if diff >= 51:
        century -= 1
    elif diff <= -50:
        century += 1
    return century * 100 + yy


DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return DAYS[month]


def _date(year: int, month: int, day: int, day_zero: bool) -> Problem:
    if not 1 <= month <= 12:
        return "gs1_bad_date", T("月份 {month:02d} 不在 01–12 之间", month=month)
    if day == 0 and day_zero:
        return None
    last = days_in_month(year, month)
    if not 1 <= day <= last:
        return "gs1_bad_date", T("不是有效日期：{year} 年 {month} 月只有 {last} 天",
                                 year=year, month=month, last=last)
    return None


def yymmdd(value: str) -> Problem:
    return _date(full_year(int(value[:2])), int(value[2:4]), int(value[4:6]), False)


def yymmd0(value: str) -> Problem:
    return _date(full_year(int(value[:2])), int(value[2:4]), int(value[4:6]), True)


def yyyymmdd(value: str) -> Problem:
    return _date(int(value[:4]), int(value[4:6]), int(value[6:8]), False)


def _range(value: str, high: int, what: str) -> Problem:
    return None if int(value) <= high else ("gs1_bad_time", T("{what} {value} 超出 00–{high}",
                                                              what=what, value=value, high=high))


def hh(value: str) -> Problem:
    return _range(value, 23, T("小时"))


def mi(value: str) -> Problem:
    return _range(value, 59, T("分钟"))


def ss(value: str) -> Problem:
    return _range(value, 59, T("秒"))


def hhmi(value: str) -> Problem:
    return hh(value[:2]) or mi(value[2:])


def csum(value: str) -> Problem:
    expected = mod10_check_digit(value[:-1])
    if value[-1] != expected:
        return "gs1_check_digit", T("校验位错误：应为 {expected}，实际为 {value}",
                                    expected=expected, value=value[-1])
    return None


def csumalpha(value: str) -> Problem:
    """The alphanumeric check character pair (GMN): weighted sum of primes modulo 1021."""
    if len(value) < 2:
        return "gs1_check_digit", T("太短，放不下两位校验字符")
    if any(ch not in CSET32 for ch in value[-2:]):
        return "gs1_check_digit", T("最后两位 {value!r} 不是校验字符", value=value[-2:])
    body = value[:-2]
    total = sum(CSET82_VALUE[ch] * PRIMES[len(body) - 1 - i] for i, ch in enumerate(body))
    total %= 1021
    expected = CSET32[total >> 5] + CSET32[total & 31]
    if value[-2:] != expected:
        return "gs1_check_digit", T("校验字符错误：应为 {expected}，实际为 {value}",
                                    expected=expected, value=value[-2:])
    return None


def key(value: str) -> Problem:
    """Starts with a GS1 Company Prefix: at least its shortest length (4) of digits."""
    if len(value) < 4 or not value[:4].isdigit():
        return "gs1_company_prefix", T("开头不是 GS1 厂商识别代码（至少 4 位数字）")
    return None


def keyoff1(value: str) -> Problem:
    return key(value[1:])


def _listed(codes: frozenset[str], rule: str, what: str) -> Linter:
    def check(value: str) -> Problem:
        return None if value in codes else (rule, T("不是{what}", what=what))
    return check


iso3166 = _listed(ISO3166, "gs1_country_code", T(" ISO 3166 国家代码"))
iso3166alpha2 = _listed(ISO3166_ALPHA2, "gs1_country_code", T(" ISO 3166 两字母国家代码"))
iso3166999 = _listed(ISO3166 | {"999"}, "gs1_country_code", T(" ISO 3166 国家代码或 999"))
iso4217 = _listed(ISO4217, "gs1_currency_code", T(" ISO 4217 货币代码"))
iso5218 = _listed(frozenset("0129"), "gs1_bad_value", T("性别代码（ISO/IEC 5218：0、1、2、9）"))
mediatype = _listed(MEDIA_TYPES, "gs1_bad_value", T(" AIDC 介质类型"))
yesno = _listed(frozenset("01"), "gs1_bad_value", T(" 0 或 1"))
winding = _listed(frozenset("019"), "gs1_bad_value", T("卷绕方向（0、1 或 9）"))
zero = _listed(frozenset("0"), "gs1_bad_value", T(" 0"))
hyphen = _listed(frozenset("-"), "gs1_bad_value", T("连字符 -"))


def nonzero(value: str) -> Problem:
    return ("gs1_bad_value", T("不能全为 0")) if value.strip("0") == "" else None


def nozeroprefix(value: str) -> Problem:
    if len(value) > 1 and value[0] == "0":
        return "gs1_bad_value", T("不能以 0 开头")
    return None


def hasnondigit(value: str) -> Problem:
    return ("gs1_bad_value", T("必须含有非数字字符")) if value.isdigit() else None


def importeridx(value: str) -> Problem:
    return None if value in IMPORTER_INDEX else ("gs1_bad_value", T("{value!r} 不是进口商索引",
                                                                    value=value))


def pcenc(value: str) -> Problem:
    """Percent-encoding: every ``%`` is followed by two hexadecimal digits."""
    pos = value.find("%")
    while pos >= 0:
        if len(value) < pos + 3 or value[pos + 1] not in HEX or value[pos + 2] not in HEX:
            return "gs1_bad_value", T("第 {value} 位的 % 后面不是两位十六进制数", value=pos + 1)
        pos = value.find("%", pos + 3)
    return None


def latitude(value: str) -> Problem:
    return None if int(value) <= 1800000000 else ("gs1_bad_value", T("纬度超出范围"))


def longitude(value: str) -> Problem:
    return None if int(value) <= 3600000000 else ("gs1_bad_value", T("经度超出范围"))


def pieceoftotal(value: str) -> Problem:
    piece, total = int(value[:2]), int(value[2:])
    if piece == 0 or total == 0:
        return "gs1_bad_value", T("件号和总件数不能为 0")
    return ("gs1_bad_value", T("件号 {piece} 大于总件数 {total}",
                               piece=piece, total=total)) if piece > total else None


def posinseqslash(value: str) -> Problem:
    pos, slash, end = value.partition("/")
    if not slash or not pos.isdigit() or not end.isdigit():
        return "gs1_bad_value", T("应为“序号/总数”")
    if pos[0] == "0" or end[0] == "0":
        return "gs1_bad_value", T("序号和总数不能以 0 开头")
    return ("gs1_bad_value", T("序号大于总数")) if int(pos) > int(end) else None


def iban(value: str) -> Problem:
    if len(value) < 4:
        return "gs1_bad_value", T("太短，不是 IBAN")
    if value[:2] not in ISO3166_ALPHA2:
        return "gs1_bad_value", T("IBAN 国家代码 {value} 无效", value=value[:2])
    if len(value) > 34 or len(value) <= 10:
        return "gs1_bad_value", T("长度不是 IBAN 的长度")
    if not all(ch.isdigit() or "A" <= ch <= "Z" for ch in value):
        return "gs1_bad_value", T("IBAN 只能有数字和大写字母")
    digits = "".join(str(int(ch, 36)) for ch in value[4:] + value[:4])
    return None if int(digits) % 97 == 1 else ("gs1_check_digit", T("IBAN 校验码错误"))


def unchecked(value: str) -> Problem:
    return None


LINTERS: dict[str, Linter] = {
    name: fn for name, fn in globals().items()
    if callable(fn) and name in {
        "csum", "csumalpha", "key", "keyoff1", "yymmdd", "yymmd0", "yyyymmdd", "hh", "mi",
        "ss", "hhmi", "iso3166", "iso3166alpha2", "iso3166999", "iso4217", "iso5218",
        "mediatype", "yesno", "winding", "zero", "hyphen", "nonzero", "nozeroprefix",
        "hasnondigit", "importeridx", "pcenc", "latitude", "longitude", "pieceoftotal",
        "posinseqslash", "iban"}
}
LINTERS.update(couponcode=unchecked, couponposoffer=unchecked, packagetype=unchecked)
