/* civgrid console — the operator's page.
 *
 * It signs in with a token (kept in sessionStorage for this tab only), then
 * shows one of three views chosen by location.hash: the queue (#/queue),
 * one case (#/case/ID) and the dashboard (#/dashboard, dashboard.js).
 * Everything comes from the gateway's API (docs/API.md), already narrowed
 * to the token's scope; live changes arrive on /api/v1/stream (Server-Sent
 * Events) and make the open view reload.  Times from the API are Unix ms;
 * they are shown in China Standard Time whatever the browser's zone.
 *
 * The case page offers the actions of dispatch's state machine
 * (docs/DISPATCH.md) that this operator may take on the case as it stands:
 * a unit's token the unit's acts (签收, 退单, 申请延期, 办结), a center's token
 * the center's (派单, 转办, 退单审核, 延期审批, 挂起, 恢复, 回访, 归档, 重新打开,
 * 合并, 无效, 提级), an admin's both.  An action that needs more than a click
 * opens its form; a refusal is shown in Chinese with the server's reason. */
'use strict';

const STATES = { received: '受理', dispatched: '待签收', accepted: '办理中', resolved: '已办结',
                 closed: '已归档', returned: '退单待审', suspended: '挂起', merged: '已合并', rejected: '无效' };
const LEVELS = { town: '镇街', county: '区县', city: '市' };
const SOURCES = { hotline: '12345热线', grid: '网格员上报', open311: '网上诉求（Open311）', device: '智能设备告警',
                  operator: '坐席录入', consultation: '议事协商' };
const OPEN_STATES = ['received', 'dispatched', 'accepted', 'resolved', 'returned', 'suspended'];
const CST = 8 * 3600 * 1000;

let token = sessionStorage.getItem('civgrid.token');
let me = null, categories = {}, places = {}, queue = [], seen = new Set(), alerts = {};
let queueNext = {}, queueTotal = 0;     // each state's next page; the cases in the queues
const QUEUE_PAGE = 100;                 // cases of each state a page
let stream = null, reloadTimer = null;
const listeners = [];           // cg.onEvent's

const $ = (sel) => document.querySelector(sel);

function el (tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/*  A link to a case's page, and a button that does something. */
function caseLink (id) {
  const a = el('a', id);
  a.href = '#/case/' + id;
  return a;
}

function button (text, cls, onClick) {
  const b = el('button', text, cls);
  b.type = 'button';
  b.addEventListener('click', () => onClick(b));
  return b;
}

async function api (path, options = {}) {
  const headers = { Authorization: 'Bearer ' + token };
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { ...options, headers });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = body.error || {};
    const err = new Error(e.message || ('HTTP ' + res.status));
    err.status = res.status;
    err.code = e.code;
    err.field = e.field;
    throw err;
  }
  return body;
}

/*  What went wrong, for the operator: the kind of refusal and the field in
    Chinese, then the server's own reason, word for word. */
const REFUSALS = { invalid: '填写有误', unauthorized: '登录已失效，请重新登录', forbidden: '无权执行此操作',
  not_found: '工单不存在或不在本辖区', conflict: '工单当前状态不允许此操作', too_large: '内容过长',
  rate_limited: '操作过于频繁，请稍后再试', unavailable: '服务暂不可用，请稍后再试', internal: '服务内部错误' };
const FIELDS = { note: '说明', unit: '承办单位', minutes: '延期时长', into: '合并至工单', satisfied: '回访结果',
  satisfaction: '回访结果', id: '工单', role: '角色', scope: '辖区', text: '诉求内容', grid: '网格',
  category: '类别', address: '地址', lat: '纬度', lon: '经度', phone: '联系电话', contact: '联系电话',
  caller: '来电人', name: '用户名', password: '密码', code: '动态验证码', limit: '每页条数', cursor: '翻页位置',
  state: '状态', from: '起始日期', to: '截止日期', q: '搜索词', urgency: '紧急程度', views: '常用视图',
  Authorization: '登录凭据', delivery: '通知', community: '社区' };
/*  What the server said, for the common reasons, in Chinese. */
const REASONS = [[/there is no case|no such case|not found/i, '找不到该工单'], [/too long|too large|at most \d+ bytes/i, '内容超过长度上限'],
  [/needs? (the|its)? ?(reason|result|text)/i, '请填写必填内容'], [/locked/i, '账户已临时锁定，请 15 分钟后再试'],
  [/disabled/i, '账户已停用'], [/expired|idle/i, '会话已过期'], [/wrong|invalid password|unknown name/i, '用户名或密码不正确'],
  [/not in (your|the caller's) scope|outside/i, '超出本辖区'], [/cursor/i, '翻页位置已失效，请刷新']];

/*  The refusal in Chinese: its kind, the field, and the reason when it is
    one of those known; the server's own words (English) go to the
    element's title through showRefusal, for whoever supports the operator. */
function refusal (err) {
  const what = REFUSALS[err.code] || ('请求失败（HTTP ' + (err.status || '?') + '）');
  const field = err.field ? '（' + (FIELDS[err.field] || err.field) + '）' : '';
  const known = REASONS.find(([re]) => re.test(err.message || ''));
  return what + field + (known ? '：' + known[1] : '') + '。';
}

function showRefusal (node, prefix, err) {
  node.textContent = prefix + refusal(err);
  node.title = '服务器原文：' + (err.message || '');
  node.dataset.code = err.code || '';
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

function place (code) {
  if (!places[code]) places[code] = api('/api/v1/places/' + encodeURIComponent(code)).catch(() => null);
  return places[code];
}

/*  A grid as its town · community · grid; a unit or center by its name. */
async function placeName (code) {
  const p = code && await place(code);
  return p ? p.path.filter(n => n.kind !== 'city' && n.kind !== 'county').map(n => n.name).reverse().join(' · ')
           : (code || '');
}

async function unitName (code) {
  const p = code && await place(code);
  return p ? p.name : (code || '');
}

/* --- signing in --------------------------------------------------------- */

async function signIn (candidate) {
  token = candidate;
  me = await api('/api/v1/me');
  sessionStorage.setItem('civgrid.token', token);
  const cat = await api('/api/v1/catalog');
  cat.categories.forEach(c => { categories[c.code] = c; });
  $('#who').textContent = me.name + ' · ' + (ROLES[me.role] || me.role) + ' · ' + me.scope_name;
  /* a working calendar near its end: deadlines past it count every weekday */
  if (me.calendar_ends) {
    $('#calendar-warning').textContent = '工作日历将于 ' + me.calendar_ends + ' 到期：此后的期限按每个工作日计算，' +
      '节假日不会扣除，请管理员补充下一年的节假日安排。';
    $('#calendar-warning').title = me.calendar_warning || '';
    $('#calendar-warning').hidden = false;
  }
  drawNav();
  if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission().catch(() => {});
  $('#nav').hidden = false;
  openStream();
}

const ROLES = { operator: '值班员', supervisor: '值班长', admin: '管理员', grid_worker: '网格员', read: '只读' };

/*  Signing out ends the session at the gateway (a person's session; a
    system's token is not ended by it, the refusal is ignored) and in every
    tab of this browser session, which share it. */
async function signOut (told) {
  const t = token;
  sessionStorage.removeItem('civgrid.token');
  sessionStorage.removeItem('civgrid.notifyAt');
  token = null;
  if (!told) {
    if (t) await fetch('/api/v1/session', { method: 'DELETE', headers: { Authorization: 'Bearer ' + t } }).catch(() => {});
    tabs.postMessage({ signout: true });
  }
  if (stream) stream.close();
  location.hash = '';
  location.reload();
}

/*  A person signs in with name and password, and the authenticator's
    6 digits when the account has them: the gateway answers 401 naming
    `code` until they are given, and the field then shows. */
async function signInPassword () {
  const body = { name: $('#user-name').value.trim(), password: $('#user-password').value };
  const code = $('#user-code').value.trim();
  if (code) body.code = code;
  const res = await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                body: JSON.stringify(body) });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = answer.error || {};
    if (e.field === 'code') {
      $('#user-code-label').hidden = false;
      $('#user-code').required = true;
      $('#user-code').focus();
    }
    throw Object.assign(new Error(e.message || 'HTTP ' + res.status), { status: res.status, code: e.code, field: e.field });
  }
  await signIn(answer.token);
}

/*  The session in every tab: sessionStorage is a tab's own, so a new tab
    asks the others on a BroadcastChannel (same origin only) and takes the
    token the first signed-in tab answers with.  Nothing goes to a cookie,
    so no other site's page can make requests with it (no CSRF); the
    token never leaves this browser session's tabs. */
const tabs = new BroadcastChannel('civgrid.session');
tabs.onmessage = (e) => {
  const m = e.data || {};
  if (m.ask && token && me) tabs.postMessage({ token });
  if (m.signout && token) signOut(true);
};
function askOtherTabs (wait = 400) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { tabs.removeEventListener('message', on); resolve(null); }, wait);
    const on = (e) => {
      if (!e.data || !e.data.token) return;
      clearTimeout(timer);
      tabs.removeEventListener('message', on);
      resolve(e.data.token);
    };
    tabs.addEventListener('message', on);
    tabs.postMessage({ ask: true });
  });
}

/* --- live events -------------------------------------------------------- */

const TOPICS = ['case.dispatched', 'case.accepted', 'case.returned', 'case.return_refused',
  'case.extension_requested', 'case.extended', 'case.extension_refused', 'case.suspended', 'case.resumed',
  'case.resolved', 'case.closed', 'case.merged', 'case.rejected', 'case.escalated', 'case.warning',
  'case.overdue', 'case.noted', 'message', 'notify.failed', 'notify.acked', 'notify.retried'];

/*  The browser's EventSource reconnects by itself with Last-Event-ID, so
    nothing is missed across a dropped connection.  A reload starts the
    cases at the journal's head (the queue is read anew), but notification's
    journal where this tab stood before its oldest failed-notice alarm still
    open (civgrid.notifyAt), so that a reload keeps those alarms and hears
    what ended them meanwhile. */
let notifySeq = null;           // notification's journal: the last entry heard
function openStream () {
  if (stream) stream.close();
  const at = sessionStorage.getItem('civgrid.notifyAt');
  stream = new EventSource('/api/v1/stream?access_token=' + encodeURIComponent(token) +
                           (at ? '&last_event_id=notification:' + encodeURIComponent(at) : ''));
  stream.onopen = () => { $('#live').className = 'live on'; loadFailed(); };
  stream.onerror = () => { $('#live').className = 'live off'; };
  const onEvent = (e) => {
    const data = JSON.parse(e.data);
    const seq = /notification:(\d+)/.exec(e.lastEventId || '');
    if (seq) notifySeq = Number(seq[1]);
    for (const fn of listeners) { try { fn(e.type, data); } catch (err) { console.error(err); } }
    if (e.type.startsWith('notify.')) {
      if (e.type === 'notify.failed') raiseFailed(Object.assign(data, { seq: notifySeq }));
      else endFailed(f => (data.delivery ? f.delivery === data.delivery : f.case_id === data.case_id));
      keepNotifyAt();
      if (location.hash.startsWith('#/wall')) {
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(() => route(data.case_id || 'alarm'), 300);
      }
      return;
    }
    if (data.topic === 'case.warning' || data.topic === 'case.overdue')
      alerts[data.id] = data.topic === 'case.overdue' ? 'overdue' : 'warning';
    if (e.type === 'case.dispatched' && data.urgent)
      raiseAlarm({ id: data.id, category: data.category, summary: data.summary, state: 'dispatched', urgent: true });
    else if ((data.to && data.to !== 'dispatched') || (e.type === 'case.noted' && data.note === ACK_NOTE)) endAlarm(data.id);
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => route(data.id), 300);
  };
  TOPICS.forEach(t => stream.addEventListener(t, onEvent));
  /*  what this tab missed was trimmed: the open alarms are asked for again */
  stream.addEventListener('journal.trimmed', () => loadFailed());
}

/*  The open failed-notice alarms of the scope (GET /api/v1/alarms), at
    start and whenever the stream (re)connects: a console opened after a
    failure shows it too.  Merged with what the stream brings: an alarm
    of a case already shown is not raised twice, and one no longer open
    ends (when the page holds them all). */
async function loadFailed () {
  let page;
  try { page = await api('/api/v1/alarms?limit=' + FAILED_MAX); }
  catch (err) { console.warn('the open alarms could not be read:', err); return; }
  const open = new Set(page.alarms.map(f => f.case_id));
  if (page.total <= page.alarms.length) endFailed(f => f.case_id && !open.has(f.case_id));
  for (const f of page.alarms.slice().reverse()) {
    const shown = [...alarmed.values()].some(a => a.c.failed && a.c.failed.case_id === f.case_id);
    if (!shown) raiseFailed(Object.assign(f, { seq: null, delivery: f.delivery || 'case:' + f.case_id }));
  }
}

/* --- alarms: SOS and urgent cases ---------------------------------------- */

/*  An urgent case (a device's SOS, an urgent category, a hotline order
    marked 紧急) waiting to be signed for is an alarm: pinned in red above
    the queue, a beep (WebAudio, no file) and a browser notification, and
    a reminder that comes sooner and louder each time (REMIND_MS) until
    someone acts: 确认收到 here, or the unit signs for it (it leaves
    待签收).  确认收到 is first notification's: POST /api/v1/cases/{id}/ack
    records who and when on every urgent notice of the case awaiting
    acknowledgement and stops their escalation (docs/NOTIFICATION.md);
    then it is written on the case's timeline (补充说明, dispatch's note),
    so every console (through the stream's case.noted) and the case's
    record show who took it and when.
    An urgent notice that could not be delivered on any channel is an
    alarm too, 紧急通知发送失败 (the stream's notify.failed, from
    notification's journal, to the consoles whose scope holds the case's
    center or the org the notice was for): it names the case and who
    could not be reached, links to the case and to 死信, and ends when
    someone acknowledges the case (notify.acked) or sends the dead letter
    again (notify.retried), in every console.  It is kept as
    'failed:<delivery>' beside the cases' alarms.  A console opened after
    the failure asks for the open ones (loadFailed). */
const REMIND_MS = [30000, 20000, 10000];
const FAILED_MAX = 50;          // open failed-notice alarms asked for at most
const ACK_NOTE = '已确认收到紧急告警';
const alarmed = new Map();      // case id -> { c, since, next, reminders }
let audio = null;
window.cgAlarmSounds = 0;       // beeps started, for whoever tests the page

function beep (loud = 1) {
  try {
    audio = audio || new AudioContext();
    if (audio.state === 'suspended') audio.resume();
    for (let i = 0; i < Math.min(1 + loud, 4); i++) {
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = Math.min(0.2 * loud, 1);
      osc.connect(gain).connect(audio.destination);
      const at = audio.currentTime + i * 0.4;
      osc.start(at);
      osc.stop(at + 0.25);
    }
    window.cgAlarmSounds++;
  }
  catch (err) { console.warn('no sound:', err); }
}

function notifyDesktop (c, again) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const f = c.failed;
  const n = new Notification((again ? '【再次提醒】' : '') + (f ? '紧急通知发送失败 ' : '紧急工单 ') + c.id,
    { body: f ? '未能送达 ' + (f.name || f.recipient) + '：' + (f.reason || '').slice(0, 80)
              : ((categories[c.category] || {}).name || c.category || '') + '：' + (c.summary || c.text || '').slice(0, 80),
      tag: 'civgrid-' + (f ? 'failed-' + f.delivery : c.id), requireInteraction: true, renotify: Boolean(again) });
  n.onclick = () => { window.focus(); location.hash = '#/case/' + c.id; };
}

function raiseAlarm (c) {
  if (alarmed.has(c.id) || acknowledged().includes(c.id)) return;
  const now = Date.now();
  alarmed.set(c.id, { c, since: now, next: now + REMIND_MS[0], reminders: 0 });
  beep(1);
  notifyDesktop(c, false);
  drawAlarms();
}

function endAlarm (id) {
  if (alarmed.delete(id)) drawAlarms();
}

/*  紧急通知发送失败: f is the stream's notify.failed. */
function raiseFailed (f) {
  const key = 'failed:' + f.delivery;
  if (alarmed.has(key)) return;
  // the stream's entry takes the place of one listed from an older store
  // (its case alone), keeping its reminders: not sounded again
  const listed = alarmed.get('failed:case:' + f.case_id);
  if (listed && f.seq) {
    alarmed.delete('failed:case:' + f.case_id);
    alarmed.set(key, Object.assign(listed, { c: { id: f.case_id || '', failed: f } }));
    drawAlarms();
    return;
  }
  const now = Date.now();
  alarmed.set(key, { c: { id: f.case_id || '', failed: f }, since: now, next: now + REMIND_MS[0], reminders: 0 });
  beep(1);
  notifyDesktop(alarmed.get(key).c, false);
  drawAlarms();
}

/*  Where a reload resumes notification's journal: before the oldest
    failed-notice alarm still open, else after the last entry heard. */
function keepNotifyAt () {
  const open = [...alarmed.values()].filter(a => a.c.failed && a.c.failed.seq > 0)
    .map(a => a.c.failed.seq - 1);
  const at = open.length ? Math.min(...open) : notifySeq;
  if (at !== null && at >= 0) sessionStorage.setItem('civgrid.notifyAt', String(at));
}

/*  Ends the failed-notice alarms that match. */
function endFailed (match) {
  let ended = false;
  for (const [key, a] of alarmed)
    if (a.c.failed && match(a.c.failed)) ended = alarmed.delete(key) || ended;
  if (ended) { keepNotifyAt(); drawAlarms(); }
}

/*  This browser session's acknowledgements, so that a reload does not
    sound again what was taken. */
function acknowledged () {
  return JSON.parse(sessionStorage.getItem('civgrid.acked') || '[]');
}

async function acknowledge (id, button) {
  button.disabled = true;
  try {
    const url = '/api/v1/cases/' + encodeURIComponent(id);
    await api(url + '/ack', { method: 'POST', body: '{}' });
    await api(url + '/note', { method: 'POST', body: JSON.stringify({ note: ACK_NOTE }) });
    sessionStorage.setItem('civgrid.acked', JSON.stringify(acknowledged().concat(id).slice(-200)));
    endAlarm(id);
    endFailed(f => f.case_id === id);
  }
  catch (err) {
    button.disabled = false;
    showRefusal($('#page-error'), '确认未成功：', err);
  }
}

/*  Reminders, each sooner and louder than the one before. */
function remind () {
  const now = Date.now();
  for (const a of alarmed.values()) {
    if (now < a.next) continue;
    a.reminders++;
    a.next = now + REMIND_MS[Math.min(a.reminders, REMIND_MS.length - 1)];
    beep(1 + a.reminders);
    notifyDesktop(a.c, true);
  }
  if (alarmed.size) drawAlarms();
}

function drawAlarms () {
  const box = $('#alarms');
  box.textContent = '';
  box.hidden = alarmed.size === 0;
  document.title = (alarmed.size ? '【' + alarmed.size + ' 件紧急】' : '') + 'civgrid 社会治理指挥中心';
  for (const a of alarmed.values()) {
    const c = a.c;
    if (c.failed) { box.append(failedRow(a)); continue; }
    const row = el('div', null, 'alarm' + (a.reminders ? ' again' : ''));
    row.dataset.id = c.id;
    row.dataset.reminders = a.reminders;
    row.append(el('b', '紧急'), caseLink(c.id), el('span', (categories[c.category] || {}).name || c.category || ''),
               el('span', (c.summary || '').slice(0, 60), 'summary'),
               el('span', '已等待 ' + duration(Date.now() - a.since).replace(/^超时 /, ''), 'waited'),
               el('span', a.reminders ? '第 ' + a.reminders + ' 次提醒' : '', 'reminders'),
               button('确认收到', 'ack', (b) => acknowledge(c.id, b)));
    box.append(row);
  }
}

function failedRow (a) {
  const f = a.c.failed;
  const row = el('div', null, 'alarm failed' + (a.reminders ? ' again' : ''));
  row.dataset.case = f.case_id || '';
  row.dataset.delivery = f.delivery;
  row.dataset.reminders = a.reminders;
  const dead = el('a', '死信');
  dead.href = '#/deadletters';
  row.append(el('b', '紧急通知发送失败'), f.case_id ? caseLink(f.case_id) : el('span', ''),
             el('span', '未能送达 ' + (f.name || f.recipient), 'who'),
             el('span', (f.reason || '').slice(0, 80), 'summary'), dead,
             el('span', '已等待 ' + duration(Date.now() - a.since).replace(/^超时 /, ''), 'waited'),
             el('span', a.reminders ? '第 ' + a.reminders + ' 次提醒' : '', 'reminders'));
  if (f.case_id) row.append(button('确认收到', 'ack', (b) => acknowledge(f.case_id, b)));
  return row;
}

/*  Which of the cases seen is an alarm now, and which no longer is. */
function checkAlarms (cases) {
  for (const c of cases) {
    if (c.urgent && c.state === 'dispatched') raiseAlarm(c);
    else if (alarmed.has(c.id)) endAlarm(c.id);
  }
}

/* --- the queue ---------------------------------------------------------- */

/*  The deadline that matters now and its warning point, both as dispatch
    computed them in working time (sign_warn, done_warn: 80% of the limit
    counted in working hours, so a night or a holiday does not bring it
    on), and the alert flags dispatch raised for it (1 and 2 for signing
    for, 4 and 8 for completing). */
const ALERT = { sign_warn: 1, sign_over: 2, done_warn: 4, done_over: 8 };
function deadlineOf (c) {
  const done = c.state === 'accepted';
  const due = done ? c.done_by : (c.state === 'dispatched' ? c.sign_by : 0);
  if (!due) return null;
  return { due, warnAt: (done ? c.done_warn : c.sign_warn) || 0, label: done ? '办结' : '签收',
           warnFlag: done ? ALERT.done_warn : ALERT.sign_warn, overFlag: done ? ALERT.done_over : ALERT.sign_over };
}

function urgency (c, now) {
  const d = c && deadlineOf(c);
  if (!d) return 'ok';
  if (now > d.due || (c.alerts & d.overFlag) || alerts[c.id] === 'overdue') return 'overdue';
  if ((d.warnAt && now >= d.warnAt) || (c.alerts & d.warnFlag) || alerts[c.id] === 'warning') return 'warning';
  return 'ok';
}

/*  The view: the queue's filters, from the address (#/queue?state=...),
    so that each view can be bookmarked.  The gateway filters (docs/API.md:
    q, category, source, place, urgent, supervised, overdue, warning,
    approval); state and unit choose dispatch's queues; sort=newest
    reverses their order. */
const FILTERS = ['q', 'state', 'unit', 'category', 'source', 'place', 'urgent', 'overdue', 'warning',
                 'supervised', 'approval', 'sort'];
const FLAGS = ['urgent', 'overdue', 'warning', 'supervised', 'approval'];
let view = {};

function viewOf (query) {
  const v = {};
  for (const k of FILTERS) if (query[k]) v[k] = query[k];
  return v;
}

function viewHash (v) {
  const qs = new URLSearchParams(FILTERS.filter(k => v[k]).map(k => [k, v[k]])).toString();
  return '#/queue' + (qs ? '?' + qs : '');
}

const viewStates = () => (view.state ? [view.state] : OPEN_STATES);

/*  The list of one state in a view, as the API's parameters. */
function viewParams (v, state) {
  const p = new URLSearchParams({ state });
  for (const k of ['q', 'unit', 'category', 'source', 'place']) if (v[k]) p.set(k, v[k]);
  for (const k of FLAGS) if (v[k]) p.set(k, '1');
  return p;
}

/*  A page of one state's queue in the view: after cursor, or the first. */
function queuePage (state, cursor) {
  const p = viewParams(view, state);
  p.set('limit', QUEUE_PAGE);
  if (view.sort === 'newest') p.set('newest', 'true');
  if (cursor) p.set('cursor', cursor);
  return api('/api/v1/cases?' + p.toString());
}

/*  Each view's count, as the server counts it (count=1, docs/API.md): the
    sum over the view's states, exact where dispatch counts, else a bounded
    read that says where it stopped ("5000+").  Counted again when the
    queue is loaded, and after live events at most every 30 s: a refresh
    is about 25 requests (the views' states), the token may make 600 a
    minute. */
const viewCounts = new Map();       // viewHash → { n, more }
let countsAt = 0, countsTimer = null;
const COUNTS_LIVE_MS = 30000;       // a live recount at most this often (the token's rate limit)
// the states a flag can hold in (docs/API.md): the others need not be asked
const FLAG_STATES = { overdue: ['dispatched', 'accepted'], warning: ['dispatched', 'accepted'],
                      approval: ['returned', 'accepted'] };

async function countView (v) {
  let states = v.state ? [v.state] : OPEN_STATES;
  for (const [flag, only] of Object.entries(FLAG_STATES)) if (v[flag]) states = states.filter(st => only.includes(st));
  const rs = await Promise.all(states.map(st => {
    const p = viewParams(v, st);
    p.set('count', '1');
    return api('/api/v1/cases?' + p.toString());
  }));
  return { n: rs.reduce((sum, r) => sum + (r.total || 0), 0), more: rs.some(r => r.next) };
}

const countText = (c) => c.n + (c.more ? '+' : '');

async function refreshCounts () {
  countsAt = Date.now();
  // a search (q) is the archive's, which does not count its matches
  const all = PRESETS.concat(savedViews()).map(([, v]) => v).concat([view]).filter(v => !v.q);
  const seenHash = new Set();
  await Promise.all(all.filter(v => !seenHash.has(viewHash(v)) && seenHash.add(viewHash(v)))
    .map(async v => { viewCounts.set(viewHash(v), await countView(v)); }));
  drawCounts();
}

function countsSoon (live) {
  if (!live) { refreshCounts().catch(() => {}); return; }
  if (countsTimer) return;
  countsTimer = setTimeout(() => { countsTimer = null; refreshCounts().catch(() => {}); },
                           Math.max(0, countsAt + COUNTS_LIVE_MS - Date.now()));
}

/*  The counts on the views' links, and the shown view's in the heading. */
function drawCounts () {
  for (const a of document.querySelectorAll('#queue-views a')) {
    const c = viewCounts.get(a.getAttribute('href'));
    let badge = a.querySelector('.count');
    if (!badge) { badge = el('span', '', 'count'); a.append(badge); }
    badge.textContent = c ? countText(c) : '';
    if (c) { a.dataset.count = c.n; a.dataset.more = c.more ? '1' : ''; }
  }
  const c = viewCounts.get(viewHash(view));
  if (c) {
    const moreLeft = viewStates().some(st => queueNext[st]);
    $('#queue-count').textContent = '共 ' + countText(c) + ' 件' + (moreLeft ? '，已显示 ' + queue.length + ' 件' : '');
    $('#queue-count').dataset.total = c.n;
  }
}

/*  Built-in views, then this operator's own, kept in this browser's
    localStorage under the operator's name and scope: the gateway keeps
    no settings of a person yet. */
const PRESETS = [['全部在办', {}], ['紧急', { urgent: '1' }], ['已超时', { overdue: '1' }], ['预警', { warning: '1' }],
  ['待签收', { state: 'dispatched' }], ['待审批', { approval: '1' }], ['督办', { supervised: '1' }]];
const savedKey = () => 'civgrid.views.' + me.name + '@' + me.scope;
const savedViews = () => JSON.parse(localStorage.getItem(savedKey()) || '[]');

function drawViews () {
  const box = $('#queue-views');
  box.textContent = '';
  const here = viewHash(view);
  const link = (name, v, own) => {
    const a = el('a', name, own ? 'own' : '');
    a.href = viewHash(v);
    if (a.getAttribute('href') === here) a.setAttribute('aria-current', 'page');
    box.append(a);
    if (own) {
      const x = el('button', '×', 'remove');
      x.type = 'button';
      x.setAttribute('aria-label', '删除视图 ' + name);
      x.addEventListener('click', () => {
        localStorage.setItem(savedKey(), JSON.stringify(savedViews().filter(([n]) => n !== name)));
        drawViews();
      });
      box.append(x);
    }
  };
  for (const [name, v] of PRESETS) link(name, v, false);
  for (const [name, v] of savedViews()) link(name, v, true);
  drawCounts();
}

/*  The filter form shows the view; changing it changes the address. */
function drawFilters () {
  const form = $('#queue-filters');
  const fill = (name, pairs) => {
    const sel = form.elements[name];
    if (sel.options.length > 1) return;
    for (const [value, text] of pairs) { const o = el('option', text); o.value = value; sel.append(o); }
  };
  fill('state', OPEN_STATES.map(s => [s, STATES[s]]));
  fill('category', Object.values(categories).map(c => [c.code, c.name]));
  fill('source', Object.entries(SOURCES));
  for (const k of FILTERS) {
    const input = form.elements[k];
    if (!input || input === document.activeElement) continue;
    if (input.type === 'checkbox') input.checked = Boolean(view[k]);
    else input.value = view[k] || '';
  }
}

function filtersToView () {
  const form = $('#queue-filters'), v = {};
  for (const k of FILTERS) {
    const input = form.elements[k];
    if (input.type === 'checkbox') { if (input.checked) v[k] = '1'; }
    else if (input.value.trim()) v[k] = input.value.trim();
  }
  return v;
}

$('#queue-filters').addEventListener('change', (e) => {
  if (e.target.id === 'view-name') return;
  location.hash = viewHash(filtersToView());
});
$('#queue-filters').addEventListener('submit', (e) => { e.preventDefault(); location.hash = viewHash(filtersToView()); });
$('#view-save').addEventListener('click', () => {
  const name = $('#view-name').value.trim() || '视图 ' + (savedViews().length + 1);
  const list = savedViews().filter(([n]) => n !== name).concat([[name, view]]).slice(-20);
  localStorage.setItem(savedKey(), JSON.stringify(list));
  $('#view-name').value = '';
  drawViews();
});

let queueTotals = {};       // each state's count, as dispatch counts its queue

/*  Sorts and draws the queue, keeping the row that has the focus (and so
    the operator's place) across a live update. */
function drawQueue () {
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#queue tbody tr');
  const keep = focused ? focused.dataset.id : null;
  const newest = view.sort === 'newest';
  // urgent cases first (pinned), then by the deadline that matters now, or newest first
  queue.sort((a, b) => (Boolean(b.urgent) - Boolean(a.urgent)) ||
    (newest ? b.created - a.created
            : ((deadlineOf(a) || { due: Infinity }).due) - ((deadlineOf(b) || { due: Infinity }).due)));
  checkAlarms(queue);
  const body = $('#queue tbody');
  body.textContent = '';
  for (const c of queue) {
    const tr = el('tr');
    tr.dataset.id = c.id;
    tr.tabIndex = 0;
    if (seen.size && !seen.has(c.id)) tr.classList.add('fresh');
    if (c.urgent) tr.classList.add('urgent');
    const d = deadlineOf(c);
    const idCell = el('td');
    const link = caseLink(c.id);
    link.tabIndex = -1;
    idCell.append(link);
    tr.setAttribute('aria-label', c.id + ' ' + ((categories[c.category] || {}).name || c.category || '') + ' ' +
                    (STATES[c.state] || c.state) + (c.urgent ? ' 紧急' : ''));
    tr.append(idCell, el('td', (categories[c.category] || {}).name || c.category),
              el('td', (c.summary || '').slice(0, 40)), el('td', STATES[c.state] || c.state),
              el('td', c.unit || '', 'unit'), el('td', d ? d.label + ' ' + cstTime(d.due) : '—'),
              el('td', '', 'countdown'));
    tr.addEventListener('click', () => { location.hash = '#/case/' + c.id; });
    unitName(c.unit).then(name => { tr.querySelector('.unit').textContent = name; });
    body.append(tr);
  }
  queue.forEach(c => seen.add(c.id));
  if (keep) { const tr = body.querySelector(`tr[data-id="${CSS.escape(keep)}"]`); if (tr) tr.focus({ preventScroll: true }); }
  const moreLeft = viewStates().some(st => queueNext[st]);
  const filtered = Object.keys(view).some(k => k !== 'state' && k !== 'sort');
  if (!filtered) {          // dispatch's own count, until the view's is in
    const total = viewStates().reduce((sum, st) => sum + (queueTotals[st] || 0), 0);
    $('#queue-count').textContent = '共 ' + total + ' 件' + (moreLeft ? '，已显示 ' + queue.length + ' 件' : '');
    $('#queue-count').dataset.total = total;
  }
  else $('#queue-count').textContent = '已显示 ' + queue.length + ' 件';
  drawCounts();
  $('#queue').dataset.view = viewHash(view);      // what the rows show, for whoever tests the page
  $('#queue-more').hidden = !moreLeft;
  $('#queue-empty').hidden = queue.length > 0;
  tick();
}

/*  The queues of the view's states, each in its order, a page of each at a
    time: the first pages (mode 'first'), the next page of each that has
    one ('more'), or, after a live event ('live'), the first pages again
    merged into what is shown (the pages loaded with 加载更多 stay, the
    changed case is read again), so the operator keeps the place.  The
    lists page by cursor (docs/API.md), so a case arriving meanwhile
    neither repeats nor hides another. */
async function loadQueue (mode = 'first', changedId = null) {
  const states = mode === 'more' ? viewStates().filter(st => queueNext[st]) : viewStates();
  const pages = await Promise.all(states.map(st => queuePage(st, mode === 'more' ? queueNext[st] : null)));
  if (mode !== 'more') states.forEach((st, i) => { queueTotals[st] = pages[i].total; });
  if (mode === 'first') {
    queue = [];
    queueNext = {};
  }
  // (live: a list shown to its end goes on after the new first page; one
  // paged into keeps its cursor)
  states.forEach((st, i) => { if (mode !== 'live' || !queueNext[st]) queueNext[st] = pages[i].next || null; });
  const fresh = pages.flatMap(p => p.cases);
  const byId = new Map(queue.map(c => [c.id, c]));
  for (const c of fresh) byId.set(c.id, c);
  if (mode === 'live' && changedId && byId.has(changedId) && !fresh.some(c => c.id === changedId)) {
    // shown before, not on the first pages now: as it stands, or gone
    const now = await api('/api/v1/cases/' + encodeURIComponent(changedId)).catch(() => null);
    if (now && viewStates().includes(now.state)) byId.set(changedId, { ...byId.get(changedId), ...now, steps: undefined });
    else byId.delete(changedId);
  }
  if (mode === 'live') for (const [id, c] of byId) if (!viewStates().includes(c.state)) byId.delete(id);
  queue = [...byId.values()];
  drawQueue();
  if (mode !== 'more') countsSoon(mode === 'live');
}

$('#queue-more').addEventListener('click', () => loadQueue('more').catch(err => {
  showRefusal($('#page-error'), '', err);
}));

/*  The keyboard: j/k (or the arrows) move between rows, Enter opens the
    case, a signs for it (签收, a unit's act) and / goes to the search. */
document.addEventListener('keydown', async (e) => {
  if ($('#view-queue').hidden || e.ctrlKey || e.metaKey || e.altKey) return;
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test((e.target.tagName || ''));
  if (e.key === '/' && !typing) { e.preventDefault(); $('#search').focus(); return; }
  if (typing) return;
  const rows = [...document.querySelectorAll('#queue tbody tr')];
  const at = rows.indexOf(document.activeElement);
  if (e.key === 'j' || e.key === 'ArrowDown' || e.key === 'k' || e.key === 'ArrowUp') {
    e.preventDefault();
    const next = rows[Math.max(0, Math.min(rows.length - 1, at + ((e.key === 'j' || e.key === 'ArrowDown') ? 1 : -1)))];
    if (next) next.focus();
  }
  else if (e.key === 'Enter' && at >= 0) location.hash = '#/case/' + rows[at].dataset.id;
  else if (e.key === 'a' && at >= 0) {
    const c = queue.find(q => q.id === rows[at].dataset.id);
    const a = ACTIONS.find(x => x.name === 'accept');
    if (!c || !offered(a, c)) { $('#page-error').textContent = '该工单当前不能由您签收'; return; }
    try {
      await api('/api/v1/cases/' + encodeURIComponent(c.id) + '/accept', { method: 'POST', body: '{}' });
      $('#page-error').textContent = '';
      await loadQueue('live', c.id);
    }
    catch (err) { showRefusal($('#page-error'), '签收未成功：', err); }
  }
});

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

/*  Dispatch's actions: the states each may start from, who takes it (a
    unit or a center, docs/DISPATCH.md), an extra condition, and the form's
    fields.  A field is [name, kind, label, required]. */
const UNIT = 'unit', CENTER = 'center';
const pending = (c) => c.extension === 'pending';
const ACTIONS = [
  { name: 'accept', label: '签收', from: ['dispatched'], who: UNIT },
  { name: 'return', label: '退单', from: ['dispatched', 'accepted'], who: UNIT,
    fields: [['note', 'text', '退单理由', true]] },
  { name: 'extend', label: '申请延期', from: ['accepted'], who: UNIT, when: c => !pending(c) && Date.now() < c.done_by,
    fields: [['hours', 'hours', '延长办结时限（工作小时）', true], ['note', 'text', '延期理由', true]] },
  { name: 'resolve', label: '办结', from: ['accepted'], who: UNIT, fields: [['note', 'text', '办理结果', true]] },
  { name: 'dispatch', label: '派单', from: ['dispatched'], who: CENTER, when: c => c.unit === c.center,
    fields: [['unit', 'unit', '派往单位', true], ['note', 'text', '派单说明', false]] },
  { name: 'transfer', label: '转办', from: ['dispatched', 'accepted'], who: CENTER, when: c => c.unit !== c.center,
    fields: [['unit', 'unit', '转至单位', true], ['note', 'text', '转办理由', false]] },
  { name: 'return_approve', label: '同意退单', from: ['returned'], who: CENTER,
    fields: [['unit', 'unit', '改派单位', true], ['note', 'text', '审核意见', false]] },
  { name: 'return_refuse', label: '驳回退单', from: ['returned'], who: CENTER,
    fields: [['note', 'text', '驳回理由', true]] },
  { name: 'extend_approve', label: '批准延期', from: ['accepted'], who: CENTER, when: pending,
    fields: [['note', 'text', '审批意见', false]] },
  { name: 'extend_refuse', label: '驳回延期', from: ['accepted'], who: CENTER, when: pending,
    fields: [['note', 'text', '驳回理由', true]] },
  { name: 'suspend', label: '挂起', from: ['dispatched', 'accepted'], who: CENTER,
    fields: [['note', 'text', '挂起原因', true]] },
  { name: 'resume', label: '恢复', from: ['suspended'], who: CENTER },
  { name: 'callback', label: '回访', from: ['resolved'], who: CENTER,
    fields: [['satisfaction', 'satisfaction', '群众评价', true], ['note', 'text', '回访记录', false]] },
  { name: 'close', label: '归档', from: ['resolved'], who: CENTER, roles: ['supervisor', 'admin'] },
  { name: 'reopen', label: '重新打开', from: ['closed'], who: CENTER, fields: [['note', 'text', '重新打开原因', true]] },
  { name: 'escalate', label: '提级', from: ['dispatched', 'accepted', 'returned'], who: CENTER,
    fields: [['note', 'text', '提级理由', true]] },
  { name: 'merge', label: '合并', from: ['dispatched', 'accepted', 'returned', 'suspended'], who: CENTER,
    fields: [['into', 'case', '合并至工单号', true], ['note', 'text', '合并说明', false]] },
  { name: 'reject', label: '无效', from: ['dispatched', 'returned'], who: CENTER,
    fields: [['note', 'text', '认定无效的理由', true]] },
];
const ACT_ROLES = ['operator', 'supervisor', 'admin'];

/*  Whether this operator may take the action on the case as it stands. */
function offered (a, c) {
  if (!(a.roles || ACT_ROLES).includes(me.role) || !a.from.includes(c.state)) return false;
  if (a.when && !a.when(c)) return false;
  if (me.role === 'admin') return true;
  return a.who === UNIT ? me.scope_kind === 'unit' && c.unit === me.scope : me.scope_kind !== 'unit';
}

/*  One input of an action's form. */
function field ([name, kind, label, required], c) {
  const wrap = el('label', label + ' ');
  let input;
  if (kind === 'text') {
    input = el('textarea');
  }
  else if (kind === 'satisfaction') {
    // the three levels of common/cg_satisfaction.h; 不满意 has the case redone
    const box = el('span', null, 'choices');
    for (const [value, text] of [['satisfied', '满意'], ['basically_satisfied', '基本满意'],
                                 ['unsatisfied', '不满意（发回重办）']]) {
      const opt = el('label');
      const radio = el('input');
      Object.assign(radio, { type: 'radio', name: 'satisfaction', value, required });
      opt.append(radio, text);
      box.append(opt);
    }
    wrap.append(box);
    return wrap;
  }
  else {
    input = el('input');
    if (kind === 'hours') Object.assign(input, { type: 'number', min: '0.5', max: '16666', step: '0.5' });
    if (kind === 'case') input.placeholder = 'CG…';
    if (kind === 'unit') {
      input.setAttribute('list', 'units');
      input.placeholder = '单位编码，如 ' + c.center + '-chengguan';
      const named = el('span', '', 'unit-name');
      input.addEventListener('input', async () => {
        const code = input.value.trim();
        const name = code && await unitName(code);
        named.textContent = name && name !== code ? '→ ' + name : '';
      });
      wrap.append(input, named);
    }
  }
  input.name = name;
  input.required = required;
  if (!wrap.contains(input)) wrap.append(input);
  return wrap;
}

/*  The form's values as the action's request body. */
function bodyOf (form) {
  const body = {};
  for (const [name, value] of new FormData(form)) {
    const v = String(value).trim();
    if (v === '') continue;
    if (name === 'hours') body.minutes = Math.round(Number(v) * 60);
    else body[name] = v;
  }
  return body;
}

/*  Units a case could go to: its center's own queue and the units seen. */
function fillUnits (c) {
  const list = $('#units');
  list.textContent = '';
  const codes = new Set([c.center, c.unit, ...queue.map(q => q.unit)]);
  for (const code of codes) {
    if (!code || (code !== c.center && !code.startsWith(c.center + '-'))) continue;
    const opt = el('option');
    opt.value = code;
    unitName(code).then(name => { opt.label = name; });
    list.append(opt);
  }
}

/*  Whether a case this page showed is now out of the operator's sight. */
async function gone (id) {
  try { await api('/api/v1/cases/' + encodeURIComponent(id)); return false; }
  catch (err) { return err.status === 404; }
}

/*  Takes the action; the page then shows the case as it now stands.  An
    action that moves the case above or outside this scope (提级 to the
    county, say) is answered with the case, but the case is no longer this
    operator's to see (the gateway answers 404 to it from then on): the page
    says so instead of showing it. */
async function act (c, a, form, button) {
  button.disabled = true;
  $('#case-error').textContent = '';
  $('#case-notice').textContent = '';
  try {
    const after = await api('/api/v1/cases/' + encodeURIComponent(c.id) + '/' + a.name,
                            { method: 'POST', body: JSON.stringify(form ? bodyOf(form) : {}) });
    if (await gone(c.id)) {
      $('#case-actions').textContent = '';
      $('#case-title').dataset.state = 'away';
      $('#case-notice').textContent = '工单已移出本辖区（' + a.label + '后由上级或其他中心办理），本页不再显示其后续进展';
      return;
    }
    await renderCase(after, true);
    $('#case-notice').textContent = a.label + '成功：工单现为「' + (STATES[after.state] || after.state) + '」';
    $('#case-notice').dataset.ver = after.ver;
  }
  catch (err) {
    showRefusal($('#case-error'), a.label + '未成功：', err);
    button.disabled = false;
  }
}

/*  What is being typed in an open form, to put back after a live reload. */
function typing (id) {
  const form = document.querySelector('#case-actions form:not([hidden])');
  if (!form || $('#case-title').dataset.id !== id) return {};
  const values = {};
  for (const input of form.elements)
    if (input.name && (input.type !== 'radio' || input.checked)) values[input.name] = input.value;
  return { open: form.dataset.action, values };
}

function renderActions (c, kept) {
  const box = $('#case-actions');
  box.textContent = '';
  const buttons = el('div', null, 'buttons');
  box.append(buttons);
  for (const a of ACTIONS.filter(a => offered(a, c))) {
    const b = el('button', a.label);
    b.type = 'button';
    b.id = 'act-' + a.name;
    buttons.append(b);
    if (!a.fields) {
      b.addEventListener('click', () => act(c, a, null, b));
      continue;
    }
    const form = el('form', null, 'action');
    form.id = 'form-' + a.name;
    form.dataset.action = a.name;
    form.hidden = true;
    form.append(el('h4', a.label), ...a.fields.map(f => field(f, c)));
    const submit = el('button', '确认' + a.label);
    submit.type = 'submit';
    const cancel = el('button', '取消');
    cancel.type = 'button';
    cancel.addEventListener('click', () => { form.hidden = true; });
    form.append(el('div', null, 'form-buttons'));
    form.lastChild.append(submit, cancel);
    form.addEventListener('submit', (e) => { e.preventDefault(); act(c, a, form, submit); });
    b.addEventListener('click', () => {
      box.querySelectorAll('form').forEach(f => { f.hidden = f !== form; });
      form.querySelector('input, textarea').focus();
    });
    if (kept.open === a.name) {
      form.hidden = false;
      for (const [name, value] of Object.entries(kept.values)) {
        const input = [...form.elements].find(i => i.name === name && (i.type !== 'radio' || i.value === value));
        if (input.type === 'radio') input.checked = true; else input.value = value;
      }
    }
    box.append(form);
  }
  if (!buttons.childNodes.length) buttons.append(el('span', '当前状态下没有可执行的操作', 'muted'));
}

const EXTENSIONS = { pending: '待审批', granted: '已批准', refused: '已驳回' };

/*  Why the case is supervised (督办): a deadline passed (dispatch's alert
    flags say which), or a center raised it by hand (提级), which is not
    lateness. */
function supervision (c) {
  if (!c.supervised) return '';
  if (c.alerts & (ALERT.sign_over | ALERT.done_over))
    return (c.alerts & ALERT.done_over ? '已超过办结时限' : '已超过签收时限') + '，督办中';
  if (c.escalations) return '已提级，督办中';
  return '督办中';
}

/*  A timeline step's act in Chinese: dispatch records it (act); steps
    from before it did are named by their states. */
const ACT_NAMES = { route: '自动派单', redo: '发回重办', withdraw: '撤回', warning: '预警', overdue: '超期督办',
  note: '补充说明', return_approve: '同意退单', return_refuse: '驳回退单', extend_approve: '批准延期',
  extend_refuse: '驳回延期' };
function stepAct (s, i) {
  if (s.act) return ACT_NAMES[s.act] || (ACTIONS.find(a => a.name === s.act) || {}).label || s.act;
  if (i === 0 && s.to === 'received') return '受理';
  if (s.actor === 'dispatch') return '自动派单';
  return '';
}
const SATISFACTION = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' };

/*  Shows the case, unless the page already shows a newer version of it: a
    live reload's answer may arrive after an action's.  Everything awaited
    comes first, so two renderings cannot interleave.  An open form and
    what is typed in it are kept unless fresh (after an action). */
async function renderCase (c, fresh = false) {
  const [where, center, unit] = await Promise.all([placeName(c.grid), unitName(c.center), unitName(c.unit)]);
  const title = $('#case-title');
  if (title.dataset.id === c.id && Number(title.dataset.ver) > c.ver) return;
  const kept = fresh ? {} : typing(c.id);
  // what the last action did holds only until the case changes again
  if (title.dataset.id !== c.id || String(c.ver) !== $('#case-notice').dataset.ver)
    $('#case-notice').textContent = '';
  Object.assign(title.dataset, { id: c.id, ver: c.ver, state: c.state });
  title.textContent = c.id + '  ' + (STATES[c.state] || c.state);
  const extension = c.extension && (EXTENSIONS[c.extension] + '（' + (c.ext_minutes / 60) + ' 工作小时）');
  const rows = [['类别', (categories[c.category] || {}).name || c.category], ['来源', SOURCES[c.source] || c.source],
    ['来源编号', c.ext_ref], ['诉求', c.text], ['位置', [c.address, where, c.grid].filter(Boolean).join('，')],
    ['联系电话', c.contact], ['处置层级', LEVELS[c.level] || c.level], ['指挥中心', center],
    ['承办单位', unit], ['紧急程度', c.urgent ? '紧急' : ''],
    ['签收时限', cstTime(c.sign_by)], ['签收预警', c.state === 'dispatched' && c.sign_warn && cstTime(c.sign_warn)],
    ['办结时限', cstTime(c.done_by)], ['办结预警', c.done_warn && ['accepted', 'dispatched'].includes(c.state) && cstTime(c.done_warn)],
    ['超期提级', c.escalate_at && cstTime(c.escalate_at)],
    ['延期申请', extension], ['督办', supervision(c)],
    ['挂起时间', c.suspended_at && cstTime(c.suspended_at)], ['合并至', c.merged_into],
    ['办理结果', c.result], ['回访评价', SATISFACTION[c.satisfaction]],
    ['发回重办', c.redo_count ? c.redo_count + ' 次' : ''], ['转办', c.transfer_count ? c.transfer_count + ' 次' : ''],
    ['提级', c.escalations ? c.escalations + ' 次' : '']];
  const dl = $('#case-details');
  dl.textContent = '';
  for (const [k, v] of rows) {
    if (!v) continue;
    const dd = el('dd', v);
    dd.dataset.field = k;
    dl.append(el('dt', k), dd);
  }
  if (c.media && c.media.length) {
    const dd = el('dd');
    dd.dataset.field = '附件';
    for (const m of c.media) dd.append(mediaItem(m));
    dl.append(el('dt', '附件'), dd);
  }
  drawCasePlace(c, where);
  fillUnits(c);
  renderActions(c, kept);
  const ol = $('#case-timeline');
  ol.textContent = '';
  (c.steps || []).forEach((s, i) => {
    const li = el('li');
    const act = stepAct(s, i);
    const states = s.from && s.from !== s.to ? '（' + (STATES[s.from] || s.from) + ' → ' + (STATES[s.to] || s.to) + '）'
                                              : '（' + (STATES[s.to] || s.to) + '）';
    li.append(el('time', cstTime(s.at)), el('b', act || (STATES[s.to] || s.to), 'act'), el('span', act ? states : '', 'states'),
              el('span', actorName(s.actor), 'actor'), el('span', s.note ? '：' + s.note.replace(/^(\S+) to /, '$1至') : '', 'note'));
    li.dataset.act = s.act || '';
    ol.append(li);
  });
}

/*  The case's place on a small map (issue 15, item 6): the grids of its
    community (the 12-digit code of the grid; the grid alone when the
    community is outside the caller's scope), its grid filled, a pin at
    its point (the source's, else its grid's centre).  Drawn again only
    when the place changes; hidden when the case has no surveyed grid. */
async function drawCasePlace (c, where) {
  const box = $('#case-place'), node = $('#case-map');
  const key = [c.id, c.grid, c.lat, c.lon].join('|');
  if (node.dataset.key === key) return;
  node.dataset.key = key;
  const point = c.lat && c.lon ? [Number(c.lon), Number(c.lat)] : null;
  if (!c.grid) { box.hidden = true; return; }
  box.hidden = false;
  $('#case-map-caption').textContent = '位置：' + (where || c.grid) + (point ? '（' + c.lat + ', ' + c.lon + '）' : '');
  for (const scope of [c.grid.slice(0, 12), c.grid]) {
    try {
      const { data } = await cg.map.outline(node, scope, { grid: c.grid, point });
      if (node.dataset.key !== key) return;
      if (data.grids.features.length) return;
    }
    catch (err) { if (err.status !== 403) break; }
  }
  box.hidden = true;
}

/*  One of a case's attachments: a photo the gateway keeps is fetched with
    the operator's token (an <img> cannot send it) and shown; a link (a
    recording, Open311's media_url) is a link, never fetched by us. */
function mediaItem (m) {
  if (m.startsWith('/api/v1/cases/')) {
    const img = el('img', null, 'photo');
    img.alt = '现场照片';
    fetch(m, { headers: { Authorization: 'Bearer ' + token } })
      .then(res => (res.ok ? res.blob() : null))
      .then(blob => { if (blob) img.src = URL.createObjectURL(blob); })
      .catch(() => {});
    return img;
  }
  const a = el('a', /^https?:\/\//.test(m) ? m : '');
  if (/^https?:\/\//.test(m)) Object.assign(a, { href: m, target: '_blank', rel: 'noopener noreferrer' });
  return a;
}

async function loadCase (id) {
  await renderCase(await api('/api/v1/cases/' + encodeURIComponent(id)));
}

/*  "unit:CODE:NAME" or "center:CODE:NAME" (docs/DISPATCH.md) shows as
    NAME; the timeline's first step names the channel, the second routing. */
function actorName (actor) {
  if (actor === 'system') return '系统（时限）';
  if (actor === 'dispatch') return '调度系统';
  if (SOURCES[actor]) return SOURCES[actor];
  const parts = (actor || '').split(':');
  return parts.length >= 3 ? parts.slice(2).join(':') : actor;
}

/* --- the intake form (受理录入) -------------------------------------------- */

/*  A hotline or walk-in operator enters a request: category, text, place
    (a grid's code, an address, or a point clicked on the map of the
    operator's scope, which fills the grid), caller and urgency.  Before it is
    submitted the form lists the open cases of the same category in the
    same community (the gateway's filtered list: a page, bounded), so the
    operator can add the caller to one of them instead (并入): the request
    is taken as a case (POST /api/v1/cases, merge false, so the caller and
    the words are kept) and merged at once into the case chosen
    (dispatch's 合并), whose timeline then names it. */
const NEARBY_STATES = ['dispatched', 'accepted', 'returned', 'suspended'];
let nearbyTimer = null;

function drawIntake () {
  const sel = $('#intake').elements.category;
  if (sel.options.length <= 1)
    for (const c of Object.values(categories)) { const o = el('option', c.name); o.value = c.code; sel.append(o); }
  const node = $('#intake-map');
  if (node.dataset.scope !== me.scope)
    cg.map.outline(node, me.scope, { pick: pickPoint }).catch(err => showRefusal($('#intake-error'), '地图：', err));
}

/*  A click on the intake form's map: the grid clicked and the point
    (intake keeps the point; the gateway wants the grid below the root). */
function pickPoint (grid, lon, lat) {
  const form = $('#intake');
  form.elements.grid.value = grid;
  form.elements.lat.value = String(lat);
  form.elements.lon.value = String(lon);
  $('#intake-point').textContent = '（已选：' + grid + '，' + lat + ', ' + lon + '）';
  loadNearby().catch(err => showRefusal($('#intake-error'), '', err));
}

async function loadNearby () {
  const form = $('#intake');
  const category = form.elements.category.value, grid = form.elements.grid.value.trim();
  const body = $('#nearby tbody');
  body.textContent = '';
  $('#intake-place').textContent = /^\d{15}$/.test(grid) ? await placeName(grid) : '';
  if (!category || !/^\d{15}$/.test(grid)) { $('#nearby-note').textContent = '（选择类别并填写网格后显示）'; return; }
  const community = grid.slice(0, 12);
  const pages = await Promise.all(NEARBY_STATES.map(state => api('/api/v1/cases?' + new URLSearchParams(
    { state, category, place: community, limit: 100 }).toString())));
  const cases = pages.flatMap(p => p.cases.slice(0, 10));
  $('#nearby-note').textContent = cases.length ? '（' + cases.length + ' 件' + (pages.some(p => p.next) ? '，仅列出较早到期的' : '') + '）' : '（无）';
  for (const c of cases) {
    const tr = el('tr');
    tr.dataset.id = c.id;
    const td = el('td');
    td.append(button('并入此工单', 'join', (b) => submitIntake(c.id, b)));
    const idCell = el('td');
    idCell.append(caseLink(c.id));
    tr.append(idCell, el('td', (c.summary || '').slice(0, 60)), el('td', c.grid === grid ? '同一网格' : c.grid),
              el('td', STATES[c.state] || c.state), td);
    body.append(tr);
  }
}

$('#intake').addEventListener('input', (e) => {
  if (!['category', 'grid'].includes(e.target.name)) return;
  if (e.target.name === 'grid') {       // a grid typed by hand: the point picked was elsewhere
    e.target.form.elements.lat.value = e.target.form.elements.lon.value = '';
    $('#intake-point').textContent = '';
  }
  clearTimeout(nearbyTimer);
  nearbyTimer = setTimeout(() => loadNearby().catch(err => showRefusal($('#intake-error'), '', err)), 300);
});

/*  Submits the request; into, a case to merge it into. */
async function submitIntake (into, button) {
  const form = $('#intake');
  if (!form.reportValidity()) return;
  button.disabled = true;
  $('#intake-error').textContent = '';
  $('#intake-result').textContent = '';
  const body = { merge: false };
  for (const [k, v] of new FormData(form)) if (String(v).trim()) body[k] = String(v).trim();
  try {
    const made = await api('/api/v1/cases', { method: 'POST', body: JSON.stringify(body) });
    if (into) {
      // the new case reaches dispatch a moment after intake answers
      for (let n = 0; ; n++) {
        try {
          await api('/api/v1/cases/' + encodeURIComponent(made.id) + '/merge', { method: 'POST',
            body: JSON.stringify({ into, note: '来电人' + (body.contact_name || '') + '反映同一问题，并入' }) });
          break;
        }
        catch (err) {
          if (err.status !== 404 || n >= 20) throw err;
          await new Promise(r => setTimeout(r, 250));
        }
      }
      $('#intake-result').textContent = '已受理并并入工单 ' + into + '（来电记录 ' + made.id + '）';
    }
    else $('#intake-result').textContent = '已受理，工单号 ' + made.id + (body.urgency === 'urgent' ? '（紧急）' : '');
    $('#intake-result').dataset.id = into || made.id;
    form.elements.text.value = '';
    form.elements.lat.value = form.elements.lon.value = '';
    form.elements.contact_name.value = '';
    form.elements.contact_phone.value = '';
    await loadNearby();
  }
  catch (err) { showRefusal($('#intake-error'), '受理未成功：', err); }
  finally { button.disabled = false; }
}

$('#intake').addEventListener('submit', (e) => {
  e.preventDefault();
  submitIntake(null, e.submitter || $('#intake button[type=submit]'));
});

/* --- views -------------------------------------------------------------- */

/*  The views other files add (map.js, wall.js, pages.js, dashboard.js):
    cg.views[NAME] = { title, render: async (section, params) => ... }.
    #/NAME/rest?k=v shows <section id="view-NAME"> (made when missing) and
    calls render with the section and { path: [rest...], query: {k: v},
    changed: id of the case a live event changed, or undefined }.  The nav
    lists them after the queue, in the order they were added. */
const views = {};
/*  app.js's own views; the rest are cg.views'. */
const OWN = ['signin', 'queue', 'case', 'intake'];

/*  The dashboard is dashboard.js's; until it registers itself, its global
    loadDashboard is the view. */
views.dashboard = { title: '数据看板', render: (section, params) => (params.changed ? null : loadDashboard()) };

function section (name) {
  let s = document.getElementById('view-' + name);
  if (!s) {
    s = el('section');
    s.id = 'view-' + name;
    s.hidden = true;
    $('main').append(s);
  }
  return s;
}

function show (name) {
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'view-' + name;
  document.querySelectorAll('nav a').forEach(a => a.classList.toggle('active', a.id === 'nav-' + name));
}

/*  The nav: the queue, then every registered view. */
function drawNav () {
  const box = $('#nav-views');
  box.textContent = '';
  const link = (name, title) => {
    const a = el('a', title);
    a.href = '#/' + name;
    a.id = 'nav-' + name;
    box.append(a);
  };
  link('queue', '工单队列');
  if (me.role !== 'grid_worker' && me.scope_kind !== 'unit') link('intake', '受理录入');
  for (const [name, v] of Object.entries(views)) if (!OWN.includes(name)) link(name, v.title || name);
}

/*  '#/NAME/a/b?x=1' as { name, path: ['a', 'b'], query: { x: '1' } }. */
function parseHash (hash) {
  const [where, qs] = (hash || '').replace(/^#\/?/, '').split('?');
  const parts = where.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || 'queue', path: parts.slice(1), query: Object.fromEntries(new URLSearchParams(qs || '')) };
}

/*  Shows the view the hash names; changedId, from a live event, reloads
    the case page only when it is that case. */
async function route (changedId) {
  if (!me) { show('signin'); return; }
  const h = parseHash(location.hash || '#/queue');
  try {
    $('#page-error').textContent = '';
    if (h.name === 'case') {
      const id = h.path[0];
      if (changedId && changedId !== id) return;
      if (!changedId) $('#case-error').textContent = '';
      show('case');
      await loadCase(id);
    }
    else if (h.name === 'intake') {
      if (changedId) return;
      show('intake');
      drawIntake();
    }
    else if (h.name !== 'queue' && views[h.name]) {
      const s = section(h.name);
      show(h.name);
      await views[h.name].render(s, { path: h.path, query: h.query, changed: changedId });
    }
    else {
      show('queue');
      const next = viewOf(h.query);
      const same = viewHash(next) === viewHash(view) && queue.length > 0;
      view = next;
      drawFilters();
      drawViews();
      await loadQueue(changedId && same ? 'live' : 'first', changedId);
    }
  }
  catch (err) {
    if (err.status === 401) signOut(true);
    else showRefusal($(h.name === 'case' ? '#case-error' : '#page-error'), '', err);
  }
}

/*  What other view files use (map.js, wall.js, pages.js, dashboard.js). */
window.cg = {
  api, el, refusal, showRefusal, cstTime, STATES, LEVELS, SOURCES, views, route, acknowledge, ACT_ROLES,
  get me () { return me; },
  get token () { return token; },
  /*  fn(topic, data) hears every live event of the stream. */
  onEvent (fn) { listeners.push(fn); },
};

$('#signin').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await signInPassword();
    route();
  }
  catch (err) { me = null; token = null; showRefusal($('#signin-error'), '登录失败：', err); }
});
$('#signin-token').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await signIn($('#token').value.trim());
    route();
  }
  catch (err) { me = null; token = null; showRefusal($('#signin-token-error'), '登录失败：', err); }
});
const toggleSignIn = (tokenForm) => (e) => {
  e.preventDefault();
  $('#signin').hidden = tokenForm;
  $('#signin-token').hidden = !tokenForm;
  (tokenForm ? $('#token') : $('#user-name')).focus();
};
$('#use-token').addEventListener('click', toggleSignIn(true));
$('#use-password').addEventListener('click', toggleSignIn(false));
$('#signout').addEventListener('click', () => signOut());
/*  Export: every case of the scope received in the days chosen, live and
    archived, as the gateway writes it (UTF-8 CSV with a BOM, phones
    masked), saved as a file. */
function cstDay (ms) {
  return new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
}
$('#export-from').value = cstDay(Date.now() - 30 * 86400 * 1000);
$('#export-to').value = cstDay(Date.now());
$('#export').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#export-error').textContent = '';
  const from = $('#export-from').value, to = $('#export-to').value;
  // the view's filters the export (archive's search) takes too
  const p = new URLSearchParams({ from, to });
  for (const k of ['category', 'state', 'unit']) if (view[k]) p.set(k, view[k]);
  if (view.place) p.set(view.place.length >= 15 ? 'grid' : 'community', view.place);
  const res = await fetch('/api/v1/cases/export?' + p.toString(), { headers: { Authorization: 'Bearer ' + token } });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    const err = Object.assign(new Error((body.error || {}).message || 'HTTP ' + res.status),
                              { status: res.status, code: (body.error || {}).code, field: (body.error || {}).field });
    showRefusal($('#export-error'), '导出失败：', err);
    return;
  }
  const a = el('a');
  a.href = URL.createObjectURL(await res.blob());
  a.download = '工单-' + from + '至' + to + '.csv';
  document.body.appendChild(a);
  a.click();
  a.remove();
});
$('#search').addEventListener('input', () => {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => { location.hash = viewHash(filtersToView()); }, 300);
});
window.addEventListener('hashchange', () => route());
setInterval(() => { tick(); remind(); }, 1000);

/*  Once every script has run (and added its views), sign in again with
    the session's token, if any, and show the view. */
document.addEventListener('DOMContentLoaded', async () => {
  if (!token) token = await askOtherTabs();
  if (token) {
    try { await signIn(token); }
    catch (_) { me = null; sessionStorage.removeItem('civgrid.token'); }
  }
  route();
});
