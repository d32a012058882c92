"""Display names in English and Chinese: scenarios (with their one-line notes), metrics (with
units) and the words of the results tables and figures — the one source for the results tab, the
report and the trainer app.

Kept free of solara (``results`` must not import the app), the same way as ``results.palette``:
``viz.i18n`` reads the scenario names here, ``results.figures`` and ``results.report`` read the
metric names and words. English is the source text: ``words("zh")`` maps an English phrase to its
Chinese (unknown phrases stay English, so a missing entry shows, never breaks). No label shows a
code name in either language: a metric or scenario outside the tables shows its name with spaces
for underscores (the code names stay in the report's definitions table and in file names).
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

SCENARIO_NOTES = {  # name: (English, Chinese) — one line on what the scenario changes
    "silo": (
        "separate counters per department, papers carried by the applicant, approvals one after "
        "another, service only in the home district",
        "各部门分设窗口，材料由群众携带，串联审批，只能在户籍地办理",
    ),
    "front_desk": ("S0 + one pooled front desk per district", "S0 + 每区一个综合窗口（一窗受理）"),
    "data_sharing": (
        "S1 + data sharing (papers issued by a department are fetched from the data hub)",
        "S1 + 数据共享（部门出具的材料从数据平台调取）",
    ),
    "parallel": (
        "S2 + parallel approval + electronic hand-off",
        "S2 + 并联审批 + 电子流转",
    ),
    "seamless": (
        "S3 + service in any district + needs sensing that moves staff quickly",
        "S3 + 跨域通办 + 需求感知、快速调配人员",
    ),
    "smart": (
        "S4 + open participation platform + co-production + high transparency",
        "S4 + 开放参与平台 + 合作生产 + 高透明度",
    ),
    "smart_unprotected": (
        "S5 with no privacy protection on the data hub (the trust cost of unprotected data "
        "sharing)",
        "S5 但数据平台无隐私保护（不加保护共享数据的信任代价）",
    ),
    "smart_overloaded": (
        "S5 with an understaffed response office answering every request: participation rises, "
        "then falls",
        "S5，但接诉即办（12345）人手不足：参与先升后降",
    ),
    "reengineered": (
        "S3 + process re-engineering: bundled steps, certificates exempted, time limits met by "
        "28% more staff",
        "S3 + 流程再造：一件事一次办（环节合并）、免证办、承诺时限",
    ),
}

METRICS = {  # metric: (English, Chinese) — its unit comes from metric_info (UNITS_ZH in Chinese)
    "delay_mean_days": ("mean delay", "平均办理时长"),
    "delay_p50_days": ("median delay", "办理时长中位数"),
    "delay_p90_days": ("delay, 90th percentile", "办理时长 90 分位"),
    "delay_p99_days": ("delay, 99th percentile", "办理时长 99 分位"),
    "wait_days_mean": ("mean time queued", "平均排队时间"),
    "service_days_mean": ("mean time in service", "平均办理（服务）时间"),
    "handoff_days_mean": ("mean time in hand-offs", "平均流转时间"),
    "travel_days_mean": ("mean travel time", "平均路途时间"),
    "rework_days_mean": ("mean time lost to returns for papers", "因缺材料返工的平均时间"),
    "business_registration_days_mean": ("mean delay of business registration", "企业开办平均时长"),
    "trips_per_case": ("trips per case", "每件跑动次数"),
    "share_at_most_one_trip": ("share served in at most one trip", "最多跑一次的比例"),
    "share_zero_trips": ("share served with no trip", "零跑动的比例"),
    "documents_submitted_per_case": ("documents submitted per case", "每件提交材料数"),
    "documents_resubmitted_per_case": ("documents submitted again per case", "每件补交材料数"),
    "handoffs_per_case": ("hand-offs between departments per case", "每件部门间流转次数"),
    "offices_per_case": ("offices per case", "每件涉及办公室数"),
    "returns_per_case": ("returns for a missing paper per case", "每件因缺材料往返次数"),
    "hub_retrievals_per_case": (
        "documents fetched from the data hub per case",
        "每件从数据平台调取的材料数",
    ),
    "online_share": ("share served online", "网上办理比例"),
    "refused_share": ("share refused (outside home district)", "被拒办比例（异地）"),
    "refusals": ("cases refused", "拒办件数"),
    "utilisation_mean": ("mean staff utilisation", "平均工作负荷率"),
    "cases_completed": ("cases completed", "办结件数"),
    "cases_opened": ("cases opened", "受理件数"),
    "cases_open_at_end": ("cases open at the end", "期末在办件数"),
    "abandoned_cases": ("cases given up", "放弃办理件数"),
    "abandonment_share": ("share of cases given up", "放弃办理比例"),
    "reallocations": ("staff reallocations", "人员调配次数"),
    "participation_rate": ("participation rate", "参与率"),
    "participation_rate_final": ("participation rate at the end", "期末参与率"),
    "trust_mean": ("mean trust", "平均信任"),
    "trust_mean_final": ("mean trust at the end", "期末平均信任"),
    "trust_sd_final": ("spread of trust at the end (SD)", "期末信任标准差"),
    "satisfaction_mean": ("mean satisfaction", "平均满意度"),
    "participation_drift_per_100_days": (
        "change in participation (per 100 days)",
        "参与率变化（每 100 天）",
    ),
    "trust_drift_per_100_days": ("change in trust (per 100 days)", "信任变化（每 100 天）"),
    "efficacy_mean_final": ("mean efficacy at the end", "期末平均效能感"),
    "requests": ("requests", "诉求件数"),
    "requests_per_resident_per_year": ("requests per resident per year", "每位居民每年诉求数"),
    "complaints": ("complaints", "投诉件数"),
    "response_rate": ("share of requests answered", "诉求答复率"),
    "office_backlog_days_final": ("response office backlog at the end", "期末接诉办积压"),
    "community_resolution_share": ("share resolved by communities", "社区自行解决比例"),
    "coproduction_share": ("co-production share", "合作生产比例"),
    "coproducer_share": ("share of co-producers", "合作生产者比例"),
    "enterprise_participation_rate_final": (
        "enterprise participation at the end",
        "期末企业参与率",
    ),
    "enterprise_trust_mean": ("mean enterprise trust", "企业平均信任"),
    "enterprise_trust_mean_final": ("mean enterprise trust at the end", "期末企业平均信任"),
    "enterprise_trust_drift_per_100_days": (
        "change in enterprise trust (per 100 days)",
        "企业信任变化（每 100 天）",
    ),
    "delay_gap_digital": ("digital divide: delay gap", "数字鸿沟：办理时长差"),
    "delay_gap_digital_raw": (
        "digital divide: delay gap (unadjusted)",
        "数字鸿沟：办理时长差（未调整）",
    ),
    "delay_gap_districts": ("delay gap between districts", "区际办理时长差"),
    "delay_gini_districts": ("Gini of delay across districts", "区际办理时长基尼系数"),
    "trips_gap_digital": ("digital divide: trips gap", "数字鸿沟：跑动次数差"),
    "trips_gini_districts": ("Gini of trips across districts", "区际跑动次数基尼系数"),
    "procedures_per_case": ("procedures per case", "每件办事环节数"),
    "materials_per_case": ("materials required per case", "每件所需材料数"),
    "staff_total": ("total staff", "人员总数"),
    "cost_per_year": ("running cost per year", "年运行成本"),
    "district_days_switched_share": ("share of district-days reformed", "已改革的区日比例"),
    "cost_build_yuan": ("build cost", "建设成本"),
    "staff_needed": ("staff needed", "所需人员"),
    "staff_budget_raise": ("staff budget raise", "人员编制增加"),
    "staff_withdrawn": ("staff withdrawn", "撤回人员"),
    "privacy_incidents": ("privacy incidents", "隐私事件数"),
    "privacy_incidents_per_10k_residents_per_year": (
        "privacy incidents (per 10,000 residents a year)",
        "隐私事件（每万居民每年）",
    ),
    "privacy_trust_lost_per_resident": (
        "trust lost to privacy incidents per resident",
        "隐私事件造成的人均信任损失",
    ),
    "privacy_incidents_per_10k_cases": (
        "privacy incidents (per 10,000 cases)",
        "隐私事件（每万件）",
    ),
}
METRICS_EN = {name: pair[0] for name, pair in METRICS.items()}
METRICS_ZH = {name: pair[1] for name, pair in METRICS.items()}

FAMILIES = {  # the families of metrics within which p-values are Holm-adjusted
    "burden": ("burden on the applicant", "办事负担"),
    "capacity": ("capacity", "服务能力"),
    "civic": ("civic response", "公众反应"),
    "delay": ("delay", "办理时长"),
    "design": ("design", "设计属性"),
    "diagnostic": ("diagnostics", "诊断指标"),
    "equity": ("equity", "公平"),
    "risk": ("risk", "风险"),
    "other": ("other", "其他"),
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
    # a calibration (results.calibration_report, results.calibration_figures)
    "Calibration": "校准",
    "Fitted by ABC-SMC to the before figures of {place}: {simulations} simulations in "
    "{generations} generations (final tolerance {eps} standard errors), then a posterior "
    "ensemble of {points} points with {replications} seeds each.": (
        "以 ABC-SMC 拟合 {place} 改革前的公开数据：{generations} 代共 {simulations} 次模拟"
        "（最终容差 {eps} 个标准误），再以后验集合的 {points} 个参数点、每点 {replications} "
        "个随机种子运行。"
    ),
    "Fit to the observed figures": "与观测数据的拟合",
    "figure": "数据项",
    "metric": "指标",
    "observed [90% interval]": "观测值 [90% 区间]",
    "predicted [90% interval]": "预测值 [90% 区间]",
    "status": "状态",
    "fits": "吻合",
    "misses": "未吻合",
    "unreachable": "模型无法达到",
    "design": "设计属性",
    "{fits} of {fitted} fitted figures inside their predicted 90% interval; "
    "{unreachable} out of the model's reach (left out of the fit, shown here); "
    "{design} design properties (fixed by the catalogue, not fitted).": (
        "参与拟合的 {fitted} 项中 {fits} 项落在预测的 90% 区间内；{unreachable} 项超出模型"
        "所能达到的范围（未参与拟合，在此列出）；{design} 项为设计属性（由事项目录决定，不拟合）。"
    ),
    "Predicted: the posterior ensemble's runs plus each figure's measurement error "
    "(what would be observed).": (
        "预测值：后验集合的模拟结果加上该数据项的测量误差（即可能观测到的值）。"
    ),
    "Posterior of the parameters": "参数的后验分布",
    "parameter": "参数",
    "prior (uniform)": "先验（均匀分布）",
    "posterior median [90% interval]": "后验中位数 [90% 区间]",
    "Predicted reform effects": "改革效果预测",
    "reform": "改革",
    "change vs baseline [90% interval]": "相对基准的变化 [90% 区间]",
    "Each posterior point runs the reform and the baseline with the same seeds: the "
    "change is paired.": "每个后验参数点以相同随机种子运行改革与基准：变化为配对差。",
    "No reform predicted yet (govlab predict).": "尚未预测任何改革（govlab predict）。",
    "Observed after the reform vs predicted (out of sample)": "改革后观测值与预测值（样本外检验）",
    "No observed after figure for these reforms.": "这些改革没有改革后的观测数据。",
    "coverage": "覆盖",
    "covered": "在区间内",
    "not covered": "不在区间内",
    "{covered} of {judged} observed after figures inside the predicted 90% interval.": (
        "{judged} 项改革后观测数据中有 {covered} 项落在预测的 90% 区间内。"
    ),
    "posterior density (dotted: prior)": "后验密度（虚线：先验）",
    "value / observed value (black: observed 90%; colour: predicted 90%)": (
        "数值 / 观测值（黑：观测 90% 区间；彩色：预测 90% 区间）"
    ),
    "posterior predictive": "后验预测",
    "predicted 'after' vs observed": "改革后：预测与观测",
    "Posterior of each parameter (dotted: the prior)": "各参数的后验分布（虚线：先验）",
    "Posterior, parameters in pairs": "后验分布（参数两两组合）",
    "Observed figures (black) and the posterior predictive (colour)": (
        "观测数据（黑）与后验预测（彩色）"
    ),
    "Observed after the reform (black) and predicted (colour)": "改革后观测（黑）与预测（彩色）",
}

PARAMETERS_ZH = {  # a calibrated or swept parameter's field in Chinese (English: the field name)
    "p_missing_document": "缺材料概率",
    "visit_gap_days": "两次到访间隔（天）",
    "service_time_scale": "办理时间倍数",
    "warmup_days": "预热天数",
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


def scenario_note(name: str, description: str, lang: str) -> str:
    """A scenario's one-line note in ``lang`` (a scenario outside the table: its file's
    ``description``)."""
    pair = SCENARIO_NOTES.get(name)
    if pair is None:
        return description
    return pair[1] if lang == "zh" else pair[0]


def scenario_label(name: str, lang: str) -> str:
    """A scenario (or a "name #point" label) in the results tables and figures: its display
    name in ``lang``."""
    base, hash_, point = name.partition(" #")
    return scenario_name(base, lang) + (f" #{point}" if hash_ else "")


def metric_name(name: str, lang: str) -> str:
    """A metric's readable name in ``lang`` (a dotted name ``by_case_type.x.delay_mean_days``
    names its group in brackets; an unknown metric shows its name with spaces for
    underscores)."""
    prefix, _, base = name.rpartition(".")
    pair = METRICS.get(base)
    if pair is None:
        return name.replace("_", " ")
    text = pair[1] if lang == "zh" else pair[0]
    if not prefix:
        return text
    group = prefix.rpartition(".")[2].replace("_", " ")
    return f"{text}（{group}）" if lang == "zh" else f"{text} ({group})"


def parameter_name(key: str, lang: str = "en") -> str:
    """A swept parameter (``levers.data_sharing``, ``world.p_missing_document``) in words: its
    field name with spaces (the scenario file's section is left out); in Chinese from
    ``PARAMETERS_ZH`` where it has the field."""
    field = key.rpartition(".")[2]
    if lang == "zh" and field in PARAMETERS_ZH:
        return PARAMETERS_ZH[field]
    return field.replace("_", " ")


def family_name(family: str, lang: str) -> str:
    """A family of metrics in ``lang``."""
    pair = FAMILIES.get(family)
    if pair is None:
        return family.replace("_", " ")
    return pair[1] if lang == "zh" else pair[0]


def unit_name(name: str, lang: str) -> str:
    """A metric's unit in ``lang``."""
    unit = info(name).unit
    return UNITS_ZH.get(unit, unit) if lang == "zh" else unit


def metric_label(name: str, lang: str) -> str:
    """A metric with its unit: ``delay_mean_days [working days]`` / ``平均办理时长 [工作日]``."""
    return words(lang)("{metric} [{unit}]").format(
        metric=metric_name(name, lang), unit=unit_name(name, lang)
    )
