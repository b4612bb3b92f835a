"""The stylesheet and the script inlined into every HTML page: no file, font or URL is loaded.

The ladder is plain CSS: each arrow is a row of a grid whose two lane columns draw the client's
and the server's vertical lines; the rows touch, so the lines run unbroken down the page. The
page works without the script (each arrow is a ``<details>``); the script only adds "open all",
"close all", and opening every arrow before printing when asked.
"""

from __future__ import annotations

__all__ = ["CSS", "SCRIPT", "CSP"]

#: Nothing but the inline style and script may load: no network, no file, no font.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

CSS = """
:root {
  --lane: 7rem; --gutter: 5.2rem; --line: #4a5160; --client: #2f5fa7; --k2: #1a7f37;
  --k3: #0a6f8f; --k4: #a35c00; --k5: #c62828; --garbage: #7b1fa2; --tls: #2ea043;
  --tls-band: rgba(46, 160, 67, 0.09); --muted: #5f6672; --flag: #d1242f;
  --mono: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, "Noto Sans Mono CJK SC",
    "Sarasa Mono SC", "Microsoft YaHei", monospace;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem 1.25rem 3rem; color: #1f2328;
  font: 15px/1.4 system-ui, "DejaVu Sans", "Liberation Sans", Arial, "Noto Sans CJK SC", "Source Han Sans SC",
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
.summary { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 .75rem; }
.summary dt { color: var(--muted); }
.summary dd { margin: 0; }
.summary .revealed { color: var(--k5); font-weight: bold; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .35rem 1.1rem; padding: 0; margin: .25rem 0; font-size: .9rem; }
.swatch { display: inline-block; width: 1.6rem; height: .3rem; vertical-align: middle; margin-right: .35rem; border-radius: 2px; }
.swatch.c { background: var(--client); } .swatch.k2 { background: var(--k2); } .swatch.k3 { background: var(--k3); }
.swatch.k4 { background: var(--k4); } .swatch.k5 { background: var(--k5); }
.swatch.tls { background: var(--tls-band); border-left: 4px solid var(--tls); height: .9rem; }
.swatch.flag { background: var(--flag); width: .9rem; height: .9rem; border-radius: 50%; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
.controls { margin: .5rem 0 1rem; font-size: .9rem; display: flex; gap: .75rem; align-items: center; }
.controls button { font: inherit; padding: .15rem .6rem; }
.findings { border-left: 4px solid var(--flag); padding: .25rem .75rem; margin: 0 0 1rem; background: #fff5f5; }
.findings h2 { font-size: 1.05rem; margin: .25rem 0; }
.findings ul { margin: .25rem 0; padding-left: 1.2rem; }
.empty { color: var(--muted); }

.ladder { position: relative; }
.lanes, summary, .marker, .detail { display: grid; grid-template-columns: var(--gutter) var(--lane) 1fr var(--lane); }
.lanes { position: sticky; top: 0; z-index: 3; background: #fff; padding-top: .25rem; }
.lane-head { grid-row: 1; text-align: center; font-weight: 600; border: 2px solid var(--line); border-radius: 6px;
  padding: .2rem .25rem; margin: 0 .2rem; background: #f6f8fa; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.lane-head.c { grid-column: 2; } .lane-head.s { grid-column: 4; }
.lane-head small { display: block; font-weight: normal; color: var(--muted); font-size: .75rem;
  overflow: hidden; text-overflow: ellipsis; }
.lanes .l, summary .l, .marker .l, .detail .l { grid-row: 1; align-self: stretch;
  background: linear-gradient(var(--line), var(--line)) center / 2px 100% no-repeat; }
.l.c { grid-column: 2; } .l.s { grid-column: 4; }
.lanes .l { height: .6rem; grid-row: 2; }

details.arrow > summary { list-style: none; cursor: pointer; min-height: 3rem; position: relative; }
details.arrow > summary::-webkit-details-marker { display: none; }
details.arrow > summary:focus-visible { outline: 2px solid var(--client); outline-offset: -2px; }
details.arrow > summary:hover { background: rgba(47, 95, 167, .06); }
details.arrow[open] > summary { background: rgba(47, 95, 167, .09); }
.tls > summary, .tls > .detail, .marker.tls { background-image: linear-gradient(var(--tls-band), var(--tls-band)); background-size: calc(100% - var(--gutter)) 100%; background-position: right; background-repeat: no-repeat; }
.gut { grid-column: 1; grid-row: 1; font-size: .78rem; color: var(--muted); text-align: right; padding: .35rem .5rem 0 0; line-height: 1.2; }
.tls .gut, .marker.tls .gut { border-right: 4px solid var(--tls); }
.gut .num { display: block; font-weight: 600; color: #1f2328; }
.gut .slow { color: var(--k4); font-weight: 600; }
.body { grid-column: 2 / 5; grid-row: 1; padding: .25rem calc(var(--lane) / 2) .2rem; display: flex; flex-direction: column; z-index: 1; min-width: 0; }
.label { text-align: center; font-weight: 600; font-size: .9rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 0 .6rem; }
.wire { text-align: center; font: .72rem/1.3 var(--mono); color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 0 .6rem; }
.shaft { position: relative; height: 2px; margin: .2rem 0 .15rem; background: currentColor; }
.to-server .shaft::after, .to-client .shaft::before { content: ""; position: absolute; top: -5px;
  border-top: 6px solid transparent; border-bottom: 6px solid transparent; }
.to-server .shaft::after { right: -1px; border-left: 11px solid currentColor; }
.to-client .shaft::before { left: -1px; border-right: 11px solid currentColor; }
.to-server .label, .to-server .wire { margin-right: 0; }
.arrow { color: var(--client); }
.arrow .label { color: inherit; }
.arrow.k2 { color: var(--k2); } .arrow.k3 { color: var(--k3); } .arrow.k4 { color: var(--k4); }
.arrow.k5 { color: var(--k5); } .arrow.garbage, .arrow.to-client.kind-bytes { color: var(--garbage); }
.arrow.garbage .shaft { background: repeating-linear-gradient(90deg, currentColor 0 6px, transparent 6px 10px); }
.arrow.redacted .label { font-style: italic; }
.flag { display: inline-block; margin-left: .4rem; padding: 0 .4rem; border-radius: .6rem; background: var(--flag);
  color: #fff; font-size: .72rem; font-weight: 600; vertical-align: middle; }
.has-finding > summary { box-shadow: inset 4px 0 0 var(--flag); }

.marker { min-height: 1.9rem; }
.marker .text { grid-column: 2 / 5; grid-row: 1; align-self: center; text-align: center; font-size: .8rem; color: var(--muted);
  margin: 0 calc(var(--lane) / 2); border-top: 1px dashed #9aa1ab; border-bottom: 1px dashed #9aa1ab; padding: .1rem .5rem; background: #fff; z-index: 1; }
.marker.tls-started .text, .marker.tls-from-start .text { color: var(--tls); border-color: var(--tls); font-weight: 600; background: #f1faf3; }

.detail .box { grid-column: 2 / 5; grid-row: 1; margin: 0 calc(var(--lane) / 2 + .6rem) .6rem; padding: .5rem .75rem;
  background: #fff; border: 1px solid #d0d7de; border-radius: 6px; z-index: 1; color: #1f2328; min-width: 0; font-size: .9rem; }
.detail h4 { margin: .4rem 0 .15rem; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.detail pre { margin: 0; padding: .4rem .5rem; background: #f6f8fa; border-radius: 4px; font: .8rem/1.35 var(--mono);
  white-space: pre-wrap; word-break: break-all; max-height: 24rem; overflow: auto; }
.detail ul { margin: .15rem 0; padding-left: 1.1rem; }
.detail .meaning { margin: 0 0 .2rem; font-weight: 600; }
.detail .facts { color: var(--muted); font-size: .8rem; margin: .35rem 0 0; }
.detail .finding { color: var(--flag); }
.footer { margin-top: 1.5rem; color: var(--muted); font-size: .8rem; }

@media (max-width: 40rem) { :root { --lane: 3.2rem; --gutter: 3.6rem; } .lane-head small { display: none; } }
@media print {
  @page { margin: 12mm 10mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  .controls, .hint { display: none !important; }
  .label, .wire { white-space: normal; overflow: visible; overflow-wrap: anywhere; }
  .lanes { position: static; }
  details.arrow, .marker { break-inside: avoid; page-break-inside: avoid; }
  details.arrow > summary:hover, details.arrow[open] > summary { background-color: transparent; }
  .detail pre { max-height: none; overflow: visible; }
  .findings { break-inside: avoid; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  var arrows = function () { return Array.prototype.slice.call(document.querySelectorAll("details.arrow")); };
  var setAll = function (open) { arrows().forEach(function (d) { d.open = open; }); };
  var controls = document.getElementById("controls");
  if (controls) { controls.hidden = false; }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-open]"), function (button) {
    button.addEventListener("click", function () { setAll(button.getAttribute("data-open") === "1"); });
  });
  var before = null;
  window.addEventListener("beforeprint", function () {
    var box = document.getElementById("print-details");
    if (box && box.checked) { before = arrows().map(function (d) { return d.open; }); setAll(true); }
  });
  window.addEventListener("afterprint", function () {
    if (before) { arrows().forEach(function (d, i) { d.open = before[i]; }); before = null; }
  });
  var openTarget = function () {
    var id = window.location.hash.slice(1);
    var target = id ? document.getElementById(id) : null;
    if (target && target.tagName === "DETAILS") { target.open = true; }
  };
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
"""
