/* civgrid console — the participation pages (issue #19): what residents,
 * volunteers and charity sites do beside the case loop.
 *
 *   供需对接 (#/needs?community=C, #/needs/ID): a community's needs a page
 *     at a time (GET /api/v1/needs, its cursor), a need posted for a
 *     resident (POST /api/v1/needs: the answer's confirmation code is shown
 *     this once, to be given to the person served), and one need: the
 *     offers proposed for it (GET /api/v1/needs/ID/proposals), 匹配 (POST
 *     .../match), each side's 接受 or 拒绝 (POST /api/v1/matches/M/accept,
 *     decline), and the person served's confirmation with their code (POST
 *     .../confirm), after which the volunteer's minutes and their time bank
 *     balance are shown (docs/CONSULTATION.md).
 *   慈善站点 (#/sites/SITE): a charity site's stock per item kind (GET
 *     /api/v1/sites/SITE/stock), and its donation in kind, hand-out and
 *     move to another site (POST .../goods/in|out|move), each with an id
 *     made here so a retry is applied once (docs/FUND.md).
 *   居民积分 (#/points/RESIDENT, #/points?phone=P): a resident's balance, the
 *     points earned and their history a page at a time (GET
 *     /api/v1/residents/R/points, by-phone/points), and a redemption at a
 *     site (POST /api/v1/sites/SITE/redemptions).
 *   小微权力 (#/powers/AREA): a village's or community's list of powers
 *     (the public GET /api/v1/public/powers/AREA), each item's QR code as
 *     an image to print (.png, and the .svg), its count of reports, and
 *     the outcomes of the town's reports.
 * The daemons decide; a refusal is shown in Chinese naming the field
 * (the server's own words in its tooltip). */
'use strict';

(() => {
  const { api, el, cstTime } = cg;
  const { table, link } = cg.ui;     /* pages.js's */

  const FIELDS = { quantity: '数量', item: '物品', site: '站点', to: '调入站点', party: '捐赠人/受助人',
    resident: '居民', phone: '联系电话', community: '社区', kind: '类型', skill: '技能/物品', what: '需求内容',
    from: '开始时间', until: '截止时间', urgency: '紧急程度', person: '服务对象', name: '姓名', address: '地址',
    offer: '供给', id: '编号', side: '接受方', code: '确认码', minutes: '服务时长', area: '村/社区',
    cursor: '翻页位置', limit: '每页条数', month: '月份' };
  const KINDS = { invalid: '填写有误', forbidden: '无权执行此操作', not_found: '找不到', conflict: '当前状态不允许此操作',
    gone: '已撤销', too_large: '内容过长', rate_limited: '操作过于频繁，请稍后再试',
    unavailable: '服务暂不可用，请稍后再试', unauthorized: '登录已失效，请重新登录', internal: '服务内部错误' };
  const REASONS = [[/points, and resident/i, '积分余额不足'], [/holds \d+|fewer than/i, '超出站点现有库存'],
    [/wrong code|code does not/i, '确认码不正确'], [/not in (your|the caller's) scope|outside/i, '超出本辖区'],
    [/no points/i, '该居民暂无积分'], [/withdrawn/i, '该事项已撤销'], [/cursor/i, '翻页位置已失效，请刷新']];
  const NEED_STATES = { open: '待对接', matched: '已匹配', accepted: '双方已接受', served: '已服务', expired: '已过期',
                        taken: '已匹配' };
  const MATCH_STATES = { proposed: '待双方接受', accepted: '双方已接受', served: '已确认服务', declined: '已拒绝' };
  /*  What an entry of a resident's points was for: the memo names the act
      (docs/FUND.md, "Resident points"): a time bank account for a
      volunteer service, topic#stage for a meeting attended, the case for a
      valid report, `redeem` for a redemption. */
  function act (e) {
    const m = e.memo || '';
    if (m === 'redeem') return '积分兑换';
    if (m.includes('.v.')) return '志愿服务（' + m + '）';
    if (m.includes('#')) return '参加议事协商会议（' + m.split('#')[0] + '）';
    return m ? '反映问题成为有效案件（' + m + '）' : '';
  }

  /*  The refusal in Chinese: its kind, the field named, the reason when
      known; the server's words in the node's title. */
  function refuse (node, err) {
    const what = KINDS[err.code] || (err.status ? '请求失败（HTTP ' + err.status + '）' : '页面出错');
    const field = err.field ? '（' + (FIELDS[err.field] || err.field) + '）' : '';
    const known = REASONS.find(([re]) => re.test(err.message || ''));
    node.textContent = what + field + (known ? '：' + known[1] : '') + '。';
    node.title = '服务器原文：' + (err.message || '');
    node.dataset.field = err.field || '';
  }

  /*  "下一页": the API's cursor goes into the hash (bookmarkable, Back works). */
  function pager (base, query, next) {
    const p = el('p');
    if (next) {
      const q = new URLSearchParams({ ...query, cursor: next });
      p.append(link('下一页 →', base + '?' + q));
    }
    return p;
  }

  /*  A page: its title, a place for refusals and one for what was done. */
  function page (section, title) {
    section.textContent = '';
    section.className = 'pages participation';
    section.append(el('h2', title));
    const error = el('p', null, 'error');
    error.setAttribute('role', 'alert');
    const notice = el('p', null, 'notice');
    notice.setAttribute('role', 'status');
    section.append(error, notice);
    return { error, notice };
  }

  /*  A form of labelled inputs: [name, label, attributes]; a select when
      attributes has options ([[value, text]...]). */
  function form (id, fields, button) {
    const f = el('form');
    f.id = id;
    for (const [name, label, attrs = {}] of fields) {
      const l = el('label', label + ' ');
      let input;
      if (attrs.options) {
        input = el('select');
        for (const [v, t] of attrs.options) {
          const o = el('option', t);
          o.value = v;
          input.append(o);
        }
      }
      else input = el(attrs.rows ? 'textarea' : 'input');
      input.name = name;
      for (const [k, v] of Object.entries(attrs)) if (k !== 'options') input.setAttribute(k, v);
      l.append(input);
      f.append(l);
    }
    const b = el('button', button);
    b.type = 'submit';
    f.append(b);
    return f;
  }

  /*  Offers the picking list at path (a bounded list API within the
      operator's scope: /api/v1/sites, /api/v1/powers/areas) as the
      datalist of input: each entry's code (key) with its name, so the
      operator picks a place instead of typing its code.  A note after the
      form says how many there are when the list is not all of them. */
  async function offer (input, path, key, rows, label) {
    const list = el('datalist');
    list.id = input.form.id + '-' + input.name + '-list';
    input.setAttribute('list', list.id);
    input.form.append(list);
    try {
      const answer = await api(path + '?limit=100');
      for (const row of answer[rows]) {
        const o = el('option', label(row));
        o.value = row[key];
        list.append(o);
      }
      list.dataset.total = String(answer.total);
      if (answer.total > answer[rows].length)
        input.form.append(el('span', '（列出 ' + answer[rows].length + ' 个，共 ' + answer.total + ' 个，可直接输入编码）', 'muted'));
    }
    catch (err) { list.dataset.error = err.message || String(err); }
  }

  /*  Runs fn on submit, showing its refusal; the form is kept as typed. */
  function onSubmit (f, error, fn) {
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      const b = f.querySelector('button[type=submit]');
      b.disabled = true;
      /* by name: the collection's own `item` and `length` would hide fields so named */
      const v = Object.fromEntries([...f.elements].filter(e => e.name).map(e => [e.name, e]));
      try { await fn(v); }
      catch (err) { refuse(error, err); }
      finally { b.disabled = false; }
    });
  }

  const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body) });
  /* a transfer's id, made here: a retry of the same request is applied once */
  const transferId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)),
                                      b => b.toString(16).padStart(2, '0')).join('');
  /* a datetime-local input's value (Beijing time) as Unix ms, and back */
  const fromLocal = (v) => Date.parse(v + ':00+08:00');
  const toLocal = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 16);
  /* the community the operator's own scope names, when it is one */
  const ownCommunity = () => (/^\d{12}$/.test(cg.me.scope) ? cg.me.scope : '');

  /* --- 供需对接 ------------------------------------------------------------ */

  async function needs (section, params) {
    if (params.path[0]) return need(section, params.path[0], params.query);
    const { error, notice } = page(section, '供需对接');
    let posted = async () => {};
    const community = params.query.community || ownCommunity();
    const pick = form('needs-community', [['community', '社区编码', { inputmode: 'numeric', pattern: '[0-9]{12}',
      size: 16, required: '', value: community }]], '查看');
    pick.addEventListener('submit', (e) => {
      e.preventDefault();
      location.hash = '#/needs?community=' + encodeURIComponent(pick.elements.community.value.trim());
    });
    section.append(pick);

    /* a need posted for a resident: the code is shown once, for them */
    section.append(el('h3', '发布需求'));
    const now = Date.now();
    const f = form('need-post', [
      ['community', '社区编码', { inputmode: 'numeric', pattern: '[0-9]{12}', size: 16, required: '', value: community }],
      ['kind', '类型', { options: [['service', '志愿服务'], ['goods', '物资']] }],
      ['skill', '技能/物品', { size: 12, required: '', placeholder: '如 escort、rice' }],
      ['what', '需求内容', { rows: 3, maxlength: 4000, required: '' }],
      ['from', '开始时间', { type: 'datetime-local', required: '', value: toLocal(now) }],
      ['until', '截止时间', { type: 'datetime-local', required: '', value: toLocal(now + 7 * 86400000) }],
      ['urgency', '紧急程度', { options: [['normal', '一般'], ['urgent', '紧急']] }],
      ['person', '服务对象编号', { size: 16, required: '', pattern: '[A-Za-z0-9._-]{1,40}' }],
      ['name', '姓名', { maxlength: 64 }], ['phone', '联系电话', { inputmode: 'tel', maxlength: 32 }],
      ['address', '地址', { maxlength: 256, size: 32 }]], '发布需求');
    section.append(f);
    const code = el('p', null, 'notice');
    code.id = 'need-code';
    section.append(code);
    onSubmit(f, error, async (v) => {
      const body = { community: v.community.value.trim(), kind: v.kind.value, skill: v.skill.value.trim(),
                     what: v.what.value, from: fromLocal(v.from.value), until: fromLocal(v.until.value),
                     urgency: v.urgency.value, poster: 'operator', person: v.person.value.trim() };
      for (const k of ['name', 'phone', 'address']) if (v[k].value.trim()) body[k] = v[k].value.trim();
      const n = await post('/api/v1/needs', body);
      code.textContent = '';
      code.dataset.need = n.id;
      code.dataset.code = n.code;
      code.append('已发布 ', link(n.id, '#/needs/' + encodeURIComponent(n.id)),
                  '。请将确认码交给服务对象（只显示这一次）：', el('b', n.code));
      notice.textContent = '';
      if (v.community.value.trim() === community) await posted();
    });

    /* the community's needs, drawn again after a post */
    const list = el('div');
    list.id = 'needs-list';
    section.append(list);
    const draw = async () => {
      list.textContent = '';
      if (!community) { list.append(el('p', '请填写社区编码。', 'muted')); return; }
      list.append(el('h3', '本社区需求（最新在前）'));
      const q = params.query.cursor ? '&cursor=' + encodeURIComponent(params.query.cursor) : '';
      try {
        const p = await api('/api/v1/needs?community=' + encodeURIComponent(community) + '&limit=50' + q);
        list.append(el('p', '共 ' + p.total + ' 条', 'muted'));
        list.append(table(['编号', '类型', '技能/物品', '内容', '截止', '紧急', '服务对象', '状态'], p.needs.map(n => ({
          data: { id: n.id, state: n.state },
          cells: [link(n.id, '#/needs/' + encodeURIComponent(n.id)), n.kind === 'goods' ? '物资' : '志愿服务', n.skill,
                  n.what, cstTime(n.until), n.urgency === 'urgent' ? '紧急' : '', n.name || n.person,
                  NEED_STATES[n.state] || n.state] })), 'needs'));
        list.append(pager('#/needs', { community }, p.next));
      }
      catch (err) { refuse(error, err); }
    };
    posted = draw;
    await draw();
  }

  async function need (section, id, query) {
    const { error, notice } = page(section, '需求 ' + id);
    const back = link('← 本社区需求', '#/needs');
    section.append(back);
    const base = '/api/v1/needs/' + encodeURIComponent(id);
    let n;
    try { n = await api(base); }
    catch (err) { refuse(error, err); return; }
    back.href = '#/needs?community=' + encodeURIComponent(n.community);
    section.dataset.need = n.id;
    section.dataset.state = n.state;
    if (query.notice) notice.textContent = query.notice;
    const dl = el('dl');
    dl.id = 'need-details';
    for (const [k, v] of [['社区', n.community], ['类型', n.kind === 'goods' ? '物资' : '志愿服务'], ['技能/物品', n.skill],
                          ['内容', n.what], ['时间', cstTime(n.from) + ' 至 ' + cstTime(n.until)],
                          ['紧急程度', n.urgency === 'urgent' ? '紧急' : '一般'],
                          ['服务对象', n.person + (n.name ? '（' + n.name + (n.phone ? '，' + n.phone : '') + '）' : '')],
                          ['状态', NEED_STATES[n.state] || n.state], ['匹配', n.match],
                          ['志愿者', n.volunteer || n.donor], ['已记服务时长', n.state === 'served' ? n.minutes + ' 分钟' : '']])
      if (v) dl.append(el('dt', k), el('dd', v));
    section.append(dl);
    const again = (text) => need(section, id, { notice: text });

    if (n.state === 'open' || n.state === 'expired') {
      /* the offers that suit, best first; 匹配 proposes one */
      section.append(el('h3', '推荐的供给'));
      try {
        const p = await api(base + '/proposals');
        section.append(el('p', '在本街道 ' + p.considered + ' 条可用供给中，符合的 ' + p.offers.length + ' 条（本社区优先）', 'muted'));
        section.append(table(['供给', '提供者', '技能/物品', '内容', '时间', '时长', '范围', ''], p.offers.map(o => {
          const b = el('button', '匹配');
          b.type = 'button';
          b.className = 'match';
          b.addEventListener('click', async () => {
            error.textContent = '';
            try {
              const m = await post(base + '/match', { offer: o.id });
              await again('已匹配 ' + m.id + '：' + (m.volunteer || o.donor || o.id) + '，待双方接受');
            }
            catch (err) { refuse(error, err); }
          });
          return { data: { offer: o.id }, cells: [o.id, o.volunteer || o.donor, o.skill, o.what,
            cstTime(o.from) + ' 至 ' + cstTime(o.until), o.minutes ? o.minutes + ' 分钟' : '',
            o.place === 'community' ? '本社区' : '本街道', b] };
        }), 'proposals'));
      }
      catch (err) { refuse(error, err); }
      return;
    }
    if (!n.match) return;
    const mbase = '/api/v1/matches/' + encodeURIComponent(n.match);
    const box = el('div');
    box.id = 'match';
    box.dataset.match = n.match;
    section.append(el('h3', '匹配 ' + n.match), box);
    if (n.state === 'matched') {
      /* each side accepts (or declines) */
      for (const [side, label] of [['need', '服务对象一方'], ['offer', '志愿者/捐赠方']]) {
        for (const [act, verb] of [['accept', '接受'], ['decline', '拒绝']]) {
          const b = el('button', label + verb);
          b.type = 'button';
          b.id = act + '-' + side;
          b.addEventListener('click', async () => {
            error.textContent = '';
            try {
              const m = await post(mbase + '/' + act, { side });
              await again(label + verb + '：匹配' + (MATCH_STATES[m.state] || m.state) +
                          (m.state === 'proposed' ? '（已接受：' + [m.need_by, m.offer_by].filter(Boolean).join('、') + '）' : ''));
            }
            catch (err) { refuse(error, err); }
          });
          box.append(b);
        }
      }
    }
    else if (n.state === 'accepted') {
      /* the person served confirms with their code; the minutes go to the
         volunteer's time bank */
      const f = form('need-confirm', [
        ['person', '服务对象编号', { size: 16, required: '', value: n.person || '' }],
        ['code', '确认码', { size: 8, required: '', inputmode: 'numeric', autocomplete: 'off' }],
        ['minutes', '服务时长（分钟）', { type: 'number', min: 1, max: 1440, required: '', value: 60 }]], '确认服务');
      box.append(f);
      onSubmit(f, error, async (v) => {
        const m = await post(mbase + '/confirm', { person: v.person.value.trim(), code: v.code.value.trim(),
                                                   minutes: Number(v.minutes.value) });
        await again('服务已确认：志愿者 ' + (m.volunteer || '') + ' 服务 ' + m.minutes + ' 分钟，记入时间银行');
      });
    }
    else if (n.state === 'served' && n.volunteer) await timeBank(section, n);
  }

  /*  The volunteer's time bank balance, in the time banks of the need's
      community or town: fund credits the minutes from consultation's
      journal, a moment after the confirmation. */
  async function timeBank (section, n) {
    const p = el('p', null, 'balance');
    p.id = 'volunteer-minutes';
    p.dataset.minutes = String(n.minutes);
    p.append(el('b', '志愿者 ' + n.volunteer + ' 本次服务 ' + n.minutes + ' 分钟'));
    section.append(p);
    const { funds } = await api('/api/v1/funds');
    for (const f of funds.filter(f => f.ledger === 'min' && n.community.startsWith(f.scope))) {
      const acct = f.code + '.v.' + n.volunteer;
      try {
        const a = await api('/api/v1/funds/' + encodeURIComponent(f.code) + '/accounts/' + encodeURIComponent(acct));
        const total = (a.credits_posted || 0) - (a.debits_posted || 0);
        const s = el('span', '；' + f.name + '累计 ' + total + ' 分钟', 'muted');
        s.dataset.total = String(total);
        p.append(s);
      }
      catch (_) { /* not credited yet, or another bank */ }
    }
  }

  /* --- 慈善站点 ------------------------------------------------------------ */

  async function sites (section, params) {
    const site = params.path[0] || '';
    const { error, notice } = page(section, '慈善站点（慈善小屋、慈善超市）');
    const pick = form('site-pick', [['site', '站点', { size: 24, required: '', value: site, placeholder: '选择或输入站点编码' }]], '查看库存');
    pick.addEventListener('submit', (e) => {
      e.preventDefault();
      location.hash = '#/sites/' + encodeURIComponent(pick.elements.site.value.trim());
    });
    section.append(pick);
    offer(pick.elements.site, '/api/v1/sites', 'site', 'sites', (t) => t.name + '（' + t.area_name + '）');
    if (!site) { section.append(el('p', '请填写站点编码。', 'muted')); return; }
    if (params.query.notice) notice.textContent = params.query.notice;
    const base = '/api/v1/sites/' + encodeURIComponent(site);
    let s;
    try { s = await api(base + '/stock'); }
    catch (err) { refuse(error, err); return; }
    section.dataset.site = site;
    section.append(el('h3', (s.name || site) + (s.area ? '（' + s.area + '）' : '') + ' 现有库存'));
    section.append(table(['物品', '数量', '单位'], (s.items || []).map(i => ({
      data: { item: i.item, quantity: String(i.quantity) }, cells: [i.name || i.item, i.quantity, i.unit] })), 'site-stock'));
    if (!(s.items || []).length) section.append(el('p', '暂无库存', 'muted'));

    /* the item kinds it holds are offered; a donation may bring a new one */
    const kinds = el('datalist');
    kinds.id = 'site-items';
    for (const i of s.items || []) kinds.append(Object.assign(el('option', i.name || i.item), { value: i.item }));
    section.append(kinds);
    const again = (text) => sites(section, { path: [site], query: { notice: text } });
    for (const [action, title, extra, verb] of [
      ['in', '捐赠入库', [['party', '捐赠人', { maxlength: 64 }]], '入库'],
      ['out', '发放', [['party', '受助家庭', { maxlength: 64 }]], '发放'],
      ['move', '调剂到其他站点', [['to', '调入站点编码', { size: 16, required: '' }]], '调剂']]) {
      section.append(el('h3', title));
      const f = form('goods-' + action, [['item', '物品编码', { size: 10, required: '', list: 'site-items', placeholder: '如 rice' }],
        ['quantity', '数量', { type: 'number', min: 1, required: '' }], ...extra], verb);
      section.append(f);
      onSubmit(f, error, async (v) => {
        const item = v.item.value.trim();
        const body = { id: transferId(), item, quantity: Number(v.quantity.value) };
        if (v.party && v.party.value.trim()) body.party = v.party.value.trim();
        if (v.to) body.to = v.to.value.trim();
        const r = await post(base + '/goods/' + action, body);
        await again(verb + '：' + r.item + ' ' + r.quantity + ' ' + (r.unit || '') + (r.to ? ' → ' + r.to : '') +
                    '，本站现有 ' + r.stock + ' ' + (r.unit || ''));
      });
    }
  }

  /* --- 居民积分 ------------------------------------------------------------ */

  async function points (section, params) {
    const resident = params.path[0] || '';
    const phone = params.query.phone || '';
    const { error, notice } = page(section, '居民积分');
    const pick = form('points-pick', [['resident', '居民编号', { size: 20, value: resident }],
                                      ['phone', '或手机号', { inputmode: 'tel', size: 14, value: phone }]], '查询');
    pick.addEventListener('submit', (e) => {
      e.preventDefault();
      const r = pick.elements.resident.value.trim(), p = pick.elements.phone.value.trim();
      location.hash = r ? '#/points/' + encodeURIComponent(r) : '#/points?phone=' + encodeURIComponent(p);
    });
    section.append(pick);
    if (!resident && !phone) { section.append(el('p', '按居民编号（志愿者、议事成员编号）或来电手机号查询。', 'muted')); return; }
    if (params.query.notice) notice.textContent = params.query.notice;
    const q = new URLSearchParams({ limit: '50' });
    if (phone) q.set('phone', phone);
    if (params.query.cursor) q.set('cursor', params.query.cursor);
    let p;
    try {
      p = await api(resident ? '/api/v1/residents/' + encodeURIComponent(resident) + '/points?' + q
                             : '/api/v1/residents/by-phone/points?' + q);
    }
    catch (err) { refuse(error, err); return; }
    const b = el('p', null, 'balance');
    b.id = 'points-balance';
    b.dataset.balance = String(p.balance);
    b.append(el('b', '积分余额 ' + p.balance), el('span', '（累计获得 ' + p.earned + '）', 'muted'));
    section.append(b);
    /* each entry: earned (to the resident) or redeemed (from them) */
    const mine = (acct) => acct.startsWith('pts.r.');
    section.append(el('h3', '积分明细（共 ' + p.total + ' 条）'));
    section.append(table(['时间', '事由', '积分'], (p.history || []).map(e => ({
      data: { seq: String(e.seq) }, cells: [cstTime(e.at), act(e), (mine(e.credit) ? '+' : '-') + e.amount] })),
      'points-history'));
    const base = resident ? '#/points/' + encodeURIComponent(resident) : '#/points';
    section.append(pager(base, phone ? { phone } : {}, p.next));

    /* a redemption at a site: points for goods */
    section.append(el('h3', '积分兑换'));
    const f = form('redeem', [['site', '站点', { size: 24, required: '', placeholder: '选择或输入站点编码' }],
                              ['item', '物品编码', { size: 10, required: '' }],
                              ['quantity', '数量', { type: 'number', min: 1, max: 1000, required: '', value: 1 }]], '兑换');
    section.append(f);
    offer(f.elements.site, '/api/v1/sites', 'site', 'sites', (t) => t.name + '（' + t.area_name + '）');
    onSubmit(f, error, async (v) => {
      const r = await post('/api/v1/sites/' + encodeURIComponent(v.site.value.trim()) + '/redemptions',
                           { id: transferId(), resident: p.resident, item: v.item.value.trim(), quantity: Number(v.quantity.value) });
      await points(section, { path: params.path, query: { phone, notice: '已兑换 ' + r.item + ' ' + r.quantity + ' ' +
        (r.unit || '') + '，用去 ' + r.points + ' 积分，余 ' + r.balance } });
    });
  }

  /* --- 小微权力 ------------------------------------------------------------ */

  async function powers (section, params) {
    const area = params.path[0] || ownCommunity();
    const { error } = page(section, '小微权力清单与码上监督');
    const pick = form('powers-pick', [['area', '村/社区', { inputmode: 'numeric', pattern: '[0-9]{6,15}', size: 24,
                                                             required: '', value: area, placeholder: '选择或输入村/社区编码' }]], '查看');
    pick.addEventListener('submit', (e) => {
      e.preventDefault();
      location.hash = '#/powers/' + encodeURIComponent(pick.elements.area.value.trim());
    });
    section.append(pick);
    offer(pick.elements.area, '/api/v1/powers/areas', 'area', 'areas', (a) => a.name + '（' + a.powers + ' 项）');
    if (!area) { section.append(el('p', '请填写村或社区编码。', 'muted')); return; }
    const base = '/api/v1/public/powers/' + encodeURIComponent(area);
    let list;
    try { list = await api(base); }
    catch (err) { refuse(error, err); return; }
    section.dataset.area = area;
    section.append(el('h3', list.name + ' 小微权力清单（第 ' + list.version + ' 版）'));
    section.append(el('p', '二维码印在村务公开栏上，群众扫码即可查看办事流程、举报违规。', 'muted'));
    const t = table(['编号', '事项', '责任主体', '状态', '举报件数', '二维码（打印）'], list.items.map(i => {
      const qr = el('span');
      if (i.status !== 'withdrawn') {
        const img = el('img', null, 'qr');
        img.src = base + '/' + encodeURIComponent(i.code) + '.png';
        img.alt = i.matter + ' 的二维码';
        img.width = 96;
        img.height = 96;
        qr.append(img, ' ', link('SVG', base + '/' + encodeURIComponent(i.code) + '.svg'));
        qr.lastChild.target = '_blank';
      }
      return { data: { code: i.code, reports: String(i.reports || 0), status: i.status || 'active' },
               cells: [i.code, i.matter, i.holder, i.status === 'withdrawn' ? '已撤销' : '有效', i.reports || 0, qr] };
    }), 'powers');
    section.append(t);
    const o = list.outcomes;
    if (o) {
      const p = el('p');
      p.id = 'power-outcomes';
      p.textContent = (o.town_name || o.town) + '今年码上监督举报：受理 ' + o.received + ' 件，办结 ' + o.resolved +
        ' 件（按时 ' + o.resolved_on_time + ' 件），回访 ' + o.callbacks + ' 件，满意 ' + o.satisfied +
        ' 件，基本满意 ' + o.basically_satisfied + ' 件';
      section.append(p);
    }
  }

  const once = (fn) => async (section, params) => { if (!params.changed) await fn(section, params); };
  cg.views.needs = { title: '供需对接', render: once(needs) };
  cg.views.sites = { title: '慈善站点', render: once(sites) };
  cg.views.points = { title: '居民积分', render: once(points) };
  cg.views.powers = { title: '小微权力', render: once(powers) };
})();
