"""The journey of one case: its trace turned into a timeline of trips, queues, service, hand-offs
and returns, drawn for the two governments on one shared time axis.

A trace (``model.journeys.traces``) is a list of ``(day, event, station)``. Between ``arrive`` and
``start`` the case waits in a queue; between ``start`` and ``finish`` it is served; ``trip`` is a
visit made by the applicant; ``return`` sends the applicant away for a missing document;
``ready`` marks where and when a step's inputs exist (its predecessors in the case's precedence
graph have ended), so a step that waits for a document shows a gap between the step that issues
it and its own ``ready``. An arrow joins the end of the step whose ending released a step (the
last of its inputs, on the critical path) to that step's ``ready``: the precedence edges the case
actually waited on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.figure import Figure

from govlab.viz.charts import DPI, LEFT_COLOUR, RIGHT_COLOUR
from govlab.viz.i18n import FUNCTIONS_ZH, case_label, translator

WAIT_COLOUR, SERVICE_COLOUR = "#f5b041", "#5d6d7e"
JOURNEY_KEY = (
    "days since the case opened — orange: waiting in a queue, grey: being served, "
    "dotted: a trip by the applicant, ×: returned for a missing document, "
    "▶: a step's inputs exist (ready)"
)
# the arrows' key, translated here (kept out of viz.i18n's table, which the key above uses)
RELEASE_KEY = {
    "en": "\narrow: from the step whose end made a step ready (the input it waited for last)",
    "zh": "\n箭头：从使其就绪的前一环节（最后齐备的材料）指向该环节",
}

JOURNEY_DPI = 2 * DPI  # the image is shown full width: at 144 dpi its text stays sharp


@dataclass
class Timeline:
    """One case's journey as drawable pieces (times in days since the case opened)."""

    rows: list[str] = field(default_factory=list)  # office labels, in order of first visit
    waits: list[tuple[int, float, float]] = field(default_factory=list)  # (row, start, end)
    services: list[tuple[int, float, float]] = field(default_factory=list)
    trips: list[float] = field(default_factory=list)
    returns: list[tuple[int, float]] = field(default_factory=list)
    ready: list[tuple[int, float]] = field(default_factory=list)  # (row, time inputs exist)
    # (row of the step that ended, row of the step it released, time): a precedence edge
    released: list[tuple[int, int, float]] = field(default_factory=list)
    handoffs: int = 0
    end: float | None = None  # days from open to completion (None while open)
    last: float = 0.0  # time of the latest event

    def summary(self, lang: str = "en") -> str:
        """One line: duration, trips, offices, hand-offs, returns."""
        if lang == "zh":
            state = f"{self.end:.1f} 天办结" if self.end is not None else "办理中"
            return (
                f"{state} · 跑动 {len(self.trips)} 次 · {len(self.rows)} 个窗口/后台 · "
                f"流转 {self.handoffs} 次 · 退回 {len(self.returns)} 次"
            )
        state = f"done in {self.end:.1f} days" if self.end is not None else "in progress"
        return " · ".join((
            state, counted(len(self.trips), "trip"),
            counted(len(self.rows), "counter/back office", "counters/back offices"),
            counted(self.handoffs, "hand-off"), counted(len(self.returns), "return"),
        ))  # fmt: skip


def counted(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the word in the number it takes: 1 trip, 2 trips, 0 trips."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def station_labels(layout, lang: str = "en") -> dict[int, str]:
    """A short label per station index: function, district and counter/back office."""
    zh = lang == "zh"
    counter, back = ("窗口", "后台") if zh else ("counter", "back office")
    labels = {}
    for office in layout.offices:
        if zh:
            where = "市级" if office.district is None else f"{office.district}区"
            name = FUNCTIONS_ZH.get(office.function, office.function)
        else:
            where = "city" if office.district is None else f"d{office.district}"
            name = office.function.replace("_", " ")
        labels[office.counter] = f"{name} {where} · {counter}"
        if office.backoffice is not None:
            labels[office.backoffice] = f"{name} {where} · {back}"
    return labels


def timeline(trace: list[tuple[float, str, int]], labels: dict[int, str]) -> Timeline:
    """Turn a trace into a ``Timeline``."""
    result = Timeline()
    if not trace:
        return result
    origin = trace[0][0]
    arrived: dict[int, float] = {}
    started: dict[int, list[float]] = {}
    previous_office = None
    ended: tuple[float, int] | None = None  # (time, row) of the latest service end
    for day, event, station in trace:
        t = day - origin
        result.last = t
        if event == "trip":
            result.trips.append(t)
            continue
        if event == "complete":
            result.end = t
            continue
        if station < 0:  # "open": no office yet
            continue
        label = labels.get(station, f"station {station}")
        office = label.split(" · ")[0]
        if label not in result.rows:
            result.rows.append(label)
        row = result.rows.index(label)
        if event == "ready":
            result.ready.append((row, t))
            if ended is not None and ended[0] == t:  # released by the step that just ended
                result.released.append((ended[1], row, t))
        elif event == "arrive":
            arrived[station] = t
            if previous_office is not None and office != previous_office:
                result.handoffs += 1
            previous_office = office
        elif event == "start":
            if station in arrived:
                result.waits.append((row, arrived.pop(station), t))
            started.setdefault(station, []).append(t)
        elif event == "finish" and started.get(station):
            result.services.append((row, started[station].pop(0), t))
            ended = (t, row)
        elif event == "return":
            result.returns.append((row, t))
    return result


def draw_journeys(
    journeys: list[tuple[str, Timeline | None]],
    case_name: str,
    lang: str = "en",
    colours: tuple[str, str] = (LEFT_COLOUR, RIGHT_COLOUR),
) -> Figure:
    """The followed case in each government, one panel each, on a shared time axis."""
    tr = translator(lang)
    heights = [max(2, len(tl.rows) if tl else 2) for _, tl in journeys]
    figure = Figure(figsize=(12.8, 1.4 + 0.34 * sum(heights)), dpi=JOURNEY_DPI)
    grid = figure.add_gridspec(len(journeys), 1, height_ratios=heights, left=0.2, right=0.98)
    grid.update(hspace=0.6, top=0.88, bottom=0.12)
    span = max([1.0] + [(tl.end or tl.last) for _, tl in journeys if tl])
    axes = []
    for index, ((title, tl), colour) in enumerate(zip(journeys, colours, strict=False)):
        ax = figure.add_subplot(grid[index, 0], sharex=axes[0] if axes else None)
        axes.append(ax)
        if tl is None:
            ax.text(
                0.02,
                0.5,
                tr("waiting for the next case of this type to open"),
                transform=ax.transAxes,
                va="center",
                color="#777777",
            )
            ax.set_yticks([])
            ax.set_title(title, loc="left", fontsize=12, color=colour)
            continue
        for row, start, end in tl.waits:
            ax.barh(row, end - start, left=start, height=0.5, color=WAIT_COLOUR, lw=0)
        for row, start, end in tl.services:
            ax.barh(row, max(end - start, span / 400), left=start, height=0.5, color=SERVICE_COLOUR)
        for t in tl.trips:
            ax.axvline(t, color=colour, alpha=0.5, lw=1, ls=":")
        if tl.returns:
            ax.scatter(
                [t for _, t in tl.returns],
                [r for r, _ in tl.returns],
                marker="x",
                color="#c0392b",
                zorder=3,
                label=tr("returned for a document"),
            )
        for source, target, t in tl.released:
            ax.annotate(
                "",
                xy=(t, target),
                xytext=(t, source),
                arrowprops={"arrowstyle": "->", "color": "#27ae60", "lw": 0.8, "alpha": 0.8},
                zorder=2,
            )
        if tl.ready:
            ax.scatter(
                [t for _, t in tl.ready],
                [r for r, _ in tl.ready],
                marker=">",
                s=18,
                color="#27ae60",
                zorder=3,
            )
        if tl.end is not None:
            ax.axvline(tl.end, color=colour, lw=2)
        ax.set_yticks(range(len(tl.rows)), tl.rows, fontsize=10)
        ax.set_ylim(len(tl.rows) - 0.4, -0.6)
        ax.set_title(f"{title}: {tl.summary(lang)}", loc="left", fontsize=12, color=colour)
        ax.grid(axis="x", alpha=0.3)
    axes[-1].set_xlim(0, span * 1.02)
    key = tr(JOURNEY_KEY) + (RELEASE_KEY["zh"] if lang == "zh" else RELEASE_KEY["en"])
    axes[-1].set_xlabel(key, fontsize=11)
    title = tr("the journey of one {case} case").format(case=case_label(case_name, lang))
    figure.suptitle(title, fontsize=13)
    return figure
