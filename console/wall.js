/* civgrid console — the wall screen (大屏, #/wall), for 3840×2160 and
 * 1920×1080 read from across the room.
 *
 * One screen, nothing rotating, nothing to scroll: sizes are in vw/vh and
 * rem (the page's root font size follows the screen's width while the
 * wall is shown), so the same layout fills both screens.  Four panels:
 *   - the map of the operator's scope (map.js: points or centers);
 *   - live counts: the open cases by state, each `total` of /api/v1/cases
 *     (one case asked for), and today's received and resolved (stats);
 *   - alarms: first the urgent notices that failed on every channel and
 *     are still open (紧急通知发送失败, /api/v1/alarms, as in the
 *     console's pinned alarms; the stream's notify.* redraw it), then
 *     urgent and overdue open cases, the most pressing first,
 *     filtered by the server (urgent=1 of the sign-for, completion and
 *     return queues, overdue=1 of the sign-for and completion queues), at most ALARMS shown and the
 *     server's count of the rest (count=1, docs/API.md);
 *   - the ranking of the subtree's centers (units for a town), today, by
 *     on-time completion, from /api/v1/stats.
 * Live events redraw it, at most once every LIVE_MS. */
'use strict';

(() => {
  const ALARMS = 6;                     // alarm rows at most
  const URGENT = ['dispatched', 'accepted', 'returned'];   // the states an urgent case waits for someone in
  const OVERDUE = ['dispatched', 'accepted'];     // the states whose deadline can be overdue
  const LIVE_MS = 5000;
  const COUNTED = ['dispatched', 'accepted', 'returned', 'suspended', 'resolved'];

  const cstDay = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
  const pct = (a, b) => cg.pct(a, b);

  async function counts (box) {
    const totals = await Promise.all(COUNTED.map(s =>
      cg.api('/api/v1/cases?state=' + s + '&limit=1').then(p => p.total)));
    const today = cstDay(Date.now());
    const stats = await cg.api('/api/v1/stats?scope=' + encodeURIComponent(cg.me.scope) + '&from=' + today + '&to=' + today);
    const total = stats.rows.find(r => r.by === 'total') || {};
    box.textContent = '';
    const figure = (key, label, value, cls) => {
      const f = cg.el('div', null, 'wall-figure' + (cls ? ' ' + cls : ''));
      f.dataset.metric = key;
      f.append(cg.el('b', String(value)), cg.el('span', label));
      box.append(f);
    };
    figure('open', '在办', totals.slice(0, 4).reduce((a, b) => a + b, 0));
    COUNTED.forEach((s, i) => figure(s, cg.STATES[s] || s, totals[i]));
    figure('received_today', '今日受理', total.received || 0);
    figure('resolved_today', '今日办结', total.resolved || 0);
    figure('ontime_today', '今日按时办结率', pct(total.resolved_on_time || 0, total.resolved || 0));
    return { stats };
  }

  /*  Urgent cases waiting for a unit or the center and overdue ones (not
      urgent: shown once), each list the server's filter of its queue. */
  async function alarms (list) {
    const lists = URGENT.map(s => 'state=' + s + '&urgent=1')
      .concat(OVERDUE.map(s => 'state=' + s + '&overdue=1&urgent=0'));
    const [pages, counted, failed] = await Promise.all([
      Promise.all(lists.map(q => cg.api('/api/v1/cases?' + q + '&limit=' + ALARMS))),
      Promise.all(lists.map(q => cg.api('/api/v1/cases?' + q + '&count=1'))),
      cg.api('/api/v1/alarms?limit=' + ALARMS)]);
    const due = (c) => (c.state === 'dispatched' ? c.sign_by : c.done_by) || Infinity;
    const hot = pages.flatMap(p => p.cases)
      .sort((a, b) => (b.urgent ? 1 : 0) - (a.urgent ? 1 : 0) || due(a) - due(b));
    const total = counted.reduce((n, r) => n + (r.total || 0), 0) + failed.total;
    const more = counted.some(r => r.next) ? '+' : '';
    list.dataset.total = total;
    list.textContent = '';
    for (const f of failed.alarms) {
      const li = cg.el('li', null, 'failed');
      li.dataset.id = f.case_id;
      const a = cg.el('a', '【紧急通知发送失败】' + f.case_id + ' 未能送达 ' + (f.name || f.recipient || ''));
      a.href = '#/case/' + encodeURIComponent(f.case_id);
      li.append(a, cg.el('span', (f.reason || '').slice(0, 40) + (f.at ? ' · ' + cg.cstTime(f.at) : ''), 'muted'));
      list.append(li);
    }
    for (const c of hot.slice(0, ALARMS - failed.alarms.length)) {
      const li = cg.el('li', null, c.urgent ? 'urgent' : 'overdue');
      li.dataset.id = c.id;
      const a = cg.el('a', (c.urgent ? '【紧急】' : '【超时】') + (c.summary || '').slice(0, 40));
      a.href = '#/case/' + encodeURIComponent(c.id);
      li.append(a, cg.el('span', c.id + ' · ' + (cg.STATES[c.state] || c.state) + ' · 时限 ' + cg.cstTime(due(c)), 'muted'));
      list.append(li);
    }
    if (!hot.length && !failed.alarms.length) list.append(cg.el('li', '暂无紧急或超时工单', 'calm'));
    const shown = failed.alarms.length + Math.min(hot.length, ALARMS - failed.alarms.length);
    if (total > shown) list.append(cg.el('li', '另有 ' + (total - shown) + more + ' 件，见工单队列', 'muted'));
  }

  async function ranking (table, stats) {
    const by = cg.me.scope_kind === 'town' ? 'unit' : 'center';
    const rows = cg.ranked(stats.rows.filter(r => r.by === by && r.key !== cg.me.scope), 8);
    const body = table.tBodies[0];
    body.textContent = '';
    const places = await Promise.all(rows.map(r => cg.api('/api/v1/places/' + encodeURIComponent(r.key)).catch(() => null)));
    for (const [i, r] of rows.entries()) {
      const tr = cg.el('tr');
      tr.dataset.key = r.key;
      const p = places[i];
      for (const v of [i + 1, p ? p.name : r.key, r.received || 0, pct(r.resolved_on_time || 0, r.resolved || 0),
                       pct(r.satisfied || 0, r.callbacks || 0)])
        tr.append(cg.el('td', String(v)));
      body.append(tr);
    }
    if (!rows.length) body.append(cg.el('tr', '今日暂无'));
  }

  let live = null;
  async function render (section) {
    document.body.classList.add('wall-mode');
    if (!section.dataset.built) {
      section.innerHTML =
        '<div class="wall">' +
        '<header class="wall-head"><h2>社会治理指挥中心 · <span id="wall-scope"></span></h2>' +
        '<span id="wall-clock"></span><a href="#/queue" id="wall-exit">退出大屏</a></header>' +
        '<div class="wall-map"><div id="wall-map" class="wall-chart"></div><p id="wall-map-legend"></p></div>' +
        '<div class="wall-counts" id="wall-counts"></div>' +
        '<div class="wall-alarms"><h3>紧急与超时</h3><ol id="wall-alarms"></ol></div>' +
        '<div class="wall-rank"><h3 id="wall-rank-title">今日排名（按时办结率）</h3><table id="wall-rank">' +
        '<thead><tr><th>名次</th><th>名称</th><th>受理</th><th>按时办结</th><th>满意率</th></tr></thead><tbody></tbody></table></div>' +
        '</div>';
      section.dataset.built = '1';
    }
    section.querySelector('#wall-scope').textContent = cg.me.scope_name;
    section.querySelector('#wall-clock').textContent = cg.cstTime(Date.now());
    const [{ data }, { stats }] = await Promise.all([
      cg.map.draw(section.querySelector('#wall-map'), '', {}),
      counts(section.querySelector('#wall-counts')),
      alarms(section.querySelector('#wall-alarms'))]);
    section.querySelector('#wall-map-legend').textContent = cg.map.legend(data);
    await ranking(section.querySelector('#wall-rank'), stats);
    section.dataset.loaded = String(Date.now());
  }

  cg.views.wall = {
    title: '大屏',
    render: async (section, params) => {
      if (params.changed) {
        if (!live) live = setTimeout(() => { live = null; if (!section.hidden) render(section).catch(() => {}); }, LIVE_MS);
        return;
      }
      await render(section);
    },
  };

  /*  Leaving the wall gives the page its header and font size back. */
  window.addEventListener('hashchange', () => {
    if (!location.hash.startsWith('#/wall')) document.body.classList.remove('wall-mode');
  });
  /*  A chart is resized only while it is shown: a hidden one has no size. */
  window.addEventListener('resize', () => {
    const node = document.getElementById('wall-map');
    const c = node && node.offsetParent && echarts.getInstanceByDom(node);
    if (c) c.resize();
  });
})();
