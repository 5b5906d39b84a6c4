"""Clinic colours -> a Gradio theme and CSS whose text keeps a contrast of at least 4.5:1.

A clinic sets `primary_color` (buttons, focus ring, links) and `accent_color`
(the emergency alert) in settings. Colours that are too light to carry text are
darkened until they reach WCAG AA contrast, so a pale brand colour never makes
text unreadable. The page always uses the light palette: its contrast is the one
checked here and in the browser tests.
"""

from __future__ import annotations

import logging
import re

import gradio as gr

from ..settings import Settings

log = logging.getLogger("retrieval.web")

MIN_CONTRAST = 4.5
WHITE = "#ffffff"
TEXT = "#1f2937"  # body text (gray-800): 14.7:1 on white
TEXT_SUBDUED = "#4b5563"  # secondary text (gray-600): 7.6:1 on white
DEFAULT_PRIMARY = Settings.primary_color
DEFAULT_ACCENT = Settings.accent_color
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_hex(color: str) -> tuple[int, int, int]:
    if not _HEX.match(color):
        raise ValueError(f"not a #rgb or #rrggbb colour: {color!r}")
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(v))):02x}" for v in rgb)


def relative_luminance(color: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in parse_hex(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """White or near-black, whichever reads better on `background`."""
    return WHITE if contrast_ratio(WHITE, background) >= contrast_ratio(TEXT, background) else TEXT


def darken_until_readable(color: str, against: str = WHITE, minimum: float = MIN_CONTRAST) -> str:
    """`color`, darkened in small steps until it reaches `minimum` contrast with `against`."""
    r, g, b = parse_hex(color)
    current = color
    for _ in range(100):
        if contrast_ratio(current, against) >= minimum:
            return current
        r, g, b = r * 0.93, g * 0.93, b * 0.93
        current = to_hex((r, g, b))
    return "#000000"


def safe_color(color: str, default: str) -> str:
    try:
        parse_hex(color)
        return color
    except ValueError:
        log.warning("ignoring colour %r from settings; using %s", color, default)
        return default


class Palette:
    """The colours the page uses, each readable as text or under white text."""

    def __init__(self, settings: Settings) -> None:
        # buttons, focus ring and links carry white text or sit on white: both need 4.5:1
        self.primary = darken_until_readable(safe_color(settings.primary_color, DEFAULT_PRIMARY))
        self.on_primary = text_on(self.primary)
        self.accent = darken_until_readable(safe_color(settings.accent_color, DEFAULT_ACCENT))
        self.on_accent = text_on(self.accent)
        self.primary_hover = darken_until_readable(self.primary, minimum=contrast_ratio(self.primary, WHITE) + 1.5)


def build_theme(palette: Palette) -> gr.themes.Base:
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]).set(
        body_text_color=TEXT,
        body_text_color_subdued=TEXT_SUBDUED,
        block_label_text_color=TEXT_SUBDUED,
        block_info_text_color=TEXT_SUBDUED,
        block_title_text_color=TEXT,
        input_placeholder_color=TEXT_SUBDUED,
        link_text_color=palette.primary,
        link_text_color_hover=palette.primary,
        link_text_color_visited=palette.primary,
        color_accent=palette.primary,
        border_color_accent=palette.primary,
        button_primary_background_fill=palette.primary,
        button_primary_background_fill_hover=palette.primary_hover,
        button_primary_text_color=palette.on_primary,
        button_primary_text_color_hover=palette.on_primary,
        button_primary_border_color=palette.primary,
        button_secondary_text_color=TEXT,
    )
    # one palette whatever the device's dark-mode preference: the checked one
    for name in list(vars(theme)):
        if name.endswith("_dark") and hasattr(theme, name[: -len("_dark")]):
            setattr(theme, name, getattr(theme, name[: -len("_dark")]))
    return theme


def build_css(palette: Palette, compact: bool) -> str:
    p = a = palette
    css = f"""
:root {{ --clinic-primary: {p.primary}; --clinic-on-primary: {p.on_primary};
         --clinic-accent: {a.accent}; --clinic-on-accent: {a.on_accent}; }}
.gradio-container {{ color: {TEXT}; }}
/* Gradio fades chat text to 80 % opacity, which costs contrast: show it at full strength */
#chat .message-wrap .prose.chatbot.md, #chat .message-content {{ opacity: 1 !important; }}
/* a focus ring on everything the keyboard can reach */
.gradio-container :focus-visible, .gradio-container summary:focus-visible,
.gradio-container textarea:focus, .gradio-container [role="button"]:focus-visible {{
  outline: 3px solid var(--clinic-primary) !important; outline-offset: 2px !important;
}}
#clinic-title .embed-title {{ color: var(--clinic-primary); font-weight: 700; margin: 0; font-size: 1.05rem; }}
#ask-row {{ align-items: flex-end; }}
#ask {{ min-height: 2.75rem; }}
#clinic-title h1 {{ color: var(--clinic-primary); margin: 0.25rem 0; font-size: 1.6rem; }}
#disclaimer {{ border-left: 6px solid var(--clinic-primary); background: #f3f6fa; color: {TEXT};
              padding: 0.6rem 0.9rem; border-radius: 6px; }}
#disclaimer p {{ margin: 0; color: {TEXT}; }}
.escalation {{ background: var(--clinic-accent); color: var(--clinic-on-accent) !important;
              border-radius: 8px; padding: 0.75rem 1rem; margin: 0 0 0.75rem 0; font-size: 1.05rem; }}
.escalation * {{ color: var(--clinic-on-accent) !important; }}
.escalation strong {{ display: block; font-size: 1.15rem; margin-bottom: 0.25rem; }}
.escalation p {{ margin: 0; }}
.reminder-note {{ border-left: 6px solid var(--clinic-accent); background: #fdecea; color: #7a1c14 !important;
                 border-radius: 6px; padding: 0.5rem 0.75rem; margin: 0 0 0.75rem 0; }}
.reminder-note * {{ color: #7a1c14 !important; }}
.warning-note {{ border: 2px solid #8a4b00; background: #fff4e5; color: #5c3200 !important;
                border-radius: 8px; padding: 0.5rem 0.75rem; margin: 0.75rem 0; }}
.warning-note * {{ color: #5c3200 !important; }}
.answer-disclaimer {{ font-size: 0.9rem; color: {TEXT_SUBDUED} !important; }}
details.sources {{ margin-top: 0.5rem; border-top: 1px solid #d1d5db; padding-top: 0.4rem; }}
details.sources summary {{ cursor: pointer; font-weight: 600; color: {p.primary}; padding: 0.25rem 0; }}
details.sources ol {{ margin: 0.25rem 0 0 1.25rem; padding: 0; }}
details.sources .source-section {{ font-weight: 600; margin: 0.5rem 0 0.15rem 0; }}
details.sources blockquote {{ margin: 0 0 0.5rem 0; padding-left: 0.6rem; border-left: 3px solid #9ca3af;
                             color: {TEXT} !important; }}
.user-question {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
@media (max-width: 480px) {{
  .gradio-container {{ padding: 0.25rem !important; }}
  #clinic-title .embed-title {{ color: var(--clinic-primary); font-weight: 700; margin: 0; font-size: 1.05rem; }}
#ask-row {{ align-items: flex-end; }}
#ask {{ min-height: 2.75rem; }}
#clinic-title h1 {{ font-size: 1.25rem; }}
}}
"""
    if compact:
        css += """
.gradio-container { padding: 0.25rem !important; }
#disclaimer { font-size: 0.85rem; padding: 0.4rem 0.6rem; }
"""
    return css
