// analyze --watch in a real browser against a real harness run: Debian's chromium (headless,
// driven by playwright-core) opens the live page before the run starts, watches the steps grow,
// reloads mid-run and finds the history, sees the run marked crashed once the harness is killed
// with SIGKILL and read from the results file once analyze --fold-journals folds it; no request
// may leave the server the page came from, and no console error (a Content-Security-Policy
// violation is one) may occur.
//
//   node watch_browser_test.cjs ANALYZE HARNESS NODE_MODULES_DIR WORK_DIR
// Exit: 0 all checks passed, 1 a check failed, 2 usage or setup error (missing chromium or
// playwright-core, analyze not serving). Screenshots are kept in WORK_DIR (watch_running.png,
// watch_crashed.png).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const CHROMIUM = '/usr/bin/chromium';
const POLL_S = 0.5;  // the page's poll interval (?every=), so a change shows within a second or two

function setupError(message) {
  console.error(`watch_browser_test: ${message}`);
  process.exit(2);
}

const [analyzeBin, harnessBin, nodeModules, workDir] = process.argv.slice(2);
if (!analyzeBin || !harnessBin || !nodeModules || !workDir) {
  setupError('expected four arguments (usage: node watch_browser_test.cjs ANALYZE HARNESS NODE_MODULES_DIR WORK_DIR)');
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

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
  return ok;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

// Polls `probe` until `ok(value)` or `timeoutMs`; returns the last value.
async function waitFor(probe, ok, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let v = await probe();
  while (!ok(v) && Date.now() < end) {
    await sleep(200);
    v = await probe();
  }
  return v;
}

const children = [];
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', cleanup);

// What the page shows and what it plotted (Plotly keeps each chart's traces on its element).
function readPage(page) {
  return page.evaluate(() => {
    const banner = document.getElementById('lb-banner');
    const trace = (id, i) => {
      const d = document.getElementById(id).data;
      return d && d[i] ? d[i].x.filter((v, k) => d[i].y[k] !== null && d[i].y[k] !== undefined) : [];
    };
    const row = document.querySelector('#lb-runs tbody tr');
    return {
      status: banner.dataset.status,
      run: banner.dataset.run || '',
      statusWord: document.getElementById('lb-status').textContent,
      detail: document.getElementById('lb-detail').textContent,
      bannerSteps: Number(banner.dataset.steps || 0),
      lossSteps: trace('lb-loss', 0),
      rankTraces: (document.getElementById('lb-thr').data || []).map((t) => t.name),
      rankSteps: trace('lb-thr', 0),
      waitSteps: trace('lb-wait', 0),
      accSteps: trace('lb-acc', 0),
      energyTraces: (document.getElementById('lb-energy').data || []).length,
      energyNote: document.getElementById('lb-energy-empty').textContent,
      row: row ? Array.from(row.cells).map((c) => c.textContent) : [],
      rows: document.querySelectorAll('#lb-runs tbody tr').length,
      conn: document.getElementById('lb-conn').dataset.state,
    };
  });
}

(async () => {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const results = path.join(workDir, 'results.h5');

  // analyze --watch on a results file no harness has written yet, on any free port.
  const watch = spawn(analyzeBin, ['--watch', results, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(watch);
  let watchOut = '', watchErr = '';
  watch.stdout.on('data', (d) => { watchOut += d; });
  watch.stderr.on('data', (d) => { watchErr += d; });
  const url = await waitFor(async () => (watchOut.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/) || [])[1],
                            (v) => v !== undefined || watch.exitCode !== null, 15000);
  if (!url) setupError(`analyze --watch did not print its address: ${watchErr.trim() || watchOut.trim()}`);
  const origin = url.replace(/\/$/, '');
  console.log(`analyze --watch serves ${url} (${elapsed()})`);

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1180, height: 1100 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
             '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  } catch (e) {
    setupError(`cannot run chromium: ${e.message.split('\n')[0]}`);
  }
  try {
    // Only analyze's own server may answer; any other request is refused and counted.
    const outside = [], consoleErrors = [];
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u === origin || u.startsWith(origin + '/')) return route.continue();
      outside.push(u);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e && e.message !== undefined ? e.message : String(e)));
    page.on('request', (r) => { const u = r.url(); if (u !== origin && !u.startsWith(origin + '/')) outside.push(u); });

    // 1. The page open before any run: it waits, and says so.
    await page.goto(`${url}?every=${POLL_S}`);
    let s = await waitFor(() => readPage(page), (v) => v.conn === 'live', 15000);
    check(s.conn === 'live' && s.statusWord === 'WAITING' && s.rows === 0,
          `page opened before the run: live, WAITING, no run listed (${s.conn}, ${s.statusWord}, ${s.rows} rows)`);

    // 2. The harness starts writing: a run far longer than this test, killed below.
    const harness = spawn(harnessBin, ['--model', 'vit_tiny', '--synthetic-samples', '6000', '--batch-size', '16',
                                       '--epochs', '50', '--threads', '1', '--loader-workers', '1', '--flush-interval', '1',
                                       '--progress', 'none', '--gemm-probe', '0', '--output', results],
                          { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(harness);
    let harnessErr = '';
    harness.stderr.on('data', (d) => { harnessErr += d; });
    s = await waitFor(() => readPage(page), (v) => (v.status === 'running' && v.lossSteps.length > 0) || harness.exitCode !== null, 40000);
    if (!check(s.status === 'running' && s.lossSteps.length > 0,
               `the run appears as running with steps plotted (${s.status}, ${s.lossSteps.length} steps, ${elapsed()})`)) {
      throw new Error(`the harness run never showed: ${harnessErr.trim().split('\n').pop() || 'no message'}`);
    }
    const runId = s.run;
    const first = s.lossSteps.length;
    s = await waitFor(() => readPage(page), (v) => v.lossSteps.length > first + 20, 15000);
    check(s.lossSteps.length > first + 20 && s.bannerSteps >= s.lossSteps.length,
          `steps grow while the page is open (${first} then ${s.lossSteps.length} plotted, banner ${s.bannerSteps})`);
    check(Number(s.row[3].split(' ')[0]) >= first, `the runs table counts the steps (${s.row[3]})`);
    check(s.rankTraces.length === 1 && s.rankTraces[0] === 'rank 0' && s.rankSteps.length > first,
          `throughput per rank plotted (${s.rankTraces.join(', ')}: ${s.rankSteps.length} points)`);
    check(s.waitSteps.length > first, `data wait plotted (${s.waitSteps.length} points)`);

    // 3. An epoch ends: its validation accuracy is plotted and the energy so far says what it has.
    s = await waitFor(() => readPage(page), (v) => v.accSteps.length >= 1, 40000);
    check(s.accSteps.length >= 1, `validation accuracy plotted after the first epoch (${s.accSteps.length} points, ${elapsed()})`);
    check(s.energyTraces > 0 || /energy: (not measured|no epoch)/.test(s.energyNote),
          `energy so far plotted or said why not (${s.energyTraces} traces, "${s.energyNote}")`);

    // 4. Reloaded mid-run: the whole history from step 0 is there at once.
    const before = s.lossSteps.length;
    await page.reload();
    s = await waitFor(() => readPage(page), (v) => v.lossSteps.length >= before, 15000);
    check(s.run === runId && s.status === 'running' && s.lossSteps.length >= before && s.lossSteps[0] === 0 &&
          s.accSteps.length >= 1,
          `reloaded mid-run: the history is back (${s.lossSteps.length} steps from step ${s.lossSteps[0]}, ` +
          `${s.accSteps.length} validation points, ${s.status})`);
    await page.screenshot({ path: path.join(workDir, 'watch_running.png'), fullPage: true });

    // 5. The harness killed with SIGKILL: the run shows crashed with the steps it flushed.
    check(harness.exitCode === null, 'the harness was still running when killed');
    harness.kill('SIGKILL');
    const killedAt = Date.now();
    s = await waitFor(() => readPage(page), (v) => v.status === 'crashed', 15000);
    check(s.status === 'crashed' && s.statusWord === 'CRASHED' && /no longer holds its lock/.test(s.detail),
          `killed: shown crashed after ${((Date.now() - killedAt) / 1000).toFixed(1)} s (${s.statusWord}: ${s.detail})`);
    check(s.row[1] === 'crashed' && s.lossSteps.length >= before, `the table says crashed; ${s.lossSteps.length} steps kept`);
    await page.screenshot({ path: path.join(workDir, 'watch_crashed.png'), fullPage: true });

    // 6. Folded into the results file by analyze --fold-journals: still crashed, read from the file.
    const fold = spawnSync(analyzeBin, ['--fold-journals', results], { encoding: 'utf8' });
    check(fold.status === 0, `analyze --fold-journals folds it (${(fold.stdout + fold.stderr).trim()})`);
    s = await waitFor(() => readPage(page), (v) => v.row[2] === 'results file', 15000);
    check(s.row[2] === 'results file' && s.status === 'crashed' && s.lossSteps.length >= before && s.lossSteps[0] === 0,
          `folded: read from the results file, crashed, ${s.lossSteps.length} steps from step ${s.lossSteps[0]}`);

    check(consoleErrors.length === 0, `no console error${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`);
    check(outside.length === 0, `no request left ${origin}${outside.length ? ': ' + outside.join(', ') : ''}`);
    await page.close();
  } catch (e) {
    check(false, e.message.split('\n')[0]);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }

  // Ctrl-C ends analyze --watch cleanly.
  watch.kill('SIGINT');
  await waitFor(() => watch.exitCode, (v) => v !== null, 5000);
  check(watch.exitCode === 0 && /--watch stopped \(SIGINT\)/.test(watchOut),
        `analyze --watch stops on SIGINT with 0 (${watch.exitCode}${watchErr ? ', stderr: ' + watchErr.trim() : ''})`);
  console.log(failures ? `${failures} check(s) failed (${elapsed()})` : `all watch browser checks passed (${elapsed()})`);
  process.exitCode = failures ? 1 : 0;
})();
