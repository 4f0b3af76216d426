// public.js — the frame of the public page: a registry of sections, the
// page's parameters, and the few helpers every section uses.  A section is
// one script of sections/ that calls
//     CG.section({ id, order, wants (params) -> bool, render (el, params) })
// and is drawn, in order, when it wants the page's parameters
// (?area=…&power=…&receipt=…).  Nothing here knows any section.
'use strict';
const CG = (() => {
  const sections = [];
  const params = Object.fromEntries(new URLSearchParams(location.search));

  // text made safe for innerHTML
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

  // the API's answer as JSON, or an Error whose message is its refusal
  async function api (path, options) {
    const res = await fetch('/api/v1/public/' + path, options);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = body.error || {};
      const err = new Error(e.message || ('HTTP ' + res.status));
      err.status = res.status; err.field = e.field; err.code = e.code;
      throw err;
    }
    return body;
  }

  const time = (ms) => ms ? new Date(ms).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';

  function section (def) { sections.push(def); }

  async function start () {
    const main = document.getElementById('sections');
    const shown = sections.filter((s) => s.wants(params)).sort((a, b) => (a.order || 0) - (b.order || 0));
    for (const s of shown) {
      const el = document.createElement('section');
      el.id = 'section-' + s.id;
      main.appendChild(el);
      try { await s.render(el, params); }
      catch (err) { el.innerHTML = `<p class="error" data-field="${esc(err.field)}">${esc(err.message)}</p>`; }
    }
    document.body.dataset.ready = '1';
  }

  return { section, start, api, esc, time, params };
})();
