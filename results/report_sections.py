"""Report sections that state what the numbers mean: the delay window, the levers each scenario
changes against the baseline, drift diagnostics, and the metric definitions with units.

Each section is ``f(page, context)`` (``results.report.Page`` and ``Context``) and is listed in
``results.report.SECTIONS``. The table helpers are imported inside the functions because
``results.report`` imports this module at its end.
"""

from __future__ import annotations

import html
from typing import Any

from govlab.results.metric_info import design_properties, info
from govlab.results.multiplicity import family_of
from govlab.results.runout import capped_note
from govlab.results.scenario_diff import changes, short

RUNOUT_WORDS = ("runout", "run_out")
DRIFT_WORDS = ("drift", "slope")


def _world_values(ctx, key: str) -> dict[str, Any]:
    return {label: s.get("world", {}).get(key) for label, s in (ctx.scenarios or {}).items()}


def _runout_parameters(ctx) -> dict[str, Any]:
    """World parameters of the run-out (any ``world.*run*out*`` field), as one value each."""
    found: dict[str, Any] = {}
    for scenario in (ctx.scenarios or {}).values():
        for key, value in scenario.get("world", {}).items():
            if any(word in key for word in RUNOUT_WORDS):
                found.setdefault(key, value)
    return found


def delay_window(page, ctx) -> None:
    """Which cases the delay statistics cover: warm-up, days, and the run-out after the last day."""
    from govlab.results.report import fmt, table_html

    page.add("<h2>Delay window</h2>")
    days = ctx.data.spec["days"]
    if not ctx.scenarios:
        page.add(
            "<p class=bad>The resolved scenarios were not given to the report, so the warm-up "
            "cannot be stated here; see <code>world.warmup_days</code> of each scenario.</p>"
        )
        return
    warmups = {v for v in _world_values(ctx, "warmup_days").values() if v is not None}
    warmup = ", ".join(str(v) for v in sorted(warmups))
    runout = _runout_parameters(ctx)
    text = (
        f"Delay, trip and other per-case statistics cover the cases that <b>arrive</b> in the "
        f"window [warm-up, days) = [{warmup}, {days}) working days. "
    )
    if runout:
        settings = ", ".join(f"{html.escape(k)} = {fmt(v)}" for k, v in runout.items())
        text += (
            "After the last day the service keeps running (arrivals included) until every case of "
            f"the window has finished, within a cap ({settings}); the civic state and civic "
            "metrics are taken at the last day. "
        )
    else:
        text += (
            "The model has no run-out: cases of the window still open at the last day are not "
            "counted (their count is <code>cases_open_at_end</code>), which biases long delays "
            "low. "
        )
    text += warmup_text(ctx)
    page.add(f"<p>{text}</p>")
    if not ctx.scenarios_match:
        page.add(
            "<p class=bad>The scenario files or the model changed since these runs: the warm-up "
            "above is today's and may not be the one the runs used.</p>"
        )
    open_names = [
        n
        for n in ctx.data.wide.columns
        if n == "cases_open_at_end" or any(w in n for w in RUNOUT_WORDS)
    ]
    open_names = [n for n in open_names if "." not in n]
    if open_names:
        rows = []
        for label in ctx.data.labels:
            part = ctx.data.wide[ctx.data.wide["label"] == label]
            rows.append([html.escape(label)] + [fmt(float(part[n].mean())) for n in open_names])
        page.add(table_html(["scenario (mean over runs)", *open_names], rows))
    capped = capped_note(ctx.data.wide)
    if capped:
        page.add(f"<p class=bad>{html.escape(capped[0].upper() + capped[1:])}.</p>")


WARMUP = "world.warmup_days"


def shipped_warmup() -> int:
    """The shipped default of ``world.warmup_days`` (the MSER-5 choice, README 'The delay
    window')."""
    from govlab.scenarios.world import World

    return int(World.model_fields["warmup_days"].default)


def warmup_origins(ctx) -> dict[str, tuple[str, Any]]:
    """Who chose each label's warm-up, and its value: ``design`` (the experiment's points),
    ``experiment`` (its ``set``, common or the scenario's), ``scenario`` (its file gives a value
    other than the shipped default) or ``default``."""
    spec, default = ctx.data.spec, shipped_warmup()
    points = ctx.data.experiment.design.get("points") or []
    swept = sorted({p[WARMUP] for p in points if WARMUP in p})
    entries = dict(zip(ctx.data.labels, spec.get("scenarios") or [], strict=False))
    origins: dict[str, tuple[str, Any]] = {}
    for label, value in _world_values(ctx, "warmup_days").items():
        own = (entries.get(label) or {}).get("set") or {}
        if swept:
            origins[label] = ("design", ", ".join(str(v) for v in swept))
        elif WARMUP in own or WARMUP in (spec.get("set") or {}):
            origins[label] = ("experiment", value)
        elif value != default:
            origins[label] = ("scenario", value)
        else:
            origins[label] = ("default", value)
    return origins


WHO = {
    "design": "set by the experiment's design ({path} = {value} over its points)",
    "experiment": "set by the experiment ({path} = {value})",
    "scenario": "set by the scenario ({path} = {value})",
}


def warmup_text(ctx) -> str:
    """The sentences saying who chose the warm-up of each scenario (HTML)."""
    default = shipped_warmup()
    mser = (
        "MSER-5 (White 1997) on pilot runs' mean delay by arrival day: the largest truncation over "
        "the scenario ladder, rounded up to 10 days (README, 'The delay window'; "
        "<code>govlab warmup</code> re-runs the analysis)"
    )
    groups: dict[tuple[str, Any], list[str]] = {}
    for label, origin in warmup_origins(ctx).items():
        groups.setdefault(origin, []).append(label)
    sentences = []
    for (origin, value), labels in groups.items():
        who = "The warm-up"
        if len(groups) > 1:
            who += f" of {html.escape(', '.join(labels))}"
        if origin == "default":
            sentences.append(
                f"{who} is the shipped default ({WARMUP} = {default} days), chosen by {mser}."
            )
            continue
        by = html.escape(WHO[origin].format(path=WARMUP, value=value), quote=False)
        if value == default:
            sentences.append(f"{who} was {by}, the value of the shipped default chosen by {mser}.")
        else:
            sentences.append(
                f"{who} was {by}, not the shipped default ({default} days) that MSER-5 chose on "
                "the ladder's pilot runs (README, 'The delay window'); the experiment or scenario "
                "file says how its value was chosen."
            )
    return " ".join(sentences)


def scenario_levers(page, ctx) -> None:
    """The parameters each scenario changes against the baseline (diff of resolved scenarios)."""
    from govlab.results.report import table_html

    page.add("<h2>What each scenario changes</h2>")
    for note in ctx.notes:
        page.add(f"<p class=muted>{html.escape(note)}</p>")
    scenarios, baseline = ctx.scenarios, ctx.data.baseline
    if not scenarios or baseline not in scenarios:
        page.add("<p class=bad>The resolved scenarios were not given to the report.</p>")
        return
    rows = []
    for label in ctx.data.labels:
        if label == baseline or label not in scenarios:
            continue
        diff = changes(scenarios[baseline], scenarios[label])
        if not diff:
            rows.append([html.escape(label), "(nothing)", "", ""])
        for path, old, new in diff:
            rows.append([html.escape(label), html.escape(path), html.escape(short(old)),
                         html.escape(short(new))])  # fmt: skip
    page.add(
        f"<p>Every parameter whose resolved value differs from the baseline "
        f"<b>{html.escape(baseline)}</b> (levers first; after <code>extends</code>, the "
        f"experiment's <code>set</code> and per-scenario overrides).</p>"
    )
    page.add(table_html(["scenario", "parameter", f"{baseline}", "scenario"], rows, left=2))
    points = ctx.data.experiment.design.get("points") or []
    if len(points) > 1:
        page.add(
            f"<p class=muted>The design adds {len(points)} points over "
            f"{html.escape(', '.join(points[0]))} (see the provenance table).</p>"
        )


def drift(page, ctx) -> None:
    """Drift diagnostics of slow civic state (metrics named ``*drift*`` or ``*slope*``)."""
    from govlab.results.report import ci_text, table_html
    from govlab.results.stats import t_interval

    names = [
        n for n in ctx.data.wide.columns if "." not in n and any(word in n for word in DRIFT_WORDS)
    ]
    if not names:
        return
    page.add("<h2>Drift diagnostics</h2>")
    page.add(
        "<p>Slow civic state (trust, participation) may still be moving at the end of a run. "
        "Each run reports the slope of the series over the last quarter of its window; a slope "
        "near zero (an interval covering 0, or small against the change between scenarios) "
        "means the run is long enough for that metric.</p>"
    )
    rows = []
    for label in ctx.data.labels:
        part = ctx.data.wide[ctx.data.wide["label"] == label]
        cells = []
        for name in names:
            i = t_interval(part[name])
            cells.append(ci_text(i.mean, i.low, i.high))
        rows.append([html.escape(label), *cells])
    header = ["scenario", *[f"{n} [{info(n).unit}]" for n in names]]
    page.add(table_html(header, rows))


def metric_definitions(page, ctx) -> None:
    """Each reported metric's definition, unit, family and how its change is given."""
    from govlab.results.report import table_html

    shown = list(dict.fromkeys([*ctx.metrics, *(r["metric"] for r in ctx.rows)]))
    fixed = set(design_properties())
    shares = {r["metric"] for r in ctx.rows if r.get("share")}
    page.add("<h2>Metric definitions</h2>")
    rows = []
    for name in shown:
        meaning = info(name)
        if name in fixed or name.rsplit(".", 1)[-1] in fixed:
            how = "design property: not tested"
        elif name in shares:
            how = "Δ in percentage points"
        else:
            how = "Δ and relative change (Fieller)"
        rows.append([html.escape(name), html.escape(meaning.definition),
                     html.escape(meaning.unit), html.escape(family_of(name)), how])  # fmt: skip
    page.add(table_html(["metric", "definition", "unit", "family (Holm)", "change"], rows, left=5))


def design_table(page, ctx) -> None:
    """Design properties (``model.metrics.DESIGN_PROPERTIES``) per scenario, without tests."""
    from govlab.results.report import fmt, table_html

    fixed = set(design_properties())
    names = [n for n in ctx.data.wide.columns if "." not in n and n in fixed]
    if not names:
        return
    page.add("<h2>Design properties</h2>")
    page.add(
        "<p>Fixed by each scenario's levers and case mix (like an official 'steps −41%'): "
        "reported, never tested for significance. Mean over runs; Δ against the baseline.</p>"
    )
    wide, baseline = ctx.data.wide, ctx.data.baseline
    base = wide[wide["label"] == baseline]
    rows = []
    for label in ctx.data.labels:
        part = wide[wide["label"] == label]
        cells = []
        for name in names:
            mean, ref = float(part[name].mean()), float(base[name].mean())
            delta = "" if label == baseline else f" (Δ {mean - ref:+.3g})"
            cells.append(fmt(mean) + delta)
        rows.append([html.escape(label), *cells])
    header = ["scenario", *[f"{n} [{info(n).unit}]" for n in names]]
    page.add(table_html(header, rows))
