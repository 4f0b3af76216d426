/* civgrid console — the dashboard (数据看板), drawn with Apache ECharts.
 *
 * The figures are those of /api/v1/stats (dispatch's case.stats) for the
 * operator's own subtree over the period chosen (today by default): the
 * totals, the on-time rates of signing for and completing (按时签收率,
 * 按时办结率), satisfaction at callback (满意率), escalations (提级) by the
 * level of the center they went up from, and the hot spots, the categories
 * most asked about.  case.stats counts by day, not by hour, so today's
 * volume by hour is counted from the cases themselves: those of the scope
 * received today, by the China-time hour they came in, read newest first
 * a page at a time (at most HOURLY_PAGES pages: beyond, the chart says it
 * counts the newest only).
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

function chart (id, option) {
  const node = document.getElementById(id);
  node.textContent = '';
  node.classList.remove('nodata');
  const c = echarts.init(node);
  c.setOption(Object.assign({ animation: false, tooltip: {} }, option));
  charts.push(c);
}

function noData (id, text) {
  const node = document.getElementById(id);
  node.textContent = text;
  node.classList.add('nodata');
}

const HOURLY_PAGES = 25;        // pages of 200 cases read for the hourly chart at most

/*  Today's cases of the scope by hour: the list of all, newest first, a
    page at a time until a case of an earlier day.  partial when it
    stopped at HOURLY_PAGES before that. */
async function hourly () {
  const today = cstDay(Date.now());
  const hours = new Array(24).fill(0);
  let cursor = null, pages = 0;
  do {
    const page = await api('/api/v1/cases?newest=true&limit=200' +
                           (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    let earlier = false;
    for (const c of page.cases) {
      if (c.created && cstDay(c.created) === today)
        hours[Math.floor((c.created + CST) % 86400000 / 3600000)]++;
      else if (c.created && cstDay(c.created) < today)
        earlier = true;
    }
    cursor = earlier ? null : page.next;
  } while (cursor && ++pages < HOURLY_PAGES);
  return { hours, partial: !!cursor };
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
  for (const r of rows.filter(r => r.by === 'center' && r.escalated)) {
    const p = await place(r.key);
    if (p && p.kind in byLevel) byLevel[p.kind] += r.escalated;
  }
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
    grid: { left: 140 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: top.map(r => (categories[r.key] || {}).name || r.key) },
    series: [{ type: 'bar', name: '受理', data: top.map(r => r.received), label: { show: true, position: 'right' } }],
  });
}

async function loadDashboard () {
  charts.forEach(c => c.dispose());
  charts = [];
  delete $('#view-dashboard').dataset.loaded;
  $('#dash-scope').textContent = me.scope_name;
  const now = Date.now(), days = Number($('#dash-period').value);
  const from = cstDay(now - (days - 1) * 86400000), to = cstDay(now);
  const [stats, { hours, partial }] = await Promise.all([
    api('/api/v1/stats?scope=' + encodeURIComponent(me.scope) + '&from=' + from + '&to=' + to), hourly()]);
  const total = stats.rows.find(r => r.by === 'total') || {};
  $('#dash-period-text').textContent = from === to ? from : from + ' 至 ' + to;
  drawSummary(total);
  $('#hourly-note').textContent = partial ? '（仅计最近 ' + HOURLY_PAGES * 200 + ' 件）' : '';
  chart('chart-hourly', { xAxis: { type: 'category', data: hours.map((_, h) => h + '时') },
                          yAxis: { type: 'value', minInterval: 1 },
                          series: [{ type: 'bar', data: hours, name: '受理' }] });
  drawRates(total);
  drawSatisfaction(total);
  await drawLevels(stats.rows);
  drawHotspots(stats.rows);
  $('#view-dashboard').dataset.loaded = from + '/' + to;
}

$('#dash-period').addEventListener('change', () => route());
