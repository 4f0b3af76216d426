/* civgrid console — the operator's page.
 *
 * It signs in with a token (kept in sessionStorage for this tab only), then
 * shows one of three views chosen by location.hash: the queue (#/queue),
 * one case (#/case/ID) and the dashboard (#/dashboard).  Everything comes
 * from the gateway's API (docs/API.md), already narrowed to the token's
 * scope; live changes arrive on /api/v1/stream (Server-Sent Events) and
 * make the open view reload.  Times from the API are Unix ms; they are
 * shown in China Standard Time whatever the browser's zone. */
'use strict';

const STATES = { received: '受理', dispatched: '待签收', accepted: '办理中', resolved: '已办结',
                 closed: '已归档', returned: '退单', suspended: '挂起', merged: '已合并', rejected: '无效' };
const LEVELS = { town: '镇街', county: '区县', city: '市' };
const OPEN_STATES = ['received', 'dispatched', 'accepted', 'resolved'];
const CST = 8 * 3600 * 1000;
const WARN_SHARE = 0.8;          // 预警 at 80% of a limit, as dispatch warns

let token = sessionStorage.getItem('civgrid.token');
let me = null, categories = {}, places = {}, queue = [], seen = new Set(), alerts = {};
let stream = null, reloadTimer = null, tickTimer = null, charts = [];

const $ = (sel) => document.querySelector(sel);

function el (tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

async function api (path, options = {}) {
  const headers = { Authorization: 'Bearer ' + token };
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { ...options, headers });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error((body.error && body.error.message) || ('HTTP ' + res.status));
    err.status = res.status;
    throw err;
  }
  return body;
}

function cstTime (ms, withDate = true) {
  if (!ms) return '—';
  const d = new Date(ms + CST).toISOString();
  return withDate ? d.slice(5, 10) + ' ' + d.slice(11, 16) : d.slice(11, 16);
}

function duration (ms) {
  const sign = ms < 0 ? '超时 ' : '';
  ms = Math.abs(ms);
  const h = Math.floor(ms / 3600000), m = Math.floor(ms % 3600000 / 60000), s = Math.floor(ms % 60000 / 1000);
  return sign + (h ? h + '小时' : '') + String(m).padStart(2, '0') + '分' + String(s).padStart(2, '0') + '秒';
}

async function placeName (code) {
  if (!code) return '';
  if (!places[code]) {
    places[code] = api('/api/v1/places/' + encodeURIComponent(code))
      .then(p => p.path.filter(n => n.kind !== 'city' && n.kind !== 'county').map(n => n.name).reverse().join(' · '))
      .catch(() => code);
  }
  return places[code];
}

async function unitName (code) {
  if (!code) return '';
  if (!places['unit:' + code])
    places['unit:' + code] = api('/api/v1/places/' + encodeURIComponent(code)).then(p => p.name).catch(() => code);
  return places['unit:' + code];
}

/* --- signing in --------------------------------------------------------- */

async function signIn (candidate) {
  token = candidate;
  me = await api('/api/v1/me');
  sessionStorage.setItem('civgrid.token', token);
  const cat = await api('/api/v1/catalog');
  cat.categories.forEach(c => { categories[c.code] = c; });
  $('#who').textContent = me.name + '（' + me.scope_name + '）';
  $('#nav').hidden = false;
  openStream();
}

function signOut () {
  sessionStorage.removeItem('civgrid.token');
  if (stream) stream.close();
  location.hash = '';
  location.reload();
}

/* --- live events -------------------------------------------------------- */

function openStream () {
  if (stream) stream.close();
  stream = new EventSource('/api/v1/stream?access_token=' + encodeURIComponent(token));
  stream.onopen = () => { $('#live').className = 'live on'; };
  stream.onerror = () => { $('#live').className = 'live off'; };
  const onEvent = (e) => {
    const data = JSON.parse(e.data);
    if (data.topic === 'case.warning' || data.topic === 'case.overdue')
      alerts[data.id] = data.topic === 'case.overdue' ? 'overdue' : 'warning';
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => route(data.id), 300);
  };
  ['case.dispatched', 'case.accepted', 'case.resolved', 'case.closed', 'case.returned',
   'case.extended', 'case.escalated', 'case.warning', 'case.overdue', 'message']
    .forEach(t => stream.addEventListener(t, onEvent));
}

/* --- the queue ---------------------------------------------------------- */

/*  The deadline that matters now, and when its warning point falls. */
function deadlineOf (c) {
  const due = c.state === 'accepted' ? c.done_by : (c.state === 'resolved' ? 0 : c.sign_by);
  if (!due) return null;
  const start = c.created || due;
  return { due, warnAt: start + WARN_SHARE * (due - start), label: c.state === 'accepted' ? '办结' : '签收' };
}

function urgency (c, now) {
  const d = deadlineOf(c);
  if (!d) return 'ok';
  if (now > d.due || alerts[c.id] === 'overdue') return 'overdue';
  if (now >= d.warnAt || alerts[c.id] === 'warning') return 'warning';
  return 'ok';
}

async function loadQueue () {
  // one queue per state still being worked, each in its deadline order
  const q = $('#search').value.trim();
  const pages = await Promise.all(OPEN_STATES.map(state =>
    api('/api/v1/cases?limit=1000&state=' + state + (q ? '&q=' + encodeURIComponent(q) : ''))));
  queue = pages.flatMap(p => p.cases);
  queue.sort((a, b) => ((deadlineOf(a) || { due: Infinity }).due) - ((deadlineOf(b) || { due: Infinity }).due));
  const body = $('#queue tbody');
  body.textContent = '';
  for (const c of queue) {
    const tr = el('tr');
    tr.dataset.id = c.id;
    if (seen.size && !seen.has(c.id)) tr.classList.add('fresh');
    const d = deadlineOf(c);
    tr.append(el('td', c.id), el('td', (categories[c.category] || {}).name || c.category),
              el('td', (c.text || '').slice(0, 40)), el('td', STATES[c.state] || c.state),
              el('td', c.unit || '', 'unit'), el('td', d ? d.label + ' ' + cstTime(d.due) : '—'),
              el('td', '', 'countdown'));
    tr.addEventListener('click', () => { location.hash = '#/case/' + c.id; });
    unitName(c.unit).then(name => { tr.querySelector('.unit').textContent = name; });
    body.append(tr);
  }
  queue.forEach(c => seen.add(c.id));
  $('#queue-count').textContent = '共 ' + queue.length + ' 件';
  $('#queue-empty').hidden = queue.length > 0;
  tick();
}

/*  Countdowns, every second: amber from the warning point, red when overdue. */
function tick () {
  const now = Date.now();
  for (const tr of document.querySelectorAll('#queue tbody tr')) {
    const c = queue.find(q => q.id === tr.dataset.id);
    const cell = tr.querySelector('.countdown');
    const d = c && deadlineOf(c);
    cell.textContent = d ? duration(d.due - now) : '—';
    cell.className = 'countdown ' + urgency(c, now);
    tr.dataset.urgency = urgency(c, now);
  }
}

/* --- one case ----------------------------------------------------------- */

const ACTIONS = [
  { name: 'accept', label: '签收', from: 'dispatched', roles: ['operator', 'supervisor', 'admin'] },
  { name: 'resolve', label: '办结', from: 'accepted', roles: ['operator', 'supervisor', 'admin'], note: true },
  { name: 'close', label: '归档', from: 'resolved', roles: ['supervisor', 'admin'] },
];
/*  Actions dispatch does not offer yet are shown, not offered. */
const COMING = [['return', '退单'], ['extend', '延期'], ['callback', '回访'], ['escalate', '提级'], ['merge', '合并']];

async function loadCase (id) {
  const c = await api('/api/v1/cases/' + encodeURIComponent(id));
  // a live reload must not wipe a result being typed
  const typing = $('#note') && $('#case-title').dataset.id === c.id ? $('#note').value : '';
  $('#case-title').dataset.id = c.id;
  $('#case-title').textContent = c.id + '  ' + (STATES[c.state] || c.state);
  const dl = $('#case-details');
  dl.textContent = '';
  const where = await placeName(c.grid);
  const rows = [['类别', (categories[c.category] || {}).name || c.category], ['来源', c.source],
    ['来源编号', c.ext_ref], ['诉求', c.text], ['位置', [c.address, where, c.grid].filter(Boolean).join('，')],
    ['联系电话', c.contact], ['处置层级', LEVELS[c.level] || c.level], ['承办单位', await unitName(c.unit)],
    ['签收时限', cstTime(c.sign_by)], ['办结时限', cstTime(c.done_by)], ['办理结果', c.result]];
  for (const [k, v] of rows) if (v) dl.append(el('dt', k), el('dd', v));
  const box = $('#case-actions');
  box.textContent = '';
  $('#case-error').textContent = '';
  let note = null;
  for (const a of ACTIONS) {
    if (a.from !== c.state || !a.roles.includes(me.role)) continue;
    if (a.note) {
      note = el('textarea');
      note.id = 'note';
      note.placeholder = '办理结果';
      note.value = typing;
      box.append(note);
    }
    const b = el('button', a.label);
    b.id = 'act-' + a.name;
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await api('/api/v1/cases/' + encodeURIComponent(c.id) + '/' + a.name,
                  { method: 'POST', body: JSON.stringify(a.note ? { note: note.value } : {}) });
        await loadCase(c.id);
      }
      catch (err) { $('#case-error').textContent = err.message; b.disabled = false; }
    });
    box.append(b);
  }
  for (const [name, label] of COMING) {
    const b = el('button', label);
    b.disabled = true;
    b.title = '调度服务尚未开放此操作';
    b.dataset.action = name;
    box.append(b);
  }
  const ol = $('#case-timeline');
  ol.textContent = '';
  for (const s of c.steps || [])
    ol.append(el('li', cstTime(s.at) + '  ' + (STATES[s.to] || s.to) + '  ' + actorName(s.actor) + (s.note ? '：' + s.note : '')));
}

/*  "unit:CODE:NAME" or "center:CODE:NAME" (docs/DISPATCH.md) shows as NAME. */
function actorName (actor) {
  const parts = (actor || '').split(':');
  return parts.length >= 3 ? parts.slice(2).join(':') : actor;
}

/* --- the dashboard ------------------------------------------------------ */

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

async function loadDashboard () {
  charts.forEach(c => c.dispose());
  charts = [];
  $('#dash-scope').textContent = me.scope_name;
  // the newest 1000 cases of the scope: the list of all is in order of creation
  const head = await api('/api/v1/cases?limit=1');
  const page = await api('/api/v1/cases?limit=1000&offset=' + Math.max(0, head.total - 1000));
  const cases = page.cases, now = Date.now();
  const today = Math.floor((now + CST) / 86400000);
  const hours = new Array(24).fill(0);
  for (const c of cases)
    if (c.created && Math.floor((c.created + CST) / 86400000) === today)
      hours[Math.floor((c.created + CST) % 86400000 / 3600000)]++;
  chart('chart-hourly', { xAxis: { type: 'category', data: hours.map((_, h) => h + '时') },
                          yAxis: { type: 'value', minInterval: 1 }, series: [{ type: 'bar', data: hours, name: '受理' }] });

  const signing = cases.filter(c => c.state === 'dispatched'), doing = cases.filter(c => c.state === 'accepted');
  const late = (list, key) => list.filter(c => c[key] && now > c[key]).length;
  chart('chart-ontime', { legend: {}, xAxis: { type: 'category', data: ['签收', '办结'] }, yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '未超时', type: 'bar', stack: 't', data: [signing.length - late(signing, 'sign_by'), doing.length - late(doing, 'done_by')] },
             { name: '已超时', type: 'bar', stack: 't', data: [late(signing, 'sign_by'), late(doing, 'done_by')], itemStyle: { color: '#cf1322' } }] });

  noData('chart-satisfaction', '暂无回访数据（回访功能开通后显示满意度）');

  // a case above its category's lowest level went up (提级) to get there
  const rank = { town: 0, county: 1, city: 2 };
  const open = { town: 0, county: 0, city: 0 }, raised = { town: 0, county: 0, city: 0 };
  for (const c of cases) {
    if (!(c.level in rank)) continue;
    if (OPEN_STATES.includes(c.state)) open[c.level]++;
    const lowest = (categories[c.category] || {}).level;
    if (lowest in rank && rank[c.level] > rank[lowest]) raised[c.level]++;
  }
  chart('chart-levels', { legend: {}, xAxis: { type: 'category', data: Object.keys(rank).map(l => LEVELS[l]) },
                          yAxis: { type: 'value', minInterval: 1 },
                          series: [{ name: '在办', type: 'bar', data: Object.values(open) },
                                   { name: '提级至此', type: 'bar', data: Object.values(raised), itemStyle: { color: '#d48806' } }] });

  const spots = {};
  for (const c of cases) {
    if (!c.grid) continue;
    const key = c.grid.slice(0, 12) + '|' + c.category;
    spots[key] = (spots[key] || 0) + 1;
  }
  const top = Object.entries(spots).sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (!top.length) { noData('chart-hotspots', '暂无工单'); return; }
  const names = await Promise.all(top.map(async ([key]) => {
    const [community, category] = key.split('|');
    return (await placeName(community)) + ' · ' + ((categories[category] || {}).name || category);
  }));
  chart('chart-hotspots', { grid: { left: 260 }, xAxis: { type: 'value', minInterval: 1 },
                            yAxis: { type: 'category', data: names.reverse() },
                            series: [{ type: 'bar', data: top.map(t => t[1]).reverse() }] });
}

/* --- views -------------------------------------------------------------- */

function show (name) {
  for (const v of ['signin', 'queue', 'case', 'dashboard']) $('#view-' + v).hidden = v !== name;
  document.querySelectorAll('nav a').forEach(a => a.classList.toggle('active', a.id === 'nav-' + name));
}

/*  Shows the view the hash names; changedId, from a live event, reloads
    the case page only when it is that case. */
async function route (changedId) {
  if (!me) { show('signin'); return; }
  const hash = location.hash || '#/queue';
  try {
    if (hash.startsWith('#/case/')) {
      const id = decodeURIComponent(hash.slice(7));
      if (changedId && changedId !== id) return;
      show('case');
      await loadCase(id);
    }
    else if (hash === '#/dashboard') {
      if (changedId) return;
      show('dashboard');
      await loadDashboard();
    }
    else {
      show('queue');
      await loadQueue();
    }
  }
  catch (err) {
    if (err.status === 401) signOut();
    else $('#case-error').textContent = err.message;
  }
}

$('#signin').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await signIn($('#token').value.trim());
    route();
  }
  catch (err) { me = null; $('#signin-error').textContent = '登录失败：' + err.message; }
});
$('#signout').addEventListener('click', signOut);
$('#search').addEventListener('input', () => {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => route(), 300);
});
window.addEventListener('hashchange', () => route());
tickTimer = setInterval(tick, 1000);

(async () => {
  if (token) {
    try { await signIn(token); }
    catch (_) { me = null; sessionStorage.removeItem('civgrid.token'); }
  }
  route();
})();
