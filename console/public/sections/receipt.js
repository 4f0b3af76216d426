// A report's progress by its receipt code (?receipt=CODE), and a box to
// type one in on the page without parameters.  Only what a resident may
// know: the state, the office handling it, when.
'use strict';
(() => {
  const { api, esc, time } = CG;
  const states = { received: '已受理', dispatched: '已转办', accepted: '办理中', returned: '退回审核中',
                   suspended: '暂停办理', resolved: '已办结', closed: '已办结归档', merged: '已合并办理',
                   rejected: '不予受理', cancelled: '已撤回' };

  async function show (el, receipt) {
    const r = await api('receipts/' + encodeURIComponent(receipt));
    el.dataset.state = r.state;
    el.innerHTML = `<h2>办理进度</h2><p class="receipt">${esc(r.receipt)}</p>
      <dl><dt>状态</dt><dd id="receipt-state">${esc(states[r.state] || r.state)}</dd>
      <dt>承办单位</dt><dd id="receipt-office">${esc(r.office)}</dd>
      <dt>受理时间</dt><dd>${esc(time(r.created))}</dd>
      <dt>最近更新</dt><dd>${esc(time(r.updated))}</dd>
      ${r.done_by ? `<dt>办结时限</dt><dd>${esc(time(r.done_by))}</dd>` : ''}</dl>`;
  }

  function ask (el) {
    el.innerHTML = `<h2>查询举报办理进度</h2><form id="receipt-form">
      <label for="receipt-input">回执码</label><input id="receipt-input" name="receipt" type="text" required>
      <button type="submit">查询</button></form>`;
  }

  CG.section({
    id: 'receipt', order: 90,
    wants: (q) => Boolean(q.receipt) || !q.area,
    render: (el, q) => q.receipt ? show(el, q.receipt) : ask(el),
  });
})();
