"""Word lists for the Liuzhou river-snail rice noodle (螺蛳粉) demo data set, and the
made-up but valid credit codes and GTINs of its enterprises."""

from __future__ import annotations

from tracing.codes.identifiers import USCC_ALPHABET, gtin_check_digit, make_uscc

RETAIL = ("market", "retailer", "caterer")

# division code -> (name, latitude, longitude, jitter in degrees, roads or towns)
DIVISIONS = {
    "450202": ("城中区", 24.3125, 109.4110, 0.015,
               ("五一路", "中山中路", "文惠路", "龙城路", "三中路", "潭中东路", "东环大道", "环江路")),
    "450203": ("鱼峰区", 24.3030, 109.4530, 0.020,
               ("荣军路", "屏山大道", "箭盘路", "柳石路", "驾鹤路", "东环大道", "洛维大道", "荣军路")),
    "450204": ("柳南区", 24.2860, 109.3820, 0.020,
               ("航鹰大道", "飞鹅路", "柳邕路", "西环路", "红光路", "航银路", "太阳村镇螺蛳粉产业园",
                "河西路", "航岭路")),
    "450205": ("柳北区", 24.3620, 109.4020, 0.020,
               ("胜利路", "跃进路", "北雀路", "雅儒路", "白沙路", "长风路", "沙塘镇", "杨柳路")),
    "450206": ("柳江区", 24.2560, 109.3330, 0.030,
               ("拉堡镇柳堡路", "拉堡镇新兴路", "进德镇", "穿山镇", "百朋镇", "成团镇", "拉堡镇竹鹅路")),
    "450222": ("柳城县", 24.6500, 109.2450, 0.040,
               ("大埔镇解放路", "大埔镇建设路", "凤山镇", "东泉镇", "沙埔镇", "马山镇")),
    "450223": ("鹿寨县", 24.4730, 109.7510, 0.040,
               ("鹿寨镇建中路", "鹿寨镇飞鹿大道", "中渡镇", "寨沙镇", "黄冕镇", "雒容镇")),
    "450224": ("融安县", 25.2240, 109.3970, 0.040,
               ("长安镇长安大道", "长安镇和平路", "浮石镇", "大将镇", "泗顶镇", "大良镇")),
    "450225": ("融水苗族自治县", 25.0660, 109.2560, 0.040,
               ("融水镇寿星路", "融水镇民族路", "怀宝镇", "和睦镇", "香粉乡", "永乐镇")),
    "450226": ("三江侗族自治县", 25.7830, 109.6070, 0.040,
               ("古宜镇侗乡大道", "古宜镇江峰街", "程村乡", "丹洲镇", "斗江镇", "八江镇")),
}
URBAN = ("450202", "450203", "450204", "450205")
COUNTIES = ("450206", "450222", "450223", "450224", "450225", "450226")

TRADE_FIRST = "龙柳螺桂金鑫鸿嘉盛顺恒荣佳福华兴壮侗苗江山凤鹿融宏源聚和泰丰"
TRADE_SECOND = "城香味乡源记发达隆昌兴旺祥鼎品庄坊堂园宝利安通瑞丰鹏福康"
SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁韦覃莫蒙廖谭蓝潘"
GIVEN = ("建华", "丽娟", "志强", "秀英", "国庆", "海燕", "德明", "春梅", "伟", "芳", "军",
         "小红", "永福", "桂兰", "文涛", "晓东", "明辉", "玉珍", "少华", "宁", "柳青", "家宝")

# role -> (enterprise kind, name patterns with {t} trade name / {r} road / {p} place)
ROLES = {
    "snail": ("farm", ("柳州市{p}{t}螺蛳养殖专业合作社", "{p}{t}生态螺蛳养殖场")),
    "snail_proc": ("processor", ("柳州市{t}水产品加工有限公司", "广西{t}螺蛳食品有限公司")),
    "noodle": ("processor", ("柳州市{t}米粉厂", "柳州{t}米业食品有限公司")),
    "bamboo": ("processor", ("{p}{t}酸笋加工厂", "柳州市{t}笋业有限公司")),
    "sides": ("processor", ("柳州市{t}食品有限公司", "广西{t}调味食品有限公司")),
    "yuba": ("processor", ("柳州市{t}豆制品厂", "{p}{t}腐竹加工厂")),
    "packaging": ("processor", ("柳州{t}包装材料有限公司", "广西{t}彩印包装有限公司")),
    "producer": ("producer", ("广西{t}螺蛳粉有限公司", "柳州市{t}食品科技有限公司",
                              "柳州{t}螺蛳粉实业有限公司")),
    "cold_storage": ("cold_storage", ("柳州{t}冷链物流有限公司", "柳州市{t}冷冻仓储有限公司")),
    "wholesaler": ("wholesaler", ("柳州市{t}商贸有限公司", "柳州{t}食品批发部")),
    "market": ("market", ("柳州市{r}农贸市场", "{p}{t}综合市场")),
    "retailer": ("retailer", ("{t}超市（{r}店）", "{t}便利店", "柳州市{t}特产商行")),
    "caterer": ("caterer", ("{t}螺蛳粉（{r}店）", "{s}记螺蛳粉", "{t}老友粉螺蛳粉店")),
}
SUPPLY_ROLES = ("snail", "snail_proc", "noodle", "bamboo", "sides", "yuba", "packaging")

# ingredient -> list of (name, spec, category, SC category, standard, shelf days, storage, unit)
RAW_PRODUCTS = {
    "snail": (("鲜活螺蛳", "20kg/筐", "食用农产品（水产品）", None, "GB 2733", 5,
               "0-4℃冷藏", "kg"),
              ("冷鲜螺蛳肉", "10kg/箱", "水产制品", "122", "GB 10136", 7, "0-4℃冷藏", "kg")),
    "noodle": (("螺蛳粉专用干切粉", "25kg/袋", "粮食加工品（米粉）", "101", "NY/T 1512", 270,
                "阴凉干燥处保存", "kg"),
               ("鲜湿米粉", "10kg/箱", "粮食加工品（米粉）", "101", "NY/T 1512", 3,
                "0-10℃冷藏", "kg")),
    "bamboo": (("发酵酸笋", "5kg/袋", "蔬菜制品（酱腌菜）", "116", "GB 2714", 180,
                "阴凉避光处保存", "kg"),),
    "peanut": (("油炸花生米", "10kg/箱", "炒货食品及坚果制品", "118", "GB 19300", 180,
                "阴凉干燥处保存", "kg"),),
    "chili": (("螺蛳粉专用红油", "20kg/桶", "调味品（调味油）", "103", "GB 2716", 365,
               "阴凉避光处保存", "kg"),),
    "yuba": (("油炸腐竹", "5kg/箱", "豆制品", "125", "GB 2712", 180, "阴凉干燥处保存", "kg"),),
    "packaging": (("螺蛳粉复合包装袋", "1000个/箱", "食品相关产品（包装材料）", None,
                   "GB 4806.7", 720, "清洁干燥处存放", "个"),),
}
ROLE_INGREDIENTS = {"snail": ("snail",), "snail_proc": ("snail",), "noodle": ("noodle",),
                    "bamboo": ("bamboo",), "sides": ("peanut", "chili", "yuba"), "yuba": ("yuba",),
                    "packaging": ("packaging",)}
RAW_INSPECTIONS = {
    "snail": ("挥发性盐基氮、铅、镉", "GB 5009.228-2016"),
    "noodle": ("水分、酸度、菌落总数", "GB 5009.3-2016"),
    "bamboo": ("亚硝酸盐、二氧化硫、苯甲酸", "GB 5009.33-2016"),
    "peanut": ("酸价、过氧化值、黄曲霉毒素B1", "GB 5009.22-2016"),
    "chili": ("酸价、过氧化值、苏丹红", "GB 5009.229-2016"),
    "yuba": ("蛋白质、二氧化硫、硼酸", "GB 5009.34-2022"),
    "packaging": ("总迁移量、高锰酸钾消耗量", "GB 31604.1-2023"),
}
FLAVOURS = ("原味", "加辣", "加臭", "微辣", "特辣", "干捞", "番茄", "鸭脚", "猪脚", "炸蛋",
            "酸辣", "清汤", "螺肉加量", "经典")
SPECS = ("280g×1袋", "300g×1袋", "330g×1袋", "400g×1袋", "335g×3袋", "300g×5袋", "265g×1盒")
STANDARDS = ("DBS45/034-2021", "DBS45/034-2021", "T/LZLSF 001-2023", "Q/LZ{n:03d} 0001S")
LUOSIFEN_INGREDIENTS = (
    "米粉（大米、水）", "螺蛳汤料包（水、螺蛳、猪骨、食用盐、香辛料）", "酸笋包（竹笋、水、食用盐）",
    "油炸花生包（花生、大豆油）", "腐竹包（腐竹、大豆油）", "辣椒油包（大豆油、辣椒、香辛料）",
    "木耳", "酸豆角包（豇豆、食用盐）", "醋包（酿造食醋）")
FACTORY_CHECK = ("出厂检验：感官、净含量、水分、酸价、过氧化值、菌落总数、大肠菌群",
                 "DBS45/034-2021")
SAMPLING_AUTHORITY = "柳州市市场监督管理局"
CERT_ISSUERS = {"quarantine": "柳州市{d}动物卫生监督所", "nucleic_acid": "柳州市疾病预防控制中心"}
VIOLATIONS = ("未按规定查验供货者许可证和产品合格证明", "未按规定建立并遵守进货查验记录制度",
              "从业人员未取得健康证明从事接触直接入口食品的工作", "食品贮存不符合保证食品安全的要求",
              "经营标签不符合规定的预包装食品")
STORY = {
    "failed_item": "菌落总数：检出 2.6×10⁵ CFU/g，标准值 ≤1×10⁵ CFU/g",
    "reason": "监督抽检菌落总数不合格",
    "document_no": "柳市监处罚〔2026〕88号",
    "violation": "使用超过保质期的酸笋作为食品原料",
    "penalty": "没收违法所得，罚款人民币5万元，责令停业整顿",
}
NOTICES = {  # kind -> (title, body) with {placeholders}
    "recall": ("关于{producer}主动召回{product}的公告",
               "批号 {lot} 的产品经监督抽检菌落总数不合格，已启动二级召回。"
               "请消费者停止食用，并联系购买商家退货。"),
    "sampling": ("柳州市螺蛳粉及原辅料食品安全监督抽检信息公告",
                 "本期抽检 {count} 批次，其中不合格 1 批次，已依法处置。"),
    "enforcement": ("{name}行政处罚信息公示",
                    "当事人使用超过保质期的食品原料，依据《中华人民共和国食品安全法》"
                    "第一百二十四条予以处罚。"),
    "announcement": ("柳州螺蛳粉食品安全追溯公众服务上线公告",
                     "扫描包装上的追溯码即可查看原料来源、生产检验、冷链运输和销售信息。"),
}

PEOPLE = tuple(s + n for s in SURNAMES for n in GIVEN)


def uscc_for(index: int, division: str) -> str:
    """A valid credit code for enterprise ``index``: unique organisation body per index."""
    if index % 3 == 0:
        body = f"{(index * 48271 + 55500019) % 10**8:08d}"
    else:
        n, chars = (index * 387420489 + 5003) % 31**6, []
        for _ in range(6):
            n, r = divmod(n, 31)
            chars.append(USCC_ALPHABET[r])
        body = "MA" + "".join(reversed(chars))
    return make_uscc("9", "1", division, body)


def gtin_for(index: int, item: int) -> str:
    """A GTIN-13 under a made-up China (69) company prefix unique to enterprise ``index``."""
    body = f"69{(index * 7919 + 3571) % 10**7:07d}{item % 1000:03d}"
    return body + gtin_check_digit(body)

