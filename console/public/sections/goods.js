// The goods in kind of the monthly disclosure (三务公开): what the charity
// sites (慈善小屋, 慈善超市) of a fund's area held, took in, handed out and
// moved in the month, beside the money (GET /api/v1/public/funds/F/reports/
// MONTH, its `goods`).  ?fund=CODE names the fund; ?area=CODE (a village's
// or community's page) shows the funds of that place and those above it.
// The month is ?month=YYYY-MM, else the latest published of the last three
// (a month is published once it is over).
'use strict';
(() => {
  const { api, esc } = CG;
  const CST = 8 * 3600 * 1000;
  const months = () => {
    const d = new Date(Date.now() + CST);
    return [1, 2, 3].map((back) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1))
      .toISOString().slice(0, 7));
  };
  const signed = (n) => (n > 0 ? '+' : n < 0 ? '−' : '') + Math.abs(n);

  // the published report of the fund: the month asked for, else the latest
  async function report (fund, q) {
    const tries = /^\d{4}-\d{2}$/.test(q.month || '') ? [q.month] : months();
    for (const m of tries) {
      try { return await api(`funds/${encodeURIComponent(fund)}/reports/${m}`); }
      catch (err) { if (err.status !== 404) throw err; }
    }
    return null;
  }

  function lines (r) {
    const bySite = new Map();
    for (const g of r.goods || []) {
      if (!bySite.has(g.site)) bySite.set(g.site, []);
      bySite.get(g.site).push(g);
    }
    return [...bySite].map(([site, gs]) => `<h3>${esc(site)}</h3><ul class="goods">${gs.map((g) =>
      `<li data-site="${esc(site)}" data-item="${esc(g.item)}" data-closing="${g.quantity}"><b>${esc(g.name || g.item)}</b>
       期初 ${g.opening || 0}，捐赠 ${signed(g.donated || 0)}，发放 ${signed(-(g.handed_out || 0))}，调剂 ${signed(g.moved || 0)}，
       期末 <b>${g.quantity}</b> ${esc(g.unit || '')}</li>`).join('')}</ul>`).join('');
  }

  async function render (el, q) {
    const { funds } = await api('funds');
    const mine = funds.filter((f) => f.ledger === 'cny' &&
      (q.fund ? f.code === q.fund : q.area.startsWith(f.scope) || f.scope.startsWith(q.area)));
    if (q.fund && !mine.length) {
      const err = new Error('没有这个基金：' + q.fund);
      err.field = 'fund';
      throw err;
    }
    let html = '';
    for (const f of mine) {
      const r = await report(f.code, q);
      html += `<div class="disclosure" data-fund="${esc(f.code)}"><h2>实物捐赠公开 · ${esc(f.name)}${r ? ' ' + esc(r.month) : ''}</h2>` +
        (!r ? '<p class="muted">近三个月的月报尚未公开。</p>'
          : (r.goods || []).length ? lines(r) : '<p class="muted">本月无实物捐赠与发放。</p>') + '</div>';
    }
    if (!html) { el.hidden = true; return; }
    el.innerHTML = html;
  }

  CG.section({ id: 'goods', order: 60, wants: (q) => Boolean(q.fund || (q.area && !q.power)), render });
})();
