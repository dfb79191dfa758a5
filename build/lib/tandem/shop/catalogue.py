"""The demo shop's fixed catalogue, names and places (data only, no logic)."""

from __future__ import annotations

from tandem.shop.types import Category

# sku, name_zh, name_en, category, price in yuan
PRODUCTS: tuple[tuple[str, str, str, Category, int], ...] = (
    ("EL-001", "星耀 X5 智能手机 256G", "Xingyao X5 smartphone 256 GB", Category.ELECTRONICS, 4999),
    (
        "EL-002",
        "星耀 X5 Pro 智能手机 512G",
        "Xingyao X5 Pro smartphone 512 GB",
        Category.ELECTRONICS,
        6999,
    ),
    ("EL-003", "轻薄笔记本电脑 14 英寸", "14-inch ultrabook", Category.ELECTRONICS, 8999),
    ("EL-004", "平板电脑 11 英寸 128G", "11-inch tablet 128 GB", Category.ELECTRONICS, 2599),
    ("EL-005", "主动降噪无线耳机", "Noise-cancelling wireless earbuds", Category.ELECTRONICS, 1899),
    ("EL-006", "智能手表 运动版", "Smartwatch, sport edition", Category.ELECTRONICS, 1299),
    ("EL-007", "微单相机 套机", "Mirrorless camera kit", Category.ELECTRONICS, 5799),
    ("EL-008", "蓝牙音箱 便携款", "Portable Bluetooth speaker", Category.ELECTRONICS, 399),
    ("AC-001", "Type-C 快充数据线 1 米", "USB-C fast-charge cable, 1 m", Category.ACCESSORIES, 29),
    ("AC-002", "20W 快充充电头", "20 W fast charger", Category.ACCESSORIES, 59),
    (
        "AC-003",
        "手机钢化膜 两片装",
        "Tempered glass screen protector, 2-pack",
        Category.ACCESSORIES,
        19,
    ),
    ("AC-004", "硅胶手机壳", "Silicone phone case", Category.ACCESSORIES, 39),
    ("AC-005", "10000mAh 充电宝", "10,000 mAh power bank", Category.ACCESSORIES, 99),
    ("AC-006", "无线鼠标", "Wireless mouse", Category.ACCESSORIES, 79),
    ("AC-007", "笔记本电脑支架", "Laptop stand", Category.ACCESSORIES, 129),
    (
        "MD-001",
        "布洛芬缓释胶囊 24 粒",
        "Ibuprofen sustained-release capsules, 24",
        Category.OTC_MEDICINE,
        26,
    ),
    ("MD-002", "感冒灵颗粒 9 袋", "Cold relief granules, 9 sachets", Category.OTC_MEDICINE, 18),
    (
        "MD-003",
        "维生素 C 咀嚼片 60 片",
        "Vitamin C chewable tablets, 60",
        Category.OTC_MEDICINE,
        35,
    ),
    ("MD-004", "藿香正气水 10 支", "Huoxiang Zhengqi liquid, 10 vials", Category.OTC_MEDICINE, 22),
    ("MD-005", "创可贴 100 片", "Adhesive bandages, 100", Category.OTC_MEDICINE, 15),
    ("MD-006", "板蓝根颗粒 20 袋", "Banlangen granules, 20 sachets", Category.OTC_MEDICINE, 25),
    ("CL-001", "纯棉圆领 T 恤", "Cotton crew-neck T-shirt", Category.CLOTHING, 89),
    ("CL-002", "轻薄羽绒服", "Lightweight down jacket", Category.CLOTHING, 599),
    ("CL-003", "直筒牛仔裤", "Straight-leg jeans", Category.CLOTHING, 259),
    ("CL-004", "加绒连帽卫衣", "Fleece-lined hoodie", Category.CLOTHING, 199),
    ("CL-005", "商务长袖衬衫", "Business long-sleeve shirt", Category.CLOTHING, 229),
    ("CL-006", "羊毛针织连衣裙", "Wool knit dress", Category.CLOTHING, 459),
    ("CL-007", "羊绒大衣", "Cashmere coat", Category.CLOTHING, 1999),
    ("SH-001", "缓震跑步鞋", "Cushioned running shoes", Category.SHOES, 499),
    ("SH-002", "经典白色板鞋", "Classic white sneakers", Category.SHOES, 299),
    ("SH-003", "真皮商务皮鞋", "Leather business shoes", Category.SHOES, 699),
    ("SH-004", "防水马丁靴", "Waterproof ankle boots", Category.SHOES, 559),
    ("FF-001", "阳澄湖大闸蟹 8 只装", "Yangcheng Lake hairy crabs, 8", Category.FRESH_FOOD, 398),
    ("FF-002", "赣南脐橙 5 斤", "Gannan navel oranges, 2.5 kg", Category.FRESH_FOOD, 49),
    (
        "FF-003",
        "智利车厘子 2 斤 JJ 级",
        "Chilean cherries, 1 kg, JJ grade",
        Category.FRESH_FOOD,
        169,
    ),
    ("FF-004", "冰鲜三文鱼 500 克", "Chilled salmon, 500 g", Category.FRESH_FOOD, 129),
    ("CU-001", "定制刻字保温杯", "Engraved vacuum flask (custom)", Category.CUSTOMISED, 129),
    ("CU-002", "定制照片印花 T 恤", "Custom photo-print T-shirt", Category.CUSTOMISED, 119),
    ("CU-003", "定制皮质相册", "Custom leather photo album", Category.CUSTOMISED, 299),
    (
        "CU-004",
        "定制刻字金属钢笔",
        "Engraved metal fountain pen (custom)",
        Category.CUSTOMISED,
        239,
    ),
    ("HM-001", "全棉床上四件套", "Cotton bedding set, 4 pieces", Category.HOME, 329),
    ("HM-002", "不锈钢炒锅", "Stainless steel wok", Category.HOME, 269),
    ("HM-003", "香薰加湿器", "Aroma humidifier", Category.HOME, 159),
    ("BT-001", "保湿面霜 50 毫升", "Moisturising cream, 50 ml", Category.BEAUTY, 238),
    ("BT-002", "丝绒哑光口红", "Velvet matte lipstick", Category.BEAUTY, 189),
    ("BT-003", "氨基酸洁面乳", "Amino-acid facial cleanser", Category.BEAUTY, 79),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "晨", "欣怡", "子涵", "浩然", "雨桐", "宇轩",
    "思远", "佳怡", "梓萱", "一鸣", "嘉豪", "诗涵", "俊杰", "雅琪",
)  # fmt: skip

# province, city, districts
CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("浙江省", "杭州市", ("西湖区", "余杭区", "滨江区")),
    ("上海市", "上海市", ("浦东新区", "徐汇区", "静安区")),
    ("北京市", "北京市", ("朝阳区", "海淀区", "东城区")),
    ("广东省", "广州市", ("天河区", "越秀区", "番禺区")),
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区")),
    ("江苏省", "南京市", ("鼓楼区", "玄武区", "江宁区")),
    ("四川省", "成都市", ("武侯区", "锦江区", "高新区")),
    ("湖北省", "武汉市", ("武昌区", "洪山区", "江汉区")),
    ("陕西省", "西安市", ("雁塔区", "碑林区", "未央区")),
    ("山东省", "青岛市", ("市南区", "崂山区", "黄岛区")),
)
STREETS = (
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "文化路",
    "和平路",
    "学院路",
    "科技路",
    "滨江大道",
)

# Regional hub a parcel passes through on its way from the warehouse (Hangzhou) to a city.
HUBS: dict[str, str] = {
    "杭州市": "杭州转运中心",
    "上海市": "上海转运中心",
    "北京市": "北京顺义转运中心",
    "广州市": "广州白云转运中心",
    "深圳市": "深圳转运中心",
    "南京市": "南京转运中心",
    "成都市": "成都双流转运中心",
    "武汉市": "武汉转运中心",
    "西安市": "西安转运中心",
    "青岛市": "青岛转运中心",
}
