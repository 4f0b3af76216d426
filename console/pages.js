/* civgrid console — the consultation, fund and notification pages.
 *
 *   议事协商 (#/topics, #/topics/ID): the scope's topics a page at a time
 *     (GET /api/v1/topics), and one topic (GET /api/v1/topics/ID) with its
 *     stages in order: each stage's state, meeting place, attendance (who
 *     was present of how many), votes (for, against, abstaining, the
 *     decision) and its publication (docs/CONSULTATION.md).
 *   慈善基金 (#/funds, #/funds/CODE): the funds of the operator's places
 *     (GET /api/v1/funds) with their balances (the month's closing), the
 *     month's report (opening, income, spending, closing, and the
 *     requests still pending), and the fund's requests a page at a time
 *     (GET /api/v1/funds/CODE/requests), a pending one approved or
 *     rejected with a note: the fund daemon decides whether this operator
 *     may (its committee), how many approvals it needs and what the
 *     balance allows (docs/FUND.md); a refusal is shown as it came.
 *   通知 (#/inbox, #/inbox/UNIT): a unit's inbox a page at a time (GET
 *     /api/v1/inbox/UNIT): a center's operator picks the unit.
 *   确认 (#/acks, #/acks/ORG?state=settled): the urgent notices to an org
 *     node and the nodes below it that await acknowledgement (GET
 *     /api/v1/acks: case, notice, to whom, sent, due — the next reminder
 *     or passing up — and how far it was passed up), each with 确认收到
 *     for the roles that act (app.js's acknowledge: POST
 *     /api/v1/cases/ID/ack, and the note on the case); and the settled
 *     ones, newest first: acknowledged by whom and when, passed up to
 *     whom, expired.  Its first page follows the stream (a new urgent
 *     case, a case's note).  The operator's own scope by default.
 *   死信 (#/deadletters): the notices notification gave up on, with the
 *     reason, the whole region's (for its supervisors and admins), each
 *     sent again with 重新投递 (POST /api/v1/deadletters/ID/retry).
 * Money is integer fen, shown as yuan with two decimals; time-bank
 * ledgers count minutes. */
'use strict';

(() => {
  const { api, el, refusal, cstTime } = cg;
  const STAGES = { proposal: '提议', discussion: '商议', review: '审议', resolution: '决议', consultation: '协商',
                   resolution_published: '决议公开', result_published: '实施结果公开' };
  const STAGE_STATES = { pending: '未开始', open: '进行中', closed: '已结束' };
  const TOPIC_STATES = { draft: '草拟', deliberating: '协商中', decided: '已决议', implementing: '实施中',
                         done: '已完成', rejected: '未通过' };
  const PROCEDURES = { plain: '议事协商', siyi: '四议两公开' };
  const REQUEST_STATES = { pending: '待审批', approved: '已批准', rejected: '已驳回', expired: '已过期' };

  const money = (amount, ledger) => (ledger === 'min' ? amount + ' 分钟'
    : (amount < 0 ? '-' : '') + '¥' + Math.floor(Math.abs(amount) / 100).toLocaleString('zh-CN') + '.' +
      String(Math.abs(amount) % 100).padStart(2, '0'));

  /*  A table of heads and rows ({key, data: {attribute: value}, cells}):
      a cell is text or a node.  participation.js uses it too (cg.ui). */
  function table (heads, rows, id) {
    const t = el('table');
    if (id) t.id = id;
    const tr = el('tr');
    heads.forEach(h => tr.append(el('th', h)));
    t.append(el('thead'), el('tbody'));
    t.tHead.append(tr);
    for (const r of rows) {
      const row = el('tr');
      if (r.key) row.dataset.key = r.key;
      for (const [k, v] of Object.entries(r.data || {})) row.dataset[k] = v;
      for (const v of r.cells) {
        const td = el('td');
        if (v instanceof Node) td.append(v); else td.textContent = v === undefined || v === null ? '' : String(v);
        row.append(td);
      }
      t.tBodies[0].append(row);
    }
    return t;
  }

  function link (text, hash) {
    const a = el('a', text);
    a.href = hash;
    return a;
  }

  /*  A "next page" link: the cursor goes into the hash, so the page can
      be bookmarked and Back returns to the one before. */
  function pager (base, next) {
    const p = el('p');
    if (next) p.append(link('下一页 →', base + '?cursor=' + encodeURIComponent(next)));
    return p;
  }

  function page (section, title) {
    section.textContent = '';
    section.className = 'pages';
    section.append(el('h2', title));
    const error = el('p', null, 'error');
    error.setAttribute('role', 'alert');
    section.append(error);
    return error;
  }

  /* --- consultation ------------------------------------------------------ */

  async function topics (section, params) {
    if (params.path[0]) return topic(section, params.path[0]);
    page(section, '议事协商');
    const q = params.query.cursor ? '&cursor=' + encodeURIComponent(params.query.cursor) : '';
    const p = await api('/api/v1/topics?limit=50' + q);
    section.append(el('p', '共 ' + p.total + ' 个议题', 'muted'));
    section.append(table(['议题', '社区', '程序', '状态', '来源'], p.topics.map(t => ({
      key: t.id, cells: [link(t.title, '#/topics/' + encodeURIComponent(t.id)), t.scope_name || t.scope,
                         PROCEDURES[t.procedure] || t.procedure, TOPIC_STATES[t.state] || t.state,
                         t.hotspot ? '热点' : t.source] })), 'topics'));
    section.append(pager('#/topics', p.next));
  }

  async function topic (section, id) {
    const t = await api('/api/v1/topics/' + encodeURIComponent(id));
    page(section, t.title);
    section.dataset.topic = t.id;
    section.append(link('← 全部议题', '#/topics'));
    const dl = el('dl');
    for (const [k, v] of [['社区', t.scope_name || t.scope], ['程序', PROCEDURES[t.procedure] || t.procedure],
                          ['状态', TOPIC_STATES[t.state] || t.state], ['表决规则', t.rule],
                          ['关联工单', (t.cases || []).join('、')], ['说明', t.description]])
      if (v) dl.append(el('dt', k), el('dd', v));
    section.append(dl);
    section.append(el('h3', '议程'));
    const ol = el('ol', null, 'stages');
    ol.id = 'topic-stages';
    for (const s of t.stages || []) {
      const li = el('li');
      li.dataset.stage = s.name;
      li.dataset.state = s.state;
      li.append(el('b', (STAGES[s.name] || s.name) + '（' + (STAGE_STATES[s.state] || s.state) + '）'));
      const bits = [];
      if (s.place) bits.push('地点：' + s.place);
      if (s.expected) bits.push('应到 ' + s.expected + ' 人，实到 ' + (s.attended || 0) + ' 人' +
                                (s.quorum ? '（法定 ' + s.quorum + '）' : ''));
      if (s.voted) bits.push('表决：赞成 ' + (s.yes || 0) + '，反对 ' + (s.no || 0) + '，弃权 ' + (s.abstain || 0));
      if (s.decision) bits.push(s.decision === 'adopted' ? '通过' : '未通过');
      if (s.opened) bits.push('开始 ' + cstTime(s.opened));
      if (s.closed) bits.push('结束 ' + cstTime(s.closed));
      if (s.overdue) bits.push('公开已逾期');
      li.append(el('span', ' ' + bits.join('；')));
      if (s.attendees && s.attendees.length) li.append(el('div', '出席：' + s.attendees.join('、'), 'muted'));
      if (s.text) li.append(el('blockquote', s.text));
      ol.append(li);
    }
    section.append(ol);
  }

  /* --- funds ------------------------------------------------------------- */

  const month = () => new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 7);

  async function funds (section, params) {
    if (params.path[0]) return fund(section, params.path[0], params.query);
    const error = page(section, '慈善基金与时间银行');
    const list = await api('/api/v1/funds');
    const rows = [];
    for (const f of list.funds) {
      const r = await api('/api/v1/funds/' + encodeURIComponent(f.code) + '/reports/' + month())
        .catch((err) => { error.textContent = refusal(err); return null; });
      const pending = r ? (r.pending || []).reduce((n, l) => n + l.amount, 0) : 0;
      rows.push({ key: f.code, cells: [link(f.name, '#/funds/' + encodeURIComponent(f.code)), f.scope_name || f.scope,
                                       r ? money(r.closing, f.ledger) : '—', pending ? money(pending, f.ledger) : '—'] });
    }
    section.append(table(['基金', '服务范围', '余额', '审批中冻结'], rows, 'funds'));
    if (!rows.length) section.append(el('p', '本辖区暂无基金', 'muted'));
  }

  async function fund (section, code, query) {
    const list = await api('/api/v1/funds');
    const f = list.funds.find(x => x.code === code) || { code, name: code };
    const error = page(section, f.name);
    section.dataset.fund = code;
    section.append(link('← 全部基金', '#/funds'));
    const base = '/api/v1/funds/' + encodeURIComponent(code);
    /* the balance is the month's closing so far, over the fund's and its
       projects' accounts; what pending requests hold is still in it */
    const m = query.month || month();
    const r = await api(base + '/reports/' + m);
    const pending = (r.pending || []).reduce((n, l) => n + l.amount, 0);
    const b = el('p', null, 'balance');
    b.id = 'fund-balance';
    b.dataset.fen = String(r.closing);
    b.append(el('b', (m === month() ? '余额 ' : m + ' 月末余额 ') + money(r.closing, r.ledger)),
             el('span', '（其中待审批 ' + money(pending, r.ledger) + '）', 'muted'));
    section.append(b);

    /* the month's report */
    section.append(el('h3', m + ' 月报'));
    section.append(table(['期初', '收入', '支出', '其他', '期末', '账目条数'],
      [{ cells: [money(r.opening, r.ledger), money(r.income, r.ledger), money(r.spending, r.ledger),
                 money(r.other, r.ledger), money(r.closing, r.ledger), r.entries] }], 'fund-report'));
    if ((r.pending || []).length) {
      section.append(el('h4', '待审批的申请（受益人已隐去）'));
      section.append(table(['申请', '笔数', '金额'], r.pending.map(l => ({
        cells: [l.label, l.count, money(l.amount, r.ledger)] })), 'fund-pending'));
    }
    const prev = new Date(Date.parse(m + '-01T00:00:00Z') - 86400000).toISOString().slice(0, 7);
    section.append(link('← ' + prev + ' 月报', '#/funds/' + encodeURIComponent(code) + '?month=' + prev));

    /* the fund's requests, newest first; a pending one is approved (同意) or
       rejected (驳回) with a note, the fund deciding who may and what it takes */
    section.append(el('h3', '支出申请（最新在前）'));
    const notice = el('p', query.notice || '', 'notice');
    notice.id = 'fund-notice';
    notice.setAttribute('role', 'status');
    section.append(notice);
    const cursor = query.cursor ? '?cursor=' + encodeURIComponent(query.cursor) : '';
    const p = await api(base + '/requests' + cursor);
    const rows = p.requests.map(r => {
      const act = el('span');
      if (r.state === 'pending') {
        const note = el('input');
        note.name = 'note';
        note.placeholder = '审批意见';
        note.setAttribute('aria-label', '审批意见');
        act.append(note);
        for (const [action, label] of [['approve', '同意'], ['reject', '驳回']]) {
          const b = el('button', label);
          b.type = 'button';
          b.className = 'decide-' + action;
          b.addEventListener('click', async () => {
            error.textContent = '';
            try {
              const d = await api(base + '/requests/' + encodeURIComponent(r.id) + '/' + action,
                                  { method: 'POST', body: JSON.stringify({ note: note.value }) });
              /* drawn again, so the balance and the requests are the fund's now */
              await fund(section, code, { month: query.month, cursor: query.cursor,
                notice: label + '：' + (r.purpose || r.id) + ' 现为' + (REQUEST_STATES[d.state] || d.state) +
                        '（已批准 ' + (d.approvals || []).length + ' / ' + d.need + '）' });
            }
            catch (err) { error.textContent = refusal(err); }
          });
          act.append(b);
        }
      }
      return { key: r.id, cells: [cstTime(r.at), r.project || '', r.beneficiary, money(r.amount, r.ledger), r.purpose,
                                  r.requester, REQUEST_STATES[r.state] || r.state,
                                  (r.approvals || []).length + ' / ' + r.need, act] };
    });
    const t = table(['申请时间', '项目', '受益人', '金额', '用途', '申请人', '状态', '批准', '审批'], rows, 'fund-requests');
    p.requests.forEach((r, i) => { t.tBodies[0].rows[i].dataset.state = r.state; });
    section.append(t);
    if (!p.requests.length) section.append(el('p', '暂无申请', 'muted'));
    section.append(pager('#/funds/' + encodeURIComponent(code), p.next));
  }

  /* --- notification -------------------------------------------------------- */

  async function inbox (section, params) {
    const me = cg.me;
    const unit = params.path[0] || (me.scope_kind === 'unit' ? me.scope : '');
    const error = page(section, '通知收件箱');
    notifyTabs(section, 'inbox');
    if (me.scope_kind !== 'unit') {
      const form = el('form');
      form.innerHTML = '<label>承办单位编码 <input name="unit" list="units" size="28" required></label><button>查看</button>';
      form.elements.unit.value = unit;
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        location.hash = '#/inbox/' + encodeURIComponent(form.elements.unit.value.trim());
      });
      section.append(form);
    }
    if (!unit) { section.append(el('p', '请选择一个承办单位。', 'muted')); return; }
    const q = params.query.cursor ? '&cursor=' + encodeURIComponent(params.query.cursor) : '';
    try {
      const p = await api('/api/v1/inbox/' + encodeURIComponent(unit) + '?limit=50' + q);
      section.dataset.unit = unit;
      section.append(el('p', '共 ' + p.total + ' 条', 'muted'));
      section.append(table(['时间', '事由', '工单', '内容'], p.items.map(i => ({
        key: i.delivery, cells: [cstTime(i.at), i.topic, i.case_id ? link(i.case_id, '#/case/' + encodeURIComponent(i.case_id)) : '',
                                 i.text] })), 'inbox'));
      section.append(pager('#/inbox/' + encodeURIComponent(unit), p.next));
    }
    catch (err) { error.textContent = refusal(err); }
  }

  /*  The tabs of the notification pages. */
  function notifyTabs (section, current) {
    const tabs = el('p', null, 'tabs');
    tabs.setAttribute('role', 'tablist');
    for (const [name, title] of [['inbox', '收件箱'], ['acks', '确认']]) {
      const a = link(title, '#/' + name);
      a.setAttribute('role', 'tab');
      a.id = 'tab-' + name;
      if (name === current) { a.setAttribute('aria-selected', 'true'); a.className = 'active'; }
      tabs.append(a);
    }
    section.insertBefore(tabs, section.children[1]);
  }

  const ACK_STATES = { pending: '待确认', acked: '已确认', passed: '已上报', expired: '已失效' };
  // passed on from its first step: sent again to the same person
  const ackState = (a) => (a.state === 'passed' && !a.step ? '已再次提醒' : ACK_STATES[a.state] || a.state);
  const ackStep = (n) => (!n ? '—' : n === 1 ? '再次提醒' : '上报第 ' + (n - 1) + ' 级');

  /*  An org node's acknowledgements (the operator's scope by default):
      pending, soonest due first, with 确认收到; or settled, newest first. */
  async function acks (section, params) {
    const me = cg.me;
    const org = params.path[0] || me.scope;
    const state = params.query.state === 'settled' ? 'settled' : 'pending';
    const base = '#/acks/' + encodeURIComponent(org);
    const error = page(section, '紧急通知确认');
    notifyTabs(section, 'acks');
    const form = el('form');
    form.innerHTML = '<label>机构编码 <input name="org" size="20" required></label><button>查看</button>';
    form.elements.org.value = org;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      location.hash = '#/acks/' + encodeURIComponent(form.elements.org.value.trim()) + (state === 'settled' ? '?state=settled' : '');
    });
    section.append(form);
    const states = el('p', null, 'tabs');
    for (const [s, title] of [['pending', '待确认'], ['settled', '已处理']]) {
      const a = link(title, base + (s === 'settled' ? '?state=settled' : ''));
      a.id = 'acks-' + s;
      if (s === state) a.className = 'active';
      states.append(a);
    }
    section.append(states);
    const q = params.query.cursor ? '&cursor=' + encodeURIComponent(params.query.cursor) : '';
    try {
      const p = await api('/api/v1/acks?org=' + encodeURIComponent(org) + '&state=' + state + '&limit=50' + q);
      section.dataset.org = org;
      section.dataset.state = state;
      section.append(el('p', '共 ' + p.total + ' 条', 'muted'));
      const caseLink = (a) => (a.case_id ? link(a.case_id, '#/case/' + encodeURIComponent(a.case_id)) : '');
      const who = (a) => (a.name || a.recipient || '') + (a.org ? '（' + a.org + '）' : '');
      // an acknowledger as the gateway names them, ROLE:SCOPE[:NAME]: the name, and the scope
      const acker = (by) => { const p = (by || '').split(':'); return p.length > 2 ? p.slice(2).join(':') + '（' + p[1] + '）' : by || ''; };
      let t;
      if (state === 'pending') {
        const may = cg.ACT_ROLES.includes(me.role);
        t = table(['工单', '通知', '收件人', '发出时间', '应确认 / 下次提醒', '逐级上报', ''], p.rows.map(a => {
          let button = '';
          if (may && a.case_id) {
            button = el('button', '确认收到');
            button.type = 'button';
            button.className = 'ack';
            button.addEventListener('click', async () => {
              await cg.acknowledge(a.case_id, button);
              if (button.disabled) cg.route();
            });
          }
          return { key: a.delivery, data: { case: a.case_id || '', state: a.state },
                   cells: [caseLink(a), a.text || '', who(a), cstTime(a.sent), cstTime(a.due), ackStep(a.step), button] };
        }), 'acks');
      }
      else {
        t = table(['工单', '通知', '收件人', '发出时间', '结果', '确认人 / 转交', '时间'], p.rows.map(a => ({
          key: a.delivery, data: { case: a.case_id || '', state: a.state },
          cells: [caseLink(a), a.text || '', who(a), cstTime(a.sent), ackState(a),
                  a.state === 'acked' ? acker(a.by) : a.to || '', cstTime(a.at)] })), 'acks');
      }
      section.append(t);
      if (!p.rows.length) section.append(el('p', state === 'pending' ? '暂无待确认的紧急通知' : '暂无记录', 'muted'));
      const more = el('p');
      if (p.next) more.append(link('下一页 →', base + '?' + (state === 'settled' ? 'state=settled&' : '') +
                                   'cursor=' + encodeURIComponent(p.next)));
      section.append(more);
    }
    catch (err) { error.textContent = refusal(err); }
  }

  /*  The whole region's dead letters (notices given up, with the reason),
      for its supervisors and admins: each may be sent again (重新投递). */
  async function deadletters (section, params) {
    const error = page(section, '投递失败的通知（死信）');
    const q = params.query.cursor ? '&cursor=' + encodeURIComponent(params.query.cursor) : '';
    try {
      const p = await api('/api/v1/deadletters?limit=50' + q);
      section.append(el('p', '共 ' + p.total + ' 条', 'muted'));
      const notice = el('p', null, 'notice');
      notice.setAttribute('role', 'status');
      section.append(notice);
      section.append(table(['时间', '收件人', '事由', '原因', ''], p.dead.map(d => {
        const retry = el('button', '重新投递');
        retry.type = 'button';
        retry.addEventListener('click', async () => {
          error.textContent = '';
          try {
            const r = await api('/api/v1/deadletters/' + encodeURIComponent(d.id) + '/retry', { method: 'POST' });
            notice.textContent = '已重新投递：' + d.id + '（' + r.state + '）';
            retry.disabled = true;
          }
          catch (err) { error.textContent = refusal(err); }
        });
        return { key: d.id, cells: [cstTime(d.at), d.recipient || '', d.topic || '', d.reason, retry] };
      }), 'deadletters'));
      section.append(pager('#/deadletters', p.next));
    }
    catch (err) { error.textContent = refusal(err); }
  }

  cg.ui = { table, link };

  const once = (fn) => async (section, params) => { if (!params.changed) await fn(section, params); };
  cg.views.topics = { title: '议事协商', render: once(topics) };
  cg.views.funds = { title: '基金', render: once(funds) };
  cg.views.inbox = { title: '通知', render: once(inbox) };
  cg.views.deadletters = { title: '死信', render: once(deadletters) };
  /*  live: its first page again on each event of the stream (a new urgent
      case, the note 确认收到 writes on a case) */
  cg.views.acks = { title: '确认',
                    render: (section, params) => ((params.changed && params.query.cursor) ? null : acks(section, params)) };
})();
