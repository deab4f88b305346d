"""Template checks that an axe-core run only catches when a table happens to overflow."""

import re
from pathlib import Path

import citehack

TEMPLATES = sorted(Path(citehack.__file__).parent.rglob("templates/**/*.html"))


def test_every_scrollable_table_wrapper_is_reachable_by_keyboard():
    missing = [
        f"{path.name}: {tag}"
        for path in TEMPLATES
        for tag in re.findall(r"<div[^>]*class=\"table-scroll\"[^>]*>", path.read_text())
        if 'tabindex="0"' not in tag
    ]
    assert TEMPLATES and missing == []
