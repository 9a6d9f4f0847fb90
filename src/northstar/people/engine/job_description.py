"""Job descriptions for any ladder level and company stage, as Markdown, HTML or PDF.

The content comes from the ladder (level title, scope, span of control, typical experience and the
behaviours expected at the level) and, for leadership levels, from the Head of Product checklist for the
stage. Nothing is invented at render time: the three renderers format the same :class:`JobDescription`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from northstar.people.engine.head_of_product import responsibilities_checklist, stage_context
from northstar.people.engine.ladder import Ladder

LEADERSHIP_LEVELS = ("director", "head_of_product", "vp_product", "cpo")


@dataclass(frozen=True)
class JobDescription:
    title: str
    level_code: str
    stage: str
    stage_label: str
    summary: str
    scope: str
    span_of_control: str
    typical_years: str
    responsibilities: tuple[str, ...]
    stage_focus: tuple[str, ...]
    competencies: tuple[tuple[str, tuple[str, ...]], ...]
    builds_on: str | None


def build_job_description(ladder: Ladder, level_code: str, stage: str) -> JobDescription:
    """Assemble the job description of ``level_code`` for a company at ``stage``."""
    level = ladder.level(level_code)
    context = stage_context(stage)
    own = ladder.behaviours_at(level.code)
    responsibilities = [b.text for b in own if b.mandatory] + [b.text for b in own if not b.mandatory]
    stage_focus: list[str] = []
    if level.code in LEADERSHIP_LEVELS:
        stage_focus = [item.text for item in responsibilities_checklist(stage, cumulative=False)]
    competencies = []
    used = {b.competency_id for b in own}
    for area in ladder.areas:
        texts = tuple(
            f"{c.name}: {c.description}" if c.description else c.name
            for c in area.competencies
            if c.id in used
        )
        if texts:
            competencies.append((area.name, texts))
    below = ladder.level(level.follows).title if level.follows else None
    summary = (
        f"We are looking for a {level.title} to own {level.scope[0].lower() + level.scope[1:]}. "
        f"We are {context.company}."
        + (f" At this stage the role means: {context.context}" if level.code in LEADERSHIP_LEVELS else "")
    )
    return JobDescription(
        title=level.title,
        level_code=level.code,
        stage=stage,
        stage_label=context.label,
        summary=summary,
        scope=level.scope,
        span_of_control=level.span_of_control,
        typical_years=level.typical_years,
        responsibilities=tuple(dict.fromkeys(responsibilities)),
        stage_focus=tuple(dict.fromkeys(stage_focus)),
        competencies=tuple(competencies),
        builds_on=below,
    )


def to_markdown(jd: JobDescription) -> str:
    lines = [f"# {jd.title} ({jd.stage_label})", "", jd.summary, "", "## Scope", "", f"- Scope: {jd.scope}"]
    lines += [
        f"- Span of control: {jd.span_of_control}",
        f"- Typical experience: {jd.typical_years} years",
        "",
    ]
    lines += ["## Responsibilities", ""] + [f"- {r}" for r in jd.responsibilities] + [""]
    if jd.stage_focus:
        lines += [f"## At the {jd.stage_label.lower()} stage", ""] + [f"- {r}" for r in jd.stage_focus] + [""]
    lines += ["## Competencies", ""]
    for area, texts in jd.competencies:
        lines += [f"### {area}", ""] + [f"- {t}" for t in texts] + [""]
    if jd.builds_on:
        lines += [f"This role builds on everything expected at the {jd.builds_on} level.", ""]
    return "\n".join(lines)


def to_html(jd: JobDescription) -> str:
    """A self-contained HTML fragment (every value escaped)."""
    e = escape
    parts = [f"<article class='job-description'><h1>{e(jd.title)} ({e(jd.stage_label)})</h1>"]
    parts.append(f"<p>{e(jd.summary)}</p><h2>Scope</h2><ul>")
    parts.append(f"<li>Scope: {e(jd.scope)}</li><li>Span of control: {e(jd.span_of_control)}</li>")
    parts.append(
        f"<li>Typical experience: {e(jd.typical_years)} years</li></ul><h2>Responsibilities</h2><ul>"
    )
    parts += [f"<li>{e(r)}</li>" for r in jd.responsibilities]
    parts.append("</ul>")
    if jd.stage_focus:
        parts.append(f"<h2>At the {e(jd.stage_label.lower())} stage</h2><ul>")
        parts += [f"<li>{e(r)}</li>" for r in jd.stage_focus]
        parts.append("</ul>")
    parts.append("<h2>Competencies</h2>")
    for area, texts in jd.competencies:
        parts.append(f"<h3>{e(area)}</h3><ul>" + "".join(f"<li>{e(t)}</li>" for t in texts) + "</ul>")
    if jd.builds_on:
        parts.append(f"<p>This role builds on everything expected at the {e(jd.builds_on)} level.</p>")
    parts.append("</article>")
    return "".join(parts)


_LATIN1 = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "×": "x"})


def _pdf_text(text: str) -> str:
    """The PDF core fonts are Latin-1: map common typographic characters and replace the rest."""
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def to_pdf(jd: JobDescription) -> bytes:
    """Render the job description as a one-column A4 PDF (fpdf2, core fonts, no network)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def block(text: str, size: int = 10, style: str = "", gap: float = 1.5) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, size * 0.5, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    block(f"{jd.title} ({jd.stage_label})", 16, "B", 3)
    block(jd.summary)
    block("Scope", 12, "B")
    for line in (
        f"Scope: {jd.scope}",
        f"Span of control: {jd.span_of_control}",
        f"Typical experience: {jd.typical_years} years",
    ):
        block(f"- {line}", gap=0.5)
    block("Responsibilities", 12, "B")
    for r in jd.responsibilities:
        block(f"- {r}", gap=0.5)
    if jd.stage_focus:
        block(f"At the {jd.stage_label.lower()} stage", 12, "B")
        for r in jd.stage_focus:
            block(f"- {r}", gap=0.5)
    block("Competencies", 12, "B")
    for area, texts in jd.competencies:
        block(area, 11, "B", 0.5)
        for t in texts:
            block(f"- {t}", gap=0.5)
    if jd.builds_on:
        block(f"This role builds on everything expected at the {jd.builds_on} level.", style="I")
    return bytes(pdf.output())
