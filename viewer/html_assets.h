// viewer/html_assets.h — the CSS and JavaScript inlined into every
// `lockscope report` page. Nothing here is fetched from anywhere: the page
// must open from a CI artifact with no network.
//
// The script sorts the contention table when a header is clicked, and marks
// the page for tests: <body data-js="ok"> once it ran to the end,
// data-js-errors="N" when N script errors happened (headless tests read the
// dumped DOM for both).
#ifndef LOCKSCOPE_VIEWER_HTML_ASSETS_H_
#define LOCKSCOPE_VIEWER_HTML_ASSETS_H_

namespace lockscope::viewer::html_assets {

inline constexpr char kCss[] = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 48px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:18px 0 6px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.verdict{padding:10px 14px;border-radius:6px;font-weight:600;margin:10px 0}
.verdict.failed{background:#ffebe9;border:1px solid #cf222e;color:#82071e}
.verdict.passed{background:#dafbe1;border:1px solid #1a7f37;color:#044f1e}
.meta{color:#57606a;font-size:12.5px}
.finding{border:1px solid #d0d7de;border-left:5px solid #bf8700;border-radius:6px;padding:10px 14px;margin:10px 0}
.finding.v-fail{border-left-color:#cf222e}.finding.v-suppressed{border-left-color:#8c959f;opacity:.85}
.label{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;font-weight:600;margin-right:6px;color:#fff;background:#bf8700}
.v-fail .label{background:#cf222e}.v-suppressed .label{background:#8c959f}
details{margin:4px 0 4px 8px}summary{cursor:pointer}
ol.stack{margin:4px 0;padding-left:28px}ol.stack li{margin:1px 0}
.fn{color:#0550ae}.site{color:#57606a}
pre.src{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:4px 8px;margin:3px 0 6px;overflow-x:auto}
pre.src .hit{background:#fff8c5;display:inline-block;min-width:100%}
table.sortable{border-collapse:collapse;font-size:13px}
table.sortable th,table.sortable td{padding:3px 10px;border-bottom:1px solid #d0d7de;text-align:right;white-space:nowrap}
table.sortable th:first-child,table.sortable td:first-child,table.sortable th:nth-child(2),table.sortable td:nth-child(2){text-align:left}
table.sortable th{cursor:pointer;user-select:none;background:#f6f8fa}
table.sortable th[data-dir=asc]::after{content:" \25B2"}table.sortable th[data-dir=desc]::after{content:" \25BC"}
.graph,.timeline{overflow:auto;border:1px solid #d0d7de;border-radius:6px;padding:6px;max-height:80vh}
svg .node rect,svg .node ellipse,svg .node polygon{fill:#f6f8fa;stroke:#57606a}
svg text{font-family:ui-monospace,monospace}
svg .edge path{fill:none;stroke:#57606a}
svg .edge.cycle-edge path{stroke-width:2.5}
svg .edge.cycle-fail path{stroke:#cf222e}svg .edge.cycle-fail polygon{fill:#cf222e;stroke:#cf222e}
svg .edge.cycle-pass path{stroke:#d4a72c;stroke-dasharray:6 3}svg .edge.cycle-pass polygon{fill:#d4a72c;stroke:#d4a72c}
svg .edge.cycle-suppressed path{stroke:#8c959f;stroke-dasharray:2 3}
svg .edge.wait-for path{stroke-dasharray:4 2}
svg .edge.focus path{stroke-width:5}
.timeline .hold{fill:#218bff}.timeline .wait{fill:#cf222e}.timeline .ev{fill:#57606a}
.timeline .lane-label{font-size:11px;fill:#1b1f24}.timeline .axis{font-size:10px;fill:#57606a}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
)css";

inline constexpr char kJs[] = R"js(
(function(){
  var errors=0;
  window.addEventListener('error',function(){errors++;document.body.setAttribute('data-js-errors',String(errors));document.body.setAttribute('data-js','error');});
  function key(td){var v=td.getAttribute('data-sort');return v!==null?parseFloat(v):td.textContent.toLowerCase();}
  document.querySelectorAll('table.sortable').forEach(function(table){
    var heads=table.querySelectorAll('th');
    heads.forEach(function(th,col){
      th.addEventListener('click',function(){
        var dir=th.getAttribute('data-dir')==='desc'?'asc':'desc';
        heads.forEach(function(h){h.removeAttribute('data-dir');});
        th.setAttribute('data-dir',dir);
        var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);var c=x<y?-1:x>y?1:0;return dir==='asc'?c:-c;});
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
  document.querySelectorAll('.finding[data-finding]').forEach(function(f){
    var id=f.getAttribute('data-finding');
    function mark(on){document.querySelectorAll('svg .edge.f-'+id).forEach(function(e){e.classList.toggle('focus',on);});}
    f.addEventListener('mouseenter',function(){mark(true);});
    f.addEventListener('mouseleave',function(){mark(false);});
  });
  if(errors===0){document.body.setAttribute('data-js','ok');}
})();
)js";

}  // namespace lockscope::viewer::html_assets

#endif  // LOCKSCOPE_VIEWER_HTML_ASSETS_H_
