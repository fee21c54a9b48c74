//! The words demo deals are made of: industries, company-name parts, products, competitors,
//! sources and campaigns, contact names and titles, and the sentences of follow-ups, comments
//! and notes.
//!
//! Labels the UI shows as choices (industries, regions, sources, campaigns, products) come in
//! zh-CN and en; what users type themselves (follow-up summaries, customer feedback, comments)
//! is in Chinese, as a Chinese sales team writes it.

/// An industry: the stored value and English label, the words its company names use, its
/// typical pain points and how it approves budgets.
pub(super) struct Industry {
    pub(super) zh_cn: &'static str,
    pub(super) en: &'static str,
    /// Business words for company names (e.g. 精密机械 → 杭州恒信精密机械有限公司).
    pub(super) name_words: &'static [&'static str],
    /// Needs and pain points, two of which make up a deal's `needs`.
    pub(super) pains: &'static [&'static str],
    /// How budgets are approved.
    pub(super) approval: &'static [&'static str],
    /// Win-propensity adjustment in percentage points (long tenders lose more often).
    pub(super) propensity: i64,
}

pub(super) static INDUSTRIES: [(u32, Industry); 7] = [
    (
        24,
        Industry {
            zh_cn: "制造业",
            en: "Manufacturing",
            name_words: &[
                "精密机械",
                "汽车零部件",
                "电子",
                "新材料",
                "装备制造",
                "电器",
            ],
            pains: &[
                "经销商与大客户信息分散在各区域销售手中，人员流动时客户资源流失",
                "订单跟进依赖 Excel 和微信群，交期与报价无法及时同步给客户",
                "售后服务工单与销售线索脱节，老客户复购机会被忽视",
                "管理层无法实时看到各区域销售漏斗，月度预测偏差大",
            ],
            approval: &["年度预算，总经理审批", "集团采购中心统一审批，需三家比价"],
            propensity: 5,
        },
    ),
    (
        14,
        Industry {
            zh_cn: "金融",
            en: "Finance",
            name_words: &["银行", "证券", "保险", "融资租赁", "信托"],
            pains: &[
                "客户经理的对公客户拜访记录不完整，难以满足合规留痕要求",
                "理财产品营销线索分散在多个渠道，转化率无法统计",
                "总分行之间商机协同困难，重复拜访同一客户",
                "数据需本地化部署并通过等保三级测评",
            ],
            approval: &[
                "信息科技部立项，党委会审批",
                "年度科技预算，需走集中采购流程",
            ],
            propensity: -5,
        },
    ),
    (
        13,
        Industry {
            zh_cn: "医疗",
            en: "Healthcare",
            name_words: &["医疗器械", "医药", "生物科技", "健康科技"],
            pains: &[
                "医院客户的科室关系复杂，关键人信息只在个别销售手中",
                "学术推广活动与销售线索无法关联，市场费用效果难评估",
                "招投标节点多，投标资料与商机进展分开管理容易遗漏",
                "经销商库存与终端销量数据不透明",
            ],
            approval: &[
                "年度预算，总经理办公会审批",
                "需通过合规部审核后由董事会批准",
            ],
            propensity: 0,
        },
    ),
    (
        12,
        Industry {
            zh_cn: "能源",
            en: "Energy",
            name_words: &["电力", "新能源", "燃气", "光伏", "储能"],
            pains: &[
                "大项目周期长、参与部门多，项目进展全靠周会口头汇报",
                "多个子公司各自管理客户，集团层面缺少统一视图",
                "现有系统老旧，移动端无法录入现场拜访信息",
                "需要与现有 ERP 和 OA 系统集成",
            ],
            approval: &["集团年度信息化预算，需招标", "子公司立项后报集团审批"],
            propensity: 0,
        },
    ),
    (
        13,
        Industry {
            zh_cn: "零售",
            en: "Retail",
            name_words: &["商贸", "连锁超市", "百货", "电子商务", "餐饮管理"],
            pains: &[
                "会员数据分散在门店 POS、小程序和电商平台，无法统一运营",
                "企业团购客户跟进无记录，节日订单高峰时响应慢",
                "门店拓展与加盟商洽谈过程缺少标准化管理",
                "促销活动效果无法追踪到具体客户",
            ],
            approval: &["季度预算，总经理审批", "年度预算，董事长审批"],
            propensity: 3,
        },
    ),
    (
        11,
        Industry {
            zh_cn: "教育",
            en: "Education",
            name_words: &["教育科技", "职业培训", "教育"],
            pains: &[
                "招生线索来自多个渠道，课程顾问跟进不及时导致线索浪费",
                "学员续费提醒依赖人工，续费率逐年下降",
                "校区之间无法共享潜在学员信息",
                "需要统计各渠道的获客成本和转化率",
            ],
            approval: &["年度预算，校长办公会审批", "季度预算，运营总监审批"],
            propensity: 5,
        },
    ),
    (
        13,
        Industry {
            zh_cn: "政府",
            en: "Government",
            name_words: &["数据局", "政务服务中心", "投资促进局", "商务局"],
            pains: &[
                "招商项目线索分散在各部门，项目推进情况难以汇总",
                "重点企业服务走访记录不规范，问题诉求跟踪无闭环",
                "需要满足信创要求并部署在政务云",
                "领导需要实时查看招商引资项目的进展与金额",
            ],
            approval: &[
                "财政年度预算，需走政府采购公开招标",
                "专项资金，需局党组会审议",
            ],
            propensity: -8,
        },
    ),
];

/// A sales region: accounts of a team are in its region's cities.
pub(super) struct Region {
    pub(super) zh_cn: &'static str,
    pub(super) en: &'static str,
    pub(super) cities: &'static [&'static str],
}

pub(super) static EAST_CHINA: Region = Region {
    zh_cn: "华东",
    en: "East China",
    cities: &[
        "上海", "杭州", "宁波", "南京", "苏州", "无锡", "合肥", "温州",
    ],
};

pub(super) static SOUTH_CHINA: Region = Region {
    zh_cn: "华南",
    en: "South China",
    cities: &[
        "深圳", "广州", "东莞", "佛山", "厦门", "福州", "珠海", "南宁",
    ],
};

pub(super) static NORTH_CHINA: Region = Region {
    zh_cn: "华北",
    en: "North China",
    cities: &["北京", "天津", "石家庄", "济南", "青岛", "太原"],
};

pub(super) static WEST_CHINA: Region = Region {
    zh_cn: "西南",
    en: "Southwest China",
    cities: &["成都", "重庆", "昆明", "贵阳"],
};

/// Distinctive names (字号) for companies, the part between the city and the business, with
/// their pinyin for email domains.
pub(super) static BRANDS: [(&str, &str); 40] = [
    ("恒信", "hengxin"),
    ("华瑞", "huarui"),
    ("鼎盛", "dingsheng"),
    ("博远", "boyuan"),
    ("瑞丰", "ruifeng"),
    ("嘉禾", "jiahe"),
    ("新元", "xinyuan"),
    ("天泽", "tianze"),
    ("汇通", "huitong"),
    ("联创", "lianchuang"),
    ("宏达", "hongda"),
    ("启明", "qiming"),
    ("安和", "anhe"),
    ("同力", "tongli"),
    ("长青", "changqing"),
    ("金桥", "jinqiao"),
    ("蓝海", "lanhai"),
    ("远航", "yuanhang"),
    ("和光", "heguang"),
    ("中晟", "zhongsheng"),
    ("弘毅", "hongyi"),
    ("凯盛", "kaisheng"),
    ("星辰", "xingchen"),
    ("德润", "derun"),
    ("万和", "wanhe"),
    ("永泰", "yongtai"),
    ("卓越", "zhuoyue"),
    ("信达", "xinda"),
    ("华康", "huakang"),
    ("泰和", "taihe"),
    ("海纳", "haina"),
    ("正和", "zhenghe"),
    ("东方", "dongfang"),
    ("明德", "mingde"),
    ("聚源", "juyuan"),
    ("伟业", "weiye"),
    ("盛世", "shengshi"),
    ("润泽", "runze"),
    ("智远", "zhiyuan"),
    ("云帆", "yunfan"),
];

/// Company-form suffixes, weighted.
pub(super) static SUFFIXES: [(u32, &str); 4] = [
    (50, "有限公司"),
    (25, "股份有限公司"),
    (15, "集团"),
    (10, "集团有限公司"),
];

/// Source channels, matching the lead module's standard channel ids, with their weight among
/// deals and win-propensity adjustment.
pub(super) static SOURCES: [(u32, &str, &str, &str, i64); 6] = [
    (22, "web_form", "官网表单", "Web form", 0),
    (16, "phone_inquiry", "电话咨询", "Phone inquiry", 3),
    (18, "trade_show", "展会", "Trade show", 2),
    (12, "social_media", "社交媒体", "Social media", -5),
    (14, "referral", "客户推荐", "Referral", 14),
    (
        18,
        "marketing_campaign",
        "市场活动",
        "Marketing campaign",
        0,
    ),
];

/// Campaigns (市场活动), and which source channel they feed.
pub(super) static CAMPAIGNS: [(&str, &str, &str); 6] = [
    (
        "cio_summit",
        "CIO 数字化转型峰会",
        "CIO digital transformation summit",
    ),
    (
        "manufacturing_salon",
        "制造业数字化沙龙",
        "Manufacturing digitalisation salon",
    ),
    (
        "crm_whitepaper",
        "CRM 选型白皮书下载",
        "CRM buyer's guide download",
    ),
    (
        "midyear_promotion",
        "年中订阅优惠",
        "Mid-year subscription offer",
    ),
    (
        "case_webinar",
        "客户成功案例直播",
        "Customer success webinar",
    ),
    (
        "industry_expo",
        "中国国际数字经济博览会",
        "China digital economy expo",
    ),
];

/// A product of the demo catalogue.
pub(super) struct ProductSpec {
    pub(super) id: &'static str,
    pub(super) sku: &'static str,
    pub(super) zh_cn: &'static str,
    pub(super) en: &'static str,
    pub(super) unit_zh: &'static str,
    pub(super) unit_en: &'static str,
    /// List price in yuan.
    pub(super) list_price_yuan: i64,
    /// VAT in basis points (13 % software, 6 % services).
    pub(super) tax_basis_points: u16,
}

pub(super) const CRM_STANDARD: usize = 0;
pub(super) const CRM_ENTERPRISE: usize = 1;
pub(super) const ANALYTICS: usize = 2;
pub(super) const IMPLEMENTATION: usize = 3;
pub(super) const TRAINING: usize = 4;

pub(super) static PRODUCTS: [ProductSpec; 5] = [
    ProductSpec {
        id: "crm_standard",
        sku: "CRM-STD-Y",
        zh_cn: "CRM 标准版",
        en: "CRM Standard",
        unit_zh: "用户/年",
        unit_en: "user/year",
        list_price_yuan: 980,
        tax_basis_points: 1300,
    },
    ProductSpec {
        id: "crm_enterprise",
        sku: "CRM-ENT-Y",
        zh_cn: "CRM 企业版",
        en: "CRM Enterprise",
        unit_zh: "用户/年",
        unit_en: "user/year",
        list_price_yuan: 1_980,
        tax_basis_points: 1300,
    },
    ProductSpec {
        id: "analytics",
        sku: "BI-ADDON-Y",
        zh_cn: "数据分析模块",
        en: "Analytics module",
        unit_zh: "用户/年",
        unit_en: "user/year",
        list_price_yuan: 600,
        tax_basis_points: 1300,
    },
    ProductSpec {
        id: "implementation",
        sku: "SVC-IMPL-D",
        zh_cn: "实施服务",
        en: "Implementation services",
        unit_zh: "人天",
        unit_en: "person-day",
        list_price_yuan: 2_500,
        tax_basis_points: 600,
    },
    ProductSpec {
        id: "training",
        sku: "SVC-TRAIN",
        zh_cn: "培训服务",
        en: "Training",
        unit_zh: "场",
        unit_en: "session",
        list_price_yuan: 8_000,
        tax_basis_points: 600,
    },
];

/// A recurring competitor and what reps record about it.
pub(super) struct CompetitorSpec {
    pub(super) name: &'static str,
    pub(super) product: &'static str,
    pub(super) strengths: &'static [&'static str],
    pub(super) weaknesses: &'static [&'static str],
    /// Win-propensity adjustment when it is on the deal.
    pub(super) propensity: i64,
    /// Its price relative to ours, in percent, low and high.
    pub(super) price_percent: (i64, i64),
}

pub(super) static COMPETITORS: [(u32, CompetitorSpec); 4] = [
    (
        30,
        CompetitorSpec {
            name: "销售易",
            product: "销售易 CRM",
            strengths: &["移动端体验好", "行业方案丰富", "品牌认知度高"],
            weaknesses: &["实施周期长", "价格偏高", "二次开发依赖原厂"],
            propensity: -6,
            price_percent: (95, 125),
        },
    ),
    (
        28,
        CompetitorSpec {
            name: "纷享销客",
            product: "纷享销客 CRM",
            strengths: &["价格低", "与企业微信集成好", "上线快"],
            weaknesses: &["定制能力弱", "大客户案例少", "报表功能简单"],
            propensity: -4,
            price_percent: (70, 95),
        },
    ),
    (
        20,
        CompetitorSpec {
            name: "Salesforce",
            product: "Sales Cloud",
            strengths: &["品牌知名度高", "功能全面", "生态完善"],
            weaknesses: &["价格高", "本地化服务弱", "数据出境合规顾虑"],
            propensity: -10,
            price_percent: (140, 200),
        },
    ),
    (
        22,
        CompetitorSpec {
            name: "用友",
            product: "用友 CRM",
            strengths: &["与 ERP 一体化", "国企客户关系深", "本地服务网点多"],
            weaknesses: &["产品体验陈旧", "响应慢", "移动端功能少"],
            propensity: -3,
            price_percent: (85, 110),
        },
    ),
];

/// Surnames with their pinyin, for contacts' names and email addresses.
pub(super) static SURNAMES: [(&str, &str); 24] = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("罗", "luo"),
    ("高", "gao"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
];

/// Given names with their pinyin.
pub(super) static GIVEN_NAMES: [(&str, &str); 24] = [
    ("建国", "jianguo"),
    ("丽华", "lihua"),
    ("志强", "zhiqiang"),
    ("晓梅", "xiaomei"),
    ("海涛", "haitao"),
    ("雪", "xue"),
    ("俊杰", "junjie"),
    ("静怡", "jingyi"),
    ("伟", "wei"),
    ("敏", "min"),
    ("磊", "lei"),
    ("婷", "ting"),
    ("文博", "wenbo"),
    ("佳琪", "jiaqi"),
    ("国平", "guoping"),
    ("玉兰", "yulan"),
    ("浩然", "haoran"),
    ("思远", "siyuan"),
    ("红梅", "hongmei"),
    ("立新", "lixin"),
    ("子涵", "zihan"),
    ("明辉", "minghui"),
    ("秀英", "xiuying"),
    ("宇航", "yuhang"),
];

/// Job titles by the role a contact plays (`DecisionMaker`, `Financial`, …), for companies and
/// for government bodies.
pub(super) static DECISION_MAKER_TITLES: [&str; 5] =
    ["总经理", "副总裁", "CIO", "董事长", "常务副总"];
pub(super) static GOVERNMENT_DECISION_MAKER_TITLES: [&str; 3] = ["局长", "分管副局长", "主任"];
pub(super) static FINANCIAL_TITLES: [&str; 3] = ["财务总监", "CFO", "财务部经理"];
pub(super) static TECHNICAL_TITLES: [&str; 4] =
    ["IT 经理", "信息中心主任", "技术总监", "数字化部经理"];
pub(super) static CHAMPION_TITLES: [&str; 4] =
    ["销售总监", "市场部经理", "运营总监", "客服中心经理"];
pub(super) static USER_TITLES: [&str; 3] = ["销售主管", "大客户经理", "客服主管"];
pub(super) static INFLUENCER_TITLES: [&str; 3] = ["总经理助理", "采购经理", "项目经理"];
pub(super) static BLOCKER_TITLES: [&str; 3] = ["采购总监", "IT 架构师", "法务经理"];

/// Deal-title endings (the part after the company's short name).
pub(super) static TITLE_TOPICS: [&str; 8] = [
    "CRM 系统建设项目",
    "销售管理平台采购",
    "客户管理系统升级",
    "营销数字化项目",
    "大客户管理平台",
    "销售过程管理系统",
    "CRM 替换项目",
    "渠道管理系统",
];

/// Title endings for a returning customer.
pub(super) static REPEAT_TOPICS: [&str; 4] =
    ["CRM 二期", "用户扩容", "数据分析模块增购", "新事业部推广"];

/// Expected business value, `{n}` replaced by a percentage.
pub(super) static BUSINESS_VALUES: [&str; 6] = [
    "预计销售转化率提升 {n}%，管理层可实时查看销售漏斗",
    "报价到签约周期缩短 {n}%，减少人工汇总报表的工作量",
    "客户流失率降低 {n}%，老客户复购机会可被及时发现",
    "销售人员人均拜访量提升 {n}%，新人上手时间缩短一半",
    "市场费用的线索转化可追踪，获客成本降低 {n}%",
    "统一客户视图，跨部门协同效率提升 {n}%",
];

/// Background notes, `{city}`, `{year}` and `{people}` replaced.
pub(super) static BACKGROUNDS: [&str; 4] = [
    "总部位于{city}，成立于{year}年，员工约{people}人，近三年业务快速增长。",
    "{city}本地龙头企业，成立于{year}年，员工约{people}人，正在推进数字化转型。",
    "成立于{year}年，员工约{people}人，在{city}及周边设有多个分支机构。",
    "{city}重点企业，员工约{people}人，已使用 ERP 和 OA 系统，缺少统一的客户管理平台。",
];

/// Follow-up summaries by phase. `{contact}`, `{product}` and `{competitor}` are replaced.
pub(super) static QUALIFY_SUMMARIES: [&str; 5] = [
    "与{contact}电话沟通，初步了解客户现有销售管理方式和痛点",
    "{contact}通过官网咨询，电话回访确认有采购意向，约定下周拜访",
    "微信沟通，向{contact}发送公司介绍和同行业案例",
    "与{contact}初次沟通，客户计划今年上线 CRM，正在了解市场方案",
    "回访{contact}，确认项目由信息中心牵头，业务部门参与评估",
];
pub(super) static DISCOVER_SUMMARIES: [&str; 6] = [
    "上门拜访{contact}，调研销售团队规模、业务流程和现有系统",
    "与{contact}及业务骨干开需求研讨会，梳理出客户管理、商机跟进和报表三大需求",
    "拜访{contact}，了解预算情况和决策流程，客户希望年内完成选型",
    "与{contact}沟通技术架构，客户关注与现有 ERP 的集成方式",
    "向{contact}介绍{product}的整体方案，客户对移动端很感兴趣",
    "与{contact}讨论项目范围，客户提到也在接触{competitor}",
];
pub(super) static EVALUATE_SUMMARIES: [&str; 6] = [
    "为{contact}及业务团队演示{product}，重点展示商机管理和销售漏斗",
    "现场演示{product}，客户现场提出多个定制化问题，已记录待答复",
    "与{contact}进行方案汇报，对比了我方与{competitor}的差异",
    "安排同行业标杆客户参观，{contact}对实施效果印象深刻",
    "技术交流会，{contact}确认接口方案可行",
    "向{contact}提交解决方案建议书并逐条讲解",
];
pub(super) static CLOSE_SUMMARIES: [&str; 6] = [
    "与{contact}商谈价格和付款方式，客户希望分两期付款",
    "与采购部沟通合同条款，对验收标准和服务期达成一致",
    "{contact}反馈预算已批，正在走内部合同审批流程",
    "商务谈判，客户要求在报价基础上再给折扣，已申请特价审批",
    "与{contact}确认实施计划和上线时间",
    "法务审核合同，双方就知识产权条款进行了修改",
];
pub(super) static LINGER_SUMMARIES: [&str; 4] = [
    "微信联系{contact}，客户表示项目暂时没有新进展",
    "电话回访{contact}，对方在忙年度预算，让过段时间再联系",
    "给{contact}发送新版产品资料，暂未回复",
    "节日问候{contact}，顺便了解项目状态，客户说还在内部讨论",
];

/// Customer feedback by tone.
pub(super) static POSITIVE_FEEDBACK: [&str; 6] = [
    "客户认可我们的方案，希望尽快推进",
    "对移动端和报表功能很满意，认为比现有系统好用很多",
    "客户表示我们的行业案例很有说服力",
    "决策层态度积极，希望本季度内完成签约",
    "客户对实施团队的专业度评价很高",
    "演示效果很好，业务部门一致支持",
];
pub(super) static NEUTRAL_FEEDBACK: [&str; 6] = [
    "客户需要内部讨论后再答复",
    "客户关注价格，希望看到更详细的报价明细",
    "客户希望再比较几家方案",
    "对功能基本满意，但担心员工使用习惯难以改变",
    "客户要求补充数据安全和部署方式的说明",
    "客户希望提供更多同行业成功案例",
];
pub(super) static NEGATIVE_FEEDBACK: [&str; 5] = [
    "客户认为价格超出预期较多",
    "客户对定制开发的周期有顾虑",
    "决策人倾向于继续使用现有系统",
    "客户认为{competitor}的方案更贴合他们的流程",
    "客户表示今年预算紧张，可能要延后",
];

/// Next-step actions by phase.
pub(super) static QUALIFY_NEXT_STEPS: [&str; 3] =
    ["上门拜访了解需求", "发送产品资料和案例", "约业务负责人沟通"];
pub(super) static DISCOVER_NEXT_STEPS: [&str; 4] = [
    "提交需求调研纪要",
    "安排产品演示",
    "约见决策人汇报方案",
    "确认预算范围和采购流程",
];
pub(super) static EVALUATE_NEXT_STEPS: [&str; 4] = [
    "答复演示中的问题",
    "提交正式报价",
    "安排标杆客户参观",
    "提交解决方案建议书",
];
pub(super) static CLOSE_NEXT_STEPS: [&str; 4] = [
    "发送合同草稿",
    "跟进合同审批进度",
    "确认付款计划",
    "安排签约仪式",
];

/// Manager comments (点评) and the rep's replies.
pub(super) static MANAGER_COMMENTS: [&str; 8] = [
    "决策人还没见到，下周务必约上高层拜访",
    "这个客户预算充足，要重点跟进，需要支持随时找我",
    "竞争对手报价比我们低，先讲清楚价值再谈价格",
    "客户已经拖了很久，评估一下是否还值得投入",
    "可以带上同行业案例，让客户看到实际效果",
    "注意付款条件，首付比例不能低于 30%",
    "方案演示做得不错，继续保持节奏",
    "这单争取本月关掉，有困难及时说",
];
pub(super) static REP_REPLIES: [&str; 5] = [
    "收到，已经约了周四拜访",
    "好的，我这周整理案例发给客户",
    "明白，会先和技术负责人沟通清楚",
    "客户那边在走流程，我会盯紧",
    "收到，有进展随时汇报",
];

/// Manual tasks: Chinese and English titles.
pub(super) static MANUAL_TASKS: [(&str, &str); 6] = [
    (
        "发送同行业案例资料",
        "Send reference cases from the same industry",
    ),
    ("准备报价单", "Prepare the quote"),
    ("安排高层拜访", "Arrange an executive visit"),
    ("整理客户组织架构图", "Map the customer's organisation"),
    (
        "回复客户技术问题清单",
        "Answer the customer's technical questions",
    ),
    ("确认招标文件要求", "Check the tender requirements"),
];

/// Loss notes by loss reason id.
pub(super) fn loss_notes(reason: &str) -> &'static [&'static str] {
    match reason {
        "price" => &[
            "客户最终选择了报价更低的方案，我方价格高出约 20%",
            "预算只有我方报价的七成，特价申请未获批准",
        ],
        "competitor" => &[
            "客户选择了{competitor}，对方在该行业案例更多",
            "{competitor}给出大幅折扣并承诺免费实施，客户最终选择对方",
        ],
        "no_budget" => &["客户今年预算被削减，项目取消", "客户预算不足，暂不采购"],
        "no_decision" => &[
            "客户内部意见不统一，项目无限期搁置",
            "长时间无进展，客户不再回复，关闭商机",
        ],
        "product_fit" => &[
            "客户需要深度定制的生产排程功能，我方产品无法满足",
            "客户要求私有化部署在国产操作系统上，当前版本不支持",
        ],
        _ => &[
            "关键决策人更换，新负责人与竞争对手关系密切",
            "与客户高层缺少有效沟通，最终未能入围",
        ],
    }
}

/// Stop notes by stop reason id.
pub(super) fn stop_notes(reason: &str) -> &'static [&'static str] {
    match reason {
        "customer_postponed" => &[
            "客户因业务调整将项目推迟到下半年",
            "客户正在搬迁新办公楼，项目延后",
        ],
        "budget_frozen" => &["集团冻结了今年的信息化预算", "客户年中预算审查，项目暂停"],
        _ => &[
            "客户管理层调整，项目负责人变更",
            "客户正在进行组织架构调整，项目暂停",
        ],
    }
}

/// Notes of a manager adjusting the forecast category.
pub(super) static ADJUSTMENT_NOTES: [&str; 3] = [
    "决策人尚未表态，先降为最佳情况",
    "合同审批流程还没走完，本月签不下来",
    "客户已口头确认，上调为承诺",
];

/// Replaces `{key}` placeholders.
pub(super) fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (key, value) in pairs {
        text = text.replace(&format!("{{{key}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_placeholder() {
        let text = fill(
            "与{contact}沟通{product}，提到{competitor}",
            &[
                ("contact", "王总"),
                ("product", "CRM 企业版"),
                ("competitor", "用友"),
            ],
        );
        assert_eq!(text, "与王总沟通CRM 企业版，提到用友");
    }

    #[test]
    fn tables_are_complete() {
        for (weight, industry) in &INDUSTRIES {
            assert!(*weight > 0);
            assert!(!industry.name_words.is_empty() && !industry.pains.is_empty());
            assert!(!industry.approval.is_empty());
        }
        for (_, competitor) in &COMPETITORS {
            assert!(competitor.strengths.len() >= 2 && competitor.weaknesses.len() >= 2);
            assert!(competitor.price_percent.0 <= competitor.price_percent.1);
        }
        for reason in [
            "price",
            "competitor",
            "no_budget",
            "no_decision",
            "product_fit",
            "relationship",
        ] {
            assert!(!loss_notes(reason).is_empty());
        }
        for reason in ["customer_postponed", "budget_frozen", "reorganisation"] {
            assert!(!stop_notes(reason).is_empty());
        }
    }
}
