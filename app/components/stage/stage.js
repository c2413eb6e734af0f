"use strict";
// The stage: holds every frame of a step screen (app/walkthrough/frames.py) and plays them in the browser.
// Python tells it the step only when the server moves it (a link, the quiz, follow mode); it tells
// Python its step when that matters: after a pause of Play, after 2 s without a move, on going on
// to the next screen, and on every move when args.report_all is set (a teacher driving a room).
(function () {
const POSITIVE = "#0072B2", NEGATIVE = "#D55E00", ACTIVE = "#E69F00", DONE = "#56B4E9", MARK = "#CC79A7";
const MUTED = "rgba(140,140,140,0.45)";
const WIDTHS = [1.5, 3.0, 5.0, 7.5];
const STEP_MS = 1500;  // one step at 1× while playing
const IDLE_REPORT_MS = 2000;
// The address bar follows the step once it rests, and not while playing: Streamlit's page answers every
// change of its URL with a message to the server (about 7 ms of its CPU each, measured in bench_stage).
const URL_REST_MS = 400;
const $ = (id) => document.getElementById(id);
const gd = $("plot"), overlay = $("overlay");
const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

let data = null, dataText = null, states = null, args = {}, theme = null;
let step = 0, lastArgStep = null, lastReported = null, reportSeq = Date.now();  // unique across remounts
let playing = false, playTimer = null, idleTimer = null, urlTimer = null, renderQueued = false, drawnStep = -1, drawnKey = null;
let motion = null, frameTimes = [], height = 0, chainExtra = {}, chainText = null;
window.__stage = { renders: [], frameTimes: frameTimes, clicks: 0 };

function send(type, payload) {
  window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, payload), "*");
}
function report(why, extra) {
  lastReported = step;
  send("streamlit:setComponentValue", { value: Object.assign({ step: step, why: why, seq: ++reportSeq }, extra || {}),
                                        dataType: "json" });
}
function count() { return data ? data.frames.length : 0; }
function total() { return data ? data.count : 0; }

// ---- the state of the drawing at every step: base, then each frame's changes in turn ----
function buildStates() {
  const g = data.geometry, nN = g.nodes.length, nE = g.edges.length;
  let labels = new Array(nN).fill(""), edges = new Array(nE).fill(null);
  for (const [i, v] of Object.entries(data.base.nodes)) labels[+i] = v;
  for (const [i, v] of Object.entries(data.base.edges)) edges[+i] = v;
  states = [];
  for (const f of data.frames) {  // a frame that changes nothing of a kind shares the array before it
    if (Object.keys(f.nodes).length) labels = labels.slice();
    if (Object.keys(f.edges).length) edges = edges.slice();
    for (const [i, v] of Object.entries(f.nodes)) labels[+i] = v;
    for (const [i, v] of Object.entries(f.edges)) edges[+i] = v;
    states.push({ labels: labels, edges: edges });
  }
}

// ---- the drawing ----
function textColour() { return (theme && theme.textColor) || "#31333f"; }
function bgColour() { return (theme && theme.backgroundColor) || "#ffffff"; }
function presenter() { return !!args.presenter; }
// presenter mode: labels as large as the equations' text (22 px); otherwise a little smaller
function labelSize() { const g = data.geometry; return presenter() ? 22 : (g.small ? 14 : 17); }
function drawingHeight() {
  const top = Math.max.apply(null, data.geometry.layers);
  let h = Math.max(420, Math.min(760, 110 * top + 220));
  // cards above the drawing: keep it short enough to see with them, unless it is a graph (its columns need the rows)
  if (document.body.classList.contains("narrow") && !data.geometry.graph) h = Math.min(h, 440);
  if (presenter()) {
    try {  // one step fits the projector's screen: the drawing takes what is left around it
      const frame = window.frameElement, vh = window.parent.innerHeight;
      const top0 = frame.getBoundingClientRect().top + window.parent.scrollY;
      const drawn = gd.offsetHeight || 0;
      const other = $("drawing").offsetHeight - drawn + $("controls").offsetHeight + 16;
      h = Math.max(260, Math.min(h, vh - top0 - other));
    } catch (e) { /* not same-origin: keep the default */ }
  }
  return Math.round(h);
}

// an edge's line: by the sign of its value and the quarter of the largest |value| it falls in; muted while it has
// no value yet. [colour, width]
function edgeMax(edges) {
  return Math.max(0, ...edges.map(e => e && e[0] !== null && isFinite(e[0]) ? Math.abs(e[0]) : 0));
}
function edgeStyle(v, vmax) {
  if (v === null || v === undefined || !isFinite(v)) return [MUTED, 1.2];
  const qn = vmax === 0 || v === 0 ? 0 : Math.min(3, Math.floor(4 * Math.abs(v) / vmax - 1e-9));
  return [v >= 0 ? POSITIVE : NEGATIVE, WIDTHS[Math.max(0, qn)] * (data.geometry.small ? 0.5 : 1)];
}

function figure(i) {
  const g = data.geometry, st = states[i], f = data.frames[i];
  const active = new Set(f.active_nodes), activeE = new Set(f.active_edges);
  const vmax = edgeMax(st.edges);
  const lx = [], ly = [], lh = [], lid = [];
  const labels = [];  // drawn by labels.js over the plot, not as Plotly annotations
  const size = labelSize(), H = drawingHeight(), edgeSize = presenter() ? size : size - 2;
  const place = placer(g, H, size);
  // the edge lines (labels.js draws them under the plot), and the edges' hover points (Plotly's)
  const segs = g.edges.map((e, q) => {
    const a = g.nodes[e.src], b = g.nodes[e.dst], v = st.edges[q];
    lx.push(a.x + e.at * (b.x - a.x)); ly.push(a.y + e.at * (b.y - a.y)); lh.push(v ? v[2] : e.name);
    lid.push([e.l, e.j, e.k]);
    return [place.X(a.x), place.Y(a.y), place.X(b.x), place.Y(b.y), ...edgeStyle(v ? v[0] : null, vmax)];
  });
  // the active step's labels first (they always show), then the others where they fit (hover still shows
  // one that does not): on a network too wide for every number, no label covers another
  const edgeLabel = (q) => {
    const v = st.edges[q];
    if (!v || !v[1]) return;
    const at = place.edge(q, v[1], activeE.has(q));
    if (!at) return;
    lx[q] = at.x; ly[q] = at.y;  // hover where the number is
    const e = g.edges[q];
    labels.push({ name: "edge" + q, text: v[1], size: edgeSize, tw: at.tw, pad: 1.5, box: at.box, halo: at.halo,
                  x: at.x, y: at.y, pick: [e.l, e.j, e.k] });
  };
  const nodeQs = g.nodes.map((_, q) => q).filter(q => st.labels[q]);
  nodeQs.filter(q => active.has(q)).forEach(q => place.node(q, st.labels[q], true));
  activeE.forEach(edgeLabel);
  nodeQs.filter(q => !active.has(q)).forEach(q => place.node(q, st.labels[q], false));
  g.edges.forEach((e, q) => { if (!activeE.has(q) && e.few) edgeLabel(q); });
  place.nodes.forEach(nb => labels.push({ name: "node" + nb.q, text: nb.text, size: size, tw: nb.tw, pad: 3,
                                          box: nb.box, anchor: nb.anchor, halo: nb.halo, x: nb.x, y: nb.y,
                                          pick: [g.nodes[nb.q].l, g.nodes[nb.q].j] }));
  const traces = [];
  // the active edges' glow: drawn over the plot by labels.js (a step changes it; in Plotly it redrew everything)
  const glow = [];
  activeE.forEach(q => {
    const e = g.edges[q], a = g.nodes[e.src], b = g.nodes[e.dst];
    glow.push([place.X(a.x), place.Y(a.y), place.X(b.x), place.Y(b.y)]);
  });
  traces.push({ type: "scatter", x: lx, y: ly, mode: "markers", hovertext: lh, hoverinfo: "text", customdata: lid,
                marker: { size: 16, color: "rgba(0,0,0,0)" }, name: "edges" });
  const nx = [], ny = [], nc = [], nl = [], nw = [], nh = [], nid = [];
  const r = g.small ? 12 : 19;
  g.nodes.forEach((n, q) => {
    const lab = st.labels[q], on = active.has(q);
    nx.push(n.x); ny.push(n.y); nid.push([n.l, n.j]);
    nc.push(on ? ACTIVE : lab ? DONE : "rgba(140,140,140,0.15)");
    nl.push(on ? ACTIVE : n.ring ? textColour() : "rgba(110,110,110,0.95)"); nw.push(on ? 4 : n.ring ? 3 : 1.5);
    nh.push(n.name + (lab ? ": " + lab.replace(/<br>/g, "; ") : ""));
  });
  traces.push({ type: "scatter", x: nx, y: ny, mode: "markers", hovertext: nh, hoverinfo: "text", customdata: nid,
                marker: { size: 2 * r, color: nc, line: { color: nl, width: nw } }, name: "neurons" });
  // the same discs, for labels.js to draw until plotly.min.js has run (about a second on a first visit)
  const discs = g.nodes.map((n, q) => [place.X(n.x), place.Y(n.y), r, nc[q], nl[q], nw[q], n.sym || ""]);
  if (g.nodes.some(n => n.sym)) {  // a graph's operation nodes: the symbol inside the circle (node.sym)
    traces[traces.length - 1].mode = "markers+text";
    Object.assign(traces[traces.length - 1], { text: g.nodes.map(n => n.sym || ""), textposition: "middle center",
                                               textfont: { size: r + 1, color: "#1b1c22" } });
  }
  const layout = {
    width: place.W, height: H, margin: MARGIN, showlegend: false,  // the width too: a resized window re-lays out
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", dragmode: false, hovermode: "closest",
    font: { color: textColour(), family: (theme && theme.font) || "sans-serif" },
    hoverlabel: { bgcolor: bgColour(), font: { color: textColour(), size: 15 } },
    xaxis: { range: xRange(g), showgrid: false, zeroline: false, tickvals: g.layer_names.map((_, i) => i),
             ticktext: g.layer_names, tickfont: { size: presenter() ? 18 : 15, color: textColour() }, fixedrange: true },
    yaxis: { range: yRange(g), showgrid: false, zeroline: false,
             showticklabels: false, fixedrange: true },
  };
  return { traces: traces, layout: layout, labels: labels, segs: segs, discs: discs, glow: glow, W: place.W, H: H,
           X: place.X, Y: place.Y };
}

// ---- where labels go: in pixels, so that no label covers another label or a neuron ----
const MARGIN = { l: 10, r: 10, t: 10, b: 40 }, AXIS = 0;
function xRange(g) { return [-0.55, g.layers.length - 1 + 0.55]; }
function yRange(g) { const top = Math.max.apply(null, g.layers); return [-(top - 1) / 2 - 0.45, (top - 1) / 2 + 0.95]; }
let measureCtx = null;
function textWidth(t, size) {
  measureCtx = measureCtx || document.createElement("canvas").getContext("2d");
  measureCtx.font = size + "px " + ((theme && theme.font) || "sans-serif");
  return Math.max(...t.split("<br>").map(s => measureCtx.measureText(s).width));
}
function segHitsBox(s, b, pad) {  // does the segment s = [x0, y0, x1, y1] meet the box grown by pad (Liang–Barsky)
  const dx = s[2] - s[0], dy = s[3] - s[1];
  let t0 = 0, t1 = 1;
  const edges = [[-dx, s[0] - (b.x0 - pad)], [dx, b.x1 + pad - s[0]], [-dy, s[1] - (b.y0 - pad)], [dy, b.y1 + pad - s[1]]];
  for (const [p, r] of edges) {
    if (p === 0) { if (r < 0) return false; continue; }
    const t = r / p;
    if (p < 0) { if (t > t1) return false; if (t > t0) t0 = t; } else { if (t < t0) return false; if (t < t1) t1 = t; }
  }
  return true;
}
function placer(g, H, size) {
  const W = Math.max(200, $("drawing").clientWidth || gd.clientWidth || 600);
  const xr = xRange(g), yr = yRange(g), r = g.small ? 12 : 19;
  const pw = W - MARGIN.l - MARGIN.r, ph = H - MARGIN.t - MARGIN.b - AXIS;
  const X = x => MARGIN.l + (x - xr[0]) / (xr[1] - xr[0]) * pw, Y = y => MARGIN.t + (yr[1] - y) / (yr[1] - yr[0]) * ph;
  const taken = g.nodes.map(n => ({ x0: X(n.x) - r - 2, x1: X(n.x) + r + 2, y0: Y(n.y) - r - 2, y1: Y(n.y) + r + 2 }));
  const hit = (b) => taken.some(t => b.x0 < t.x1 && t.x0 < b.x1 && b.y0 < t.y1 && t.y0 < b.y1);
  const lineH = size * StageLabels.LINE + 3;  // with a little room: the box labels.js draws fits inside the one placed here
  const out = { nodes: [], W: W, X: X, Y: Y };
  const outside = (b) => b.x0 < 0 || b.x1 > W || b.y0 < 0 || b.y1 > H - MARGIN.b + 4;
  const d = r + 3;  // a label's gap from its neuron's centre
  const SPOTS = [["center", "bottom", 0, d], ["center", "top", 0, -d], ["left", "middle", d + 1, 0],
                 ["right", "middle", -d - 1, 0], ["left", "bottom", d, d], ["left", "top", d, -d],
                 ["right", "bottom", -d, d], ["right", "top", -d, -d]];  // anchor and shift (y up)
  // the edge lines too (a segment between two neurons' centres, in the same pixels): no label crosses one.
  // Not on a graph: its labels sit in columns laid out for them (issue 13), and the rule would hide half of them
  const segs = g.graph ? [] : g.edges.map(e => { const a = g.nodes[e.src], b = g.nodes[e.dst]; return [X(a.x), Y(a.y), X(b.x), Y(b.y)]; });
  const crosses = (bx, own) => {  // how many edges (but its own) pass through the box, with 2 px for the line's width
    let n = 0;
    segs.forEach((s, q) => { if (q !== own && segHitsBox(s, bx, 2)) n++; });
    return n;
  };
  // the first free spot; else, if it must show, the spot crossing the fewest edges (drawn with a halo)
  const choose = (cands, box, own, must) => {
    let best = null, fewest = Infinity;
    for (const c of cands) {
      const b = box(c);
      if (hit(b) || outside(b)) continue;
      const n = crosses(b, own);
      if (n === 0) return { c: c, b: b, halo: false };
      if (n < fewest) { fewest = n; best = { c: c, b: b, halo: true }; }
    }
    return must ? best : null;  // hover still shows a label that does not fit
  };
  out.node = (q, text, must) => {  // above the neuron, else below, right, left, then the corners: the first free
    const n = g.nodes[q], w = textWidth(text, size) + 8, h = text.split("<br>").length * lineH + 4;
    const cx = X(n.x), cy = Y(n.y);
    const box = ([xa, ya, xs, ys]) => {
      const x0 = xa === "center" ? cx + xs - w / 2 : xa === "left" ? cx + xs : cx + xs - w;
      const y0 = ya === "middle" ? cy - ys - h / 2 : ya === "top" ? cy - ys : cy - ys - h;
      return { x0: x0, x1: x0 + w, y0: y0, y1: y0 + h };
    };
    let pick = choose(SPOTS, box, -1, must);
    if (!pick && !must) return;  // hover still shows it
    pick = pick || { c: SPOTS[0], b: box(SPOTS[0]), halo: true };
    taken.push(pick.b);
    out.nodes.push({ q: q, x: n.x, y: n.y, text: text, tw: w - 8, box: pick.b, halo: pick.halo,
                     anchor: pick.c.slice(0, 2) });
  };
  // a weight's number sits on its own edge, where no other edge passes: near its ends the edges converge,
  // the middle of a long edge is often free
  out.edge = (q, text, must) => {
    const e = g.edges[q], a = g.nodes[e.src], b = g.nodes[e.dst];
    const w = textWidth(text, presenter() ? size : size - 2) + 6, h = lineH;
    const tries = [e.at, 1 - e.at, 0.5, 0.4, 0.6, 0.45, 0.55, 0.22, 0.78, 0.35, 0.65, 0.3, 0.7, 0.15, 0.85,
                   0.26, 0.74, 0.18, 0.82, 0.12, 0.88, 0.1, 0.9];
    const at = t => [a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)];
    const box = t => { const [x, y] = at(t); return { x0: X(x) - w / 2, x1: X(x) + w / 2, y0: Y(y) - h / 2, y1: Y(y) + h / 2 }; };
    const pick = choose(tries, box, q, must);
    if (!pick && !must) return null;  // hover still shows it
    if (!pick) return { x: at(e.at)[0], y: at(e.at)[1], halo: true, tw: w - 6, box: box(e.at) };
    taken.push(pick.b);
    return { x: at(pick.c)[0], y: at(pick.c)[1], halo: pick.halo, tw: w - 6, box: pick.b };
  };
  return out;
}

const CONFIG = { displayModeBar: false, responsive: false };  // a new width redraws (ResizeObserver)
let plotReady = false, chainOpen = false;
function labelStyle() { return { fill: textColour(), bg: bgColour(), font: (theme && theme.font) || "sans-serif" }; }
// While playing, Plotly's scene is left as it is where it can be: the edge lines, the labels and the glow are ours,
// and the neurons' colours are restyled in place (StageLabels.restylePoints); the hover texts wait for the end of
// Play (stop() redraws with Plotly). Anything else is a Plotly.react now. Before plotly.min.js has run, the
// neurons are discs in our own SVG (#discs), so that the first step shows whole as soon as its data is here;
// Plotly's first drawing replaces them (window.stageReady draws again).
let plotted = null;  // the size, theme and mode Plotly last drew at
function draw(i) {
  if (!data) return Promise.resolve();
  const fig = figure(i), key = fig.W + "|" + fig.H + "|" + (theme && theme.base) + "|" + presenter();
  StageLabels.edges($("edges"), fig.segs, fig.W, fig.H);
  StageLabels.draw($("labels"), fig.labels, labelStyle(), fig.W, fig.H, (id) => onPick({ points: [{ customdata: id }] }),
                   hoverOf);
  const g = data.geometry, r = g.small ? 12 : 19;
  StageLabels.glow($("glow"), fig.glow, ACTIVE, fig.W, fig.H, g.nodes.map(n => [fig.X(n.x), fig.Y(n.y)]), r + 2);
  if (!window.Plotly) {
    StageLabels.discs($("discs"), fig.discs, fig.W, fig.H, labelStyle());
    gd.style.height = fig.H + "px";  // the room Plotly will take (the legend goes under it, not under the discs)
    return Promise.resolve();
  }
  if (playing && plotted === key && StageLabels.restylePoints(gd, "neurons", fig.traces[fig.traces.length - 1].marker)) {
    return Promise.resolve();
  }
  plotted = key;
  const p = Plotly.react(gd, fig.traces, fig.layout, CONFIG).then(() => {
    StageLabels.discs($("discs"), [], fig.W, fig.H, labelStyle());
    gd.style.height = "";
  });
  if (!plotReady) {
    plotReady = true;
    gd.on("plotly_click", onPick);
  }
  return p;
}
function hoverOf(name, on) {  // a label shows the hover of its neuron or edge (the label covers Plotly's point)
  if (!window.Plotly || !plotted) return;  // the discs before Plotly have no hover
  if (!on) { Plotly.Fx.unhover(gd); return; }
  const idx = (gd.data || []).findIndex(t => t.name === (name.startsWith("edge") ? "edges" : "neurons"));
  if (idx >= 0) Plotly.Fx.hover(gd, [{ curveNumber: idx, pointNumber: +name.slice(4) }]);
}

// ---- the equation cards (MathML from app/walkthrough/mathml.py) ----
function cardHTML(c) {
  let h = '<div class="card">' + (c.h ? "<h3>" + esc(c.h) + "</h3>" : "") + "<p>" + esc(c.s) + "</p>";
  c.rows.forEach((lines, r) => {
    lines.forEach(pieces => {
      h += '<div class="line' + (r === c.rows.length - 1 && c.rows.length === 3 ? " value" : "") + '">' +
           pieces.join("") + "</div>";
    });
  });
  return h + "</div>";
}
function esc(s) { return String(s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }
function showCards(i) {
  const f = data.frames[i];
  let h = f.cards.map(cardHTML).join("");
  if (f.chain) {
    const cards = chainExtra[f.chain];
    if (cards && presenter() && !chainOpen)  // on a projector the long card waits behind a button
      h += '<button type="button" class="chainopen">Show the full chain rule for this parameter</button>';
    else if (cards) h += cards.map(cardHTML).join("");
    else if (args.cards !== false) h += '<button type="button" class="chainbtn" data-chain="' + esc(f.chain) +
        '">Show the full chain rule for this parameter</button>';
  }
  $("cards").innerHTML = h;
  const o = $("cards").querySelector(".chainopen");
  if (o) o.addEventListener("click", () => { chainOpen = true; showCards(step); sizeFrame(); });
  const b = $("cards").querySelector(".chainbtn");
  if (b) b.addEventListener("click", () => report("chain", { chain: b.dataset.chain }));
  fit();
}
function fit() {  // a line wider than its card gets a smaller font (it also wraps between its pieces)
  // Reads and writes in batches: one layout per round for all lines, not one per line and size tried (that
  // was most of a step's time while playing a wide network). The first round scales each line by
  // box / width, rounded down to the 0.08 em steps; the rounds after step down the lines still too wide.
  const base = presenter() ? 1.0 : 1.25, STEP = 0.08, MIN = 0.55;
  const ms = Array.from($("cards").querySelectorAll("math"));
  ms.forEach(m => { m.style.fontSize = ""; });
  let todo = ms.map(m => ({ m: m, s: base }));
  for (let round = 0; round < 8 && todo.length; round++) {
    const seen = todo.map(t => [t.m.getBoundingClientRect().width, t.m.parentElement.clientWidth]);
    todo = todo.filter((t, q) => {
      const [w, box] = seen[q];
      if (!(w > box) || t.s <= MIN) return false;
      t.s = Math.max(MIN, round === 0 ? base - STEP * Math.ceil((base - base * box / w) / STEP) : t.s - STEP);
      return true;
    });
    todo.forEach(t => { t.m.style.fontSize = t.s + "em"; });
  }
}

// ---- stepping ----
function setStep(i, how) {
  const n = count();
  if (!n) return;
  i = Math.max(0, Math.min(n - 1, i));
  const from = step;
  step = i;
  if (how !== "server" && args.report_all) report("move");
  else if (how !== "server" && !playing) armIdle();
  pendingMotion = how === "next" && i === from + 1 ? from : null;
  queueRender();
  clearTimeout(urlTimer);
  if (!playing) urlTimer = setTimeout(writeUrl, URL_REST_MS);
}
function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  window.requestAnimationFrame(render);
}
let pendingMotion = null, clickAt = null;
function render() {
  renderQueued = false;
  if (!data || !states) return;
  const i = step;
  showControls(i);
  // while playing, the equation card follows a frame after the drawing: two short frames, not one long one
  const later = playing && drawnStep >= 0;
  const card = () => {
    showCards(i);
    $("desc").textContent = "Step " + (i + 1) + " of " + count() + ": " + data.frames[i].desc;
  };
  if (!later) card();
  const key = i + "|" + height + "|" + (theme && theme.base);
  const done = () => {
    drawnStep = i; drawnKey = key;
    if (pendingMotion !== null && !reduced) startMotion(data.frames[i]);
    pendingMotion = null;
    const shown = () => {
      document.body.dataset.step = String(i);
      if (clickAt !== null) {
        const t0 = clickAt; clickAt = null;
        window.requestAnimationFrame(() => window.__stage.renders.push(performance.now() - t0));
      }
      sizeFrame();
    };
    if (!later) shown();
    else window.requestAnimationFrame(() => { if (step === i) { card(); shown(); } });  // else a newer step's does
  };
  if (key === drawnKey) done(); else draw(i).then(done);
}
function showControls(i) {
  const n = count(), last = i === total() - 1, follow = !!args.follow;
  $("home").disabled = follow || i === 0; $("prev").disabled = follow || i === 0;
  $("next").disabled = follow || (i >= n - 1 && !(last && args.onward));
  $("end").disabled = follow || i >= n - 1;
  $("play").disabled = follow || n < 2;
  $("slider").max = String(Math.max(1, n)); $("slider").value = String(i + 1);
  $("slider").disabled = follow || n < 2;
  $("slider").setAttribute("aria-valuetext", "Step " + (i + 1) + " of " + total());
  $("where").textContent = "Step " + (i + 1) + " of " + total();
  const onward = $("onward");
  onward.hidden = true;
  if (args.onward) onward.textContent = args.onward.label + " →";
  const nextWord = last && args.onward ? args.onward.label : "Next";  // at the end, Next goes on
  $("nextword").textContent = nextWord;
  $("next").setAttribute("aria-label", last && args.onward ? args.onward.label : "Next step");
}
function next() {
  if (step >= count() - 1) {
    if (step === total() - 1 && args.onward && !args.follow) { stop(); report("onward", { go: args.onward.screen }); }
    return;
  }
  setStep(step + 1, "next");
}
function onPick(ev) {
  if (args.follow || !ev.points || !ev.points.length) return;
  const p = ev.points[0], id = p.customdata;
  if (!id) return;
  const j = data.jumps[id.join(",")];
  if (j !== undefined) { stop(); setStep(j, "pick"); }
  else if (data.picks && data.picks[id.join(",")]) { stop(); report("pick", { pick: data.picks[id.join(",")] }); }
}

// ---- Play ----
function speed() { return +$("speed").value || 1; }
function play() {
  if (args.follow || count() < 2) return;
  if (step >= count() - 1) setStep(0, "play");
  playing = true;
  $("playword").textContent = "Pause"; $("playicon").textContent = "‖";
  $("play").setAttribute("aria-label", "Pause");
  tick();
  clock();
}
// window.__stage.frameTimes: the time between two animation frames, every frame while playing (the steps'
// redraws included, not only the motion's frames), while the last motion runs on, and one more (the redraw at the
// end of Play; bench_stage.py)
let clockOn = false;
function clock() {
  if (clockOn) return;
  clockOn = true;
  let last = performance.now(), after = 0;
  const frame = (now) => {
    frameTimes.push(now - last); last = now;
    if (frameTimes.length > 4000) frameTimes.splice(0, 2000);
    if (playing || motion || after++ < 1) window.requestAnimationFrame(frame); else clockOn = false;
  };
  window.requestAnimationFrame(frame);
}
function tick() {
  clearTimeout(playTimer);
  playTimer = setTimeout(() => {
    if (!playing) return;
    if (step >= count() - 1) { stop(); return; }
    setStep(step + 1, "next");
    tick();
  }, STEP_MS / speed());
}
function stop() {
  if (!playing) return;
  playing = false; clearTimeout(playTimer);
  $("playword").textContent = "Play"; $("playicon").textContent = "▶";
  $("play").setAttribute("aria-label", "Play");
  writeUrl();
  if (!args.report_all) report("pause");
  drawnKey = null; queueRender();  // Plotly's scene brought up to this step (its hover texts)
}
function toggle() { if (playing) stop(); else play(); }
function armIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => { if (!playing && step !== lastReported) report("idle"); }, IDLE_REPORT_MS);
}

// ---- motion on the drawing (an SVG over the plot) ----
function px(x, y) {
  const fl = gd._fullLayout;
  return [fl.xaxis.l2p(x) + fl._size.l, fl.yaxis.l2p(y) + fl._size.t];
}
function startMotion(f) {
  if (!f.flow || !f.flow.length || !gd._fullLayout) return;
  const g = data.geometry, dur = Math.min(0.6 * STEP_MS / speed(), 1100);
  overlay.setAttribute("width", gd.clientWidth); overlay.setAttribute("height", gd.clientHeight);
  overlay.innerHTML = "";
  const ns = "http://www.w3.org/2000/svg", items = [];
  const mk = (tag, attrs) => { const el = document.createElementNS(ns, tag); for (const k in attrs) el.setAttribute(k, attrs[k]); overlay.appendChild(el); return el; };
  const textFill = textColour(), fs = labelSize() - 3;
  f.flow.forEach(fl => {
    const e = g.edges[fl[0]], a = px(g.nodes[e.src].x, g.nodes[e.src].y), b = px(g.nodes[e.dst].x, g.nodes[e.dst].y);
    if (fl[1] === 2) {  // update: the edge moves from its old thickness and colour to its new one
      const line = mk("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], "stroke-linecap": "round" });
      items.push({ kind: "edge", line: line, old: fl[2], new: fl[3] });
      return;
    }
    const pairs = fl[1] === 0 ? [[a, mid(a, b), fl[2]], [b, mid(a, b), fl[3]]] : fl[1] > 0 ? [[a, b, fl[2]]] : [[b, a, fl[2]]];
    pairs.forEach(([p0, p1, text]) => {
      const c = mk("circle", { r: 7, fill: ACTIVE, stroke: textFill, "stroke-width": 1.5 });
      const t = mk("text", { "font-size": fs, fill: textFill, stroke: bgColour(), "stroke-width": 3, "paint-order": "stroke" });
      t.textContent = text;
      items.push({ kind: "dot", c: c, t: t, p0: p0, p1: p1 });
    });
  });
  const vmax = edgeMax(states[step].edges);
  const t0 = performance.now();
  const id = {};
  motion = id;
  const frame = (now) => {
    if (motion !== id) return;
    const u = Math.min(1, (now - t0) / dur), s = u * u * (3 - 2 * u);
    items.forEach(it => {
      if (it.kind === "edge") {
        const [colour, w] = edgeStyle(it.old + s * (it.new - it.old), vmax);
        it.line.setAttribute("stroke", colour);
        it.line.setAttribute("stroke-width", w + 2);
      } else {
        const x = it.p0[0] + s * (it.p1[0] - it.p0[0]), y = it.p0[1] + s * (it.p1[1] - it.p0[1]);
        it.c.setAttribute("cx", x); it.c.setAttribute("cy", y);
        it.t.setAttribute("x", x + 9); it.t.setAttribute("y", y - 9);
      }
    });
    if (u < 1) window.requestAnimationFrame(frame);
    else {  // what it arrives at is drawn under it already
      motion = null;
      overlay.innerHTML = "";
    }
  };
  window.requestAnimationFrame(frame);
}
function mid(a, b) { return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]; }

// ---- the URL: screen and step stay shareable without asking the server ----
function writeUrl() {
  if (!args.url_step) return;
  try {
    const u = new URL(window.parent.location.href);
    u.searchParams.set(typeof args.url_step === "string" ? args.url_step : "step", String(step + 1));
    window.parent.history.replaceState(window.parent.history.state, "", u.toString());
  } catch (e) { /* a URL is a convenience */ }
}

// ---- keys: on this frame and on the page around it ----
function onKey(e) {
  if (!data || e.altKey || e.ctrlKey || e.metaKey) return;
  const t = e.target, tag = t && t.tagName;
  if (tag === "INPUT" && t.type !== "range" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
  if (t && t.id === "slider" && (e.key === "ArrowLeft" || e.key === "ArrowRight")) return;  // the slider's own keys
  if (tag === "BUTTON" && e.key === " " && t.ownerDocument === document && t.id !== "play") return;
  if (args.follow) return;
  const k = e.key;
  if (k === "ArrowRight") { stop(); next(); }
  else if (k === "ArrowLeft") { stop(); setStep(step - 1, "key"); }
  else if (k === "Home") { stop(); setStep(0, "key"); }
  else if (k === "End") { stop(); setStep(count() - 1, "key"); }
  else if (k === " " || k === "Spacebar") toggle();
  else return;
  e.preventDefault(); e.stopPropagation();
}
document.addEventListener("keydown", onKey);
let parentDoc = null;
try { parentDoc = window.parent.document; parentDoc.addEventListener("keydown", onKey, true); } catch (e) { parentDoc = null; }
window.addEventListener("pagehide", () => { if (parentDoc) parentDoc.removeEventListener("keydown", onKey, true); });

// ---- buttons ----
const click = (id, fn) => $(id).addEventListener("click", (e) => { clickAt = performance.now(); window.__stage.clicks++; fn(e); });
click("next", () => { stop(); next(); });
click("prev", () => { stop(); setStep(step - 1, "button"); });
click("home", () => { stop(); setStep(0, "button"); });
click("end", () => { stop(); setStep(count() - 1, "button"); });
click("play", toggle);
click("onward", () => { stop(); report("onward", { go: args.onward.screen }); });
$("slider").addEventListener("input", () => { stop(); setStep(+$("slider").value - 1, "slider"); });
$("speed").addEventListener("change", () => { if (playing) tick(); });

// ---- size and theme ----
function sizeFrame() {
  const h = Math.ceil($("stage").getBoundingClientRect().height) + 6;  // the content, not the frame
  // while playing the frame only grows: each new height has the page lay itself out again (in this same thread),
  // which cost frames on nearly every step of 8-8-8-8-1 as the cards' heights changed; Pause fits it again
  if (Math.abs(h - height) > 2 && !(playing && h < height)) {
    height = h; send("streamlit:setFrameHeight", { height: h });
  }
}
function layoutClass() {
  const w = document.documentElement.clientWidth;
  document.body.classList.toggle("narrow", w < 1000);  // the card above the drawing
}
let lastWidth = 0;
new ResizeObserver(() => {  // a new width redraws (labels are placed in pixels); a new height only resizes the frame
  const w = document.documentElement.clientWidth;
  sizeFrame();
  if (Math.abs(w - lastWidth) < 1) return;
  lastWidth = w; layoutClass();
  if (data && states) { drawnKey = null; queueRender(); }
}).observe(document.documentElement);
function onParentResize() { if (presenter() && data && states) { drawnKey = null; queueRender(); } }  // a new height
try { window.parent.addEventListener("resize", onParentResize); } catch (e) { /* not same-origin */ }
window.addEventListener("pagehide", () => { try { window.parent.removeEventListener("resize", onParentResize); } catch (e) { /* gone */ } });
function applyTheme() {
  if (!theme) return;
  const r = document.documentElement.style;
  r.setProperty("--text", theme.textColor); r.setProperty("--bg", theme.backgroundColor);
  r.setProperty("--bg2", theme.secondaryBackgroundColor); r.setProperty("--primary", theme.primaryColor);
  r.setProperty("--muted", theme.base === "dark" ? "#c4c6cf" : "#555867");
}

// ---- what the server sends ----
function onRender(event) {
  args = event.data.args || {};
  args.onward = args.onward ? JSON.parse(args.onward) : null;  // JSON text (a dict argument costs the server pandas)
  const newTheme = event.data.theme || theme;
  if (JSON.stringify(newTheme) !== JSON.stringify(theme)) { theme = newTheme; applyTheme(); drawnKey = null; }
  document.body.classList.toggle("presenter", !!args.presenter);
  document.body.classList.toggle("follow", !!args.follow);
  if (args.chain !== chainText) { chainText = args.chain; chainExtra = chainText ? JSON.parse(chainText) : {}; }
  let fresh = false;
  if (args.data !== dataText) {
    dataText = args.data; data = JSON.parse(dataText); buildStates(); fresh = true; drawnKey = null;
    $("hint").textContent = args.hint || "";
    legend();
    layoutClass();
  }
  const s = +args.step || 0;
  if (args.follow || s !== lastArgStep && s !== lastReported || (fresh && step >= count())) {
    lastArgStep = s; stop(); setStep(s, "server");
  } else { lastArgStep = s; queueRender(); }
}
function legend() {
  const sw = (c, t, node) => '<span class="sw" style="color:' + c + '">' + (node ? "●" : "━━") + "</span>&nbsp;" + t;
  const v = esc(data.base.value_name);
  $("legend").innerHTML = [sw(POSITIVE, v + " &gt; 0"), sw(NEGATIVE, v + " &lt; 0"), "thicker = larger |" + v + "|",
                           sw(ACTIVE, "this step", true), sw(DONE, "computed", true)].join(" &nbsp; ");
}
window.stageReady = () => { if (data && states) { drawnKey = null; queueRender(); } };
window.addEventListener("message", (event) => { if (event.data && event.data.type === "streamlit:render") onRender(event); });
window.addEventListener("error", (e) => { document.body.dataset.error = String(e.message); });
send("streamlit:componentReady", { apiVersion: 1 });
})();
