// The published statistics of volunteer service (志愿服务统计和发布) of the
// village or community the page is about (?area=CODE, or ?community=CODE),
// this month: needs posted, matched and served, volunteers and their hours
// (consultation's need.stats, GET /api/v1/public/needs/stats).
'use strict';
(() => {
  const { api, esc } = CG;
  const month = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7);  // China time

  async function render (el, q) {
    const code = q.community || q.area;
    const m = /^\d{4}-\d{2}$/.test(q.month || '') ? q.month : month();
    const s = await api(`needs/stats?community=${encodeURIComponent(code)}&month=${m}`);
    el.innerHTML = `<h2>志愿服务统计 · ${esc(s.name)} ${esc(s.month)}</h2>
      <dl id="needs-stats"><dt>发布需求</dt><dd data-k="posted">${s.posted} 件</dd>
      <dt>已对接</dt><dd data-k="matched">${s.matched} 件</dd>
      <dt>已服务</dt><dd data-k="served">${s.served} 件</dd>
      <dt>志愿者</dt><dd data-k="volunteers">${s.volunteers} 人 · ${esc(s.hours)} 小时</dd></dl>`;
  }

  CG.section({ id: 'needs', order: 50, wants: (q) => Boolean(q.community || (q.area && !q.power)), render });
})();
