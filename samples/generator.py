"""A realistic synthetic organisation in the CSV interchange format, deterministic for a seed.

``generate(out_dir, employees, seed)`` writes the 22 interchange files (see :data:`TABLES`) and
returns the rows written per file. Everything is drawn from one ``random.Random(seed)`` in a
fixed order, so the same arguments give byte-for-byte the same files.

Shape of the organisation:

* departments: a tree under 总经办, up to 4 levels; each second-level department has a
  functional area (生产, 质量, 研发, 销售, ...) that its sub-departments inherit and that
  drives titles, duties, competencies and KPIs;
* positions: every department has a head (reporting to the parent department's head; the
  root head 总经理 reports to nobody); the other positions report to the head or to a team
  lead (主管) who reports to the head; about 10 % are key positions (department heads first);
* responsibilities: every position holds 5-10 duties (rarely 4 or fewer on tiny sizes); each
  duty has exactly one accountable (A) position and at least one responsible (R) one, is
  mostly held by one position (A and R), and some are shared by 2-3 positions, partly across
  departments (R, C or I);
* people: every employee holds one current position (incumbents never exceed headcount; about
  6 % of the headcount stays vacant), a quarter have a past position in their department,
  about 10 assessed competencies each, certificates where their position needs one, one
  contract, ratings for 2023-2025 and, for key positions, successor nominations;
* performance (2025): three company-wide objectives and two per department, supporting the
  parent department's, each with 2-3 key results served by a KPI of the area; a result on
  every KPI of an employee's position for each quarter they held it; about three reviewers'
  feedback per employee and quarter (manager, a subordinate, peers).

Scale ratios (n = employees; per 50,000 employees in brackets):

===================  =====================================  ==========
departments          n / 250, at least 5                    (200)
positions            n / 16.7, at least departments + 1     (~3,000)
responsibilities     n / 2.5, at least half the duty slots  (20,000)
competencies         n / 25, at least 30                    (2,000)
employee comps.      ~10 per employee                       (~500,000)
KPIs                 n / 50, at least 10                    (1,000)
objectives           3 + 2 per department                   (403)
KPI results          each KPI of the position, 4 quarters   (~650,000)
feedback             ~3 reviewers per quarter               (~600,000)
certificates         n / 200, between 8 and 50              (50)
===================  =====================================  ==========

Data quality: almost everything is clean (KPI weights of a position sum to 100, incumbents
meet mandatory levels, contracts follow the labour-law rules). A small realistic share is not:
about 0.5 % of contracts break one labour-law rule, about 1 % of incumbents are below a
mandatory level, about 3 % of certificate holders hold an expired or no required certificate.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

from schema.ontology import default_ontology
from schema.values import format_text

# -- the interchange format -----------------------------------------------------------------

#: Every interchange file (without ``.csv``) and its columns, in the order they are written.
#: file name without ``.csv`` -> its columns, as the ontology declares them
TABLES: Final[dict[str, tuple[str, ...]]] = {
    file.removesuffix(".csv"): columns
    for file, columns in default_ontology().file_columns().items()
}

Cell = str | int | float | bool | date | None
Row = list[str]


def format_cell(value: Cell) -> str:
    """Interchange text of one value (the same spelling the export writes)."""
    return format_text(value)


def format_row(values: Sequence[Cell]) -> Row:
    """Format every cell of a row."""
    return [format_cell(v) for v in values]


def write_table(out_dir: Path, table: str, rows: list[Row]) -> int:
    """Write ``rows`` (already formatted) to ``out_dir/<table>.csv``, sorted; returns the count.

    Key columns come first in every file, so sorting whole rows sorts by key; ids are
    zero-padded, so text order is id order. UTF-8 without BOM, ``\\n`` line ends.
    """
    columns = TABLES[table]
    rows.sort()
    with (out_dir / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    return len(rows)


def make_id(prefix: str, number: int, width: int) -> str:
    """``make_id("P", 7, 3) == "P007"``."""
    return f"{prefix}{number:0{width}d}"


def id_width(count: int, minimum: int) -> int:
    """Digits needed for ids up to ``count``, at least ``minimum``."""
    return max(minimum, len(str(max(count, 1))))


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def probation_wage(wage: int, percent: int) -> int:
    """``percent`` of ``wage`` rounded up to 10 (so never below the percentage)."""
    return math.ceil(wage * percent / 1000) * 10


# -- vocabulary ------------------------------------------------------------------------------


def words(text: str) -> tuple[str, ...]:
    """The space-separated words of ``text``."""
    return tuple(text.split())


@dataclass(frozen=True)
class Area:
    """A functional area: what its departments do and who works there."""

    name: str
    process: str
    roles: tuple[tuple[str, str, float, int], ...]  # (title, category, headcount weight, grade)
    objects: tuple[str, ...]
    majors: tuple[str, ...]


AREAS: Final[tuple[Area, ...]] = (
    Area("生产", "生产制造", (("操作工", "operations", 14, 2), ("技术员", "technical", 3, 5),
                          ("工艺工程师", "technical", 1.5, 7), ("统计员", "support", 1, 4)),
         words("生产排班 工单 首件确认 工艺参数 现场5S 产量 交接班 物料领用 不良品 产线换型 "
               "作业指导书 工时 设备点检 在制品 生产日报 夹具"),
         ("机电一体化", "数控技术", "机械制造", "高分子材料加工")),
    Area("质量", "质量管理", (("检验员", "operations", 6, 3), ("质量工程师", "technical", 2, 7),
                          ("体系专员", "support", 1, 6)),
         words("来料检验 出货检验 过程巡检 质量体系 内部审核 客户投诉 纠正措施 SPC 量具校准 "
               "不合格品 质量成本 供应商质量 8D报告 质量目标 检验标准 测量系统"),
         ("质量管理工程", "测控技术与仪器", "机械工程")),
    Area("研发", "产品开发", (("研发工程师", "technical", 5, 7), ("结构工程师", "technical", 2, 7),
                          ("测试工程师", "technical", 2, 6), ("硬件工程师", "technical", 2, 7)),
         words("产品需求 技术方案 结构设计 电路设计 软件版本 样机 设计评审 专利 技术文档 BOM "
               "可靠性测试 设计变更 仿真分析 物料选型 技术预研 代码评审"),
         ("电子信息工程", "自动化", "计算机科学与技术", "机械设计制造及其自动化")),
    Area("销售", "市场营销", (("销售代表", "operations", 6, 5), ("客户经理", "management", 2, 7),
                          ("销售助理", "support", 1.5, 4)),
         words("客户拜访 销售订单 回款 报价 销售合同 渠道 经销商 商机 销售预测 客户档案 投标 "
               "销售费用 重点客户 区域市场 订单交付 价格政策"),
         ("市场营销", "国际贸易", "电子商务")),
    Area("人力资源", "人力资源", (("招聘专员", "support", 1.5, 5), ("培训专员", "support", 1, 5),
                              ("薪酬专员", "support", 1, 6), ("人事专员", "support", 1.5, 4)),
         words("招聘需求 面试 入职 劳动合同 社保 考勤 培训计划 绩效考核 薪酬 员工关系 人事档案 "
               "岗位说明书 编制 离职 继任计划 敬业度调研"),
         ("人力资源管理", "劳动与社会保障", "心理学")),
    Area("财务", "财务管理", (("会计", "support", 2, 6), ("出纳", "support", 1, 4),
                          ("成本会计", "support", 1, 6), ("财务分析师", "support", 1, 7)),
         words("凭证 总账 报表 税务申报 资金 发票 费用报销 成本 预算 应收账款 应付账款 固定资产 "
               "存货计价 审计 财务分析 银行对账"),
         ("会计学", "财务管理", "审计学")),
    Area("采购", "采购管理", (("采购员", "operations", 2, 5), ("采购工程师", "technical", 1.5, 6),
                          ("供应商专员", "support", 1, 5)),
         words("采购订单 询价 供应商准入 供应商评估 采购合同 交期 采购成本 来料异常 采购计划 "
               "框架协议 外协加工 价格谈判 采购付款 战略采购 物料替代 供应风险"),
         ("物流管理", "工商管理", "机械工程")),
    Area("物流", "仓储物流", (("仓管员", "operations", 4, 3), ("叉车司机", "operations", 2, 3),
                          ("物流专员", "support", 1, 5)),
         words("入库 出库 库位 盘点 叉车搬运 发货 运输 包装 呆滞物料 安全库存 账物卡 退货 "
               "物流费用 配送路线 装卸 仓库安全"),
         ("物流管理", "交通运输")),
    Area("设备", "设备管理", (("维修电工", "operations", 2, 4), ("机修工", "operations", 2, 4),
                          ("设备工程师", "technical", 1, 7)),
         words("设备点检 预防性维护 故障维修 备件 设备台账 能耗 润滑 设备验收 设备改造 特种设备 "
               "配电 设备保养 停机分析 工装 设备档案 维修工单"),
         ("电气自动化", "机电一体化", "机械工程")),
    Area("市场", "市场营销", (("市场专员", "support", 1.5, 5), ("产品经理", "technical", 1, 8),
                          ("品牌专员", "support", 1, 5)),
         words("市场调研 竞品分析 品牌推广 展会 新媒体 产品规划 定价 宣传物料 用户画像 市场预算 "
               "活动策划 线索 产品发布 行业报告 官网内容 口碑"),
         ("市场营销", "广告学", "统计学")),
    Area("信息技术", "信息化", (("运维工程师", "technical", 1.5, 6),
                            ("开发工程师", "technical", 2, 7), ("IT支持专员", "support", 1, 4)),
         words("服务器 网络 账号权限 ERP系统 MES系统 数据备份 信息安全 系统开发 接口 报表平台 "
               "桌面支持 软件许可 数据治理 机房 灾备 需求评估"),
         ("计算机科学与技术", "软件工程", "信息管理")),
    Area("安全环保", "安全环保", (("安全员", "support", 1.5, 5), ("环保专员", "support", 1, 5),
                              ("安全工程师", "technical", 1, 7)),
         words("安全检查 隐患排查 应急演练 消防设施 危险化学品 职业健康 环评 废水 废气 安全培训 "
               "劳保用品 事故调查 特种作业 安全标识 危废 能源统计"),
         ("安全工程", "环境工程")),
    Area("客户服务", "客户服务", (("客服专员", "support", 3, 4), ("售后工程师", "technical", 2, 6),
                              ("服务调度员", "support", 1, 4)),
         words("投诉受理 回访 维修派单 备件申请 服务报告 客户满意度 知识库 服务合同 安装调试 "
               "退换货 服务费用 热线 远程支持 服务培训 服务网点 故障记录"),
         ("市场营销", "机电一体化", "电子技术应用")),
    Area("行政", "行政管理", (("行政专员", "support", 1.5, 4), ("文员", "support", 1, 3),
                          ("司机", "operations", 1, 3)),
         words("办公用品 会议 来访接待 公文 印章 档案 车辆 食堂 宿舍 保洁 办公环境 资产登记 "
               "差旅预订 企业文化活动 快递收发 门禁"),
         ("行政管理", "汉语言文学", "工商管理")),
)

ACTIONS: Final[tuple[str, ...]] = words("计划编制 过程监控 数据统计 异常处理 流程优化 标准制定 "
                                        "记录归档 检查 评审 培训辅导 报告编写 成本控制 风险识别 "
                                        "协调 改进跟踪 审核 执行 分析 维护 验收")
DETAILS: Final[tuple[str, ...]] = (
    "确保按期完成并留存记录", "每周向上级汇报进展", "识别风险并提出改进建议",
    "按照SOP执行并持续优化", "保证数据准确完整（data accuracy）", "与相关部门协同推进",
    "发现异常及时上报处理", "每月输出分析报告", "落实公司制度与标准", "跟进整改项直至关闭",
    "更新系统中的台账（dashboard）", "控制成本与质量风险", "遵守法律法规与合规要求",
    "对结果负责并定期复盘（review）",
)
REGIONS: Final[tuple[str, ...]] = words("华东 华南 华北 华中 西南 西北 东北 苏州 深圳 成都 武汉 "
                                        "天津 宁波 重庆 青岛 合肥 厦门 长沙 郑州 西安 无锡 东莞 "
                                        "佛山 南京 杭州 济南 昆明 南昌 福州 沈阳")
ORDINALS: Final[str] = "一二三四五六七八九十"
STEMS: Final[str] = "甲乙丙丁戊己庚辛壬癸"
SURNAMES: Final[str] = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
                        "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
                        "范金石廖贾夏韦付方白邹孟熊秦邱江")
GIVEN: Final[str] = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲芬燕彬鹏"
                     "辉建国浩宇欣怡子涵梓轩晨阳佳琪思远文博雨婷俊峰志海波晓东亚楠雪梅"
                     "立新永德胜春秋菊嘉瑞凯琳")
LEADERSHIP: Final[tuple[str, ...]] = words("团队管理 战略思维 决策能力 跨部门协调 人才培养 "
                                           "变革管理 目标管理 经营意识 授权与激励 冲突管理 "
                                           "资源整合 组织建设 危机应对 绩效辅导 商业洞察")
GENERAL: Final[tuple[str, ...]] = words("沟通表达 问题解决 执行力 学习能力 责任心 客户导向 "
                                        "团队合作 抗压能力 细致严谨 时间管理 创新意识 英语读写 "
                                        "办公软件应用 数据分析 公文写作 演讲表达 逻辑思维 "
                                        "自我管理")
SKILL_SUFFIX: Final[tuple[str, ...]] = ("操作", "分析", "管理", "优化", "评估")
KNOWLEDGE_SUFFIX: Final[tuple[str, ...]] = ("知识", "规范", "标准")
CERTIFICATES: Final[tuple[tuple[str, str, int], ...]] = (
    ("CNC操作证", "职业技能鉴定指导中心", 6), ("低压电工作业证", "应急管理局", 6),
    ("高压电工作业证", "应急管理局", 6), ("焊工证", "应急管理局", 6),
    ("叉车司机证", "市场监督管理局", 4), ("起重机司机证", "市场监督管理局", 4),
    ("注册会计师", "中国注册会计师协会", 0), ("中级会计师", "财政部", 0),
    ("税务师", "中国注册税务师协会", 0), ("ISO9001内审员证书", "中国质量认证中心", 3),
    ("IATF16949内审员证书", "中国质量认证中心", 3), ("六西格玛绿带", "中国质量协会", 0),
    ("注册安全工程师", "应急管理部", 5), ("安全生产管理人员证", "应急管理局", 3),
    ("企业人力资源管理师", "人力资源和社会保障部", 0), ("PMP项目管理专业人士", "PMI", 3),
    ("软件设计师", "工业和信息化部", 0), ("网络工程师", "工业和信息化部", 0),
    ("CISP信息安全专业人员", "中国信息安全测评中心", 3),
    ("模具工职业技能等级证书", "职业技能鉴定指导中心", 0),
    ("注塑工职业技能等级证书", "职业技能鉴定指导中心", 0),
    ("钳工职业技能等级证书", "职业技能鉴定指导中心", 0),
    ("电子商务师", "人力资源和社会保障部", 0), ("物流师", "中国物流与采购联合会", 0),
    ("采购师", "中国物流与采购联合会", 0), ("特种设备安全管理员证", "市场监督管理局", 4),
    ("危险化学品作业证", "应急管理局", 3), ("环境管理体系内审员", "中国质量认证中心", 3),
    ("计量检定员证", "市场监督管理局", 5), ("驾驶证A2", "公安交通管理局", 6),
)


# -- scale -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How many of each thing a run draws."""

    employees: int
    departments: int
    positions: int
    competencies: int
    kpis: int
    certificates: int


def plan_scale(employees: int) -> Scale:
    """Counts derived from the number of employees (see the module docstring)."""
    n = max(1, employees)
    departments = max(5, round(n / 250))
    return Scale(
        employees=n,
        departments=departments,
        positions=max(round(n / 16.7), departments + 1),
        competencies=max(30, round(n / 25)),
        kpis=max(10, round(n / 50)),
        certificates=max(8, min(50, round(n / 200))),
    )


# -- organisation ----------------------------------------------------------------------------


@dataclass
class Dept:
    """A department while drawing."""

    id: str
    name: str
    parent: int  # index, -1 for the root
    level: int
    area: int
    head: int = -1  # index of the head position
    positions: list[int] = field(default_factory=list)


@dataclass
class Pos:
    """A position while drawing."""

    id: str
    title: str
    dept: int
    reports_to: int  # index, -1 for none
    grade: int
    category: str
    headcount: int
    weight: float
    is_key: bool = False


@dataclass
class Org:
    """The drawn organisation and the pools people are drawn from."""

    rng: random.Random
    scale: Scale
    depts: list[Dept] = field(default_factory=list)
    positions: list[Pos] = field(default_factory=list)
    comp_ids: list[str] = field(default_factory=list)
    comp_pool: list[list[int]] = field(default_factory=list)  # per area
    general: list[int] = field(default_factory=list)
    leadership: list[int] = field(default_factory=list)
    requirements: list[list[tuple[int, int, bool]]] = field(default_factory=list)
    cert_ids: list[str] = field(default_factory=list)
    cert_years: list[int] = field(default_factory=list)
    position_cert: dict[int, int] = field(default_factory=dict)


def department_name(org: Org, parent: int, level: int, area: int) -> str:
    """A unique, readable department name."""
    if level == 2:
        base = AREAS[area].name + "部"
        taken = {d.name for d in org.depts}
        if base not in taken:
            return base
        for region in REGIONS:
            if region + base not in taken:
                return region + base
        return f"{AREAS[area].name}{len(org.depts)}部"
    p = org.depts[parent]
    k = sum(1 for d in org.depts if d.parent == parent)
    if level == 3:
        ordinal = ORDINALS[k] if k < len(ORDINALS) else str(k + 1)
        return f"{p.name.removesuffix('部')}{ordinal}科"
    stem = STEMS[k] if k < len(STEMS) else str(k + 1)
    return f"{p.name}{stem}组"


def draw_departments(org: Org) -> None:
    """A tree: root, second-level departments (one area each), deeper units up to level 4."""
    rng, count = org.rng, org.scale.departments
    width = id_width(count, 2)
    org.depts.append(Dept(make_id("D", 1, width), "总经办", -1, 1, len(AREAS) - 1))
    second = min(count - 1, max(4, round(math.sqrt(count) * 1.4)))
    for i in range(second):
        area = i % len(AREAS) if i < len(AREAS) else rng.randrange(len(AREAS))
        name = department_name(org, 0, 2, area)
        org.depts.append(Dept(make_id("D", len(org.depts) + 1, width), name, 0, 2, area))
    while len(org.depts) < count:
        level2 = [i for i, d in enumerate(org.depts) if d.level == 2]
        level3 = [i for i, d in enumerate(org.depts) if d.level == 3]
        parent = rng.choice(level3 if level3 and rng.random() < 0.35 else level2)
        p = org.depts[parent]
        name = department_name(org, parent, p.level + 1, p.area)
        org.depts.append(Dept(make_id("D", len(org.depts) + 1, width), name, parent,
                              p.level + 1, p.area))


HEAD_GRADE: Final[dict[int, tuple[int, int]]] = {1: (12, 12), 2: (10, 11), 3: (8, 9), 4: (6, 7)}
HEAD_TITLE: Final[dict[int, str]] = {2: "经理", 3: "科长", 4: "组长"}


def add_position(org: Org, title: str, dept: int, reports_to: int, grade: int,
                 category: str, weight: float) -> int:
    """Append a position (id given later) and return its index."""
    org.positions.append(Pos("", title, dept, reports_to, grade, category, 1, weight))
    org.depts[dept].positions.append(len(org.positions) - 1)
    return len(org.positions) - 1


def draw_heads(org: Org) -> None:
    """One head per department, reporting to the parent department's head."""
    for i, d in enumerate(org.depts):
        low, high = HEAD_GRADE[d.level]
        title = "总经理" if d.level == 1 else d.name + HEAD_TITLE[d.level]
        boss = -1 if d.parent < 0 else org.depts[d.parent].head
        d.head = add_position(org, title, i, boss, org.rng.randint(low, high), "management", 0)


def unique_title(wanted: str, taken: set[str], prefixes: Sequence[str],
                 specialities: Sequence[str]) -> str:
    """``wanted`` with the first unused prefix, else with a speciality, else numbered."""
    candidates = [prefix + wanted for prefix in prefixes]
    candidates += [f"{wanted}（{s}）" for s in specialities]
    for title in candidates:
        if title not in taken:
            taken.add(title)
            return title
    n = 2
    while f"{wanted}{n}" in taken:
        n += 1
    taken.add(f"{wanted}{n}")
    return f"{wanted}{n}"


def seniority(grade: int, usual: int) -> tuple[str, ...]:
    """Title prefixes fitting a grade compared with the role's usual grade."""
    if grade > usual:
        return ("高级", "资深", "")
    if grade < usual:
        return ("初级", "助理", "")
    return ("", "资深", "助理")


def draw_staff(org: Org) -> None:
    """Team leads and staff positions, spread over the departments."""
    rng = org.rng
    extra = org.scale.positions - len(org.depts)
    weights = [0.3 if d.level == 1 else 1.0 + 0.5 * (d.level == 3) for d in org.depts]
    counts = [0] * len(org.depts)
    for dept in rng.choices(range(len(org.depts)), weights, k=max(0, extra)):
        counts[dept] += 1
    for i, d in enumerate(org.depts):
        area, head = AREAS[d.area], org.positions[d.head]
        taken = {head.title}
        leads = [add_position(org, unique_title(area.name + "主管", taken, ("", "副"),
                                                area.objects), i, d.head,
                              max(1, head.grade - 2), "management", 0)
                 for _ in range(counts[i] // 6)]
        for _ in range(counts[i] - len(leads)):
            role, category, weight, usual = rng.choices(area.roles,
                                                        [r[2] for r in area.roles])[0]
            boss = rng.choice([d.head, *leads])
            grade = max(1, min(org.positions[boss].grade - 1, usual + rng.randint(-1, 1)))
            title = unique_title(role, taken, seniority(grade, usual),
                                 rng.sample(area.objects, len(area.objects)))
            add_position(org, title, i, boss, grade, category, weight * rng.uniform(0.5, 1.5))


def number_positions(org: Org) -> None:
    """Ids in department order, so a department's positions are together."""
    order = [p for d in org.depts for p in d.positions]
    width = id_width(len(order), 3)
    for n, index in enumerate(order, 1):
        org.positions[index].id = make_id("P", n, width)


def set_headcounts(org: Org) -> None:
    """Heads and leads 1; the rest share about 106 % of the employees by weight."""
    staff = [p for p in org.positions if p.weight > 0]
    fixed = len(org.positions) - len(staff)  # staff is never empty: positions > departments
    target = math.ceil(org.scale.employees * 1.06)
    rest = max(len(staff), target - fixed)
    total = sum(p.weight for p in staff)
    for p in staff:
        p.headcount = max(1, math.floor(p.weight / total * rest))
    short = rest - sum(p.headcount for p in staff)
    ranked = sorted(staff, key=lambda p: -p.weight)
    for k in range(max(0, short)):
        ranked[k % len(ranked)].headcount += 1


def mark_key_positions(org: Org) -> None:
    """About 10 % key positions: department heads by level, then the most senior others."""
    wanted = max(1, round(len(org.positions) * 0.1))
    level = {i: org.depts[p.dept].level if org.depts[p.dept].head == i else 9
             for i, p in enumerate(org.positions)}
    ranked = sorted(range(len(org.positions)),
                    key=lambda i: (level[i], -org.positions[i].grade, org.positions[i].id))
    for i in ranked[:wanted]:
        org.positions[i].is_key = True


def draw_organisation(org: Org) -> None:
    """Departments and positions."""
    draw_departments(org)
    draw_heads(org)
    draw_staff(org)
    number_positions(org)
    set_headcounts(org)
    mark_key_positions(org)


def department_rows(org: Org) -> list[Row]:
    """departments.csv."""
    return [[d.id, d.name, org.depts[d.parent].id if d.parent >= 0 else "",
             f"{d.name}：{AREAS[d.area].process}相关工作"] for d in org.depts]


def position_rows(org: Org) -> list[Row]:
    """positions.csv."""
    rows = []
    for i, p in enumerate(org.positions):
        d = org.depts[p.dept]
        boss = org.positions[p.reports_to].id if p.reports_to >= 0 else ""
        what = f"全面负责{d.name}的管理工作" if d.head == i else f"{d.name}的{p.title}岗位"
        rows.append([p.id, p.title, d.id, boss, str(p.grade), p.category, str(p.headcount),
                     "true" if p.is_key else "false", what])
    return rows


# -- responsibilities ------------------------------------------------------------------------


def duty_slots(org: Org) -> list[int]:
    """Each position 5-10 times, shuffled: the duties it will hold."""
    slots = [i for i in range(len(org.positions)) for _ in range(org.rng.randint(5, 10))]
    org.rng.shuffle(slots)
    return slots


def share_duty(org: Org, position: int, owners: list[dict[int, str]],
               by_dept: list[list[int]]) -> None:
    """Give ``position`` a role in a duty someone else is accountable for."""
    rng = org.rng
    local = by_dept[org.positions[position].dept]
    for _ in range(8):
        pool = local if local and rng.random() < 0.75 else None
        duty = rng.choice(pool) if pool else rng.randrange(len(owners))
        if position not in owners[duty] and len(owners[duty]) < 3:
            owners[duty][position] = rng.choices("RCI", (45, 35, 20))[0]
            return


def draw_responsibilities(org: Org) -> tuple[list[Row], list[Row]]:
    """responsibilities.csv and position_responsibilities.csv."""
    rng = org.rng
    slots = duty_slots(org)
    count = max(round(org.scale.employees / 2.5), math.ceil(len(slots) / 2))
    primary = slots[:count] + [rng.randrange(len(org.positions))
                               for _ in range(count - len(slots[:count]))]
    owners: list[dict[int, str]] = [{p: "A"} for p in primary]
    by_dept: list[list[int]] = [[] for _ in org.depts]
    for duty, p in enumerate(primary):
        by_dept[org.positions[p].dept].append(duty)
    for p in slots[count:]:
        share_duty(org, p, owners, by_dept)
    width = id_width(count, 4)
    duties, links = [], []
    for duty, holders in enumerate(owners):
        rid = make_id("R", duty + 1, width)
        head = org.positions[primary[duty]]
        dept = org.depts[head.dept]
        area = AREAS[dept.area]
        name = rng.choice(area.objects) + rng.choice(ACTIONS)
        duties.append([rid, name, f"负责{dept.name}的{name}工作，{rng.choice(DETAILS)}",
                       area.process])
        for p, role in holders.items():
            links.append([org.positions[p].id, rid, role])
        if "R" not in holders.values():
            links.append([head.id, rid, "R"])
    return duties, links


# -- competencies and certificates ------------------------------------------------------------


def competency_names(org: Org) -> list[tuple[str, str, int]]:
    """(name, category, area or -1) for every competency, in id order."""
    rng = org.rng
    specific: list[tuple[str, str, int]] = []
    for a, area in enumerate(AREAS):
        specific += [(o + s, "专业技能", a) for o in area.objects for s in SKILL_SUFFIX]
        specific += [(o + s, "知识", a) for o in area.objects for s in KNOWLEDGE_SUFFIX]
    rng.shuffle(specific)
    common = [(n, "领导力", -1) for n in LEADERSHIP] + [(n, "通用能力", -1) for n in GENERAL]
    certs = [(c[0].removesuffix("证") + "资格", "证书能力", -1) for c in CERTIFICATES]
    wanted = org.scale.competencies
    chosen = common + certs[:max(0, min(len(certs), wanted // 20))]
    chosen += specific[:max(0, wanted - len(chosen))]
    n = 2
    while len(chosen) < wanted:  # very large sizes: numbered variants
        chosen += [(f"{name}（{n}）", cat, a) for name, cat, a in specific]
        n += 1
    return chosen[:wanted]


def draw_competencies(org: Org) -> list[Row]:
    """competencies.csv, and the pools requirements are drawn from."""
    names = competency_names(org)
    width = id_width(len(names), 3)
    org.comp_ids = [make_id("C", i + 1, width) for i in range(len(names))]
    org.comp_pool = [[] for _ in AREAS]
    rows = []
    for i, (name, category, area) in enumerate(names):
        if category == "领导力":
            org.leadership.append(i)
        elif area < 0:
            org.general.append(i)
        else:
            org.comp_pool[area].append(i)
        rows.append([org.comp_ids[i], name, category, f"{category}：{name}"])
    everything = org.general + [c for pool in org.comp_pool for c in pool]
    org.comp_pool = [pool or everything for pool in org.comp_pool]
    return rows


def draw_requirements(org: Org) -> list[Row]:
    """position_requirements.csv: 3-8 competencies per position."""
    rng, rows = org.rng, []
    for p in org.positions:
        pool = org.comp_pool[org.depts[p.dept].area]
        count = rng.randint(3, 8)
        picked = rng.sample(pool, min(len(pool), max(1, count - 2)))
        extra = org.leadership if p.category == "management" else org.general
        picked += [c for c in rng.sample(extra, min(2, len(extra))) if c not in picked]
        base = 1 + (p.grade - 1) * 4 // 11
        reqs = []
        for c in sorted(picked[:count]):
            level = max(1, min(5, base + rng.choice((-1, 0, 0, 1))))
            mandatory = rng.random() < 0.25
            reqs.append((c, level, mandatory))
            rows.append([p.id, org.comp_ids[c], str(level), str(rng.randint(1, 3)),
                         "true" if mandatory else "false"])
        org.requirements.append(reqs)
    return rows


def draw_certificates(org: Org) -> tuple[list[Row], list[Row]]:
    """certificates.csv and position_certificates.csv (about 12 % of hands-on positions)."""
    rng, count = org.rng, org.scale.certificates
    width = id_width(count, 2)
    rows = []
    for i in range(count):
        name, issuer, years = CERTIFICATES[i % len(CERTIFICATES)]
        if i >= len(CERTIFICATES):
            name = f"{name}（{i // len(CERTIFICATES) + 1}级）"
        org.cert_ids.append(make_id("CERT", i + 1, width))
        org.cert_years.append(years)
        rows.append([org.cert_ids[-1], name, issuer])
    links = []
    for i, p in enumerate(org.positions):
        if p.category in ("operations", "technical") and rng.random() < 0.12:
            org.position_cert[i] = rng.randrange(count)
            links.append([p.id, org.cert_ids[org.position_cert[i]]])
    return rows, links


# -- KPIs ------------------------------------------------------------------------------------

METRICS: Final[tuple[tuple[str, str, str, float, float, str], ...]] = (
    ("达成率", "%", "higher_is_better", 90, 100, "monthly"),
    ("及时率", "%", "higher_is_better", 90, 99, "monthly"),
    ("合格率", "%", "higher_is_better", 95, 99.5, "monthly"),
    ("差错率", "%", "lower_is_better", 0.5, 3, "monthly"),
    ("成本降低率", "%", "higher_is_better", 2, 8, "yearly"),
    ("处理周期", "天", "lower_is_better", 2, 15, "monthly"),
    ("异常次数", "次", "lower_is_better", 0, 5, "quarterly"),
    ("满意度", "分", "higher_is_better", 4, 4.8, "quarterly"),
    ("完成数量", "个", "higher_is_better", 5, 50, "quarterly"),
)


def draw_kpis(org: Org) -> tuple[list[Row], list[list[int]]]:
    """kpis.csv and the KPIs of each area."""
    rng, count = org.rng, org.scale.kpis
    width = id_width(count, 3)
    combos = [(a, o, m) for a, area in enumerate(AREAS) for o in area.objects for m in METRICS]
    rng.shuffle(combos)
    rows: list[Row] = []
    by_area: list[list[int]] = [[] for _ in AREAS]
    for i in range(count):
        a, obj, (metric, unit, direction, low, high, period) = combos[i % len(combos)]
        suffix = f"（{i // len(combos) + 1}）" if i >= len(combos) else ""
        digits = 1 if high < 10 and unit not in ("次", "个", "天") else 0
        target = round(rng.uniform(low, high), digits)
        rows.append([make_id("K", i + 1, width), obj + metric + suffix, unit, direction,
                     format_cell(float(target)), period])
        by_area[a].append(i)
    return rows, by_area


def split_hundred(rng: random.Random, parts: int) -> list[int]:
    """``parts`` weights, multiples of 5, each at least 10, summing to 100."""
    weights = [10] * parts
    for _ in range((100 - 10 * parts) // 5):
        weights[rng.randrange(parts)] += 5
    return weights


def draw_position_kpis(org: Org, kpi_rows: list[Row], by_area: list[list[int]]) -> list[Row]:
    """position_kpis.csv: 2-5 KPIs per position, weights summing to 100."""
    rng, rows = org.rng, []
    everything = list(range(len(kpi_rows)))
    for p in org.positions:
        pool = by_area[org.depts[p.dept].area] or everything
        picked = rng.sample(pool, min(len(pool), rng.randint(2, 5)))
        for k, w in zip(picked, split_hundred(rng, len(picked)), strict=True):
            rows.append([p.id, kpi_rows[k][0], str(w)])
    return rows


# -- people ----------------------------------------------------------------------------------

REFERENCE_DAY: Final[int] = date(2026, 1, 1).toordinal()
FIRST_HIRE: Final[int] = date(2010, 1, 4).toordinal()
LAST_HIRE: Final[int] = date(2025, 11, 28).toordinal()
WAGES: Final[tuple[int, ...]] = (3800, 3800, 4300, 5000, 5800, 6800, 8000, 9500, 12000, 15000,
                                 20000, 26000, 38000)
EDUCATION: Final[dict[str, tuple[tuple[str, ...], tuple[int, ...]]]] = {
    "operations": (("高中", "大专", "本科"), (45, 45, 10)),
    "technical": (("大专", "本科", "硕士", "博士"), (20, 55, 22, 3)),
    "support": (("大专", "本科", "硕士"), (30, 60, 10)),
    "management": (("大专", "本科", "硕士", "博士"), (10, 55, 32, 3)),
}


@dataclass
class People:
    """Per-employee columns (index = employee number - 1)."""

    ids: list[str] = field(default_factory=list)
    position: list[int] = field(default_factory=list)
    hire: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    past: dict[int, tuple[int, int, int]] = field(default_factory=dict)


class Days:
    """ISO text of day ordinals, cached (a few thousand distinct days)."""

    def __init__(self) -> None:
        self.cache: dict[int, str] = {}

    def __call__(self, ordinal: int) -> str:
        text = self.cache.get(ordinal)
        if text is None:
            text = self.cache[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


def seat_people(org: Org) -> People:
    """Fill every head position, then random vacancies elsewhere; ids follow position ids."""
    rng, n = org.rng, org.scale.employees
    heads = {d.head for d in org.depts}
    order = sorted(range(len(org.positions)), key=lambda i: org.positions[i].id)
    rank = {p: r for r, p in enumerate(order)}
    head_seats = [p for p in order if p in heads]
    others = [p for p in order for _ in range(org.positions[p].headcount - (p in heads))]
    rng.shuffle(others)
    seats = head_seats[:n] + others[:max(0, n - len(head_seats))]
    seats.sort(key=rank.__getitem__)
    width = id_width(len(seats), 4)
    people = People()
    people.ids = [make_id("E", i + 1, width) for i in range(len(seats))]
    people.position = seats
    return people


def draw_careers(org: Org, people: People) -> None:
    """Hire dates, and for a quarter of the long-serving a past, lower position."""
    rng = org.rng
    lower: list[list[int]] = [sorted(d.positions, key=lambda i: org.positions[i].grade)
                              for d in org.depts]
    cutoff = date(2022, 6, 30).toordinal()
    last_promotion = date(2025, 6, 30).toordinal()
    for e, pos in enumerate(people.position):
        p = org.positions[pos]
        latest = date(2021, 12, 31).toordinal() if p.grade >= 9 else LAST_HIRE
        hire = rng.randint(FIRST_HIRE, latest)
        start = hire
        if hire < cutoff and rng.random() < 0.25:
            below = [i for i in lower[p.dept]
                     if p.grade - 3 <= org.positions[i].grade < p.grade]
            if below:
                start = rng.randint(hire + 365, min(hire + 3650, last_promotion))
                people.past[e] = (rng.choice(below), hire, start - 1)
        people.hire.append(hire)
        people.start.append(start)


def employee_rows(org: Org, people: People, days: Days) -> tuple[list[Row], list[Row]]:
    """employees.csv and employee_positions.csv."""
    rng = org.rng
    rows, held = [], []
    for e, pos in enumerate(people.position):
        p = org.positions[pos]
        choices, weights = EDUCATION[p.category]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN)
                                                           if rng.random() < 0.6 else "")
        years = (REFERENCE_DAY - people.hire[e]) / 365.25 + rng.uniform(0, 6)
        rows.append([people.ids[e], name, days(people.hire[e]),
                     rng.choices(choices, weights)[0],
                     rng.choice(AREAS[org.depts[p.dept].area].majors),
                     format_cell(round(years, 1)),
                     rng.choices(("low", "medium", "high"), (25, 55, 20))[0],
                     rng.choices(("low", "medium", "high"), (55, 35, 10))[0]])
        held.append([people.ids[e], p.id, days(people.start[e]), ""])
        if e in people.past:
            before, since, until = people.past[e]
            held.append([people.ids[e], org.positions[before].id, days(since), days(until)])
    return rows, held


def competency_rows(org: Org, people: People, days: Days) -> list[Row]:
    """employee_competencies.csv: the position's requirements (levels near the required
    ones, about 1 % below a mandatory level) plus others, about 10 per employee."""
    rng, rows = org.rng, []
    first_assessment = date(2024, 1, 2).toordinal()
    last_assessment = date(2025, 12, 20).toordinal()
    for e, pos in enumerate(people.position):
        levels: dict[int, int] = {}
        for c, level, mandatory in org.requirements[pos]:
            if mandatory:
                level += 1 if rng.random() < 0.3 else -(rng.random() < 0.01)
            else:
                level += rng.choice((-1, 0, 0, 1))
            levels[c] = max(1, min(5, level))
        pool = org.comp_pool[org.depts[org.positions[pos].dept].area]
        wanted = rng.randint(7, 13)
        for _ in range(2 * wanted):
            if len(levels) >= wanted:
                break
            c = rng.choice(pool) if rng.random() < 0.7 else rng.choice(org.general)
            levels.setdefault(c, rng.randint(1, 4))
        low = max(people.hire[e] + 30, first_assessment)
        when = days(rng.randint(min(low, last_assessment), last_assessment))
        eid = people.ids[e]
        rows += [[eid, org.comp_ids[c], str(levels[c]), when] for c in sorted(levels)]
    return rows


def certificate_dates(org: Org, cert: int, hire: int, valid: bool,
                      days: Days) -> tuple[str, str]:
    """(obtained_on, expires_on); valid ones stay valid at least half a year past 2026-01-01."""
    rng, years = org.rng, org.cert_years[cert]
    if years == 0:
        return days(rng.randint(max(hire - 1095, FIRST_HIRE - 1825), LAST_HIRE - 30)), ""
    span = round(years * 365.25)
    if valid:
        obtained = rng.randint(REFERENCE_DAY - span + 180, LAST_HIRE - 30)
    else:
        obtained = rng.randint(REFERENCE_DAY - span - 700, REFERENCE_DAY - span - 30)
    return days(obtained), days(obtained + span - 1)


def employee_certificate_rows(org: Org, people: People, days: Days) -> list[Row]:
    """employee_certificates.csv: required certificates (97 % valid, 2 % expired, 1 %
    missing) and an optional one for about 10 % of employees."""
    rng, rows = org.rng, []
    count = len(org.cert_ids)
    for e, pos in enumerate(people.position):
        held: dict[int, bool] = {}
        need = org.position_cert.get(pos)
        if need is not None:
            draw = rng.random()
            if draw < 0.99:
                held[need] = draw < 0.97
        if rng.random() < 0.1:
            held.setdefault(rng.randrange(count), True)
        for cert in sorted(held):
            rows.append([people.ids[e], org.cert_ids[cert],
                         *certificate_dates(org, cert, people.hire[e], held[cert], days)])
    return rows


VIOLATIONS: Final[tuple[str, ...]] = ("late_signing", "probation_too_long", "low_probation_wage",
                                      "late_social_insurance", "wage_below_minimum")


def contract_values(rng: random.Random, hire: int, grade: int) -> list[int]:
    """[kind, start, end, probation, signed, wage, probation wage, insured] of a legal
    contract (kind: 0 fixed_term, 1 open_ended, 2 task_based; end 0 = none)."""
    start = hire
    if hire < date(2022, 1, 1).toordinal():
        kind, end, probation = 1, 0, rng.choice((0, 3, 6))
    elif rng.random() < 0.02:
        kind, probation = 2, 0
        end = start + rng.randint(120, 540)
    else:
        kind, probation = 0, rng.choice((3, 6))
        day = date.fromordinal(start)
        end = add_years(day, 3 if day.year >= 2024 else 5).toordinal()
    wage = round(WAGES[min(grade, len(WAGES) - 1)] * rng.uniform(0.92, 1.12) / 100) * 100
    pwage = probation_wage(wage, rng.choice((80, 85, 90, 100))) if probation else 0
    return [kind, start, end, probation, start + rng.randint(-7, 14), wage, pwage,
            start + rng.randint(0, 20)]


def break_contract(rng: random.Random, values: list[int]) -> None:
    """Make one labour-law rule fail (the few realistic exceptions)."""
    violation = rng.choice(VIOLATIONS)
    if violation == "late_signing":
        values[4] = values[1] + rng.randint(40, 90)
    elif violation == "probation_too_long":
        values[0], values[2] = 0, add_years(date.fromordinal(values[1]), 2).toordinal()
        values[3], values[6] = 3, probation_wage(values[5], 85)
    elif violation == "low_probation_wage" and values[3]:
        values[6] = probation_wage(values[5], 70)
    elif violation == "late_social_insurance":
        values[7] = values[1] + rng.randint(35, 75)
    else:
        values[5], values[3], values[6] = 2500, 0, 0


def contract_rows(org: Org, people: People, days: Days) -> list[Row]:
    """contracts.csv: one contract per employee, about 0.5 % breaking one rule."""
    rng, rows = org.rng, []
    kinds = ("fixed_term", "open_ended", "task_based")
    width = id_width(len(people.ids), 4)
    for e, pos in enumerate(people.position):
        values = contract_values(rng, people.hire[e], org.positions[pos].grade)
        if rng.random() < 0.005:
            break_contract(rng, values)
        kind, start, end, probation, signed, wage, pwage, insured = values
        rows.append([make_id("CT", e + 1, width), people.ids[e], kinds[kind], days(start),
                     days(end) if end else "", str(probation), days(signed), str(wage),
                     str(pwage) if probation else "", days(insured)])
    return rows


def review_rows(org: Org, people: People) -> list[Row]:
    """performance_reviews.csv: 2023-2025 for the years an employee worked (from October)."""
    rng, rows = org.rng, []
    cutoffs = [(str(y), date(y, 9, 30).toordinal()) for y in (2023, 2024, 2025)]
    for e, hire in enumerate(people.hire):
        for year, cutoff in cutoffs:
            if hire <= cutoff:
                rating = rng.choices((5, 4, 3, 2, 1), (6, 14, 70, 7, 3))[0]
                rows.append([people.ids[e], year, str(rating)])
    return rows


@dataclass
class Staffing:
    """Who sits where, for choosing successors."""

    by_dept: list[list[int]]
    by_position: list[list[int]]
    reports: list[list[int]]
    grade: list[int]


def staffing(org: Org, people: People) -> Staffing:
    """Employees per department and position, direct reports per position, grades."""
    s = Staffing([[] for _ in org.depts], [[] for _ in org.positions],
                 [[] for _ in org.positions], [])
    for e, pos in enumerate(people.position):
        s.by_dept[org.positions[pos].dept].append(e)
        s.by_position[pos].append(e)
        s.grade.append(org.positions[pos].grade)
    for i, p in enumerate(org.positions):
        if p.reports_to >= 0:
            s.reports[p.reports_to].append(i)
    return s


def successor_pool(org: Org, people: People, key: int, s: Staffing) -> list[int]:
    """The most senior people in the key position's department or reporting to it."""
    p = org.positions[key]
    pool = {e for e in s.by_dept[p.dept] if people.position[e] != key}
    pool.update(e for c in s.reports[key] for e in s.by_position[c])
    ranked = sorted(pool, key=lambda e: (-s.grade[e], e))
    return [e for e in ranked if s.grade[e] >= p.grade - 4][:12] or ranked[:3]


def nomination_rows(org: Org, people: People) -> list[Row]:
    """successor_nominations.csv: 0-3 nominees for each key position."""
    rng, rows = org.rng, []
    s = staffing(org, people)
    readiness = ("ready_now", "ready_1_2_years", "ready_3_plus_years")
    for i, p in enumerate(org.positions):
        if not p.is_key:
            continue
        pool = successor_pool(org, people, i, s)
        wanted = rng.choices((0, 1, 2, 3), (2, 3, 3, 2))[0]
        for e in rng.sample(pool, min(wanted, len(pool))):
            rows.append([people.ids[e], p.id, rng.choices(readiness, (30, 45, 25))[0]])
    return rows


# -- performance management ------------------------------------------------------------------

#: the year of the objectives, the KPI results (its quarters) and the feedback
PERFORMANCE_YEAR: Final[int] = 2025
QUARTERS: Final[tuple[tuple[str, int, int], ...]] = tuple(
    (f"{PERFORMANCE_YEAR}-Q{q}", date(PERFORMANCE_YEAR, 3 * q - 2, 1).toordinal(),
     (date(PERFORMANCE_YEAR + (q == 4), 1 if q == 4 else 3 * q + 1, 1).toordinal() - 1))
    for q in range(1, 5))
COMPANY_OBJECTIVES: Final[tuple[str, ...]] = ("营业收入增长", "产品质量提升", "运营效率提升")


def objective_rows(org: Org, kpi_rows: list[Row], by_area: list[list[int]]
                   ) -> tuple[list[Row], list[Row], list[Row]]:
    """objectives.csv, key_results.csv and kpi_key_results.csv: three company-wide
    objectives for the year; two per department, the first supporting its parent
    department's first (the top department's: a company-wide one), the second the first;
    2-3 key results per
    objective, each served by one KPI of the department's area (the company's by any)."""
    rng = org.rng
    year = str(PERFORMANCE_YEAR)
    width = id_width(len(COMPANY_OBJECTIVES) + 2 * len(org.depts), 4)
    objectives: list[Row] = []
    results: list[Row] = []
    serving: list[Row] = []
    firsts: dict[int, str] = {}  # department index -> its first objective
    everything = list(range(len(kpi_rows)))

    def add(title: str, dept: int, parent: str, pool: list[int]) -> str:
        oid = make_id("OBJ", len(objectives) + 1, width)
        weight = rng.choice((1, 1, 2, 3))
        objectives.append([oid, title, year, org.depts[dept].id if dept >= 0 else "", parent,
                           str(weight), ""])
        for k in rng.sample(pool, min(len(pool), rng.randint(2, 3))):
            kid, name, unit, direction, target = kpi_rows[k][:5]
            goal = float(target)
            worse = 1.1 if direction == "lower_is_better" else 0.9
            start = round(goal * worse, 2)
            current = round(start + (goal - start) * rng.uniform(0.2, 1.1), 2)
            krid = f"KR{len(results) + 1:05d}"
            results.append([krid, oid, name, unit, direction, format_cell(start),
                            format_cell(goal), format_cell(current), str(rng.choice((1, 1, 2)))])
            serving.append([kid, krid])
        return oid

    company = [add(title, -1, "", everything) for title in COMPANY_OBJECTIVES]
    for i, d in enumerate(org.depts):  # parents come before their children
        pool = by_area[d.area] or everything
        parent = firsts.get(d.parent) or company[i % len(company)]  # the top: company's
        firsts[i] = add(f"{d.name}年度重点目标", i, parent, pool)
        add(f"{d.name}能力建设", i, firsts[i], pool)
    return objectives, results, serving


def kpi_result_rows(org: Org, people: People, kpi_rows: list[Row],
                    position_kpis: list[Row]) -> list[Row]:
    """kpi_results.csv: for each quarter of the year an employee held their current position
    in, a result on each KPI of that position (the KPI's target ± 15 %; about 3 % missing it
    badly, at 40-69 % of it: KPI alerts; about 5 % with a personal target)."""
    rng, rows = org.rng, []
    targets = {r[0]: float(r[4]) for r in kpi_rows}
    lower = {r[0] for r in kpi_rows if r[3] == "lower_is_better"}
    of_position: dict[str, list[str]] = {}
    for position_id, kpi_id, _ in position_kpis:
        of_position.setdefault(position_id, []).append(kpi_id)
    uniform, random_ = rng.uniform, rng.random
    for e, pos in enumerate(people.position):
        eid, kpis = people.ids[e], of_position.get(org.positions[pos].id, [])
        for period, _, last in QUARTERS:
            if people.start[e] > last:
                continue
            for kid in kpis:
                target = targets[kid]
                actual = round(target * uniform(0.85, 1.15), 2)
                if random_() < 0.03:
                    miss = uniform(0.4, 0.69)
                    actual = round(target / miss if kid in lower else target * miss, 2)
                own = format_cell(round(target * uniform(0.9, 1.1), 2)) \
                    if random_() < 0.05 else ""
                rows.append([kid, eid, period, format_cell(actual), own])
    return rows


def feedback_rows(org: Org, people: People) -> list[Row]:
    """feedback.csv: each quarter, about three reviewers per employee: the manager (a holder
    of the position theirs reports to), a subordinate for those who have one, then peers of
    the department (self when there are none), all employed by the quarter's end."""
    rng, rows = org.rng, []
    s = staffing(org, people)
    for e, pos in enumerate(people.position):
        p, eid = org.positions[pos], people.ids[e]
        above = s.by_position[p.reports_to] if p.reports_to >= 0 else []
        below = [x for c in s.reports[pos] for x in s.by_position[c]]
        peers = s.by_dept[p.dept]
        for period, _, last in QUARTERS:
            if people.hire[e] > last:
                continue
            chosen: dict[int, str] = {}
            if above:
                chosen[rng.choice(above)] = "manager"
            if below:
                chosen.setdefault(rng.choice(below), "subordinate")
            for _ in range(6):
                if len(chosen) >= 3 or len(peers) < 2:
                    break
                peer = rng.choice(peers)
                if peer != e:
                    chosen.setdefault(peer, "peer")
            if len(chosen) < 3:
                chosen[e] = "self"
            for r, relation in chosen.items():
                if people.hire[r] <= last:
                    score = rng.choices((5, 4, 3, 2, 1), (10, 35, 45, 8, 2))[0]
                    rows.append([eid, people.ids[r], relation, period, str(score)])
    return rows


# -- entry point -----------------------------------------------------------------------------


def generate(out_dir: Path, employees: int, seed: int,
             progress: Callable[[str], None] | None = None,
             performance: bool = True) -> dict[str, int]:
    """Write a synthetic organisation of ``employees`` people into ``out_dir``.

    Returns the rows written per file (``{"departments.csv": 200, ...}``); ``progress`` is
    called once per file written. ``performance=False`` leaves out the performance files
    (objectives, key results, KPI results, feedback): the benchmarks of the other features
    measure the organisation they always did.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    org = Org(random.Random(seed), plan_scale(employees))
    written: dict[str, int] = {}

    def emit(table: str, rows: list[Row]) -> None:
        written[f"{table}.csv"] = write_table(out_dir, table, rows)
        if progress is not None:
            progress(f"{table}.csv: {len(rows):,} rows")

    draw_organisation(org)
    emit("departments", department_rows(org))
    emit("positions", position_rows(org))
    duties, links = draw_responsibilities(org)
    emit("responsibilities", duties)
    emit("position_responsibilities", links)
    emit("competencies", draw_competencies(org))
    emit("position_requirements", draw_requirements(org))
    certs, position_certs = draw_certificates(org)
    emit("certificates", certs)
    emit("position_certificates", position_certs)
    kpis, by_area = draw_kpis(org)
    emit("kpis", kpis)
    position_kpis = draw_position_kpis(org, kpis, by_area)
    emit("position_kpis", position_kpis)
    people, days = seat_people(org), Days()
    draw_careers(org, people)
    staff, held = employee_rows(org, people, days)
    emit("employees", staff)
    emit("employee_positions", held)
    emit("employee_competencies", competency_rows(org, people, days))
    emit("employee_certificates", employee_certificate_rows(org, people, days))
    emit("contracts", contract_rows(org, people, days))
    emit("performance_reviews", review_rows(org, people))
    emit("successor_nominations", nomination_rows(org, people))
    if not performance:  # the organisation alone (the benchmarks of the other features)
        return written
    # performance management last, so the files above stay as they were for a seed
    objectives, key_results, serving = objective_rows(org, kpis, by_area)
    emit("objectives", objectives)
    emit("key_results", key_results)
    emit("kpi_key_results", serving)
    emit("kpi_results", kpi_result_rows(org, people, kpis, position_kpis))
    emit("feedback", feedback_rows(org, people))
    return written
