"""The rendering rules every adapter shares."""

from __future__ import annotations

from handlers import render


def escape_amp(text: str) -> str:
    return text.replace("&", "&amp;")


def test_fit_clips_the_source_so_the_escaped_markup_fits() -> None:
    source = "R&D " * 100  # each "&" grows by four characters once escaped
    out = render.fit(source, escape_amp, 120)
    assert len(out) <= 120
    assert out.endswith("…")
    # Escapes are never cut in half: every "&" still starts a whole entity.
    assert out.count("&") == out.count("&amp;")


def test_fit_leaves_short_text_alone() -> None:
    assert render.fit("Q&A", escape_amp, 100) == "Q&amp;A"


def test_fit_can_count_like_the_platform() -> None:
    out = render.fit("😀" * 50, str, 40, length=lambda s: 2 * len(s))
    assert 2 * len(out) <= 40


def test_segments_split_the_quote_at_the_highlights() -> None:
    assert render.segments("visit this spring.", [(6, 17)]) == [
        ("visit ", False),
        ("this spring", True),
        (".", False),
    ]
