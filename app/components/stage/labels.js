"use strict";
// The drawing's labels (a neuron's z and a, a weight's number), each on its background box, in our own SVG over
// the Plotly plot (#labels), at the pixel boxes stage.js's placer() chose. They were Plotly annotations: ~230 on
// 8-8-8-8-1, and Plotly lays out and redraws every one on each Plotly.react (80-140 ms a step while playing).
// Here each label is a keyed <g class="label" data-name="node3|edge12">: a step rewrites only the labels whose
// text, place or style changed, adds the new ones and removes the gone ones. Also here: the edge lines (#edges,
// under the plot), the active edges' glow (#glow, between the plot and the labels) and the in-place restyle of
// Plotly's neuron points while playing.
window.StageLabels = (function () {
  const NS = "http://www.w3.org/2000/svg";
  const el = (tag, attrs) => {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  };
  const size = (svg, W, H) => {
    if (svg.__W === W && svg.__H === H) return;
    svg.setAttribute("width", W); svg.setAttribute("height", H); svg.__W = W; svg.__H = H;
  };
  // line height of a label's text, as Plotly drew its annotations (1.3 em); the box pads it by `pad`
  const LINE = 1.3;

  // items: [{ name, text ("<br>" between lines), size (px), tw (the text's measured width, px), box: {x0, x1, y0, y1} in the drawing's pixels (the
  // placer's, a little roomier than the drawn box), anchor ([x, y] as Plotly names them: the side of the box
  // towards its neuron), pad, halo, x, y (the data point it belongs to), pick (what a click on it picks) }]
  // style: { fill, bg, font }. onPick(pick) on a click, onHover(name, on) as the pointer enters and leaves. The box drawn is the text's width + 2·pad wide, its lines + 2·pad high, inside
  // the placer's box, so that two placed boxes that do not meet draw two boxes that do not meet.
  function draw(svg, items, style, W, H, onPick, onHover) {
    size(svg, W, H);
    const old = new Map();
    for (const g of Array.from(svg.children)) old.set(g.dataset.name, g);
    const styleKey = style.fill + "|" + style.bg + "|" + style.font;
    for (const it of items) {
      let g = old.get(it.name);
      if (g) old.delete(it.name);
      else {
        g = el("g", { class: "label", "data-name": it.name });
        g.addEventListener("click", () => onPick(g.__pick));
        g.addEventListener("mouseenter", () => onHover(it.name, true));  // the hover of what it labels
        g.addEventListener("mouseleave", () => onHover(it.name, false));
        svg.appendChild(g);
      }
      g.__pick = it.pick;
      const lines = it.text.split("<br>"), w = it.tw + 2 * it.pad, h = lines.length * LINE * it.size + 2 * it.pad;
      const sig = it.text + "|" + it.size + "|" + it.pad + "|" + styleKey;
      if (g.__sig !== sig) {  // its text or style changed: its box and text drawn again
        g.__sig = sig;
        g.textContent = "";
        g.appendChild(el("rect", { class: "bg", width: w.toFixed(1), height: h.toFixed(1), fill: style.bg }));
        const t = el("text", { "font-size": it.size, fill: style.fill, "font-family": style.font, "text-anchor": "middle",
                               "dominant-baseline": "central" });
        lines.forEach((s, k) => {
          const span = el("tspan", { x: (w / 2).toFixed(1), y: (it.pad + (k + 0.5) * LINE * it.size).toFixed(1) });
          span.textContent = s;
          t.appendChild(span);
        });
        g.appendChild(t);
      }
      // on the placer's box's side towards its neuron (as Plotly anchored them), else centred
      const [xa, ya] = it.anchor || ["center", "middle"], b = it.box;
      const x0 = xa === "left" ? b.x0 : xa === "right" ? b.x1 - w : (b.x0 + b.x1 - w) / 2;
      const y0 = ya === "top" ? b.y0 : ya === "bottom" ? b.y1 - h : (b.y0 + b.y1 - h) / 2;
      const pos = "translate(" + x0.toFixed(1) + "," + y0.toFixed(1) + ")";
      if (g.__pos !== pos) { g.__pos = pos; g.setAttribute("transform", pos); }
      const meta = (it.halo ? "1" : "0") + "|" + it.x + "|" + it.y;
      if (g.__meta !== meta) {  // for tests: the halo flag, and the data point the label belongs to
        g.__meta = meta;
        g.dataset.halo = it.halo ? "1" : "0"; g.dataset.x = String(it.x); g.dataset.y = String(it.y);
      }
    }
    old.forEach(g => g.remove());
  }
  // The edge lines, in an SVG under the plot (Plotly draws the neurons over their ends, as it drew its own line
  // traces): one keyed <line data-q> per edge. A step that changes an edge's value (every step of the backward and
  // update passes) rewrites that line's colour and width; in Plotly it redrew the whole plot (40-100 ms on
  // 8-8-8-8-1). segs: [[x1, y1, x2, y2, colour, width]] in drawing pixels, one per edge, in the geometry's order.
  function edges(svg, segs, W, H) {
    size(svg, W, H);
    while (svg.children.length > segs.length) svg.lastChild.remove();
    while (svg.children.length < segs.length) {
      svg.appendChild(el("line", { "data-q": svg.children.length, "stroke-linecap": "butt" }));
    }
    segs.forEach((s, q) => {
      const line = svg.children[q], sig = s.join("|");
      if (line.__sig === sig) return;
      line.__sig = sig;
      line.setAttribute("x1", s[0].toFixed(1)); line.setAttribute("y1", s[1].toFixed(1));
      line.setAttribute("x2", s[2].toFixed(1)); line.setAttribute("y2", s[3].toFixed(1));
      line.setAttribute("stroke", s[4]); line.setAttribute("stroke-width", s[5]);
    });
  }

  // The neurons as Plotly draws them (a disc of radius r, its ring of width lw centred on the edge; a graph's
  // operation symbol inside), until Plotly has drawn: items [[x, y, r, fill, ring, lw, sym]], [] to clear.
  function discs(svg, items, W, H, style) {
    size(svg, W, H);
    svg.textContent = "";
    items.forEach(([x, y, r, fill, ring, lw, sym]) => {
      svg.appendChild(el("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: r, fill: fill, stroke: ring, "stroke-width": lw }));
      if (!sym) return;
      const t = el("text", { x: x.toFixed(1), y: y.toFixed(1), "font-size": r + 1, fill: "#1b1c22", "text-anchor": "middle",
                             "dominant-baseline": "central", "font-family": style.font });
      t.textContent = sym;
      svg.appendChild(t);
    });
  }

  // the active edges' glow over the edge lines and under the labels, as Plotly drew it (a wide translucent line),
  // but not over a neuron: the neurons' discs (with their rings) are masked out. segs, circles: drawing pixels.
  function glow(svg, segs, colour, W, H, circles, r) {
    size(svg, W, H);
    const mkey = W + "|" + H + "|" + r + "|" + circles.map(c => c[0].toFixed(1) + "," + c[1].toFixed(1)).join(";");
    if (svg.__mask !== mkey) {  // a new size or network: the mask again
      svg.__mask = mkey; svg.__key = null;
      svg.textContent = "";
      const defs = el("defs", {});
      const mask = el("mask", { id: "glowmask", maskUnits: "userSpaceOnUse", x: 0, y: 0, width: W, height: H });
      mask.appendChild(el("rect", { x: 0, y: 0, width: W, height: H, fill: "#fff" }));
      circles.forEach(c => mask.appendChild(el("circle", { cx: c[0], cy: c[1], r: r, fill: "#000" })));
      defs.appendChild(mask); svg.appendChild(defs);
      // opacity on the group, as Plotly's trace opacity: where two glows cross they are not darker
      svg.__lines = svg.appendChild(el("g", { mask: "url(#glowmask)", opacity: 0.55, "stroke-width": 9 }));
    }
    const key = colour + "|" + segs.map(s => s.map(v => v.toFixed(1)).join(",")).join(";");
    if (svg.__key === key) return;
    svg.__key = key;
    svg.__lines.textContent = "";
    segs.forEach(s => svg.__lines.appendChild(el("line", { x1: s[0], y1: s[1], x2: s[2], y2: s[3], stroke: colour })));
  }

  // Plotly's own neuron points restyled in place, as its style step does (fill, stroke and their opacities,
  // stroke width), for a step while playing: a Plotly.restyle of marker colours recalculates and redraws the
  // whole plot (35-50 ms on 8-8-8-8-1). gd.data is kept in step so that Plotly's next redraw draws the same.
  // False when the points are not the ones expected (then the caller redraws with Plotly).
  function rgba(c) {
    let m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
    if (m) return ["rgb(" + parseInt(m[1], 16) + ", " + parseInt(m[2], 16) + ", " + parseInt(m[3], 16) + ")", 1];
    m = /^rgba?\(([^,]+),([^,]+),([^,)]+)(?:,([^)]+))?\)$/.exec(c.replace(/\s/g, ""));
    if (m) return ["rgb(" + (+m[1]) + ", " + (+m[2]) + ", " + (+m[3]) + ")", m[4] === undefined ? 1 : +m[4]];
    return null;
  }
  function restylePoints(gd, name, marker) {
    const idx = (gd.data || []).findIndex(t => t.name === name), layers = gd.querySelectorAll(".scatterlayer .trace");
    if (idx < 0 || layers.length !== gd.data.length) return false;
    const pts = layers[idx].querySelectorAll("path.point"), old = gd.data[idx].marker;
    if (pts.length !== marker.color.length || !Array.isArray(old.color) || !old.line || !Array.isArray(old.line.color) ||
        !Array.isArray(old.line.width) || old.color.length !== pts.length) return false;
    const paint = [];
    for (let q = 0; q < pts.length; q++) {
      const c = marker.color[q], lc = marker.line.color[q], lw = marker.line.width[q];
      if (c === old.color[q] && lc === old.line.color[q] && lw === old.line.width[q]) continue;
      const f = rgba(c), st = rgba(lc);
      if (!f || !st) return false;
      paint.push([q, f, st, lw, c, lc]);
    }
    paint.forEach(([q, f, st, lw, c, lc]) => {  // written after every colour was understood: all or nothing
      const p = pts[q].style;
      p.fill = f[0]; p.fillOpacity = f[1]; p.stroke = st[0]; p.strokeOpacity = st[1]; p.strokeWidth = lw + "px";
      old.color[q] = c; old.line.color[q] = lc; old.line.width[q] = lw;
    });
    return true;
  }
  return { draw: draw, edges: edges, discs: discs, glow: glow, restylePoints: restylePoints, LINE: LINE };
})();
