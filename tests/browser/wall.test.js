// The command center's half of the console in a real browser, on the
// stack and volume console.test.js has made (its town 和平桥街道 holds
// 3,000 more cases, the next town 2,000): it calls this at its end with
// ctx = { browser, port, tokens: { unit, center }, cli, dir, expect, shot,
// signIn }.  Each operator here signs in in a browser context of its own
// (one chromium, launched here): the console hands a signed-in session to
// every new tab of a context, so a tab of ctx.browser would be the unit's
// or the center's already.
//   - 地图 at 1366×768 and 3840×2160: the town's grids as the region's
//     boundary file has them, a point for each case the map API answers,
//     and a click on a point opens that case; the city's map, one bubble a
//     center with the counts the API gives.
//   - 数据看板: 近7日 draws 7 daily points, those /api/v1/stats answers by
//     day; the ranking of units shows what stats counts for each, best
//     on-time completion first; the hot spots' names are all shown.
//   - 大屏 at 1920×1080 and 3840×2160: fits the screen without scrolling,
//     its text grows with the screen, its counts are the API's.
//   - 议事协商, 基金, 通知: a topic with its stages, a fund's balance (the
//     month's closing), a request approved by a committee member through
//     the page and the balance after it, a unit's inbox; the dead letters
//     refused to a town's operator (they are the whole region's).
// Screenshots: build/test-output/{map,dashboard,wall,topic,fund,inbox}-*.png.
'use strict';
const { launch } = require('./chromium');
const fs = require('fs');
const path = require('path');

const root = process.env.CG_ROOT || path.resolve(__dirname, '../..');
const out = path.join(root, 'build/test-output');
const CST = 8 * 3600 * 1000;
const day = (ms) => new Date(ms + CST).toISOString().slice(0, 10);

module.exports = async function wall (ctx) {
  const { port, tokens, cli, expect, signIn } = ctx;
  const started = Date.now();
  const base = `http://127.0.0.1:${port}`;
  const get = async (p, token = tokens.center) => {
    const res = await fetch(base + p, { headers: { Authorization: 'Bearer ' + token } });
    expect(res.status === 200, p + ' answers 200, not ' + res.status);
    return res.json();
  };
  const post = async (p, body, token) => {
    const res = await fetch(base + p, { method: 'POST', body: JSON.stringify(body),
                                        headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' } });
    const json = await res.json();
    expect(res.ok, p + ' is taken: ' + JSON.stringify(json));
    return json;
  };
  const shot = (page, name, full = true) => page.screenshot({ path: path.join(out, name + '.png'), fullPage: full });
  const go = (page, hash) => page.evaluate((h) => { location.hash = h; }, hash);

  const own = await launch();
  const failures = [];
  /*  A tab in a context of its own, watched for script errors. */
  const tab = async () => {
    const context = await own.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(90000);
    const p = await context.newPage();
    p.on('pageerror', (e) => failures.push(e.stack || e.message));
    return p;
  };
  const page = await tab();
  try {
    await page.setViewportSize({ width: 1366, height: 768 });
    await signIn(page, port, tokens.center, '和平桥街道');

    // --- the map: the town's grids, its cases as points, a click opens one
    const grids = fs.readFileSync(path.join(root, 'deploy/demo/grids.geo.tsv'), 'utf8')
      .split('\n').filter(l => l.startsWith('320602001')).length;
    const map = await get('/api/v1/map');
    expect(map.mode === 'points' && map.grids.features.length === grids,
           'the map API answers the town\'s ' + grids + ' grids: ' + map.grids.features.length);
    expect(map.points.length === Math.min(1000, map.total) && map.total >= 3000,
           'at most 1,000 points of the ' + map.total + ' open cases: ' + map.points.length);
    const other = await fetch(base + '/api/v1/map?scope=320602002', { headers: { Authorization: 'Bearer ' + tokens.center } });
    expect(other.status === 403 && (await other.json()).error.field === 'scope', 'another town\'s map is refused naming scope');
    for (const size of [[1366, 768], [3840, 2160]]) {
      await page.setViewportSize({ width: size[0], height: size[1] });
      await go(page, '#/map?at=' + size[0]);
      await page.waitForFunction((w) => {
        const n = document.getElementById('map-chart');
        return n && n.dataset.drawn && location.hash.endsWith(w);
      }, String(size[0]));
      const drawn = await page.evaluate(() => {
        const c = echarts.getInstanceByDom(document.getElementById('map-chart'));
        const o = c.getOption();
        return { regions: echarts.getMap(o.geo[0].map).geoJSON.features.map(f => f.properties.code),
                 points: o.series[1].data.map(d => d.id) };
      });
      expect(drawn.regions.length === grids && drawn.regions.every(code => code.startsWith('320602001')),
             'the map draws the town\'s grids: ' + drawn.regions.length);
      expect(drawn.points.length === map.points.length, 'a point for each case the API placed: ' + drawn.points.length);
      await shot(page, 'map-' + size[0], false);
    }
    // a point no other lies near, clicked where the chart drew it
    const target = await page.evaluate(() => {
      const node = document.getElementById('map-chart');
      const c = echarts.getInstanceByDom(node);
      const data = c.getOption().series[1].data;
      const px = data.map(d => c.convertToPixel({ seriesIndex: 1 }, d.value));
      const box = node.getBoundingClientRect();
      for (let i = 0; i < data.length; i++) {
        const [x, y] = px[i];
        if (x < 40 || y < 40 || x > box.width - 40 || y > box.height - 80) continue;
        if (px.every((q, k) => k === i || Math.hypot(q[0] - x, q[1] - y) > 24))
          return { id: data[i].id, x: box.left + x, y: box.top + y };
      }
      return null;
    });
    expect(target, 'a point stands apart to be clicked');
    await page.mouse.click(target.x, target.y);
    await page.waitForSelector(`#case-title[data-id="${target.id}"]`);
    await shot(page, 'map-click', false);

    // the city's map: one bubble a center, counted by dispatch
    const cityToken = cli('token', 'create', '--role', 'operator', '--scope', '320600', '--name', '市指挥中心值班长');
    const city = await get('/api/v1/map', cityToken);
    const town = city.clusters.find(c => c.code === '320602001');
    expect(city.mode === 'clusters' && town && town.open === map.total,
           'the city map counts the town\'s open cases: ' + JSON.stringify(town) + ' vs ' + map.total);

    // --- the dashboard: 近7日 by day, the ranking, readable hot spots
    await page.setViewportSize({ width: 1366, height: 768 });
    await go(page, '#/dashboard');
    await page.waitForSelector('#view-dashboard[data-loaded]');
    await page.selectOption('#dash-period', '7');
    await page.waitForFunction(() => {
      const l = document.getElementById('view-dashboard').dataset.loaded;
      return l && l.split('/')[0] !== l.split('/')[1];
    });
    const [from, to] = (await page.getAttribute('#view-dashboard', 'data-loaded')).split('/');
    expect(to === day(Date.now()) && from === day(Date.now() - 6 * 86400000), 'the week ends today: ' + from + '/' + to);
    const stats = await get(`/api/v1/stats?scope=320602001&from=${from}&to=${to}&by=day`);
    const days = stats.rows.filter(r => r.by === 'day');
    const trend = await page.evaluate(() => {
      const o = echarts.getInstanceByDom(document.getElementById('chart-trend')).getOption();
      return { x: o.xAxis[0].data, received: o.series[0].data, resolved: o.series[1].data };
    });
    expect(days.length === 7 && trend.received.length === 7, '近7日 draws 7 days: ' + trend.received.length);
    expect(JSON.stringify(trend.received) === JSON.stringify(days.map(r => r.received || 0)) &&
           JSON.stringify(trend.resolved) === JSON.stringify(days.map(r => r.resolved || 0)),
           'each day\'s received and resolved are the stats API\'s: ' + JSON.stringify(trend));
    expect(trend.x[6] === to.slice(5), 'the last point is today');
    const shown = await page.$$eval('#rank-units tbody tr', trs => trs.map(tr => ({
      key: tr.dataset.key, cells: [...tr.cells].map(td => td.textContent) })));
    const units = stats.rows.filter(r => r.by === 'unit' && (r.received || r.resolved));
    expect(shown.length === Math.min(10, units.length) && shown.length > 0, 'the ten best units at most: ' + shown.length);
    const rate = (r) => (r.resolved ? (r.resolved_on_time || 0) / r.resolved : -1);
    let last = Infinity;
    for (const s of shown) {
      const r = units.find(u => u.key === s.key);
      expect(r && Number(s.cells[2]) === (r.received || 0), 'a unit\'s received as stats counts it: ' + s.key);
      const p = r.resolved ? Math.round(1000 * (r.resolved_on_time || 0) / r.resolved) / 10 + '%' : '—';
      expect(s.cells[4] === p, 'a unit\'s on-time completion as stats counts it: ' + s.cells[4] + ' vs ' + p);
      expect(rate(r) <= last, 'best on-time completion first');
      last = rate(r);
    }
    const hot = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('chart-hotspots'))
      .getOption().yAxis[0].axisLabel.interval);
    expect(hot === 0, 'every hot spot\'s name is shown');
    await shot(page, 'dashboard-1366');
    const labelPx = () => page.evaluate(() => echarts.getInstanceByDom(document.getElementById('chart-trend'))
      .getOption().xAxis[0].axisLabel.fontSize);
    const small = await labelPx();
    await page.setViewportSize({ width: 3840, height: 2160 });
    await page.evaluate(() => { delete document.getElementById('view-dashboard').dataset.loaded; });
    await go(page, '#/dashboard?at=3840');
    await page.waitForFunction(() => document.getElementById('view-dashboard').dataset.loaded);
    const large = await labelPx();
    expect(small >= 12 && large >= 2 * small, 'the charts\' labels grow with the screen: ' + small + ' → ' + large);
    await shot(page, 'dashboard-3840');

    // --- the wall screen: fits both screens, text grows, the API's counts,
    // an urgent case among its alarms (and the console's pinned alarm over it)
    const sos = await post('/api/v1/cases', { category: 'elderly_help', grid: '320602001002003', urgency: 'urgent',
                                              text: '独居老人王大爷家中摔倒无法起身，邻居听到呼救后拨打热线，请立即上门救助。',
                                              merge: false }, tokens.center);
    const font = {};
    for (const [w, h] of [[1920, 1080], [3840, 2160]]) {
      await page.setViewportSize({ width: w, height: h });
      await go(page, '#/wall?at=' + w);
      await page.waitForFunction((w) => location.hash.endsWith(w) &&
        document.getElementById('view-wall') && document.getElementById('view-wall').dataset.loaded, String(w));
      await page.evaluate(() => { delete document.getElementById('view-wall').dataset.loaded; });
      await go(page, '#/wall?again=' + w);
      await page.waitForFunction(() => document.getElementById('view-wall').dataset.loaded);
      const fit = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight,
        iw: innerWidth, ih: innerHeight, font: parseFloat(getComputedStyle(document.body).fontSize),
        map: document.getElementById('wall-map').getBoundingClientRect().height }));
      expect(fit.sw <= fit.iw && fit.sh <= fit.ih, `the wall fits ${w}×${h} without scrolling: ` + JSON.stringify(fit));
      expect(fit.map > h * 0.6, 'the map takes most of the height');
      font[w] = fit.font;
      await shot(page, 'wall-' + w, false);
    }
    expect(font[3840] >= 1.9 * font[1920], 'the wall\'s text grows with the screen: ' + JSON.stringify(font));
    const dispatched = (await get('/api/v1/cases?state=dispatched&limit=1')).total;
    expect(Number(await page.textContent('#wall-counts [data-metric="dispatched"] b')) === dispatched,
           'the wall counts the cases awaiting sign-for: ' + dispatched);
    const alarms = await page.$$eval('#wall-alarms li[data-id]', lis => lis.map(li => [li.dataset.id, li.className]));
    expect(alarms.every(([, c]) => c === 'urgent' || c === 'overdue'), 'alarms are urgent or overdue cases only');
    expect(alarms.length && alarms[0][1] === 'urgent' && alarms.some(([id]) => id === sos.id),
           'the urgent case is among the wall\'s alarms, urgent ones first: ' + JSON.stringify(alarms));
    // the alarms are the server's urgent and overdue filters, their count
    // what paging through those lists yields, however deep in the queues
    let hotRows = 0;
    for (const q of ['dispatched', 'accepted', 'returned'].map(s => 'state=' + s + '&urgent=1')
      .concat(['dispatched', 'accepted'].map(s => 'state=' + s + '&overdue=1&urgent=0'))) {
      for (let cursor = null, n = 0; n < 100; n++) {
        const p = await get('/api/v1/cases?' + q + '&limit=200' + (cursor ? '&cursor=' + cursor : ''));
        hotRows += p.cases.length;
        if (!(cursor = p.next)) break;
      }
    }
    expect(Number(await page.getAttribute('#wall-alarms', 'data-total')) === hotRows && alarms.length === Math.min(6, hotRows),
           'the wall counts every urgent or overdue case: ' + hotRows);
    await go(page, '#/queue');
    await page.waitForFunction(() => !document.body.classList.contains('wall-mode'));

    // --- consultation, fund and notification pages
    await page.setViewportSize({ width: 1366, height: 768 });
    const topic = await post('/api/v1/topics', { title: '新桥社区加装电梯议事', scope: '320602001001', source: 'proposal',
                                                 procedure: 'siyi', description: '居民提议为老旧小区加装电梯，费用分摊方案待议。' },
                             tokens.center);
    await go(page, '#/topics');
    await page.waitForSelector(`#topics tr[data-key="${topic.id}"]`);
    await page.click(`#topics tr[data-key="${topic.id}"] a`);
    await page.waitForSelector('#topic-stages li');
    const stages = await page.$$eval('#topic-stages li', lis => lis.map(li => li.dataset.stage));
    expect(JSON.stringify(stages) === JSON.stringify(topic.stages.map(s => s.name)),
           'the topic\'s stages in order: ' + stages.join(' '));
    await shot(page, 'topic-1366');

    await post('/api/v1/funds/baihe/donations', { project: 'elderly', donor: '新桥社区居民', amount: 500000,
                                                  channel: 'wechat', ref: 'WX-WALL-1' }, tokens.center);
    const request = await post('/api/v1/funds/baihe/requests', { project: 'elderly', beneficiary: '李秀英', amount: 20000,
                                                                 purpose: '助老餐桌十二月餐费' }, tokens.center);
    const member = cli('token', 'create', '--role', 'operator', '--scope', '320602001001', '--name', 'wang.fang');
    const report = await get('/api/v1/funds/baihe/reports/' + day(Date.now()).slice(0, 7), member);
    // the committee member signs in in a tab of their own
    const committee = await tab();
    await signIn(committee, port, member, '新桥社区');
    await go(committee, '#/funds');
    await committee.waitForSelector('#funds tr[data-key="baihe"]');
    await committee.click('#funds tr[data-key="baihe"] a');
    const row = `#fund-requests tr[data-key="${request.id}"]`;
    await committee.waitForSelector(row + '[data-state="pending"]');
    const listed = await get('/api/v1/funds/baihe/requests', member);
    expect(listed.requests[0].id === request.id && listed.requests.length <= 20,
           'the fund\'s requests, newest first, a page of them: ' + listed.total);
    expect((await committee.$$('#fund-requests tbody tr')).length === listed.requests.length,
           'the page lists the API\'s page of requests');
    expect(Number(await committee.getAttribute('#fund-balance', 'data-fen')) === report.closing,
           'the fund\'s balance is the month\'s closing: ' + report.closing);
    await committee.fill(row + ' input[name="note"]', '符合助老餐桌资助条件');
    await committee.click(row + ' .decide-approve');
    await committee.waitForSelector('#fund-notice:has-text("同意")');
    await committee.waitForSelector(row + '[data-state="approved"]');
    const decided = await get('/api/v1/funds/baihe/requests/' + request.id, member);
    expect(decided.state === 'approved' && decided.approvals.includes('wang.fang'),
           'the fund recorded the approval: ' + JSON.stringify(decided));
    const after = await get('/api/v1/funds/baihe/reports/' + day(Date.now()).slice(0, 7), member);
    expect(after.spending === report.spending + 20000 &&
           Number(await committee.getAttribute('#fund-balance', 'data-fen')) === after.closing,
           'the page shows the balance after the disbursement: ' + after.closing);
    await shot(committee, 'fund-1366');
    await committee.close();

    await go(page, '#/inbox/320602001-huanbao');
    const inbox = await get('/api/v1/inbox/320602001-huanbao?limit=50');
    await page.waitForSelector('#inbox');
    expect((await page.$$('#inbox tbody tr')).length === inbox.items.length && inbox.items.length > 0,
           'the unit\'s inbox, a page of it: ' + inbox.items.length);
    await shot(page, 'inbox-1366');
    // dead letters are for the region's supervisors: an operator is refused, in Chinese
    await go(page, '#/deadletters');
    await page.waitForSelector('#view-deadletters .error:has-text("无权执行此操作（角色）")');
    const townSupervisor = cli('token', 'create', '--role', 'supervisor', '--scope', '320602001', '--name', '街道督查');
    const citySupervisor = cli('token', 'create', '--role', 'supervisor', '--scope', '320600', '--name', '市督查');
    const refused = await fetch(base + '/api/v1/deadletters', { headers: { Authorization: 'Bearer ' + townSupervisor } });
    expect(refused.status === 403 && (await refused.json()).error.field === 'scope',
           'a town\'s supervisor is refused the region\'s dead letters naming scope');
    const dead = await get('/api/v1/deadletters?limit=50', citySupervisor);
    const deadPage = await tab();
    await signIn(deadPage, port, citySupervisor, '南通市');
    await go(deadPage, '#/deadletters');
    await deadPage.waitForSelector('#deadletters');
    // (the stack's undeliverable callbacks die as their retries run out,
    // so more may come between the reads: the page's count lies between
    // the API's before and after, and it shows that many rows, up to a page)
    const deadShown = Number((/共 (\d+) 条/.exec(await deadPage.textContent('#view-deadletters')) || [])[1]);
    const deadAfter = await get('/api/v1/deadletters?limit=50', citySupervisor);
    expect(deadShown >= dead.total && deadShown <= deadAfter.total &&
           (await deadPage.$$('#deadletters tbody tr')).length === Math.min(deadShown, 50),
           'the city\'s supervisor sees the dead letters: ' + dead.total + ' ≤ ' + deadShown + ' ≤ ' + deadAfter.total);
    await deadPage.close();
    expect(failures.length === 0, 'no script errors: ' + failures.join('; '));
  }
  catch (err) {
    await shot(page, 'wall-failure').catch(() => {});
    throw err;
  }
  finally {
    await own.close();
    console.log('browser: wall.test.js took ' + ((Date.now() - started) / 1000).toFixed(1) + ' s');
  }
};
