"""In-page checks: text contrast of everything visible, and whether the focused element shows focus."""

from __future__ import annotations

from typing import Any

CONTRAST_AUDIT = r"""
(root) => {
  const scope = root || document.body;
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, base) => ({
    r: top.r * top.a + base.r * (1 - top.a), g: top.g * top.a + base.g * (1 - top.a),
    b: top.b * top.a + base.b * (1 - top.a), a: 1,
  });
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    return layers.reverse().reduce((base, c) => over(c, base), { r: 255, g: 255, b: 255, a: 1 });
  };
  const visible = (el) => {
    if (el.closest('[aria-hidden="true"], [hidden]')) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.visibility === "hidden" || s.display === "none" || Number(s.opacity) === 0) return false;
    }
    return true;
  };
  const failures = [];
  const checked = new Set();
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || checked.has(el) || !node.textContent.trim() || !visible(el)) continue;
    if (["SCRIPT", "STYLE", "NOSCRIPT"].includes(el.tagName)) continue;
    checked.add(el);
    const bg = background(el);
    const colour = parse(getComputedStyle(el).color);
    // opacity on any ancestor fades the text towards what is behind it
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    const fg = over({ ...colour, a: colour.a * opacity }, bg);
    const r = ratio(fg, bg);
    if (r < 4.5) failures.push({ text: node.textContent.trim().slice(0, 60), ratio: Math.round(r * 100) / 100,
                                 color: getComputedStyle(el).color, opacity, tag: el.tagName });
  }
  for (const input of scope.querySelectorAll("textarea[placeholder], input[placeholder]")) {
    if (!visible(input) || input.value) continue;
    const bg = background(input);
    const fg = over(parse(getComputedStyle(input, "::placeholder").color), bg);
    const r = ratio(fg, bg);
    if (r < 4.5) failures.push({ text: "placeholder: " + input.placeholder.slice(0, 40), ratio: Math.round(r * 100) / 100 });
  }
  return { checked: checked.size, failures };
}
"""

FOCUS_VISIBLE = r"""
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  return outline || (s.boxShadow && s.boxShadow !== "none");
}
"""


def contrast_failures(page: Any) -> tuple[int, list[dict[str, Any]]]:
    result = page.evaluate(CONTRAST_AUDIT, None)
    return int(result["checked"]), list(result["failures"])


def focus_is_visible(page: Any) -> bool:
    return bool(page.evaluate(FOCUS_VISIBLE))


def focused(page: Any, script: str) -> Any:
    """Evaluate `script` (an expression over `el`) on the focused element."""
    return page.evaluate(f"() => {{ const el = document.activeElement; return {script}; }}")
