"""Printable, self-contained HTML from the Markdown the handout and the worksheets use.

Equations become MathML (``latex2mathml``, pure Python) that Chromium, Firefox and Safari draw
natively (MathML Core), so the page needs no script, no font download and no network at all.
A Markdown image whose source is a data-URI SVG is inlined as ``<svg>``. Only the subset the
documents use is read: ``#`` headings, paragraphs, ``$$…$$`` display and ``$…$`` inline maths,
``**bold**``, ``*italic*``, `` `code` ``, ``|`` tables and ``![alt](src)`` images; all other
text is escaped.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from html import escape

CSS = """
@page { size: A4; margin: 15mm 14mm; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 11pt/1.45 "DejaVu Serif", Georgia, "Times New Roman", serif; color: #111; max-width: 182mm;
       margin: 0 auto; }
@media screen { body { padding: 12px 16px 40px; } }
h1 { font-size: 19pt; margin: 0 0 6pt; }
h2 { font-size: 14pt; margin: 14pt 0 4pt; border-bottom: 1px solid #bbb; }
h3 { font-size: 12pt; margin: 10pt 0 3pt; }
h4, h5 { font-size: 11pt; margin: 8pt 0 2pt; }
h1, h2, h3, h4, h5 { break-after: avoid; page-break-after: avoid; }
p { margin: 4pt 0; }
section + section { break-before: page; page-break-before: always; }
table { border-collapse: collapse; margin: 4pt 0 8pt; }
th, td { border: 1px solid #999; padding: 3pt 8pt; text-align: left; vertical-align: middle; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.blank { width: 48mm; height: 8mm; }
figure { margin: 6pt 0; text-align: center; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 95%; }
math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", "DejaVu Math TeX Gyre", math;
       font-size: 108%; }
td math { math-style: normal; }
math[display="block"] { margin: 3pt 0; max-width: 100%; overflow-x: auto; }
.eq { break-inside: avoid; page-break-inside: avoid; }
"""


@lru_cache(maxsize=4096)
def mathml(tex: str, display: bool = False) -> str:
    """LaTeX as a MathML ``<math>`` element (block when ``display``)."""
    from latex2mathml.converter import convert

    return convert(tex, display="block" if display else "inline")


_INLINE = re.compile(r"\$([^$]+)\$")
_IMAGE = re.compile(r"^!\[([^\]]*)\]\(([^)\s]+)\)$")
_SVG_URI = "data:image/svg+xml;base64,"


def _text(s: str) -> str:
    s = escape(s, quote=False)
    s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", s)
    return re.sub(r"\*([^*\s][^*]*)\*", r"<em>\1</em>", s)


def inline(s: str) -> str:
    """One line of text with ``$…$`` maths as MathML and the rest escaped."""
    out, pos = [], 0
    for m in _INLINE.finditer(s):
        out += [_text(s[pos:m.start()]), mathml(m.group(1).strip())]
        pos = m.end()
    return "".join(out + [_text(s[pos:])])


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table(lines: list[str]) -> str:
    head, body = _cells(lines[0]), [_cells(r) for r in lines[2:]]
    rows = ["<tr>" + "".join(f"<th>{inline(c)}</th>" for c in head) + "</tr>"]
    for r in body:
        rows.append("<tr>" + "".join(f"<td>{inline(c)}</td>" if c else '<td class="blank"></td>' for c in r) + "</tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>"


def _image(alt: str, src: str) -> str:
    if src.startswith(_SVG_URI):  # our own drawing (core.teaching.svg): inline, so it prints crisp and needs no file
        svg = base64.b64decode(src[len(_SVG_URI):]).decode("utf-8")
        return f'<figure title="{escape(alt)}">{svg}</figure>'
    return f'<figure><img alt="{escape(alt)}" src="{escape(src)}"></figure>'


def markdown_html(md: str) -> str:
    """The Markdown subset described above as HTML."""
    out, para = [], []

    def flush():
        if para:
            out.append("<p>" + " ".join(inline(p) for p in para) + "</p>")
            para.clear()

    lines = md.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            flush()
        elif line.startswith("$$") and line.endswith("$$") and len(line) > 4:
            flush()
            out.append(f'<div class="eq">{mathml(line[2:-2].strip(), display=True)}</div>')
        elif m := re.match(r"^(#{1,6}) (.*)$", line):
            flush()
            n = min(len(m.group(1)), 5)
            out.append(f"<h{n}>{inline(m.group(2))}</h{n}>")
        elif line.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i])
                i += 1
            out.append(_table(rows))
            continue
        elif m := _IMAGE.match(line):
            flush()
            out.append(_image(m.group(1), m.group(2)))
        else:
            para.append(line)
        i += 1
    flush()
    return "\n".join(out)


def html_page(title: str, parts: list[str]) -> str:
    """A whole HTML page, each Markdown part in its own section (a new printed page each)."""
    body = "\n".join(f"<section>\n{markdown_html(p)}\n</section>" for p in parts)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>{CSS}</style>\n</head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")
