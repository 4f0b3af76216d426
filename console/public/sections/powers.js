// The list of small and micro powers (小微权力清单) of a village, with the
// reports taken of each and this year's outcomes, one
// power's procedure, and the form to report its misuse (码上监督).
// ?area=CODE lists the area's powers; ?area=CODE&power=CODE (what a QR code
// opens) shows one, with the form when it is active.
'use strict';
(() => {
  const { api, esc } = CG;
  const status = (s) => s === 'active' ? '<span class="badge">有效</span>'
                                       : '<span class="badge withdrawn">已撤销</span>';

  async function list (el, area) {
    const page = await api('powers/' + encodeURIComponent(area));
    document.getElementById('title').textContent = page.name;
    const o = page.outcomes;
    el.innerHTML = `<h2>${esc(page.name)} 小微权力清单</h2>
      <p class="muted">第 ${page.version} 版 · 共 ${page.items.length} 项</p>
      ${o ? `<p id="outcomes" data-received="${o.received}">${esc(o.town_name)}今年受理小微权力举报 ${o.received} 件，办结 ${o.resolved} 件
        （按时 ${o.resolved_on_time} 件），回访 ${o.callbacks} 次，满意 ${o.satisfied} 次</p>` : ''}
      <ul class="powers">${page.items.map((i) => `<li data-code="${esc(i.code)}" data-reports="${i.reports || 0}">
        <a href="?area=${encodeURIComponent(area)}&power=${encodeURIComponent(i.code)}">
        ${esc(i.matter)} ${status(i.status)}<br><span class="muted">${esc(i.holder)} · 举报 ${i.reports || 0} 件</span></a></li>`).join('')}</ul>`;
  }

  function form (el, item) {
    const f = document.createElement('form');
    f.id = 'report';
    f.innerHTML = `<h2>举报违规行使</h2>
      <p class="muted">举报将转交镇纪检监察办公室办理，不会转给被举报的村干部。姓名和电话可不填（匿名举报）。</p>
      <label for="report-text">发生了什么（时间、人员、经过）</label>
      <textarea id="report-text" name="text" maxlength="1200" required></textarea>
      <label for="report-name">姓名（可不填）</label><input id="report-name" name="contact_name" type="text" maxlength="20">
      <label for="report-phone">电话（可不填）</label><input id="report-phone" name="contact_phone" type="tel" maxlength="20">
      <p id="report-error" class="error" hidden></p>
      <button type="submit">提交举报</button>`;
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {};
      for (const [k, v] of new FormData(f)) if (v.trim()) body[k] = v.trim();
      const error = f.querySelector('#report-error');
      try {
        const r = await api(`powers/${encodeURIComponent(item.area)}/${encodeURIComponent(item.code)}/reports`,
                            { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        f.innerHTML = `<h2>举报已受理</h2><p>请保存回执码，凭它查询办理进度：</p>
          <p class="receipt" id="receipt-code">${esc(r.receipt)}</p>
          <p><a id="receipt-link" href="?receipt=${encodeURIComponent(r.receipt)}">查询办理进度</a></p>`;
      }
      catch (err) {
        error.hidden = false;
        error.dataset.field = err.field || '';
        error.textContent = err.status === 429 ? '提交过于频繁：' + err.message : err.message;
      }
    });
    el.appendChild(f);
  }

  async function item (el, area, code) {
    const p = await api(`powers/${encodeURIComponent(area)}/${encodeURIComponent(code)}`);
    document.getElementById('title').textContent = p.name;
    el.dataset.status = p.status;
    el.innerHTML = `<h2 id="power-matter">${esc(p.matter)} ${status(p.status)}</h2>
      <dl><dt>权力主体</dt><dd>${esc(p.holder)}</dd>
      <dt>办理时限</dt><dd>${esc(p.time_limit)}</dd>
      <dt>运行流程</dt><dd><ol class="steps">${p.steps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol></dd>
      <dt>法规依据</dt><dd>${esc(p.basis)}</dd></dl>
      <p class="muted">${esc(p.name)} · 清单第 ${p.version} 版 · 编号 ${esc(p.code)} · 已受理举报 ${p.reports || 0} 件 ·
        <a href="?area=${encodeURIComponent(area)}">全部事项</a></p>`;
    if (p.status === 'active') form(el, p);
    else el.insertAdjacentHTML('beforeend', '<p class="error" id="withdrawn">本事项已撤销，不再行使，也不再受理举报。</p>');
  }

  CG.section({
    id: 'powers', order: 10,
    wants: (q) => Boolean(q.area),
    render: (el, q) => q.power ? item(el, q.area, q.power) : list(el, q.area),
  });
})();
