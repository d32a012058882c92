"""What a download carries: the comparison it was taken from.

A pane's charts as PNG (``chart_png``) are titled with the pane's scenario, day and seed, and say
both scenarios, the levers in which the panes differ and the right pane's lever changes, in the
image and in the PNG's text chunks (``Title``, ``Description``, ``Scenarios``, ``Seed``, ``Day``,
``Levers that differ``, ``Link``). The shown series as CSV (``series_csv``) open with a header
block of ``# key: value`` lines saying the same (``pandas.read_csv(path, comment="#")`` reads
the table), and every row names its pane's scenario. Words in the page's language.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

from govlab import __version__
from govlab.scenarios import Levers
from govlab.viz import i18n
from govlab.viz.charts import EXPORT_DPI, Limits, export_figure
from govlab.viz.controls import OFFICE_CONTROLS
from govlab.viz.pair import Pair
from govlab.viz.session import control_value, override_key

CONTROLS = (*Levers.model_fields, *OFFICE_CONTROLS)
WRAP_CHARACTERS = 150  # a context line of the PNG wraps here (12 in at 11 pt)
LINE_SHARE = 0.021  # the height of one context line (11 pt) in a 10-in figure


def _value(value, lang: str) -> str:
    return f"{value:g}" if isinstance(value, float) else i18n.choice_label(value, lang)


@dataclass(frozen=True)
class ExportContext:
    """The comparison a download comes from, in words."""

    left: str  # display names
    right: str
    seed: int
    day: int
    differ: tuple[str, ...]  # "front desk: off → on", one per lever the panes set apart
    changes: tuple[str, ...]  # the right pane's lever changes: "front desk: on"
    link: str  # the query that reopens the comparison

    def lines(self, lang: str) -> list[str]:
        """What the download says under its title."""
        t = i18n.translator(lang)
        lines = [t("left: {left} · right: {right}").format(left=self.left, right=self.right)]
        if self.differ:
            lines.append(
                t("levers that differ (left → right): {levers}").format(
                    levers="; ".join(self.differ)
                )
            )
        else:
            lines.append(t("levers that differ: none"))
        if self.changes:
            lines.append(
                t("the right pane's lever changes: {levers}").format(levers="; ".join(self.changes))
            )
        return lines

    def metadata(self, title: str, lang: str) -> dict[str, str]:
        """The PNG's text chunks."""
        return {
            "Title": title,
            "Description": "\n".join(self.lines(lang)),
            "Scenarios": f"{self.left} | {self.right}",
            "Seed": str(self.seed),
            "Day": str(self.day),
            "Levers that differ": "; ".join(self.differ),
            "Link": self.link,
            "Software": f"govlab {__version__}",
        }


def export_context(pair: Pair, lang: str, link: str = "") -> ExportContext:
    """The context of ``pair`` now (call under its lock)."""
    left, right = pair.left, pair.right
    differ, changes = [], []
    for name in CONTROLS:
        a, b = control_value(left.shown_scenario, name), control_value(right.shown_scenario, name)
        label = i18n.lever_label(name, lang)
        if a != b:
            differ.append(f"{label}: {_value(a, lang)} → {_value(b, lang)}")
        if override_key(name) in right.spec.changes():
            changes.append(f"{label}: {_value(b, lang)}")
    return ExportContext(
        left=i18n.scenario_name(left.spec.scenario, lang),
        right=i18n.scenario_name(right.spec.scenario, lang),
        seed=pair.seed,
        day=pair.day,
        differ=tuple(differ),
        changes=tuple(changes),
        link=link,
    )


def chart_png(pair: Pair, side: str, colour: str, lang: str, link: str = "") -> bytes:
    """One pane's charts as a PNG that says what it shows (call under the pair's lock)."""
    t = i18n.translator(lang)
    pane = getattr(pair, side)
    context = export_context(pair, lang, link)
    figure = export_figure(pane, Limits.of(*pair.panes), colour, lang)
    title = t("{scenario} — day {day} · seed {seed}").format(
        scenario=i18n.scenario_name(pane.spec.scenario, lang), day=pair.day, seed=pair.seed
    )
    figure.suptitle(title, x=0.02, y=0.985, ha="left", fontsize=17, color=colour)
    wrapped = [
        part for line in context.lines(lang) for part in textwrap.wrap(line, WRAP_CHARACTERS)
    ]
    figure.text(0.02, 0.935, "\n".join(wrapped), ha="left", va="top", fontsize=11)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=EXPORT_DPI, metadata=context.metadata(title, lang))
    return buffer.getvalue()


def series_csv(pair: Pair, lang: str = "en", link: str = "") -> bytes:
    """The shown daily series of both panes as CSV (one row per pane and day), after a header
    block of ``# key: value`` lines naming the comparison (call under the pair's lock)."""
    context = export_context(pair, lang, link)
    block = [
        "govlab — the trainer's two panes, daily series",
        f"left: {context.left} ({pair.left.spec.scenario})",
        f"right: {context.right} ({pair.right.spec.scenario})",
        f"seed: {context.seed}",
        f"day: {context.day}",
        "levers that differ (left → right): " + ("; ".join(context.differ) or "none"),
        "right pane's lever changes: " + ("; ".join(context.changes) or "none"),
        f"link: {link}",
        "delay and trips: cases completed in the last 10 working days; open cases: today",
    ]
    lines = [f"# {line}" for line in block]
    lines.append(
        "pane,scenario,day,delay_mean_days,delay_p90_days,trips_per_case,"
        "open_cases,participation_rate,trust_mean"
    )
    for side, pane in zip(("left", "right"), pair.panes, strict=True):
        participation = pane.civic("participation_rate") or []
        trust = pane.civic("trust_mean") or []
        n = len(pane.days)
        for i, day in enumerate(pane.days):
            civic = [
                series[i - (n - len(series))] if i >= n - len(series) else float("nan")
                for series in (participation, trust)
            ]
            row = (side, pane.spec.scenario, day, pane.delay_mean[i], pane.delay_p90[i],
                   pane.trips[i], float(pane.backlog[i].sum()), *civic)  # fmt: skip
            lines.append(",".join(str(v) for v in row))
    return ("\n".join(lines) + "\n").encode()
