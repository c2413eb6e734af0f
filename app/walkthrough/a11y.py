"""Browser-side accessibility glue (Streamlit components v2, JavaScript in the page, no iframe).

``name_chart`` gives a Plotly chart a text alternative: role="img" and an aria-label on its plot
layer (its other layers hidden from screen readers), so a screen reader says what the drawing shows
instead of its labels strung together; the chart's save button stays reachable.
``keyboard_scroll`` makes every equation that scrolls sideways reachable by Tab (tabindex=0), so a
keyboard user can scroll it with the arrow keys (axe: scrollable-region-focusable).
"""

from __future__ import annotations

import streamlit as st

_NAME_JS = """
export default function (component) {
  const { data } = component;
  // the plot's own layer becomes one image with the label; the layers of text and hover labels above
  // it are hidden from screen readers; the toolbar's buttons stay reachable
  const apply = () => document.querySelectorAll(data.selector).forEach((chart) => {
    chart.querySelectorAll('.svg-container > svg.main-svg').forEach((svg, i) => {
      if (i === 0) {
        if (svg.getAttribute('aria-label') !== data.label) {
          svg.setAttribute('role', 'img');
          svg.setAttribute('aria-label', data.label);
        }
      } else if (!svg.hasAttribute('aria-hidden')) {
        svg.setAttribute('aria-hidden', 'true');
      }
    });
  });
  apply();
  let queued = false;
  const obs = new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; apply(); }); }
  });
  obs.observe(document.querySelector('[data-testid="stMain"]') || document.body, { childList: true, subtree: true });
  return () => obs.disconnect();
}
"""

_SCROLL_JS = """
export default function () {
  const apply = () => document.querySelectorAll('.katex-display, [data-testid="stCode"] pre').forEach((el) => {
    const scrolls = el.scrollWidth > el.clientWidth + 1;
    if (scrolls && !el.hasAttribute('tabindex')) {
      el.setAttribute('tabindex', '0');
      el.setAttribute('data-bp-scroll', '1');
    } else if (!scrolls && el.getAttribute('data-bp-scroll')) {
      el.removeAttribute('tabindex');
      el.removeAttribute('data-bp-scroll');
    }
  });
  apply();
  let queued = false;
  const later = () => { if (!queued) { queued = true; setTimeout(() => { queued = false; apply(); }, 150); } };
  const obs = new MutationObserver(later);
  obs.observe(document.querySelector('[data-testid="stMain"]') || document.body, { childList: true, subtree: true });
  window.addEventListener('resize', later);
  return () => { obs.disconnect(); window.removeEventListener('resize', later); };
}
"""

_name = st.components.v2.component("bp_name_chart", js=_NAME_JS, isolate_styles=False)
_scroll = st.components.v2.component("bp_keyboard_scroll", js=_SCROLL_JS, isolate_styles=False)


def name_chart(container_key: str, label: str) -> None:
    """Label the Plotly chart inside ``st.container(key=container_key)`` with ``label`` (plain text:
    it is set as an attribute value, never parsed as HTML)."""
    _name(data={"selector": f'.st-key-{container_key} [data-testid="stPlotlyChart"]', "label": label},
          key=f"bp_name_{container_key}")


def keyboard_scroll() -> None:
    """Once per screen (from the sidebar): sideways-scrolling equations become focusable."""
    _scroll(key="bp_keyboard_scroll")
