#!/usr/bin/env bash
# Opens report.html in headless Chromium (Debian's `chromium` package) and
# checks that it loads with no console message and no error, fetches
# nothing, and shows every chart; that the SLO section (when report.json
# has SLOs) and the findings come first; that no chart series is squashed
# (every strategy's summary bars at least 4 px tall as laid out, and in the
# flow and timeline charts each strategy's drawn series spanning at least a
# tenth of the plot's width, measured on the tooltip shapes over them); and
# that at 700 px wide the page does not overflow sideways. Then it saves a
# full-page screenshot at 1280 and at 700 px.
#
#   scripts/check-html.sh                 # runs simbench on
#                                         # scenarios/api-server.json,
#                                         # scenarios/scraper.json and
#                                         # scenarios/blocking-pitfall.json
#   scripts/check-html.sh path/to/report.html ...
#
# Screenshots go to target/check-html/<report dir>.png (CHECK_HTML_OUT
# overrides the folder). Installs chromium with apt-get if it is missing
# (needs root or sudo). Exit status 0 when every report passes.
set -euo pipefail
cd "$(dirname "$0")/.."

out_dir="${CHECK_HTML_OUT:-target/check-html}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- chromium ------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
    echo "== chromium is missing: installing Debian's package"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
echo "== $(chromium --version 2>/dev/null)"

# Flags for a quiet, offline, throw-away browser.
chrome() {
    local profile
    profile="$(mktemp -d "$work/profile.XXXXXX")"
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --mute-audio --hide-scrollbars \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}

# --- which reports -------------------------------------------------------
reports=("$@")
if [ ${#reports[@]} -eq 0 ]; then
    echo "== simbench run (debug build)"
    cargo build --quiet
    for scenario in api-server scraper blocking-pitfall; do
        # Exit status 1 is a failed SLO (api-server's blocking): still a report.
        ./target/debug/simbench run "scenarios/$scenario.json" --out "$work/reports" --quiet || [ $? -eq 1 ]
        reports+=("$work/reports/$scenario/report.html")
    done
fi

# --- the check, injected into a copy of the page -------------------------
# The copy gets two inline scripts: the first (top of <head>) records any
# error or console call; the second (after load) measures every chart's
# <svg> and lists what the page fetched. The verdict goes into the DOM,
# which --dump-dom prints. The report itself is opened unchanged for the
# console-log check and the screenshot.
read -r -d '' capture <<'JS' || true
<script>
window.__problems = [];
window.addEventListener('error', function (e) {
  window.__problems.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'resource'));
}, true);
['error', 'warn', 'log', 'info', 'debug'].forEach(function (level) {
  var original = console[level];
  console[level] = function () {
    window.__problems.push('console.' + level + ': ' + Array.prototype.join.call(arguments, ' '));
    return original.apply(console, arguments);
  };
});
document.addEventListener('securitypolicyviolation', function (e) { window.__problems.push('csp: ' + e.blockedURI); });
</script>
JS
read -r -d '' verdict <<'JS' || true
<script>
window.addEventListener('load', function () {
  var figures = document.querySelectorAll('figure.chart');
  var visible = 0, lines = [];
  figures.forEach(function (figure) {
    var svg = figure.querySelector('svg');
    if (!svg) { lines.push('MISSING svg in ' + figure.id); return; }
    var box = svg.getBoundingClientRect();
    var style = getComputedStyle(svg);
    var drawn = svg.querySelectorAll('rect, path, polyline, line, circle, text').length;
    var texts = svg.querySelectorAll('text').length;
    var ok = box.width >= 600 && box.height >= 300 && style.display !== 'none' &&
      style.visibility === 'visible' && parseFloat(style.opacity) > 0 && drawn >= 20 && texts >= 5;
    if (ok) visible++;
    lines.push((ok ? 'VISIBLE ' : 'HIDDEN ') + figure.id + ' ' + Math.round(box.width) + 'x' +
      Math.round(box.height) + ' elements=' + drawn + ' texts=' + texts);
  });
  // Squashed series: measured on the tooltip shapes laid over what is drawn
  // (each titled 'STRATEGY · …').
  var squashed = 0;
  function byStrategy(svg) {
    var groups = {};
    svg.querySelectorAll('g.tips > *').forEach(function (shape) {
      var title = shape.querySelector('title');
      if (!title) return;
      var name = title.textContent.split(' · ')[0];
      (groups[name] = groups[name] || []).push(shape.getBoundingClientRect());
    });
    return groups;
  }
  figures.forEach(function (figure) {
    var svg = figure.querySelector('svg');
    if (!svg) return;
    var width = svg.getBoundingClientRect().width, groups = byStrategy(svg), names = Object.keys(groups);
    if (figure.id === 'chart-summary') {
      names.forEach(function (name) {
        var shortest = Math.min.apply(null, groups[name].map(function (r) { return r.height; }));
        var ok = shortest >= 4;
        if (!ok) squashed++;
        lines.push((ok ? 'BARS ' : 'SQUASHED ') + name + ' shortest bar ' + shortest.toFixed(1) + 'px');
      });
    }
    if (figure.id === 'chart-flow' || figure.id === 'chart-timeline') {
      names.forEach(function (name) {
        var rects = groups[name];
        var left = Math.min.apply(null, rects.map(function (r) { return r.left; }));
        var right = Math.max.apply(null, rects.map(function (r) { return r.right; }));
        var share = (right - left) / width;
        var ok = share >= 0.1;
        if (!ok) squashed++;
        lines.push((ok ? 'SPAN ' : 'SQUASHED ') + figure.id + ' ' + name + ' ' + Math.round(share * 100) + '% of the width');
      });
    }
  });
  var slos = document.getElementById('slos'), findings = document.getElementById('findings');
  var summary = document.getElementById('summary');
  var first = function (a, b) { return a && b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING); };
  var verdicts = (slos ? 'slos ' : 'noslos ') + (findings ? 'findings ' : 'nofindings ') +
    (first(findings, summary) && (!slos || first(slos, findings)) ? 'first' : 'notfirst');
  var fetched = performance.getEntriesByType('resource').map(function (r) { return r.name; });
  var pre = document.createElement('pre');
  pre.id = 'simbench-check';
  pre.textContent = 'CHECK charts=' + figures.length + ' visible=' + visible + ' problems=' +
    window.__problems.length + ' fetched=' + fetched.length + ' squashed=' + squashed + ' verdicts=' + verdicts +
    ' scrollwidth=' + document.documentElement.scrollWidth + ' height=' +
    document.documentElement.scrollHeight + '\n' + lines.concat(window.__problems, fetched).join('\n') + '\nEND';
  document.body.appendChild(pre);
});
</script>
JS

failed=0
for report in "${reports[@]}"; do
    name="$(basename "$(dirname "$report")")"
    echo "== $report"
    if [ ! -s "$report" ]; then
        echo "FAIL: $report is missing or empty"; failed=1; continue
    fi
    expected="$(grep -c '<figure class="chart"' "$report" || true)"

    # 1. The page as it is: any console message at all is a failure (the
    #    report has no script, so one would mean a failed load or worse).
    chrome --window-size=1280,900 --virtual-time-budget=3000 --dump-dom "file://$(realpath "$report")" >"$work/plain.html" 2>"$work/plain.log" || true
    console="$(grep -E 'CONSOLE[:(]' "$work/plain.log" || true)"

    # 2. A copy with the checker injected.
    checked="$work/$name-checked.html"
    CAPTURE="$capture" VERDICT="$verdict" awk '
        function inject(line, tag, text, before,    i) {
            i = index(line, tag)
            if (i == 0) return line
            if (before) return substr(line, 1, i - 1) text "\n" substr(line, i)
            return substr(line, 1, i + length(tag) - 1) "\n" text substr(line, i + length(tag))
        }
        { line = inject($0, "<head>", ENVIRON["CAPTURE"], 0); print inject(line, "</body>", ENVIRON["VERDICT"], 1) }
    ' "$report" >"$checked"
    chrome --window-size=1280,900 --virtual-time-budget=3000 --dump-dom "file://$checked" >"$work/checked.html" 2>"$work/checked.log" || true
    result="$(sed -n '/<pre id="simbench-check">CHECK/,/^END<\/pre>/p' "$work/checked.html" |
        sed -e 's/^<pre id="simbench-check">//' -e '/^END<\/pre>/d')"
    echo "$result" | sed -e 's/^/   /'

    summary="$(echo "$result" | head -1)"
    height="$(echo "$summary" | sed -n 's/.*height=\([0-9]*\).*/\1/p')"
    ok=1
    if [ -z "$summary" ]; then echo "FAIL: the checker did not run (see $work/checked.log)"; ok=0; fi
    if [ -n "$console" ]; then echo "FAIL: console output:"; echo "$console"; ok=0; fi
    case "$summary" in
        *"charts=$expected visible=$expected problems=0 fetched=0 "*) ;;
        *) echo "FAIL: expected $expected visible charts, no problem, nothing fetched"; ok=0 ;;
    esac
    if [ "$expected" -lt 5 ]; then echo "FAIL: only $expected charts in the page"; ok=0; fi
    case "$summary" in *" squashed=0 "*) ;; *) echo "FAIL: a chart series is squashed (SQUASHED lines above)"; ok=0 ;; esac
    want_slos=noslos
    if grep -q '"threshold"' "$(dirname "$report")/report.json" 2>/dev/null; then want_slos=slos; fi
    case "$summary" in
        *" verdicts=$want_slos findings first "*) ;;
        *) echo "FAIL: expected the verdicts ($want_slos) and the findings before the summary"; ok=0 ;;
    esac

    # 2b. The same copy 700 px wide: nothing overflows the page sideways
    #     (wide tables scroll inside their section).
    chrome --window-size=700,900 --virtual-time-budget=3000 --dump-dom "file://$checked" >"$work/narrow.html" 2>/dev/null || true
    narrow="$(sed -n 's/.*<pre id="simbench-check">\(CHECK[^<]*\)/\1/p' "$work/narrow.html" | head -1)"
    scroll="$(echo "$narrow" | sed -n 's/.*scrollwidth=\([0-9]*\).*/\1/p')"
    echo "   at 700 px: page width ${scroll:-?} px"
    if [ -z "$scroll" ] || [ "$scroll" -gt 700 ]; then echo "FAIL: at 700 px the page is ${scroll:-?} px wide"; ok=0; fi

    # 3. A screenshot of the whole page, as a person would see it.
    shot="$out_dir/$name.png"
    rm -f "$shot"
    chrome --window-size="1280,${height:-6000}" --screenshot="$shot" "file://$(realpath "$report")" >/dev/null 2>&1 || true
    if [ -s "$shot" ] && [ "$(head -c 4 "$shot" | od -An -c | tr -d ' ')" = '211PNG' ]; then
        echo "   screenshot: $shot ($(wc -c <"$shot") bytes, 1280x${height:-6000})"
    else
        echo "FAIL: no screenshot"; ok=0
    fi
    narrow_shot="$out_dir/$name-700.png"
    rm -f "$narrow_shot"
    chrome --window-size="700,2400" --screenshot="$narrow_shot" "file://$(realpath "$report")" >/dev/null 2>&1 || true
    [ -s "$narrow_shot" ] && echo "   screenshot: $narrow_shot (700x2400, the top of the page)"

    if [ "$ok" -eq 1 ]; then echo "PASS: $report"; else failed=1; fi
done

if [ "$failed" -ne 0 ]; then echo "== check-html: FAILED"; exit 1; fi
echo "== check-html: ok (${#reports[@]} reports)"
