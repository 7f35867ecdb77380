// Opens every HTML chart written by chart_demo in Debian's chromium, as a person would, and
// checks what they would see: it loads offline with no console error and no request leaving the
// file, carries the expected traces and frames, Play advances the animation, the controls,
// annotations and legend stay off the plot area, and markup in run names shows as text.
//
//   node browser_test.cjs CHARTS_DIR NODE_MODULES_DIR ARTIFACT_DIR
//   node browser_test.cjs --any REPORT_DIR NODE_MODULES_DIR ARTIFACT_DIR
// The first form checks chart_demo's charts against what the demo fixture must produce; --any
// checks every HTML chart analyze wrote into REPORT_DIR for what holds of any chart (it loads
// offline without errors, nothing is cut off or covers the plot, 1000 px wide and at least
// 600 px high, the controls play and pause).
// Exit: 0 all checks passed, 1 a check failed, 2 usage or setup error (missing chromium or
// playwright-core). A screenshot of each chart is kept in ARTIFACT_DIR.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');

const CHROMIUM = '/usr/bin/chromium';
const XSS_NAME = '<img src=x onerror=alert(1)>';

// What the demo fixture (demo_fixture.cpp) must produce in each chart.
const EXPECTED = {
  'lumi_vs_laptop_animated.html': {
    traces: 6, frames: 5, animated: true, showsXssName: true,
    hover: { trace: 3, point: 0, mustContain: [XSS_NAME, 'extrapolated', 'only 2 epochs measured: <b>wide</b> interval'] },
    // Four (group, provenance, pale) series, the headline's outline, the speedup labels; why the
    // 4-node bar is not in the headline beside it.
    textMustContain: ['not in the headline: below the', 'headline: the largest speedup'],
  },
  'lumi_vs_laptop_progress_race.html': {
    traces: 10, frames: 300, frameMs: 1000 / 30, animated: true, showsXssName: true, snapshotFrame: '120',
  },
  'lumi_vs_laptop_accuracy_vs_time.html': {
    traces: 4, frames: 0, animated: false, showsXssName: false,
    // The target accuracy line is named in the legend.
    legendMustContain: ['target 35%'],
  },
  'lumi_scaling_efficiency_animated.html': { traces: 5, frames: 3, animated: true, showsXssName: false },
  'lumi_bound_attribution.html': {
    traces: 5, frames: 0, animated: false, showsXssName: true,
    hover: { trace: 2, point: 1, mustContain: ['LUMI 4 nodes (32 GPUs)', 'communication-bound', 'exposed communication 34%'] },
    legendMustContain: ['data wait', 'compute', 'exposed communication', 'other'],
    textMustContain: ['communication-bound', 'data-bound'],
  },
  'lumi_energy_cost.html': {
    // Taller than 600 px: the 4-node row says under its name why it is not in the headline.
    traces: 21, frames: 0, animated: false, showsXssName: true, minHeight: 600,
    hover: { trace: 5, point: 0, subplot: 'x2y', mustContain: ['LUMI 8 nodes (64 GPUs)', 'energy: 2.69 kWh', 'modelled', 'cost: 4.8 GPU-hours'] },
    legendMustContain: ['LUMI \u00b7 modelled', 'LUMI \u00b7 measured', 'Laptop \u00b7 extrapolated', 'imported'],
    textMustContain: ['not billed', 'GPU-hours (log)', 'site unknown', 'not in the headline'],
  },
  'lumi_memory.html': {
    traces: 2, frames: 0, animated: false, showsXssName: true,
    hover: { trace: 1, point: 0, mustContain: ['LUMI 1 node (8 GPUs)', 'device memory (largest rank): 52.3 GiB'] },
    legendMustContain: ['host memory', 'device memory'],
    textMustContain: ['none (CPU)'],
  },
  'lumi_scaling_model.html': {
    traces: 3, frames: 0, animated: false, showsXssName: false,
    hover: { trace: 1, point: 2, mustContain: ['2 nodes (modelled, not run)', 'modelled: step', 'not run'] },
    legendMustContain: ['modelled', 'measured'],
  },
};

function setupError(message) {
  console.error(`browser_test: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const anyChart = args[0] === '--any';
if (anyChart) args.shift();
const [chartsDir, nodeModules, artifactDir] = args;
if (!chartsDir || !nodeModules || !artifactDir) {
  setupError('expected three arguments (usage: node browser_test.cjs [--any] CHARTS_DIR NODE_MODULES_DIR ARTIFACT_DIR)');
}
if (anyChart) {
  // Every HTML chart in the folder, with only what holds of any chart.
  for (const key of Object.keys(EXPECTED)) delete EXPECTED[key];
  for (const f of fs.readdirSync(chartsDir).filter((f) => f.endsWith('.html')).sort()) EXPECTED[f] = { generic: true };
  if (Object.keys(EXPECTED).length === 0) setupError(`${chartsDir}: no HTML chart to check`);
}
if (!fs.existsSync(CHROMIUM)) {
  setupError(`${CHROMIUM} not found: install the Debian package chromium (listed in cmake/packages/charts.txt)`);
}
let chromium;
try {
  ({ chromium } = require(path.resolve(nodeModules, 'playwright-core')));
} catch (e) {
  setupError(`playwright-core not found under ${nodeModules}: run ./quickstart.sh --setup-only (npm ci in charts/)`);
}
fs.mkdirSync(artifactDir, { recursive: true });

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

// Boxes of everything that must stay off the plot area, and the plot area itself, in page pixels.
async function layoutBoxes(page) {
  return page.evaluate(() => {
    const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
    const plots = [...document.querySelectorAll('.draglayer .nsewdrag')].map(box);
    const others = [];
    for (const [kind, selector] of [['control', '.updatemenu-button'], ['annotation', '.annotation'],
                                    ['legend', '.legend'], ['title', '.gtitle'], ['subtitle', '.gtitle-subtitle']]) {
      for (const el of document.querySelectorAll(selector)) {
        const b = box(el);
        if (b.w > 0 && b.h > 0) others.push({ kind, text: el.textContent.slice(0, 60), ...b });
      }
    }
    // Every piece of text must lie inside the figure: nothing cut off at an edge.
    const figure = box(document.getElementById('lb-chart'));
    const cut = [...document.querySelectorAll('#lb-chart svg text')].map((el) => ({ text: el.textContent, ...box(el) }))
      .filter((t) => t.w > 0 && (t.x < figure.x - 1 || t.y < figure.y - 1 || t.x + t.w > figure.x + figure.w + 1 ||
                                 t.y + t.h > figure.y + figure.h + 1));
    return { plots, others, cut };
  });
}

function overlaps(a, b) {
  const tolerance = 1;  // px: anti-aliased edges may touch
  return a.x + tolerance < b.x + b.w && b.x + tolerance < a.x + a.w &&
         a.y + tolerance < b.y + b.h && b.y + tolerance < a.y + a.h;
}

async function checkNoOverlap(page, file, when) {
  const { plots, others, cut } = await layoutBoxes(page);
  check(cut.length === 0, `${file}: no text cut off at the figure's edge (${when})${cut.length ? ': ' + cut.map((t) => `"${t.text.slice(0, 40)}"`).join(', ') : ''}`);
  check(plots.length > 0, `${file}: plot area found (${when})`);
  const bad = [];
  for (const o of others) for (const p of plots) if (overlaps(o, p)) bad.push(`${o.kind} "${o.text}"`);
  check(bad.length === 0, `${file}: nothing covers the plot area (${when})${bad.length ? ': ' + bad.join(', ') : ''}`);
  // The controls must not hide the title, the captions, the legend or each other.
  const hidden = [];
  const controls = others.filter((o) => o.kind === 'control');
  controls.forEach((c, i) => {
    for (const o of others.filter((o) => o.kind !== 'control')) if (overlaps(c, o)) hidden.push(`"${c.text}" over ${o.kind} "${o.text}"`);
    for (const d of controls.slice(i + 1)) if (overlaps(c, d)) hidden.push(`"${c.text}" over "${d.text}"`);
  });
  check(hidden.length === 0, `${file}: controls cover no text (${when})${hidden.length ? ': ' + hidden.join(', ') : ''}`);
  return others;
}

async function checkChart(context, file, expected) {
  const fileUrl = pathToFileURL(path.join(chartsDir, file)).href;
  const page = await context.newPage();
  const consoleErrors = [], dialogs = [], outside = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e && e.message !== undefined ? e.message : `uncaught ${String(e)}`));
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('request', (r) => { if (r.url() !== fileUrl) outside.push(r.url()); });

  await page.goto(fileUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => {
    const gd = document.getElementById('lb-chart');
    return gd && gd._fullLayout && document.querySelector('.main-svg');
  }, null, { timeout: 30000 });

  const info = await page.evaluate(() => {
    const gd = document.getElementById('lb-chart');
    return {
      traces: gd.data.length,
      frames: (gd._transitionData && gd._transitionData._frames || []).length,
      width: gd._fullLayout.width, height: gd._fullLayout.height,
      menus: (gd.layout.updatemenus || []).map((m) => ({ y: m.y, yanchor: m.yanchor, labels: m.buttons.map((b) => b.label) })),
      images: document.querySelectorAll('img').length,
      texts: [...document.querySelectorAll('svg text')].map((t) => t.textContent),
    };
  });
  if (expected.generic) {
    // A chart of many or long rows grows taller (charts/row_layout.h); never narrower or shorter.
    expected.animated = info.menus.length > 0;
    expected.frames = info.frames;
    check(info.width === 1000 && info.height >= 600, `${file}: figure ${info.width}x${info.height}, expected 1000 wide, 600 or more high`);
  } else {
    check(info.traces === expected.traces, `${file}: ${info.traces} traces, expected ${expected.traces}`);
    check(info.frames === expected.frames, `${file}: ${info.frames} frames, expected ${expected.frames}`);
    if (expected.minHeight) {
      check(info.width === 1000 && info.height >= expected.minHeight, `${file}: figure ${info.width}x${info.height}, expected 1000 wide, ${expected.minHeight} or more high`);
    } else {
      check(info.width === 1000 && info.height === 600, `${file}: figure ${info.width}x${info.height}, expected 1000x600`);
    }
  }
  check(info.images === 0, `${file}: no <img> element in the page`);
  if (expected.showsXssName) {
    check(info.texts.some((t) => t.includes(XSS_NAME)), `${file}: the run named ${XSS_NAME} shows as text`);
  }
  for (const s of expected.legendMustContain || []) {
    const legend = await page.evaluate(() => [...document.querySelectorAll('.legend text')].map((t) => t.textContent).join(' | '));
    check(legend.includes(s), `${file}: legend names "${s}"`);
  }
  for (const s of expected.textMustContain || []) {
    check(info.texts.some((t) => t.includes(s)), `${file}: shows "${s}"`);
  }
  if (expected.hover) {
    const hover = await page.evaluate(({ trace, point, subplot }) => {
      const gd = document.getElementById('lb-chart');
      // A chart of several panels names the subplot the point is in ('x2y').
      if (subplot) Plotly.Fx.hover(gd, [{ curveNumber: trace, pointNumber: point }], [subplot]);
      else Plotly.Fx.hover(gd, [{ curveNumber: trace, pointNumber: point }]);
      const label = document.querySelector('.hoverlayer .hovertext');
      return label ? label.textContent : '';
    }, expected.hover);
    for (const s of expected.hover.mustContain) check(hover.includes(s), `${file}: tooltip shows "${s}"`);
    await page.evaluate(() => Plotly.Fx.unhover(document.getElementById('lb-chart')));
  }
  await checkNoOverlap(page, file, 'on load');
  await page.locator('#lb-chart').screenshot({ path: path.join(artifactDir, file.replace(/\.html$/, '.png')) });

  if (expected.snapshotFrame) {
    // A fixed mid-animation frame, for a reproducible picture of the chart in motion.
    await page.evaluate((name) => Plotly.animate(document.getElementById('lb-chart'), [name],
      { frame: { duration: 0, redraw: true }, transition: { duration: 0 }, mode: 'immediate' }), expected.snapshotFrame);
    await checkNoOverlap(page, file, `at frame ${expected.snapshotFrame}`);
    await page.locator('#lb-chart').screenshot({ path: path.join(artifactDir, file.replace(/\.html$/, `.frame${expected.snapshotFrame}.png`)) });
  }

  if (expected.animated) {
    const labels = info.menus.flatMap((m) => m.labels);
    check(info.menus.length > 0 && info.menus.every((m) => m.y > 1 && m.yanchor === 'bottom'),
          `${file}: controls above the plot (paper y > 1)`);
    check(labels.some((l) => l.includes('Play')) && labels.some((l) => l.includes('Pause')) &&
          labels.filter((l) => /\d\u00d7/.test(l)).length >= 3,
          `${file}: Play, Pause and at least three speeds (${labels.join(' | ')})`);
    if (expected.frameMs) {
      const ms = await page.evaluate(() => document.getElementById('lb-chart').layout.updatemenus[0].buttons[0].args[1].frame.duration);
      check(Math.abs(ms - expected.frameMs) < 0.01, `${file}: Play runs ${ms.toFixed(2)} ms per frame, expected ${expected.frameMs.toFixed(2)}`);
    }
    const shown = () => page.evaluate(() => JSON.stringify(document.getElementById('lb-chart').data.map((t) => [t.x, t.y])));
    const before = await shown();
    await page.evaluate(() => {
      window.lbFrames = [];
      document.getElementById('lb-chart').on('plotly_animatingframe', (e) => window.lbFrames.push({ name: e.name, t: performance.now() }));
    });
    await page.locator('.updatemenu-button', { hasText: 'Play' }).first().click();
    // The page opens on the last frame; the first frame played must show something else.
    await page.waitForFunction(() => window.lbFrames.length >= 1, null, { timeout: 15000 }).catch(() => {});
    const first = await shown();
    await page.waitForFunction(() => window.lbFrames.length >= 3, null, { timeout: 15000 }).catch(() => {});
    if (expected.frames >= 100) await page.waitForTimeout(2000);  // long enough to measure the frame rate
    const played = await page.evaluate(() => window.lbFrames.slice());
    const names = played.map((f) => Number(f.name));
    const inOrder = names.length >= 3 && names.slice(1).every((n, i) => n === names[i] + 1);
    check(inOrder, `${file}: Play advances the animation frame by frame (${names.slice(0, 4).join(', ')}...)`);
    check(first !== before, `${file}: the chart changes when it starts playing`);
    if (played.length >= 10) {
      const fps = (played.length - 1) / ((played[played.length - 1].t - played[0].t) / 1000);
      const requested = expected.frameMs ? (1000 / expected.frameMs).toFixed(1) : 'n/a';
      console.log(`info ${file}: ${fps.toFixed(1)} frames/s achieved in this browser (requested ${requested})`);
    }
    await page.locator('.updatemenu-button', { hasText: 'Pause' }).first().click();
    await page.waitForTimeout(300);
    const paused = await page.evaluate(() => window.lbFrames.length);
    await page.waitForTimeout(500);
    const later = await page.evaluate(() => window.lbFrames.length);
    check(later === paused, `${file}: Pause stops it (${paused} then ${later} frames)`);
    await checkNoOverlap(page, file, 'while animating');
    await page.locator('#lb-chart').screenshot({ path: path.join(artifactDir, file.replace(/\.html$/, '.paused.png')) });
  }

  check(consoleErrors.length === 0, `${file}: no console error${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`);
  check(outside.length === 0, `${file}: no request leaves the file${outside.length ? ': ' + outside.join(', ') : ''}`);
  check(dialogs.length === 0, `${file}: no script from data ran (no dialog)${dialogs.length ? ': ' + dialogs.join(', ') : ''}`);
  await page.close();
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
             '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    // Only the chart files themselves may load; anything else is refused (and counted by the checks).
    const allowed = new Set(Object.keys(EXPECTED).map((f) => pathToFileURL(path.join(chartsDir, f)).href));
    await context.route('**/*', (route) => (allowed.has(route.request().url()) ? route.continue() : route.abort()));
    for (const [file, expected] of Object.entries(EXPECTED)) {
      if (!fs.existsSync(path.join(chartsDir, file))) {
        check(false, `${file}: written by chart_demo`);
        continue;
      }
      try {
        await checkChart(context, file, expected);
      } catch (e) {
        check(false, `${file}: ${e.message.split('\n')[0]}`);
      }
    }
  } catch (e) {
    console.error(`browser_test: cannot run chromium: ${e.message.split('\n')[0]}`);
    process.exitCode = 2;
    return;
  } finally {
    if (context) await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(failures ? `${failures} check(s) failed` : 'all browser checks passed');
  process.exitCode = failures ? 1 : 0;
})();
