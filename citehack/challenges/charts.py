"""Server-rendered SVG charts: readable without JavaScript, described for screen readers."""

from django.utils.html import format_html, format_html_join

WIDTH = 640
LABEL_HEIGHT = 20
BAR_HEIGHT = 20
ROW_GAP = 14
MARGIN = 8
VALUE_SPACE = 64


def _truncate(text, limit=70):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(rows, *, title, description, chart_id):
    """A horizontal bar chart; `rows` holds (label, value, highlighted) tuples.

    Highlighted bars are dark, the others light with a dark outline; the label says which
    is which, so colour is never the only cue. The caller shows the same figures in a table.
    """
    top = max((value for _, value, _h in rows), default=0) or 1
    span = WIDTH - 2 * MARGIN - VALUE_SPACE
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    height = MARGIN * 2 + row_height * len(rows)
    items = []
    for index, (label, value, highlighted) in enumerate(rows):
        y = MARGIN + index * row_height
        width = max(round(span * value / top), 2 if value else 0)
        items.append((
            MARGIN, y + LABEL_HEIGHT - 5, _truncate(label),
            MARGIN, y + LABEL_HEIGHT, width, BAR_HEIGHT,
            "#1d3557" if highlighted else "#d5dbe4",
            MARGIN + width + 6, y + LABEL_HEIGHT + BAR_HEIGHT - 5, value,
        ))
    bars = format_html_join(
        "\n",
        '<g><text x="{}" y="{}" class="chart-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#1d3557" stroke-width="1"></rect>'
        '<text x="{}" y="{}" class="chart-value">{}</text></g>',
        items,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" viewBox="0 0 {} {}" '
        'aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>\n{}\n</svg>',
        WIDTH, height, chart_id, chart_id, chart_id, title, chart_id, description, bars,
    )
