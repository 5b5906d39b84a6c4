"""Clinic colours stay readable: every text colour the page uses keeps 4.5:1."""

from __future__ import annotations

import dataclasses

import pytest

from retrieval.settings import Settings
from retrieval.web.theme import (
    TEXT,
    TEXT_SUBDUED,
    WHITE,
    Palette,
    build_css,
    build_theme,
    contrast_ratio,
    darken_until_readable,
)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#fff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("color", ["#ffd700", "#00ff00", "#87ceeb", "#ffffff", "#0b5394"])
def test_any_clinic_colour_becomes_readable(color):
    palette = Palette(dataclasses.replace(Settings(), primary_color=color, accent_color=color))
    assert contrast_ratio(palette.primary, WHITE) >= 4.5
    assert contrast_ratio(palette.on_primary, palette.primary) >= 4.5
    assert contrast_ratio(palette.on_accent, palette.accent) >= 4.5


def test_dark_enough_colours_are_kept_and_bad_values_fall_back():
    assert darken_until_readable("#0b5394") == "#0b5394"
    palette = Palette(dataclasses.replace(Settings(), primary_color="red; background:url(x)", accent_color="#2e7d32"))
    assert palette.primary == Settings.primary_color
    assert palette.accent == "#2e7d32"


def test_body_text_colours_are_readable_on_white_and_the_disclaimer_box():
    for color in (TEXT, TEXT_SUBDUED):
        assert contrast_ratio(color, WHITE) >= 4.5
        assert contrast_ratio(color, "#f3f6fa") >= 4.5
    assert contrast_ratio("#5c3200", "#fff4e5") >= 4.5  # warning note


def test_theme_uses_the_light_palette_whatever_the_device_prefers():
    theme = build_theme(Palette(Settings()))
    assert theme.body_text_color_dark == theme.body_text_color == TEXT
    assert theme.button_primary_background_fill_dark == Settings.primary_color
    assert theme.body_background_fill_dark == theme.body_background_fill


def test_css_carries_the_clinic_colours_and_a_focus_ring():
    css = build_css(Palette(dataclasses.replace(Settings(), primary_color="#2e7d32")), compact=True)
    assert "--clinic-primary: #2e7d32" in css
    assert ":focus-visible" in css and "outline: 3px solid var(--clinic-primary)" in css
