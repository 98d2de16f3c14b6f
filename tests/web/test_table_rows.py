"""The data tables' rows, built in Python (`render.table_rows`): every value escaped,
unsafe links not links, numbers marked for sorting — as the cell filter shows them."""

from __future__ import annotations

from datetime import UTC, datetime

from radsocial.analytics import Table
from radsocial.web.render import cell, environment, table_rows

COLUMNS = ["text", "url", "hashtag", "handle", "posts", "share", "ok", "when", "Text"]
ROWS = [
    [
        "<script>alert(1)</script>",
        "javascript:alert(1)",
        "#a<b",
        "@x&y'",
        1234,
        0.5,
        True,
        datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
        None,
    ],
    ["plain", "https://example.org/a?b=1&c=<2>", "", "", -3, float("nan"), False, None, 7],
]


def test_rows_escape_every_value_and_mark_numbers() -> None:
    html = str(table_rows(Table("t", COLUMNS, ROWS), interactive=True))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "href='javascript" not in html and "rs-unsafe-url" in html
    assert "href='/hashtag/a%3Cb'>#a&lt;b</a>" in html
    assert "href='/explore?account=x%26y%27'>@x&amp;y&#39;</a>" in html
    assert '<td class="rs-num" data-v="1234">1,234</td>' in html
    assert '<td class="rs-num" data-v="0.5">0.5</td>' in html
    assert "<td>True</td>" in html and "<td>False</td>" in html  # booleans are not numbers
    assert '<td class="rs-celltext">plain</td>' in html
    assert "href='https://example.org/a?b=1&amp;c=&lt;2&gt;'" in html
    assert html.count("<tr>") == 2


def test_rows_match_the_cell_filter_cell_by_cell() -> None:
    """Each <td> holds what the `cell` filter renders for that value and column."""
    for interactive in (True, False):
        html = str(table_rows(Table("t", COLUMNS, ROWS), interactive=interactive))
        for row in ROWS:
            for col, v in zip(COLUMNS, row, strict=True):
                assert f">{cell(v, col, interactive)}</td>" in html


def test_limit_and_template_use() -> None:
    rows = [[f"post {i}", i] for i in range(150)]
    t = Table("t", ["text", "n"], rows)
    assert str(table_rows(t, limit=100)).count("<tr>") == 100
    macro = environment().get_template("macros.html").module.data_table  # type: ignore[attr-defined]
    html = str(macro(t, True, 100))
    assert html.count("<tr>") == 101  # the header row, then 100 rows
    assert "post 99" in html and "post 100<" not in html
    assert "Showing 100 of 150 rows" in html
