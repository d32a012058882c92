"""The "About" tab, like NetLogo's Info tab: what the model does, the ladder of scenarios, what
each chart means, and where the key numbers come from — in English and Chinese."""

from __future__ import annotations

import html

import solara

from govlab.scenarios import load_scenario, shipped_scenarios
from govlab.viz import i18n

ABOUT = {
    "en": {
        "what": (
            "What the model does",
            "A city of residents and enterprises applies to departments for services (business "
            "registration, permits, birth, social assistance, property). Each department is one "
            "function in one district (条 × 块) with its own staff and FIFO queue. A case follows "
            "its route of steps; every step can cost the applicant a trip, a wait, a hand-off or "
            "a return for a missing paper. Reforms change the organisation — one front desk, "
            "shared data, parallel approval, electronic hand-off, service in any district — never "
            "the results directly: delay and trips come out of the queues. People judge the "
            "service they got (expectation disconfirmation), trust follows, and trust and "
            "efficacy decide who takes part on the platform.",
        ),
        "ladder": ("The ladder of scenarios", ""),
        "charts": (
            "What the charts show",
            "delay: mean and 90th percentile of the days from application to completion, over "
            "the cases completed in the last 10 working days. trips: physical visits per case, "
            "same cases. open cases: cases waiting in a queue or being served at a department "
            "today, stacked by department function (cases travelling between offices or sent "
            "back for a paper are open but not counted here); the headline 'open cases' is the "
            "same number. participation and trust: the share of residents taking part on the "
            "platform, and their mean trust in government (0-1). The strip Δ right − left "
            "compares the panes on the same seed (paired): green where the right government does "
            "better. One step is one working day; both panes meet the same random luck.",
        ),
        "sources": (
            "Where the key numbers come from",
            "Queueing: M/M/c waiting times (Erlang C) and pooling of counters (the front desk), "
            "checked against theory in the test suite. Satisfaction and trust: the expectancy-"
            "disconfirmation model (Oliver 1980; Van Ryzin 2004). Participation: threshold "
            "models of collective action (Granovetter 1978) and Verba's resources. Response "
            "to requests: about one in three answered at baseline (Chen, Pan & Xu 2016). "
            "Reforms: 一窗受理, 并联审批, 跨域通办, 数据共享, 最多跑一次 as in the Chinese "
            "'Internet + government services' programme. The numbers of the world (sizes, rates, "
            "service times) are documented defaults in scenarios/schema.py, each with its unit.",
        ),
    },
    "zh": {
        "what": (
            "模型做什么",
            "城市中的居民和企业向各部门申请办事（企业开办、许可、出生、社会救助、不动产）。每个部门是"
            "一个区的一个职能（条 × 块），有自己的工作人员和先到先办的队列。一件案件按办理环节依次"
            "流转；每个环节都可能让申请人跑一次、排队、转交材料或因缺材料被退回。改革改变的是组织方式"
            "——一窗受理、数据共享、并联审批、电子流转、跨域通办——而不是直接改变结果：时长和跑动"
            "次数由排队过程产生。人们评价自己得到的服务（期望不一致模型），信任随之变化，信任和效能感"
            "决定谁在平台上参与。",
        ),
        "ladder": ("改革阶梯", ""),
        "charts": (
            "图表的含义",
            "时长：近 10 个工作日办结案件从申请到办结的平均天数和 90 分位数。跑动次数：每件案件的"
            "实地跑动次数。在办案件：今天在各部门排队或正在办理的案件，按职能堆叠（在部门之间途中或"
            "因缺材料退回的案件不计入）；标题中的“在办案件”是同一个数。参与率与信任：在平台上参与的"
            "居民比例，以及对政府的平均信任（0–1）。“Δ 右 − 左”在同一随机种子下对比两侧（配对）："
            "绿色表示右侧政府更好。一步为一个工作日；两侧遇到相同的随机运气。",
        ),
        "sources": (
            "关键数字的来源",
            "排队：M/M/c 等待时间（Erlang C）与窗口合并（综合窗口），测试中与理论对照。"
            "满意度与信任："
            "期望不一致模型（Oliver 1980；Van Ryzin 2004）。参与：集体行动的阈值模型（Granovetter "
            "1978）与 Verba 的资源模型。诉求回应：基线约三分之一得到回应（Chen, Pan & Xu 2016）。"
            "改革：一窗受理、并联审批、跨域通办、数据共享、最多跑一次，源自“互联网 + 政务服务”。"
            "世界参数（规模、到达率、办理时间）在 scenarios/schema.py 中有带单位的默认值。",
        ),
    },
}


def ladder_html(lang: str) -> str:
    """The shipped scenarios in ladder order, each with its one-line description."""
    rows = []
    for name in shipped_scenarios():
        scenario = load_scenario(name)
        note = i18n.scenario_note(name, scenario.description, lang)
        rows.append(
            f"<tr><th style='text-align:left;padding:2px 12px 2px 0'>"
            f"{html.escape(i18n.scenario_name(name, lang))}</th>"
            f"<td style='padding:2px 0'>{html.escape(note)}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def about_html(lang: str) -> str:
    """The whole About text as HTML."""
    text = ABOUT["zh" if lang == "zh" else "en"]
    parts = []
    for key in ("what", "ladder", "charts", "sources"):
        title, body = text[key]
        parts.append(f"<h3>{html.escape(title)}</h3>")
        parts.append(ladder_html(lang) if key == "ladder" else f"<p>{html.escape(body)}</p>")
    return "".join(parts)


@solara.component
def AboutPage(lang: str = "en") -> None:
    """The About tab."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=about_html(lang),
        classes=["govlab-about"],
        style="max-width: 60em",
    )
