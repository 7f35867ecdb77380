#include "analysis/watch/live_page.h"

#include "charts/escape.h"
#include "charts/plotly_js.h"

namespace lb::analysis::watch {
namespace {

// Colours: the Okabe-Ito set the charts use (charts/style.h), ink #222222, muted #666666.
const char* const kHead = R"LBHTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@POLICY@">
<title>lumibench live</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 16px; background: #ffffff; color: #222222; font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; font-size: 14px; }
  header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
  h1 { font-size: 20px; margin: 0; }
  #lb-results { color: #666666; font-family: monospace; }
  #lb-conn { margin-left: auto; padding: 2px 8px; border-radius: 4px; font-size: 13px; }
  #lb-conn[data-state="live"] { background: #e6f4ef; color: #006b4f; }
  #lb-conn[data-state="lost"] { background: #D55E00; color: #ffffff; font-weight: bold; }
  #lb-conn[data-state="wait"] { background: #eeeeee; color: #666666; }
  #lb-banner { margin: 12px 0; padding: 12px 16px; border-left: 10px solid #999999; background: #f4f4f4; }
  #lb-banner[data-status="running"], #lb-banner[data-status="starting"] { border-color: #009E73; background: #e6f4ef; }
  #lb-banner[data-status="completed"] { border-color: #0072B2; background: #e5f0f8; }
  #lb-banner[data-status="crashed"], #lb-banner[data-status="failed"], #lb-banner[data-status="diverged"] { border-color: #D55E00; background: #fbebe0; }
  #lb-banner[data-status="interrupted"] { border-color: #E69F00; background: #fdf3df; }
  #lb-status { font-size: 30px; font-weight: bold; letter-spacing: 1px; }
  #lb-banner[data-status="running"] #lb-status, #lb-banner[data-status="starting"] #lb-status { color: #006b4f; }
  #lb-banner[data-status="completed"] #lb-status { color: #0072B2; }
  #lb-banner[data-status="crashed"] #lb-status, #lb-banner[data-status="failed"] #lb-status, #lb-banner[data-status="diverged"] #lb-status { color: #b34700; }
  #lb-banner[data-status="interrupted"] #lb-status { color: #9a6a00; }
  #lb-run-id { font-family: monospace; margin-left: 12px; font-size: 15px; }
  #lb-detail { margin-top: 6px; }
  #lb-figures { margin-top: 6px; color: #222222; }
  #lb-problems { color: #b34700; font-size: 13px; }
  table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
  th, td { padding: 3px 8px; border-bottom: 1px solid #e3e3e3; text-align: left; white-space: nowrap; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.wrap { white-space: normal; max-width: 200px; }
  tbody tr { cursor: pointer; }
  tbody tr:hover { background: #f4f4f4; }
  tbody tr.shown { background: #e5f0f8; }
  .chip { padding: 1px 6px; border-radius: 3px; color: #ffffff; background: #999999; }
  .chip[data-status="running"], .chip[data-status="starting"] { background: #009E73; }
  .chip[data-status="completed"] { background: #0072B2; }
  .chip[data-status="crashed"], .chip[data-status="failed"], .chip[data-status="diverged"] { background: #D55E00; }
  .chip[data-status="interrupted"] { background: #E69F00; }
  #lb-follow { margin: 4px 0 8px 0; }
  .grid { display: grid; grid-template-columns: 560px 560px; gap: 8px; }
  .panel { position: relative; width: 560px; height: 320px; border: 1px solid #e3e3e3; }
  .chart { width: 560px; height: 320px; }
  .empty { position: absolute; left: 0; right: 0; top: 140px; text-align: center; color: #666666; padding: 0 20px; }
  .notes { font-size: 13px; color: #666666; padding: 8px 12px; }
  .notes li { margin-bottom: 4px; }
</style>
</head>
<body>
<header>
  <h1>lumibench live</h1>
  <span id="lb-results"></span>
  <span id="lb-conn" data-state="wait">connecting...</span>
</header>
<section id="lb-banner" data-status="unknown">
  <span id="lb-status">WAITING</span><span id="lb-run-id"></span>
  <div id="lb-detail">no run yet: waiting for a harness to write to this results file</div>
  <div id="lb-figures"></div>
</section>
<div id="lb-problems"></div>
<table id="lb-runs">
  <thead><tr><th>run</th><th>status</th><th>read from</th><th>steps</th><th>epochs</th><th>loss</th>
  <th>val top-1 (best)</th><th>images/s</th><th>data wait</th><th>energy so far</th><th>last flush</th></tr></thead>
  <tbody></tbody>
</table>
<div id="lb-unlisted" class="notes"></div>
<div id="lb-follow" hidden><button type="button" id="lb-follow-button">follow the newest running run</button></div>
<div class="grid">
  <div class="panel"><div id="lb-loss" class="chart"></div><div class="empty" id="lb-loss-empty"></div></div>
  <div class="panel"><div id="lb-acc" class="chart"></div><div class="empty" id="lb-acc-empty"></div></div>
  <div class="panel"><div id="lb-thr" class="chart"></div><div class="empty" id="lb-thr-empty"></div></div>
  <div class="panel"><div id="lb-wait" class="chart"></div><div class="empty" id="lb-wait-empty"></div></div>
  <div class="panel"><div id="lb-energy" class="chart"></div><div class="empty" id="lb-energy-empty"></div></div>
  <div class="panel notes"><ul>
    <li>Read from the run's journal while it trains (flushed every --flush-interval seconds and at
    epoch ends), from the results file once it is folded in. Steps are the journal's: what the
    harness has flushed, not what it is computing now.</li>
    <li>Throughput per rank: the step's samples shared equally over the ranks, over that rank's own
    step time. Above 16 ranks: the slowest, median and fastest rank of each step.</li>
    <li>Data wait: rank 0's wait for its batch over its step time. The shaded steps are warm-up,
    left out of the steady figures (images/s, data wait) as analyze leaves them out.</li>
    <li>Energy so far: the finished epochs' measured energy (training and validation; setup and the
    epoch in progress are not in it); the whole run's once it has ended.</li>
    <li>Crashed: the run recorded no outcome and its writer is gone (its lock is free, or it is
    silent for too long on another host).</li>
  </ul></div>
</div>
<script>
)LBHTML";

const char* const kTail = R"LBHTML(
</script>
<script>
(function () {
  'use strict';
  var params = new URLSearchParams(window.location.search);
  var every = Number(params.get('every'));
  var POLL_MS = every >= 0.2 && every <= 60 ? every * 1000 : @POLL_MS@;
  var S = { instance: null, follow: true, chosen: null, series: null, state: null, lostSince: 0, drawn: '' };
  var $ = function (id) { return document.getElementById(id); };
  var num3 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
  var num4 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
  var WORDS = { running: 'RUNNING', starting: 'STARTING', completed: 'COMPLETED', crashed: 'CRASHED', failed: 'FAILED',
                interrupted: 'INTERRUPTED', diverged: 'DIVERGED', unknown: 'UNKNOWN' };

  function fmt(v, f) { return v === null || v === undefined ? '-' : (f || num3).format(v); }
  function pct(v) { return v === null || v === undefined ? '-' : num3.format(v) + '%'; }
  function joules(j) {
    if (j === null || j === undefined) return '-';
    if (Math.abs(j) >= 1e6) return num3.format(j / 1e6) + ' MJ';
    if (Math.abs(j) >= 1e3) return num3.format(j / 1e3) + ' kJ';
    return num3.format(j) + ' J';
  }
  function age(s) {
    if (s === null || s === undefined) return '-';
    if (s < 120) return num3.format(Math.max(0, s)) + ' s ago';
    if (s < 7200) return num3.format(s / 60) + ' min ago';
    return num3.format(s / 3600) + ' h ago';
  }
  function energyText(e, run) {
    if (e.run_j !== null) return joules(e.run_j) + ' (whole run)';
    if (e.epochs_measured > 0) {
      return joules(e.epochs_j) + ' over ' + e.epochs_measured + (e.epochs_measured === 1 ? ' epoch' : ' epochs') +
             (e.epochs_missing ? ', ' + e.epochs_missing + ' without a figure' : '');
    }
    if (e.unavailable) return 'not measured: ' + e.unavailable;
    if (e.epochs_missing > 0) {
      return 'not measured' + (e.unreadable_counters.length ? ': no figure from ' + e.unreadable_counters.join(', ') : ': no readable counter');
    }
    return run.status === 'running' || run.status === 'starting' ? 'no epoch finished yet' : 'not recorded';
  }
  function stepsText(r) { return r.steps + (r.steps_planned !== null ? ' / ' + r.steps_planned : ''); }
  function epochsText(r) { return r.epochs_done + (r.epochs_planned !== null ? ' / ' + r.epochs_planned : ''); }
  function valText(r) { return r.last_val_pct === null ? '-' : pct(r.last_val_pct) + ' (' + pct(r.best_val_pct) + ')'; }

  function query() {
    var p = new URLSearchParams();
    p.set('follow', S.follow ? '1' : '0');
    var s = S.series;
    var run = S.follow ? (s ? s.run : '') : S.chosen;
    if (run) p.set('run', run);
    if (s && s.run === run) {
      p.set('gen', s.gen);
      p.set('steps', s.steps.step.length);
      p.set('evals', s.evals.step.length);
      p.set('epochs', s.epochs.epoch.length);
    }
    return '/api/state?' + p.toString();
  }

  var timer = null;
  function schedule(ms) { if (timer) clearTimeout(timer); timer = setTimeout(poll, ms); }
  function poll() {
    timer = null;
    fetch(query(), { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (state) {
        var again = onState(state);
        schedule(again ? 0 : POLL_MS);
      })
      .catch(function (err) { onLost(err); schedule(POLL_MS); });
  }

  function onLost(err) {
    if (!S.lostSince) S.lostSince = Date.now();
    var conn = $('lb-conn');
    conn.dataset.state = 'lost';
    conn.textContent = 'analyze --watch not reachable since ' + new Date(S.lostSince).toLocaleTimeString() +
                       ' (' + (err && err.message ? err.message : 'no answer') + '); showing what it last sent';
  }

  function appendAll(dst, src) { for (var i = 0; i < src.length; i++) dst.push(src[i]); }

  // Takes in one answer's series: a reset (another run, or its records replaced) starts the copy
  // again; otherwise the new records are appended where the copy ends.
  function merge(x) {
    var s = S.series;
    if (x.reset || !s || s.run !== x.run || s.gen !== x.generation || x.steps.from !== s.steps.step.length ||
        x.evaluations.from !== s.evals.step.length || x.epochs.from !== s.epochs.epoch.length) {
      if (!x.reset && s && s.run === x.run && s.gen === x.generation) {  // out of step: ask again from 0
        S.series = null;
        return false;
      }
      s = S.series = {
        run: x.run, gen: x.generation, worldSize: x.world_size, rankView: x.rank_view, warmup: x.warmup_steps,
        steps: { step: [], epoch: [], loss: [], wait: [], ranks: [], spread: { min: [], median: [], max: [], slowest_rank: [] } },
        evals: { step: [], epoch: [], top1: [], top5: [] },
        epochs: { epoch: [], step: [], energy: [], cumulative: [], top1: [] }
      };
      if (x.rank_view === 'each') for (var r = 0; r < x.world_size; r++) s.steps.ranks.push([]);
    }
    s.warmup = x.warmup_steps;
    var st = x.steps;
    appendAll(s.steps.step, st.step); appendAll(s.steps.epoch, st.epoch);
    appendAll(s.steps.loss, st.loss); appendAll(s.steps.wait, st.data_wait_fraction);
    if (st.rank_images_per_s) for (var k = 0; k < st.rank_images_per_s.length && k < s.steps.ranks.length; k++) appendAll(s.steps.ranks[k], st.rank_images_per_s[k]);
    if (st.rank_spread) for (var key in s.steps.spread) appendAll(s.steps.spread[key], st.rank_spread[key]);
    var ev = x.evaluations;
    appendAll(s.evals.step, ev.step); appendAll(s.evals.epoch, ev.epoch);
    appendAll(s.evals.top1, ev.val_top1_pct); appendAll(s.evals.top5, ev.val_top5_pct);
    var ep = x.epochs;
    appendAll(s.epochs.epoch, ep.epoch); appendAll(s.epochs.step, ep.step); appendAll(s.epochs.energy, ep.energy_j);
    appendAll(s.epochs.cumulative, ep.cumulative_energy_j); appendAll(s.epochs.top1, ep.val_top1_pct);
    return true;
  }

  function onState(state) {
    S.lostSince = 0;
    var conn = $('lb-conn');
    conn.dataset.state = 'live';
    conn.textContent = 'live, updated ' + new Date().toLocaleTimeString() + ' (every ' + num3.format(POLL_MS / 1000) + ' s)';
    if (S.instance !== state.instance) {  // another server: its generations are its own
      var first = S.instance === null;
      S.instance = state.instance;
      S.series = null;
      if (!first) return true;
    }
    S.state = state;
    $('lb-results').textContent = state.results + (state.results_file_exists ? '' : ' (no results file yet)');
    var again = false;
    if (state.series) again = !merge(state.series) || state.series.more;
    else S.series = null;
    var shown = null;
    for (var i = 0; i < state.runs.length; i++) if (state.runs[i].id === state.shown) shown = state.runs[i];
    drawBanner(shown, state);
    drawTable(state);
    drawCharts(shown);
    return again;
  }

  function drawBanner(run, state) {
    var banner = $('lb-banner');
    var problems = state.problems.slice();
    if (!run) {
      banner.dataset.status = 'unknown';
      banner.dataset.run = '';
      banner.dataset.steps = '0';
      $('lb-status').textContent = 'WAITING';
      $('lb-run-id').textContent = '';
      $('lb-detail').textContent = 'no run yet: waiting for a harness to write to this results file';
      $('lb-figures').textContent = '';
    } else {
      banner.dataset.status = run.status;
      banner.dataset.run = run.id;
      banner.dataset.steps = String(run.steps);
      $('lb-status').textContent = WORDS[run.status] || run.status.toUpperCase();
      $('lb-run-id').textContent = run.id;
      $('lb-detail').textContent = run.status_detail ||
        ((run.model || 'model ?') + ' on ' + run.world_size + (run.world_size === 1 ? ' rank' : ' ranks') +
         (run.device ? ' (' + run.device + ')' : '') + (run.batch_size !== null ? ', batch ' + run.batch_size + ' per rank' : '') +
         (run.host ? ', ' + run.host : '') + (run.start_utc ? ', started ' + run.start_utc : ''));
      var f = ['steps ' + stepsText(run), 'epochs ' + epochsText(run), 'loss ' + fmt(run.last_loss, num4),
               'val top-1 ' + valText(run),
               (run.steady_images_per_s === null ? 'images/s -' : fmt(run.steady_images_per_s) + ' images/s') + ' (steady, all ranks)',
               'data wait ' + (run.data_wait_fraction === null ? '-' : pct(100 * run.data_wait_fraction)),
               'energy ' + energyText(run.energy, run)];
      if (run.last_flush_age_s !== null && run.source === 'journal') f.push('last flush ' + age(run.last_flush_age_s));
      f.push('read from its ' + run.source);
      $('lb-figures').textContent = f.join('  \u00b7  ');
      for (var i = 0; i < run.problems.length; i++) problems.push(run.id + ': ' + run.problems[i]);
    }
    var box = $('lb-problems');
    box.textContent = '';
    for (var k = 0; k < problems.length; k++) {
      var line = document.createElement('div');
      line.textContent = problems[k];
      box.appendChild(line);
    }
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function drawTable(state) {
    var body = $('lb-runs').tBodies[0];
    body.textContent = '';
    state.runs.forEach(function (r) {
      var tr = document.createElement('tr');
      tr.dataset.runId = r.id;
      tr.dataset.status = r.status;
      if (r.id === state.shown) tr.className = 'shown';
      cell(tr, r.id);
      var chip = document.createElement('span');
      chip.className = 'chip';
      chip.dataset.status = r.status;
      chip.textContent = r.status;
      cell(tr, '').appendChild(chip);
      cell(tr, r.source);
      cell(tr, stepsText(r), 'num');
      cell(tr, epochsText(r), 'num');
      cell(tr, fmt(r.last_loss, num4), 'num');
      cell(tr, valText(r), 'num');
      cell(tr, fmt(r.steady_images_per_s), 'num');
      cell(tr, r.data_wait_fraction === null ? '-' : pct(100 * r.data_wait_fraction), 'num');
      cell(tr, energyText(r.energy, r), 'wrap');
      cell(tr, r.source === 'journal' ? age(r.last_flush_age_s) : '-');
      tr.addEventListener('click', function () {
        S.follow = false;
        S.chosen = r.id;
        $('lb-follow').hidden = false;
        schedule(0);
      });
      body.appendChild(tr);
    });
    $('lb-unlisted').textContent = state.unlisted_file_runs > 0
      ? state.unlisted_file_runs + ' older runs of the results file are not listed (the newest ' +
        (state.file_runs - state.unlisted_file_runs) + ' are)' : '';
  }

  var CONFIG = { displaylogo: false, responsive: false, modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'] };
  var COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

  function layout(title, ytitle, extra) {
    var l = { title: { text: title, x: 0.02, xanchor: 'left', font: { size: 15 } }, width: 560, height: 320,
              margin: { l: 64, r: 16, t: 40, b: 44 }, font: { family: "'DejaVu Sans', Verdana, Arial, sans-serif", size: 12, color: '#222222' },
              xaxis: { title: { text: 'step' }, gridcolor: '#e3e3e3', zeroline: false },
              yaxis: { title: { text: ytitle }, gridcolor: '#e3e3e3', zeroline: false },
              showlegend: false, shapes: [], datarevision: 0, uirevision: 'keep' };
    for (var k in extra) l[k] = extra[k];
    return l;
  }
  // Warm-up steps shaded, epoch ends as thin lines: where the steady figures begin and epochs end.
  function marks(s) {
    var shapes = [];
    if (s.warmup) shapes.push({ type: 'rect', xref: 'x', yref: 'paper', x0: -0.5, x1: s.warmup - 0.5, y0: 0, y1: 1,
                                fillcolor: '#999999', opacity: 0.15, line: { width: 0 }, layer: 'below' });
    for (var i = 0; i < s.epochs.step.length; i++) {
      var x = s.epochs.step[i];
      if (x !== null) shapes.push({ type: 'line', xref: 'x', yref: 'paper', x0: x - 0.5, x1: x - 0.5, y0: 0, y1: 1,
                                    line: { color: '#bbbbbb', width: 1, dash: 'dot' }, layer: 'below' });
    }
    return shapes;
  }
  function show(id, traces, lay, emptyText) {
    $(id + '-empty').textContent = emptyText || '';
    Plotly.react($(id), traces, lay, CONFIG);
  }

  function drawCharts(run) {
    var s = S.series;
    var key = s ? [s.run, s.gen, s.steps.step.length, s.evals.step.length, s.epochs.epoch.length,
                   run ? run.status + run.energy.epochs_measured + run.data_wait_fraction : ''].join('|') : 'none';
    if (key === S.drawn) return;
    S.drawn = key;
    var rev = Date.now();
    if (!s) {
      ['lb-loss', 'lb-acc', 'lb-thr', 'lb-wait', 'lb-energy'].forEach(function (id) { show(id, [], layout('', ''), 'no run yet'); });
      return;
    }
    var n = s.steps.step.length;
    var none = n ? '' : 'no step flushed yet';
    var shapes = marks(s);
    show('lb-loss', [{ x: s.steps.step, y: s.steps.loss, type: 'scatter', mode: 'lines', name: 'loss',
                       line: { color: '#0072B2', width: 1.5 } }],
         layout('Training loss per step', 'loss', { shapes: shapes, datarevision: rev }), none);

    var accTraces = [];
    if (s.evals.step.length) {
      accTraces.push({ x: s.evals.step, y: s.evals.top1, type: 'scatter', mode: 'lines+markers', name: 'top-1',
                       line: { color: '#009E73' }, marker: { size: 6 },
                       customdata: s.evals.epoch, hovertemplate: 'step %{x}, epoch %{customdata}<br>top-1 %{y:.3g}%<extra></extra>' });
      accTraces.push({ x: s.evals.step, y: s.evals.top5, type: 'scatter', mode: 'lines+markers', name: 'top-5',
                       line: { color: '#009E73', dash: 'dot' }, marker: { size: 5, symbol: 'circle-open' },
                       hovertemplate: 'step %{x}<br>top-5 %{y:.3g}%<extra></extra>' });
    }
    show('lb-acc', accTraces, layout('Validation accuracy (top-1 solid, top-5 dotted)', '%', {
           yaxis: { title: { text: '%' }, gridcolor: '#e3e3e3', rangemode: 'tozero' },
           xaxis: { title: { text: 'step' }, gridcolor: '#e3e3e3', range: n ? [-0.5, s.steps.step[n - 1] + 0.5] : undefined },
           shapes: shapes, datarevision: rev }),
         s.evals.step.length ? '' : 'no validation pass yet');

    var thr = [];
    if (s.rankView === 'each') {
      s.steps.ranks.forEach(function (ys, r) {
        thr.push({ x: s.steps.step, y: ys, type: 'scatter', mode: 'lines', name: 'rank ' + r,
                   line: { color: COLORS[r % COLORS.length], width: 1 }, hovertemplate: 'rank ' + r + ', step %{x}: %{y:.4g} images/s<extra></extra>' });
      });
    } else {
      var sp = s.steps.spread;
      thr.push({ x: s.steps.step, y: sp.max, type: 'scatter', mode: 'lines', name: 'fastest rank', line: { color: '#56B4E9', width: 1 } });
      thr.push({ x: s.steps.step, y: sp.min, type: 'scatter', mode: 'lines', name: 'slowest rank', fill: 'tonexty',
                 fillcolor: 'rgba(86,180,233,0.2)', line: { color: '#D55E00', width: 1 }, customdata: sp.slowest_rank,
                 hovertemplate: 'slowest: rank %{customdata}, step %{x}: %{y:.4g} images/s<extra></extra>' });
      thr.push({ x: s.steps.step, y: sp.median, type: 'scatter', mode: 'lines', name: 'median rank', line: { color: '#0072B2', width: 1.5 } });
    }
    show('lb-thr', thr, layout('Throughput per rank (' + s.worldSize + (s.worldSize === 1 ? ' rank)' : ' ranks)'), 'images/s per rank',
                               { shapes: shapes, datarevision: rev, showlegend: s.rankView !== 'each' || s.worldSize > 1,
                                 legend: { orientation: 'h', x: 0, y: -0.2, font: { size: 11 } },
                                 margin: { l: 64, r: 16, t: 40, b: s.rankView !== 'each' || s.worldSize > 1 ? 70 : 44 } }), none);

    var waitPct = s.steps.wait.map(function (v) { return v === null ? null : 100 * v; });
    var waitTraces = [{ x: s.steps.step, y: waitPct, type: 'scatter', mode: 'lines', name: 'per step',
                        line: { color: '#E69F00', width: 1 }, hovertemplate: 'step %{x}: %{y:.3g}%<extra></extra>' }];
    if (run && run.data_wait_fraction !== null && n) {
      waitTraces.push({ x: [s.steps.step[0], s.steps.step[n - 1]], y: [100 * run.data_wait_fraction, 100 * run.data_wait_fraction],
                        type: 'scatter', mode: 'lines', name: 'steady so far', line: { color: '#222222', width: 1, dash: 'dash' },
                        hovertemplate: 'steady so far: %{y:.3g}%<extra></extra>' });
    }
    show('lb-wait', waitTraces, layout('Data wait, share of the step (rank 0; dashed: steady so far)', '% of step time', {
           yaxis: { title: { text: '% of step time' }, gridcolor: '#e3e3e3', rangemode: 'tozero' }, shapes: shapes, datarevision: rev }), none);

    var have = s.epochs.cumulative.some(function (v) { return v !== null; });
    var energyNote = '';
    if (!have) energyNote = run ? 'energy: ' + energyText(run.energy, run) : 'energy: -';
    var ej = have ? s.epochs.cumulative : [];
    show('lb-energy', have ? [{ x: s.epochs.step, y: ej.map(function (v) { return v === null ? null : v / 1000; }), type: 'scatter',
                                mode: 'lines+markers', name: 'energy', line: { color: '#CC79A7', shape: 'hv' }, marker: { size: 7 },
                                customdata: s.epochs.epoch, hovertemplate: 'after epoch %{customdata} (step %{x}): %{y:.4g} kJ<extra></extra>' }] : [],
         layout('Energy so far (finished epochs, measured)', 'kJ', {
           yaxis: { title: { text: 'kJ' }, gridcolor: '#e3e3e3', rangemode: 'tozero' },
           xaxis: { title: { text: 'step' }, gridcolor: '#e3e3e3', range: n ? [-0.5, s.steps.step[n - 1] + 0.5] : undefined },
           datarevision: rev }), energyNote);
  }

  $('lb-follow-button').addEventListener('click', function () {
    S.follow = true;
    S.chosen = null;
    $('lb-follow').hidden = true;
    schedule(0);
  });
  poll();
})();
</script>
</body>
</html>
)LBHTML";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

}  // namespace

std::string live_page_html(int poll_ms) {
  static const std::string plotly = charts::inline_script(charts::plotly_js());
  std::string page = replace_all(kHead, "@POLICY@", kLivePagePolicy);
  page.reserve(page.size() + plotly.size() + 32 * 1024);
  page += plotly;
  page += replace_all(kTail, "@POLL_MS@", std::to_string(poll_ms));
  return page;
}

}  // namespace lb::analysis::watch
