"""Chinese and English for the trainer app: the page's words, scenario and lever names, help lines.

English is the source text: ``translator("zh")`` maps an English string to its Chinese (unknown
strings stay English, so a missing entry shows, never breaks). Scenario names come from
``results.names`` (shared with the results tables, figures and report; it imports no solara).
Levers take their description and unit from the schema (``scenarios.Levers``) and add the reform
they stand for. The language comes
from the browser's ``Accept-Language`` unless the user switches it (``language_of``).
``ChoiceSelect`` is a select whose items show readable names while its values stay codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from govlab.results import names  # the one source of scenario names and notes
from govlab.results.names import scenario_name
from govlab.scenarios import Levers, ResponseOffice

LANGUAGES = {"en": "English", "zh": "中文"}

LEVERS = {  # name: (English label, Chinese label, English reform, Chinese reform)
    "front_desk": ("front desk", "综合窗口", "one-window intake (一窗受理)", "一窗受理"),
    "approval": ("approval", "审批方式", "parallel approval (并联审批)", "并联审批"),
    "data_sharing": ("data sharing", "数据共享", "data sharing (数据共享)", "数据共享"),
    "handoff": ("hand-off", "材料流转", "run at most once (最多跑一次)", "最多跑一次"),
    "cross_district": (
        "cross-district service", "跨区办理", "served anywhere (跨域通办)", "跨域通办"
    ),
    "online_coverage": (
        "online coverage", "网上办理覆盖", "one-network service (一网通办)", "一网通办"
    ),
    "capacity_policy": ("capacity policy", "人员调配", "needs sensing (需求感知)", "需求感知"),
    "adjust_every_days": (
        "adjust every (days)", "调配周期（天）", "needs sensing (需求感知)", "需求感知"
    ),
    "adjust_lag_days": (
        "adjustment lag (days)", "调配滞后（天）", "needs sensing (需求感知)", "需求感知"
    ),
    "transparency": (
        "transparency", "透明度", "one-time notice, open government (一次告知, 政务公开)",
        "一次告知；政务公开",
    ),
    "platform_openness": (
        "platform openness", "平台开放度", "open platform (开放参与平台)", "开放参与平台"
    ),
    "coproduction": ("co-production", "合作生产", "co-production (共建共治)", "共建共治"),
    "privacy_protection": (
        "privacy protection", "隐私保护", "data protection (数据安全)", "数据安全"
    ),
    "sensing_quality": ("sensing quality", "感知质量", "data fusion (数据融合)", "数据融合"),
    "response_office.rule": (
        "office rule", "受理规则", "every request answered (接诉即办)", "接诉即办"
    ),
    "response_office.staff_per_10k_residents": (
        "office handlers (per 10,000 residents)",
        "接诉人员（每万居民）",
        "12345 hotline staffing",
        "12345 热线人员配置",
    ),
    "response_office.handling_hours": (
        "handling time (hours)", "处理时长（小时）", "12345 hotline", "12345 热线"
    ),
    "response_office.deadline_days": (
        "answer deadline (days)", "答复时限（天）", "time limit (接诉即办)", "接诉即办时限"
    ),
}  # fmt: skip
LEVER_HELP_EN = {  # what each lever does, with its unit, in words (the schema's are for files)
    "front_desk": "one pooled intake desk per district for every department; on or off",
    "approval": "the steps of a case one after another, or each as soon as the steps it waits "
    "for have ended",
    "data_sharing": "chance (0–1) that a paper issued by a department is fetched from the data "
    "hub instead of carried by the applicant",
    "handoff": "who moves the file between departments: the applicant or an electronic hand-off",
    "cross_district": "whether a resident away from home may be served in any district",
    "online_coverage": "chance (0–1) that a case that could be done online is offered online",
    "capacity_policy": "how the staff follow the demand the departments sense",
    "adjust_every_days": "how often staff are moved to where demand is; working days",
    "adjust_lag_days": "delay before moved staff start work; working days",
    "transparency": "complete notice of the papers needed, and open data; 0–1",
    "platform_openness": "participation platform: 0 closed … 3 open",
    "coproduction": "largest share of capacity added by enterprises and social organisations; 0–1",
    "privacy_protection": "share of the data hub's incident risk removed by protection; 0–1",
    "sensing_quality": "quality of the data behind needs sensing (1: exact); 0–1",
    "response_office.rule": "at discretion: each request is taken up or not, more often under "
    "collective pressure; every request: every request is queued and handled",
    "response_office.staff_per_10k_residents": "handlers of the response office (at least one); "
    "per 10,000 residents",
    "response_office.handling_hours": "mean handling time of a request (assumed); hours",
    "response_office.deadline_days": "a request counts as answered if its handling starts "
    "within this time; working days",
}
LEVER_HELP_ZH = {
    "front_desk": "每区一个综合窗口，所有部门统一受理",
    "approval": "审批环节依次进行（串联）或同时进行（并联）",
    "data_sharing": "部门出具的材料从数据平台调取而非由群众携带的概率（0–1）",
    "handoff": "部门之间由谁传递材料：群众或电子流转",
    "cross_district": "离开户籍地的居民能否在任一区办理",
    "online_coverage": "可网办事项实际提供网上办理的概率（0–1）",
    "capacity_policy": "人员编制如何随感知到的需求调整",
    "adjust_every_days": "多久按需求调配一次人员；工作日",
    "adjust_lag_days": "调配的人员开始工作前的滞后；工作日",
    "transparency": "一次性告知所需材料并公开数据；0–1",
    "platform_openness": "参与平台：0 关闭 … 3 开放；级",
    "coproduction": "企业和社会组织最多可增加的服务能力比例；0–1",
    "privacy_protection": "数据平台事件风险被保护措施消除的比例；0–1",
    "sensing_quality": "需求感知的数据融合质量（1：无噪声）；0–1",
    "response_office.rule": (
        "酌情受理：每条诉求以受理倾向（随集体压力上升）决定是否受理；接诉即办：每条诉求都排队处理"
    ),
    "response_office.staff_per_10k_residents": "接诉办的处理人员（至少一人）；每万居民",
    "response_office.handling_hours": "每条诉求的平均处理时间（指数分布，假设值）；小时",
    "response_office.deadline_days": "处理在此时限内开始即视为已答复；天",
}
CHOICES_ZH = {
    "sequential": "串联",
    "parallel": "并联",
    "applicant": "群众携带",
    "electronic": "电子流转",
    "home_only": "仅户籍地",
    "anywhere": "任一区（跨域通办）",
    "static": "固定",
    "proportional": "按需求比例",
    "sqrt": "按需求平方根",
    "discretionary": "酌情受理",
    "True": "开",
    "False": "关",
    "every_request": "接诉即办（每条必办）",
}
CHOICES_EN = {
    "discretionary": "at discretion",
    "True": "on",
    "False": "off",
    "home_only": "home district only",
    "anywhere": "anywhere",
    "sqrt": "square root",
    "every_request": "every request (接诉即办)",
}

ZH = {
    "govlab — silo and seamless government, side by side": "govlab — 条块分割与整体政府，并排对比",
    "levers of the right pane": "右侧政府的改革杠杆",
    "{scenario}; {n} lever(s) changed": "{scenario}；已改动 {n} 项",
    "undo changes": "撤销改动",
    "applying…": "正在应用…",
    "left government": "左侧政府",
    "right government": "右侧政府",
    "Play": "播放",
    "Pause": "暂停",
    "Step": "单步",
    "Reset": "重置",
    "Run": "运行",
    "seed": "随机种子",
    "speed (days/s)": "速度（天/秒）",
    "run to day": "运行到第几天",
    "pause at day": "在第几天暂停",
    "Set": "设定",
    "day {day}": "第 {day} 天",
    "replaying the link to day {day}…": "正在重放链接至第 {day} 天…",
    "replaying the stored run to its last day, {day}…": (
        "正在重放已存储的运行至其最后一天（第 {day} 天）…"
    ),
    "replay paused (Play resumes it)": "重放已暂停（点“播放”继续）",
    "govlab — the trainer is full": "govlab — 培训平台已满",
    (
        "{limit} sessions are open, the most this server runs at once. Please try again in a "
        "minute: a session frees its place when its tab is closed."
    ): (
        "已有 {limit} 个会话在运行，已达本服务器同时运行的上限。"
        "请一分钟后再试：会话的标签页关闭后即空出名额。"
    ),
    "Try again": "再试一次",
    "Side by side": "并排对比",
    "Journey & residents": "办事历程与居民",
    "Results": "实验结果",
    "About": "说明",
    "language": "语言",
    "projector": "投影模式",
    "full screen": "全屏",
    "levers": "杠杆",
    "no case completed yet": "尚无办结案件",
    "{n} cases done so far": "累计办结 {n} 件",
    "mean delay {value} days": "平均时长 {value} 天",
    "{value} trips per case": "每件跑动 {value} 次",
    "open cases {value}": "在办案件 {value}",
    "trust {value}": "信任 {value}",
    "+{n} lever change(s)": "+{n} 项改动",
    "service delay (days, cases completed in the last 10 days)": "办理时长（天，近 10 天办结案件）",
    "trips per case (cases completed in the last 10 days)": "每件跑动次数（近 10 天办结案件）",
    "working days": "工作日",
    "cases": "件数",
    "participation and trust": "参与率与信任",
    "share · score 0–1": "比例 · 评分 0–1",
    "{scenario} — day {day} · seed {seed}": "{scenario} — 第 {day} 天 · 随机种子 {seed}",
    "left: {left} · right: {right}": "左侧：{left} · 右侧：{right}",
    "levers that differ (left → right): {levers}": "两侧不同的杠杆（左 → 右）：{levers}",
    "levers that differ: none": "两侧不同的杠杆：无",
    "the right pane's lever changes: {levers}": "右侧的杠杆改动：{levers}",
    "made with govlab {version} · {link}": "由 govlab {version} 生成 · {link}",
    "mean": "平均",
    "p90": "90 分位",
    "trips per case": "每件跑动次数",
    "open cases by function": "各职能部门在办案件",
    "participation rate": "参与率",
    "trust (mean)": "信任（均值）",
    "working day": "工作日",
    "not modelled yet": "尚未建模",
    "Δ right − left": "Δ 右 − 左",
    "reform from day {day}: delay of the cases opened before {before}, since {since}": (
        "第 {day} 天起改革：此前受理案件的办理时长 {before}，此后 {since}"
    ),
    "delay (days)": "时长（天）",
    "trips": "跑动次数",
    "trust": "信任",
    "case type": "事项类型",
    "Follow the next case": "跟踪下一件",
    "the next applicant of this type in each government is followed from now on": (
        "从现在起跟踪两个政府中该类型的下一位申请人"
    ),
    "download CSV": "下载 CSV",
    "participation": "参与率",
    "waiting for the next case of this type to open": "等待该类型的下一件案件",
    "returned for a document": "因缺材料被退回",
    "the journey of one {case} case": "一件“{case}”的办事历程",
    (
        "days since the case opened — orange: waiting in a queue, grey: being served, "
        "dotted: a trip by the applicant, ×: returned for a missing document, "
        "▶: a step's inputs exist (ready)"
    ): (
        "自立案起的天数 — 橙色：排队等待，灰色：正在办理，虚线：申请人跑动一次，"
        "×：因缺材料被退回，▶：该环节所需材料已齐备"
    ),
    "PNG left": "左侧图 PNG",
    "PNG right": "右侧图 PNG",
    "link to this comparison": "本对比的链接",
    "city": "市级",
    "district {n}": "第 {n} 区",
    "data sharing {share}%": "数据共享 {share}%",
    "no data sharing": "无数据共享",
    "departments — node size = queue (total {total}), {links}": (
        "部门网络 — 节点大小 = 排队数（共 {total} 件），{links}"
    ),
    "resident network sample — {n} residents, {k} participating": (
        "居民网络抽样 — {n} 位居民，其中 {k} 位参与"
    ),
    "participating": "参与",
    "not participating": "未参与",
    "delay": "办理时长",
    "cases done in the last 10 days": "近 10 天办结的案件",
    "same cases": "同上案件",
    "open cases today": "今日在办案件",
    "by department function": "按职能部门",
    "share of residents · mean trust": "居民比例 · 平均信任",
    "{scenario}: no resident network": "{scenario}：无居民网络",
    "response office (接诉即办 / 12345)": "接诉办（接诉即办 / 12345）",
    "Stored experiments": "已存储的实验",
    "Refresh": "刷新",
    "experiment": "实验",
    "stored run": "已存储的运行",
    "Open in the live panes": "在并排对比中打开",
    "scenarios": "情景",
    "baseline": "基准",
    "replications": "重复次数",
    "days per run": "每次运行天数",
    "runs stored / done": "运行（已存储 / 已完成）",
    "point {n}": "设计点 {n}",
    "rep {n}": "第 {n} 次重复",
    "none": "无",
    "the results store could not be read: {problem}": "无法读取结果库：{problem}",
    "{name}: could not be read: {problem}": "{name}：无法读取：{problem}",
    "not recorded": "未记录",
    "No results are stored yet. Run a batch (`govlab batch ...`) and come back.": (
        "尚未存储结果。请先运行批量实验（`govlab batch ...`）。"
    ),
    (
        "{label}: scenario {scenario}, changes {overrides}, seed {seed} — opens beside "
        "its baseline run with the same seed"
    ): "{label}：情景 {scenario}，改动 {overrides}，随机种子 {seed} — 与同一种子的基准运行并排打开",
    (
        "This run was stored by another model version ({stored}; now {current}): the panes "
        "replay it with the current code, so the numbers may differ from the store's."
    ): (
        "该运行由另一版本的模型存储（{stored}；当前 {current}）："
        "此处按当前代码重放，数字可能与存储结果不同。"
    ),
}


def translator(lang: str) -> Callable[[str], str]:
    """``t(text)``: the text in ``lang`` (English is the source; unknown text stays English)."""
    if lang != "zh":
        return lambda text: text
    return lambda text: ZH.get(text, text)


def language_of(accept_language: str | None) -> str:
    """``"zh"`` when the browser prefers Chinese (before English), else ``"en"``."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"


def scenario_note(name: str, description: str, lang: str) -> str:
    """The scenario's one-line note (``results.names``; a user's file: its description)."""
    return names.scenario_note(name, description, lang)


def lever_label(name: str, lang: str) -> str:
    """A lever's readable name."""
    entry = LEVERS.get(name)
    if entry is None:
        return name.replace("_", " ")
    return entry[1] if lang == "zh" else entry[0]


def lever_help(name: str, lang: str) -> str:
    """A lever's (or ``response_office.<field>``'s) help line: what it does, its unit, and the
    reform it stands for (a control outside the tables: its schema description)."""
    table = LEVER_HELP_ZH if lang == "zh" else LEVER_HELP_EN
    description = table.get(name)
    if description is None:
        section, _, field = name.rpartition(".")
        fields = (
            ResponseOffice.model_fields if section == "response_office" else Levers.model_fields
        )
        description = fields[field].description or ""
    entry = LEVERS.get(name)
    reform = (entry[3] if lang == "zh" else entry[2]) if entry else ""
    return f"{description} — {reform}" if reform else description


def choice_label(value: Any, lang: str) -> str:
    """A readable name for a lever's choice, a switch's state or a plain value."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        if lang == "zh" and value in CHOICES_ZH:
            return CHOICES_ZH[value]
        return CHOICES_EN.get(value, value.replace("_", " "))
    return str(value)


FUNCTIONS_ZH = {
    "front_desk": "综合窗口",
    "market_regulation": "市场监管",
    "tax": "税务",
    "social_security": "社保",
    "public_security": "公安户籍",
    "housing_land": "住建国土",
    "civil_affairs": "民政",
    "health": "卫健",
    "planning": "规划",
    "community": "社区",
}


def function_label(function: str, lang: str) -> str:
    """A readable department-function name."""
    if lang == "zh" and function in FUNCTIONS_ZH:
        return FUNCTIONS_ZH[function]
    return function.replace("_", " ")


CASES_ZH = {
    "business_registration": "企业开办",
    "construction_permit": "工程建设许可",
    "operating_licence": "经营许可",
    "newborn_bundle": "出生“一件事”",
    "birth_registration": "出生登记",
    "residence_permit": "居住证",
    "social_assistance": "社会救助",
    "property_transfer": "不动产转移登记",
    "elderly_care_application": "养老服务申请",
    "neighbourhood_dispute": "邻里纠纷调解",
}


def case_label(name: str, lang: str) -> str:
    """A readable case-type name."""
    if lang == "zh" and name in CASES_ZH:
        return f"{CASES_ZH[name]}"
    return name.replace("_", " ")


@solara.component
def ChoiceSelect(
    label: str,
    values: list,
    value: Any,
    on_value: Callable[[Any], None],
    lang: str,
    kind: str = "choice",
    classes: list[str] | None = None,
    style: dict | None = None,
):
    """A select showing readable names (scenario, choice or plain) while its values stay codes."""
    name = {
        "scenario": scenario_name,
        "plain": lambda v, _: str(v),
        "language": lambda v, _: LANGUAGES.get(v, v),
        "case": case_label,
    }.get(kind, choice_label)
    items = [{"text": name(v, lang), "value": v} for v in values]

    def changed(new: Any) -> None:
        if new is not None and new != value:
            on_value(new)

    return solara.v.Select(
        label=label,
        items=items,
        v_model=value,
        on_v_model=changed,
        dense=True,
        hide_details=True,
        class_=" ".join(classes or []),
        style_=";".join(f"{k}:{v}" for k, v in (style or {}).items()),
    )
