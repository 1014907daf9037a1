"""A vote round's bar chart as a picture (matplotlib, no display needed)."""

from __future__ import annotations

import io
import textwrap

from ._document import BarChart

# --- charts ---------------------------------------------------------------------------

_BAR = "#2f6f8f"
_TIED = "#d08a1e"


def chart_image(chart: BarChart, fmt: str = "png", *, dpi: int = 200) -> bytes:
    """Draw a vote round's result with matplotlib: ``fmt`` is ``"png"`` or ``"svg"``.

    Topic titles are drawn as plain text (no math markup); shared places have
    their own colour and a legend entry.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch

    n = max(1, len(chart.values))
    labels = [
        "\n".join(textwrap.wrap(f"{p}. {label}", 42, max_lines=2, placeholder=" …") or [""])
        for p, label in zip(chart.positions, chart.labels, strict=True)
    ]
    height = 0.9 + 0.52 * n
    figure = MplFigure(figsize=(6.3, height), layout="constrained")
    ax = figure.add_subplot()
    ys = list(range(n))[: len(chart.values)]
    colours = [_TIED if tied else _BAR for tied in chart.tied]
    ax.barh(ys, chart.values, color=colours, height=0.62)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, parse_math=False, fontsize=8.5)
    ax.invert_yaxis()
    most = max(chart.values, default=0)
    ax.set_xlim(0, max(1, most) * 1.12)
    for y, value in zip(ys, chart.values, strict=True):
        ax.text(value + max(1, most) * 0.015, y, str(value), va="center", fontsize=8.5)
    ax.set_xlabel(chart.value_label, parse_math=False, fontsize=8.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if any(chart.tied):
        ax.legend(
            handles=[Patch(color=_TIED, label=chart.tie_label)],
            loc="lower right",
            fontsize=8,
            frameon=False,
        )
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()
