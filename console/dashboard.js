/* civgrid console — the dashboard (数据看板), drawn with Apache ECharts.
 *
 * The figures are those of /api/v1/stats (dispatch's case.stats) for the
 * operator's own subtree over the period chosen (today by default): the
 * totals, the on-time rates of signing for and completing (按时签收率,
 * 按时办结率), satisfaction at callback (满意率), escalations (提级) by the
 * level of the center they went up from, and the hot spots, the categories
 * most asked about.  Today's volume by hour is stats' own rows by hour
 * (by=hour: 24 hashes, whatever the day's volume).
 * The period's trend (近7日, 近30日 by day, 近12周 by week, 近12月 by month)
 * is stats' own rows over time, so it draws the period chosen.  The
 * ranking is stats' rows by center and by unit (the subtree's towns and
 * units; stats keeps the 400 units that received most), the ten best by
 * on-time completion shown.  Beside the consultation topics of the scope
 * (议事协商) the current hot spots (预警预判, /api/v1/hotspots) are listed,
 * each linked to its community's map and to its topic.  The view redraws on live events, at most
 * once every LIVE_MS.
 * Each chart's numbers are the series' data, so what is drawn can be read
 * back from the chart (echarts.getInstanceByDom). */
'use strict';

let charts = [];

const METRICS = [['received', '受理'], ['dispatched', '派单'], ['signed_for', '签收'],
  ['resolved', '办结'], ['callbacks', '回访'], ['escalated', '提级']];

/*  The China-time day of a moment, YYYY-MM-DD. */
function cstDay (ms) {
  return new Date(ms + CST).toISOString().slice(0, 10);
}

/*  A share in percent with one decimal, or null when nothing was counted. */
function percent (part, whole) {
  return whole ? Math.round(1000 * part / whole) / 10 : null;
}

/*  Labels read at every size: the view's font size, which grows with the
    screen (views.css), sizes the charts' text. */
function fontPx () {
  return parseFloat(getComputedStyle($('#view-dashboard')).fontSize) || 16;
}

function chart (id, option) {
  const node = document.getElementById(id);
  node.textContent = '';
  node.classList.remove('nodata');
  const c = echarts.init(node);
  /*  every text of the chart in the view's size: axes, legend, labels */
  const size = Math.round(fontPx() * 0.8);
  for (const key of ['xAxis', 'yAxis'])
    if (option[key]) option[key] = Object.assign({}, option[key], {
      axisLabel: Object.assign({ fontSize: size }, option[key].axisLabel) });
  if (option.xAxis) option.grid = Object.assign({ left: 8, right: 24, top: size * 2, bottom: 8, containLabel: true },
                                                option.grid);
  if (option.legend) option.legend = Object.assign({}, option.legend, {
    textStyle: Object.assign({ fontSize: size }, option.legend.textStyle) });
  for (const series of option.series || [])
    if (series.label) series.label = Object.assign({ fontSize: size }, series.label);
  c.setOption(Object.assign({ animation: false, tooltip: {}, textStyle: { fontSize: size } }, option));
  charts.push(c);
}

/*  A chart is resized only while it is shown: a hidden one has no size. */
window.addEventListener('resize', () => charts.forEach(c => { if (c.getDom().offsetParent) c.resize(); }));

function noData (id, text) {
  const node = document.getElementById(id);
  node.textContent = text;
  node.classList.add('nodata');
}

/*  Today's volume by hour: the stats by hour (dispatch counts each hour
    as it counts the day, docs/DISPATCH.md), one request of 24 rows
    whatever the day's volume. */
async function hourly () {
  const today = cstDay(Date.now());
  const stats = await api('/api/v1/stats?scope=' + encodeURIComponent(me.scope) + '&from=' + today + '&to=' + today +
                          '&by=hour');
  const hours = new Array(24).fill(0);
  for (const r of stats.rows) if (r.by === 'hour') hours[Number(r.key.slice(11, 13))] = r.received || 0;
  return hours;
}

function drawSummary (total) {
  const box = $('#dash-summary');
  box.textContent = '';
  for (const [metric, label] of METRICS) {
    const item = el('div', null, 'figure');
    item.dataset.metric = metric;
    item.append(el('b', String(total[metric] || 0)), el('span', label));
    box.append(item);
  }
}

function drawRates (total) {
  const rates = [percent(total.signed_on_time || 0, total.signed_for || 0),
                 percent(total.resolved_on_time || 0, total.resolved || 0)];
  $('#rates-text').textContent = '按时签收率 ' + (rates[0] === null ? '—' : rates[0] + '%') +
                                 ' · 按时办结率 ' + (rates[1] === null ? '—' : rates[1] + '%');
  chart('chart-rates', {
    xAxis: { type: 'category', data: ['按时签收率', '按时办结率'] },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{ type: 'bar', name: '按时率', data: rates, barWidth: '40%',
               label: { show: true, position: 'top', formatter: p => p.value === null ? '暂无' : p.value + '%' } }],
    tooltip: { formatter: p => p.name + '：' + (p.dataIndex === 0
      ? (total.signed_on_time || 0) + ' / ' + (total.signed_for || 0) + ' 件'
      : (total.resolved_on_time || 0) + ' / ' + (total.resolved || 0) + ' 件') },
  });
}

function drawSatisfaction (total) {
  const callbacks = total.callbacks || 0, satisfied = total.satisfied || 0;
  const basically = total.basically_satisfied || 0;
  const rate = percent(satisfied, callbacks);
  $('#satisfaction-text').textContent = rate === null ? '' : '满意率 ' + rate + '%';
  if (!callbacks) { noData('chart-satisfaction', '本期暂无回访'); return; }
  chart('chart-satisfaction', {
    legend: { bottom: 0 },
    series: [{ type: 'pie', name: '回访', radius: ['35%', '65%'], label: { formatter: '{b}\n{c} 件' },
               data: [{ name: '满意', value: satisfied, itemStyle: { color: '#389e0d' } },
                      { name: '基本满意', value: basically, itemStyle: { color: '#d4b106' } },
                      { name: '不满意', value: callbacks - satisfied - basically,
                        itemStyle: { color: '#cf1322' } }] }],
  });
}

/*  Escalations by the level of the center they went up from: each center
    row's count, by the kind of that center in the org tree. */
async function drawLevels (rows) {
  const byLevel = { town: 0, county: 0, city: 0 };
  const up = rows.filter(r => r.by === 'center' && r.escalated);
  const kinds = await Promise.all(up.map(r => place(r.key)));
  up.forEach((r, i) => { if (kinds[i] && kinds[i].kind in byLevel) byLevel[kinds[i].kind] += r.escalated; });
  chart('chart-levels', {
    xAxis: { type: 'category', data: Object.keys(byLevel).map(l => '自' + LEVELS[l] + '提级') },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: '提级', data: Object.values(byLevel), itemStyle: { color: '#d48806' },
               barWidth: '40%', label: { show: true, position: 'top' } }],
  });
}

/*  The ten categories most received in the period, most first. */
function drawHotspots (rows) {
  const top = rows.filter(r => r.by === 'category' && r.received)
    .sort((a, b) => b.received - a.received || a.key.localeCompare(b.key)).slice(0, 10);
  if (!top.length) { noData('chart-hotspots', '本期暂无工单'); return; }
  chart('chart-hotspots', {
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: top.map(r => (categories[r.key] || {}).name || r.key),
             axisLabel: { interval: 0, fontSize: Math.round(fontPx() * 0.8) } },
    series: [{ type: 'bar', name: '受理', data: top.map(r => r.received), label: { show: true, position: 'right' } }],
  });
}

/*  The periods: days back, and how stats answers its rows over time. */
const PERIODS = { 1: ['今日', 'day'], 7: ['近7日', 'day'], 30: ['近30日', 'day'],
                  84: ['近12周', 'week'], 365: ['近12月', 'month'] };
const LIVE_MS = 10000;          // live redraws at most this often

/*  The parts of the view the page's HTML does not have: the longer
    periods, the rates, the trend, the ranking and the topics. */
function dashboardParts () {
  const select = $('#dash-period');
  for (const [days, [label]] of Object.entries(PERIODS))
    if (!select.querySelector(`option[value="${days}"]`)) select.append(Object.assign(el('option', label), { value: days }));
  const box = $('#view-dashboard .charts');
  if ($('#chart-trend')) return;
  const figure = (id, caption, cls, inner) => {
    const f = el('figure', null, cls);
    const c = el('figcaption', caption);
    c.id = id + '-caption';
    f.append(c, inner || Object.assign(el('div', null, 'chart'), { id }));
    box.prepend(f);
    return f;
  };
  figure('chart-trend', '受理与办结趋势', 'wide');
  const rank = el('div', null, 'ranking');
  for (const [id, title] of [['rank-centers', '镇街/区县排名'], ['rank-units', '承办单位排名']]) {
    const t = el('table');
    t.id = id;
    t.append(el('caption', title));
    const head = el('tr');
    for (const h of ['名次', '名称', '受理', '按时签收率', '按时办结率', '满意率', '重办', '提级']) head.append(el('th', h));
    t.append(el('thead'), el('tbody'));
    t.tHead.append(head);
    rank.append(t);
  }
  const r = figure('ranking', '排名（按时办结率，前十）', 'wide', rank);
  box.append(r);
  const spots = el('ul');
  spots.id = 'dash-hotspots';
  box.append(figure('dash-hotspots-box', '当前热点（预警预判：同一社区同类诉求集中）', null, spots));
  const topics = el('ul');
  topics.id = 'dash-topics';
  box.append(figure('dash-topics-box', '热点议事（本辖区协商议题）', null, topics));
}

const pct = (part, whole) => { const p = percent(part, whole); return p === null ? '—' : p + '%'; };

/*  The trend over the period: stats' rows by day, week or month. */
function drawTrend (rows, by) {
  const series = rows.filter(r => r.by === by);
  const label = by === 'day' ? '按日' : by === 'week' ? '按周（周一起）' : '按月';
  $('#chart-trend-caption').textContent = '受理与办结趋势（' + label + '，' + series.length + ' 个点）';
  chart('chart-trend', {
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: series.map(r => by === 'month' ? r.key : r.key.slice(5)),
             axisLabel: { interval: series.length > 16 ? 'auto' : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', name: '受理', data: series.map(r => r.received || 0) },
             { type: 'line', name: '办结', data: series.map(r => r.resolved || 0) }],
  });
  $('#chart-trend').dataset.keys = series.map(r => r.key).join(',');
}

/*  The ranking of one kind of row: the ten best by on-time completion,
    then by received. */
/*  The ranking's one rule (the dashboard's and the wall's): rows that
    received or resolved anything, best on-time completion first (none
    resolved: last), then most received; the first n. */
function ranked (rows, n) {
  const rate = (r) => (r.resolved ? (r.resolved_on_time || 0) / r.resolved : -1);
  return rows.filter(r => r.received || r.resolved)
    .sort((a, b) => rate(b) - rate(a) || (b.received || 0) - (a.received || 0) || a.key.localeCompare(b.key))
    .slice(0, n);
}

async function drawRanking (id, rows) {
  const top = ranked(rows, 10);
  const body = $('#' + id + ' tbody');
  body.textContent = '';
  let n = 0;
  const names = await Promise.all(top.map(r => unitName(r.key)));
  for (const r of top) {
    const tr = el('tr');
    tr.dataset.key = r.key;
    for (const v of [n + 1, names[n++], r.received || 0, pct(r.signed_on_time || 0, r.signed_for || 0),
                     pct(r.resolved_on_time || 0, r.resolved || 0), pct(r.satisfied || 0, r.callbacks || 0),
                     r.redone || 0, r.escalated || 0])
      tr.append(el('td', String(v)));
    body.append(tr);
  }
  if (!top.length) body.append(Object.assign(el('tr'), { innerHTML: '<td colspan="8">本期暂无</td>' }));
}

/*  The scope's consultation topics, newest first (a unit's token may not
    see them: then the box says so). */
async function drawTopics () {
  const list = $('#dash-topics');
  list.textContent = '';
  try {
    const page = await api('/api/v1/topics?limit=8');
    for (const t of page.topics) {
      const li = el('li');
      const a = el('a', t.title);
      a.href = '#/topics/' + encodeURIComponent(t.id);
      li.append(a, el('span', ' ' + (t.scope_name || t.scope) + ' · ' + (TOPIC_STATES[t.state] || t.state), 'muted'));
      list.append(li);
    }
    if (!page.topics.length) list.append(el('li', '暂无议题'));
  }
  catch (err) { list.append(el('li', refusal(err))); }
}

/*  The scope's current hot spots (dispatch's, GET /api/v1/hotspots:
    newest first, ten here), each linked to its community's map and to
    the consultation topic opened for it, when one was. */
async function drawCurrentHotspots () {
  const list = $('#dash-hotspots');
  list.textContent = '';
  try {
    const page = await api('/api/v1/hotspots?limit=10&scope=' + encodeURIComponent(me.scope));
    for (const h of page.hotspots) {
      const li = el('li');
      li.dataset.id = h.id;
      const a = el('a', h.category_name + '：' + h.community_name + ' ' + h.count + ' 件');
      a.href = '#/map/' + encodeURIComponent(h.community);
      li.append(a, el('span', ' ' + cstTime(h.at) + ' 起', 'muted'));
      if (h.topic) {
        const t = el('a', '议题 ' + h.topic, 'topic');
        t.href = '#/topics/' + encodeURIComponent(h.topic);
        li.append(' · ', t);
      }
      list.append(li);
    }
    if (!page.hotspots.length) list.append(el('li', '暂无热点'));
    else if (page.total > page.hotspots.length) list.append(el('li', '另有 ' + (page.total - page.hotspots.length) + ' 处', 'muted'));
  }
  catch (err) { list.append(el('li', refusal(err))); }
}

const TOPIC_STATES = { draft: '草拟', deliberating: '协商中', decided: '已决议', implementing: '实施中',
                       done: '已完成', rejected: '未通过' };

let dashLoads = 0;             // a newer load makes an older one stop drawing

async function loadDashboard () {
  const load = ++dashLoads;
  dashboardParts();
  charts.forEach(c => c.dispose());
  charts = [];
  delete $('#view-dashboard').dataset.loaded;
  delete $('#view-dashboard').dataset.drawn;
  $('#dash-scope').textContent = me.scope_name;
  const now = Date.now(), days = Number($('#dash-period').value);
  const by = (PERIODS[days] || PERIODS[1])[1];
  const to = cstDay(now);
  const [y, m] = to.split('-').map(Number);
  const from = by === 'month' ? new Date(Date.UTC(y, m - 12, 1)).toISOString().slice(0, 10)   // 12 whole months
                              : cstDay(now - (days - 1) * 86400000);
  /*  today's hours beside the period's stats: the rest is drawn
      (data-drawn), then the hours (data-loaded) */
  const hours = hourly();
  hours.catch(() => {});
  const stats = await api('/api/v1/stats?scope=' + encodeURIComponent(me.scope) + '&from=' + from + '&to=' + to +
                          '&by=' + by);
  if (load !== dashLoads) return;
  const total = stats.rows.find(r => r.by === 'total') || {};
  $('#dash-period-text').textContent = from === to ? from : from + ' 至 ' + to;
  drawSummary(total);
  for (const [metric, label, value] of [
    ['redo_rate', '重办率', pct(total.redone || 0, total.resolved || 0)],
    ['escalation_rate', '提级率', pct(total.escalated || 0, total.received || 0)]]) {
    const item = el('div', null, 'figure');
    item.dataset.metric = metric;
    item.append(el('b', value), el('span', label));
    $('#dash-summary').append(item);
  }
  drawTrend(stats.rows, by);
  drawRates(total);
  drawSatisfaction(total);
  drawHotspots(stats.rows);
  await Promise.all([drawLevels(stats.rows),
                     drawRanking('rank-centers', stats.rows.filter(r => r.by === 'center' && r.key !== me.scope)),
                     drawRanking('rank-units', stats.rows.filter(r => r.by === 'unit')), drawTopics(),
                     drawCurrentHotspots()]);
  if (load !== dashLoads) return;
  $('#view-dashboard').dataset.drawn = from + '/' + to;
  const counts = await hours;
  if (load !== dashLoads) return;
  $('#hourly-note').textContent = '';
  chart('chart-hourly', { xAxis: { type: 'category', data: counts.map((_, h) => h + '时') },
                          yAxis: { type: 'value', minInterval: 1 },
                          series: [{ type: 'bar', data: counts, name: '受理' }] });
  $('#view-dashboard').dataset.loaded = from + '/' + to;
}

/*  Live: a change of a case redraws the open dashboard, at most once
    every LIVE_MS (the stats count it as it happens). */
let liveTimer = null, liveLast = 0;
cg.onEvent(() => {
  if ($('#view-dashboard').hidden || liveTimer) return;
  const wait = Math.max(0, liveLast + LIVE_MS - Date.now());
  liveTimer = setTimeout(() => {
    liveTimer = null;
    liveLast = Date.now();
    if (!$('#view-dashboard').hidden) loadDashboard().catch(() => {});
  }, wait);
});

cg.ranked = ranked;
cg.pct = pct;

cg.views.dashboard = { title: '数据看板',
                       render: (section, params) => (params.changed ? null : loadDashboard()) };

$('#dash-period').addEventListener('change', () => route());
