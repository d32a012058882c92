"""Display names in English and Chinese: scenarios, metrics (with units) and the words of the
results tables and figures — the one source for the results tab, the report and the trainer app.

Kept free of solara (``results`` must not import the app), the same way as ``results.palette``:
``viz.i18n`` reads the scenario names here, ``results.figures`` and ``results.report`` read the
metric names and words. English is the source text: ``words("zh")`` maps an English phrase to its
Chinese (unknown phrases stay English, so a missing entry shows, never breaks). In English the
report keeps its code names (``silo``, ``delay_mean_days``): ``scenario_label`` and
``metric_label`` change nothing unless the language is Chinese.
"""

from __future__ import annotations

from collections.abc import Callable

from govlab.results.metric_info import info

SCENARIOS = {  # name: (English, Chinese) — the names of the live panes
    "silo": ("S0 silo government", "S0 条块分割"),
    "front_desk": ("S1 front desk", "S1 一窗受理"),
    "data_sharing": ("S2 data sharing", "S2 数据共享"),
    "parallel": ("S3 parallel approval", "S3 并联审批"),
    "seamless": ("S4 seamless government", "S4 无缝隙政府 · 跨域通办"),
    "smart": ("S5 smart governance", "S5 智慧治理"),
    "reengineered": ("S3+ process re-engineering", "S3+ 流程再造"),
    "smart_unprotected": ("S5 without data protection", "S5 无隐私保护"),
    "smart_overloaded": ("S5 with an overloaded response office", "S5 接诉即办人手不足"),
}

METRICS_ZH = {  # metric: Chinese name (its unit comes from metric_info, translated by UNITS_ZH)
    "delay_mean_days": "平均办理时长",
    "delay_p50_days": "办理时长中位数",
    "delay_p90_days": "办理时长 90 分位",
    "delay_p99_days": "办理时长 99 分位",
    "wait_days_mean": "平均排队时间",
    "service_days_mean": "平均办理（服务）时间",
    "handoff_days_mean": "平均流转时间",
    "travel_days_mean": "平均路途时间",
    "rework_days_mean": "因缺材料返工的平均时间",
    "business_registration_days_mean": "企业开办平均时长",
    "trips_per_case": "每件跑动次数",
    "share_at_most_one_trip": "最多跑一次的比例",
    "share_zero_trips": "零跑动的比例",
    "documents_submitted_per_case": "每件提交材料数",
    "documents_resubmitted_per_case": "每件补交材料数",
    "handoffs_per_case": "每件部门间流转次数",
    "offices_per_case": "每件涉及办公室数",
    "returns_per_case": "每件因缺材料往返次数",
    "hub_retrievals_per_case": "每件从数据平台调取的材料数",
    "online_share": "网上办理比例",
    "refused_share": "被拒办比例（异地）",
    "refusals": "拒办件数",
    "utilisation_mean": "平均工作负荷率",
    "cases_completed": "办结件数",
    "cases_opened": "受理件数",
    "cases_open_at_end": "期末在办件数",
    "abandoned_cases": "放弃办理件数",
    "abandonment_share": "放弃办理比例",
    "reallocations": "人员调配次数",
    "participation_rate": "参与率",
    "participation_rate_final": "期末参与率",
    "trust_mean": "平均信任",
    "trust_mean_final": "期末平均信任",
    "trust_sd_final": "期末信任标准差",
    "satisfaction_mean": "平均满意度",
    "participation_drift_per_100_days": "参与率变化（每 100 天）",
    "trust_drift_per_100_days": "信任变化（每 100 天）",
    "efficacy_mean_final": "期末平均效能感",
    "requests": "诉求件数",
    "requests_per_resident_per_year": "每位居民每年诉求数",
    "complaints": "投诉件数",
    "response_rate": "诉求答复率",
    "office_backlog_days_final": "期末接诉办积压",
    "community_resolution_share": "社区自行解决比例",
    "coproduction_share": "合作生产比例",
    "coproducer_share": "合作生产者比例",
    "enterprise_participation_rate_final": "期末企业参与率",
    "enterprise_trust_mean": "企业平均信任",
    "enterprise_trust_mean_final": "期末企业平均信任",
    "enterprise_trust_drift_per_100_days": "企业信任变化（每 100 天）",
    "delay_gap_digital": "数字鸿沟：办理时长差",
    "delay_gap_digital_raw": "数字鸿沟：办理时长差（未调整）",
    "delay_gap_districts": "区际办理时长差",
    "delay_gini_districts": "区际办理时长基尼系数",
    "trips_gap_digital": "数字鸿沟：跑动次数差",
    "trips_gini_districts": "区际跑动次数基尼系数",
    "procedures_per_case": "每件办事环节数",
    "materials_per_case": "每件所需材料数",
    "staff_total": "人员总数",
    "cost_per_year": "年运行成本",
    "cost_build_yuan": "建设成本",
    "staff_needed": "所需人员",
    "staff_budget_raise": "人员编制增加",
    "staff_withdrawn": "撤回人员",
    "privacy_incidents": "隐私事件数",
    "privacy_incidents_per_10k_residents_per_year": "隐私事件（每万居民每年）",
    "privacy_trust_lost_per_resident": "隐私事件造成的人均信任损失",
    "privacy_incidents_per_10k_cases": "隐私事件（每万件）",
}

UNITS_ZH = {
    "working days": "工作日",
    "share": "比例",
    "count": "件数",
    "score 0–1": "评分 0–1",
    "per case": "每件",
    "Gini 0–1": "基尼系数 0–1",
    "staff-equivalents": "人（全时当量）",
    "trips per case": "次/件",
    "share per 100 days": "比例/100 天",
    "score per 100 days": "评分/100 天",
    "per resident-year": "每居民每年",
    "trips": "次",
    "procedures per case": "环节/件",
    "documents per case": "份/件",
    "yuan/year": "元/年",
    "yuan": "元",
    "servers": "台服务器",
    "per 10^4 resident-years": "每万居民年",
    "per 10^4 cases": "每万件",
}

WORDS_ZH = {  # the words of the comparison tables and the results figures
    "scenario": "情景",
    "mean [95% CI]": "均值 [95% 置信区间]",
    "paired Δ vs baseline [95% CI]": "与基准的配对差 Δ [95% 置信区间]",
    "Δ (percentage points)": "Δ（百分点）",
    "relative change [95% Fieller CI]": "相对变化 [95% Fieller 置信区间]",
    "p Holm": "p（Holm 校正）",
    "baseline": "基准",
    "pp": "个百分点",
    "unbounded": "无界",
    "fixed": "固定",
    "A design property (fixed by the levers): not tested.": (
        "设计属性（由改革杠杆决定）：不做检验。"
    ),
    "p: paired t-test; p Holm: Holm-adjusted within the family <i>{family}</i> of "
    "{m} metrics the runs report ({n} comparisons), whichever are shown: {members}.": (
        "p：配对 t 检验；p（Holm 校正）：在指标族 <i>{family}</i> 内校正，该族为运行报告的全部 "
        "{m} 项指标（{n} 项比较），无论显示哪些指标：{members}。"
    ),
    "{metric}: mean and 95% CI": "{metric}：均值与 95% 置信区间",
    "{metric} [{unit}]": "{metric} [{unit}]",
}


def words(lang: str) -> Callable[[str], str]:
    """``t(text)``: the phrase in ``lang`` (English is the source; unknown text stays English)."""
    if lang != "zh":
        return lambda text: text
    return lambda text: WORDS_ZH.get(text, text)


def scenario_name(name: str, lang: str) -> str:
    """A scenario's display name, as the live panes show it (the file name, underscores as
    spaces, when the catalogue has no label for it)."""
    pair = SCENARIOS.get(name)
    if pair is None:
        return name.replace("_", " ")
    return pair[1] if lang == "zh" else pair[0]


def scenario_label(name: str, lang: str) -> str:
    """A scenario in the results tables and figures: its code name in English (the report's,
    unchanged), its display name in Chinese."""
    return scenario_name(name, lang) if lang == "zh" else name


def metric_name(name: str, lang: str) -> str:
    """A metric's name: the code name in English, the Chinese name in Chinese (a dotted name
    ``by_case_type.x.delay_mean_days`` keeps its prefix; an unknown metric stays a code name)."""
    if lang != "zh":
        return name
    prefix, _, base = name.rpartition(".")
    chinese = METRICS_ZH.get(base)
    if chinese is None:
        return name
    return f"{chinese}（{prefix}）" if prefix else chinese


def unit_name(name: str, lang: str) -> str:
    """A metric's unit in ``lang``."""
    unit = info(name).unit
    return UNITS_ZH.get(unit, unit) if lang == "zh" else unit


def metric_label(name: str, lang: str) -> str:
    """A metric with its unit: ``delay_mean_days [working days]`` / ``平均办理时长 [工作日]``."""
    return words(lang)("{metric} [{unit}]").format(
        metric=metric_name(name, lang), unit=unit_name(name, lang)
    )
