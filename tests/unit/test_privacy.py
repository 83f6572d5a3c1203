"""Personal data in public text: natural persons masked, enterprises shown; phone numbers, ID
numbers and vehicle plates scrubbed from real-looking Chinese free text, and nothing else."""

from __future__ import annotations

import pytest

from tracing.codes.identifiers import make_uscc
from tracing.view.privacy import is_natural_person, mask_person, scrub, scrub_all

USCC = make_uscc("9", "1", "450200", "MA5K1234")  # a valid credit code (check character right)


@pytest.mark.parametrize("name", ["王小明", "谭军", "欧阳娜娜", "李德行", "Li Wei", "散户陈阿婆",
                                  " 张三 "])
def test_names_of_people_are_people(name):
    assert is_natural_person(name)


@pytest.mark.parametrize("name", [
    "广西柳州螺蛳粉有限公司", "柳州市鱼峰区王记米粉店", "张三水果店", "柳江区百朋镇双季莲藕专业合作社",
    "柳州市第一中学食堂", "融安县金桔种植基地", "鱼峰区农贸市场", "Guangxi Foods Co., Ltd", USCC,
    "柳南区阿强猪肉档批发部"])
def test_enterprises_and_credit_codes_are_not_people(name):
    assert not is_natural_person(name)


def test_a_valid_credit_code_makes_any_name_an_enterprise():
    assert not is_natural_person("王小明", uscc=USCC)
    assert is_natural_person("王小明", uscc="91450200MA5K12340X")  # check character wrong


@pytest.mark.parametrize("name, shown", [
    ("王小明", "王**"), ("欧阳娜娜", "欧***"), ("广西柳州螺蛳粉有限公司", "广西柳州螺蛳粉有限公司"),
    ("张三水果店（13800138000）", "张三水果店（138****8000）"), (None, None), ("", "")])
def test_mask_person(name, shown):
    assert mask_person(name) == shown


@pytest.mark.parametrize("text, scrubbed", [
    ("请拨13800138000退款", "请拨138****8000退款"),
    ("客服：+86 139-0772-1234", "客服：139****1234"),
    ("联系电话8613907721234", "联系电话139****1234"),
    ("市场办电话0772-2345678转8021", "市场办电话0772-*****78"),
    ("投诉请打（0772）2345678", "投诉请打（0772）*****78"),
    ("广州门店 020 87654321", "广州门店 020 ******21"),
    ("送货人身份证号11010519491231002X已登记", "送货人身份证号110105********002X已登记"),
    ("身份证：440524198001010013", "身份证：440524********0013"),
    ("冷链车桂B·12345进场", "冷链车桂B*****进场"),
    ("车牌桂BD12345（新能源）", "车牌桂B******（新能源）"),
    ("货车粤A 1234学", "货车粤A*****"),
    ("王小明 13800138000 桂B12345 11010519491231002X",
     "王小明 138****8000 桂B***** 110105********002X"),
])
def test_scrub_real_looking_text(text, scrubbed):
    assert scrub(text) == scrubbed


@pytest.mark.parametrize("text", [
    "如有疑问请拨打12315", "全国服务热线400-800-1234", "GTIN 06901234567892",
    "批号20250315A1", "许可证号JY14502020012345", "执行标准GB 2716-2018",
    "订单450204199001011234已发货",  # 18 digits whose check character is wrong: no ID number
    "净含量500g，共1200袋", "2026-09-02T01:00:00+00:00", "新疆A级红枣",
])
def test_scrub_leaves_other_numbers_alone(text):
    assert scrub(text) == text


def test_scrub_all_reaches_every_string():
    value = {"reason": "司机13800138000", "items": [{"note": "桂B12345"}, 3, None],
             "n": 13800138000}
    assert scrub_all(value) == {"reason": "司机138****8000", "items": [{"note": "桂B*****"}, 3,
                                                                        None],
                                "n": 13800138000}
