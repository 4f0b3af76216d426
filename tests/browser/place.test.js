// The place on the map (issue 15, items 4, 6 and 7) in a real browser, as
// the town's command center (和平桥街道) sees it:
//   - the case page draws a small map of the case's community from the
//     region's own boundaries, its grid filled and a pin at its point
//     (a case submitted with lat/lon keeps that point);
//   - the intake form (受理录入) draws the operator's scope; a click inside
//     a grid fills the grid and the point, and the case submitted from the
//     form has that grid and a point inside it (asked of the API);
//   - the dashboard lists the scope's current hot spots, those
//     /api/v1/hotspots answers (five noise cases in one grid make one when
//     the stack has none), and the map hatches the hot community's grids;
//   - the picking lists: the charity sites' and the powers' inputs offer
//     the scope's sites and villages by name (/api/v1/sites,
//     /api/v1/powers/areas), another town's never.
// A module of the browser stage, called at the end of console.test.js with
// ctx = { port, tokens, cli, signIn, ... } on its stack; run alone (node
// tests/browser/place.test.js) it brings its own stack.
// Screenshots: build/test-output/console-case-map.png,
// console-intake-map.png, dashboard-hotspots-1366.png, map-hotspots.png,
// console-powers-pick.png.
'use strict';
const { launch } = require('./chromium');
const fs = require('fs');
const path = require('path');

const root = process.env.CG_ROOT || path.resolve(__dirname, '../..');
const out = path.join(root, 'build/test-output');
const COMMUNITY = '320602001001';       // 新桥社区, whose grids are surveyed

// the module of the same kind whose helpers this shares: expect, signing
// in with a token, a stack of its own
const { expect, signInToken, own } = require('./participation.test.js');

/*  The box of a GeoJSON feature: [west, south, east, north]. */
function box (feature) {
  const ring = feature.geometry.coordinates[0];
  const xs = ring.map(p => p[0]), ys = ring.map(p => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

module.exports = async function place (ctx = {}) {
  fs.mkdirSync(out, { recursive: true });
  const started = Date.now();
  const mine = ctx.port ? null : own();
  const { cli, port, tokens } = mine || ctx;
  const signIn = ctx.signIn || signInToken;
  const base = `http://127.0.0.1:${port}`;
  const api = async (p, options = {}) => {
    const res = await fetch(base + p, { ...options, headers: { Authorization: 'Bearer ' + tokens.center,
                                                               'Content-Type': 'application/json' } });
    const body = await res.json();
    expect(res.ok, p + ' answers: ' + JSON.stringify(body));
    return body;
  };
  const browser = await launch();
  const failures = [];
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
  context.setDefaultTimeout(60000);
  const page = await context.newPage();
  page.on('pageerror', (e) => failures.push(e.stack || e.message));
  page.on('console', (m) => { if (process.env.PLACE_DEBUG) console.error('page:', m.type(), m.text()); });
  const shot = (name) => page.screenshot({ path: path.join(out, name + '.png'), fullPage: true });
  const go = (hash) => page.evaluate((h) => { location.hash = h; }, hash);
  try {
    await signIn(page, port, tokens.center, '和平桥街道');

    // --- the case page: a case with its own point, in the second grid
    const made = await api('/api/v1/cases', { method: 'POST', body: JSON.stringify({
      category: 'street_light', text: '新桥社区二号路口路灯整夜不亮，行人和电动车看不清路面，已有老人摔倒', merge: false,
      grid: COMMUNITY + '002', lat: '32.0012', lon: '120.8541' }) });
    for (let i = 0; i < 100; i++) {
      const res = await fetch(base + '/api/v1/cases/' + made.id, { headers: { Authorization: 'Bearer ' + tokens.center } });
      if (res.ok) break;
      await new Promise(r => setTimeout(r, 100));
    }
    await go('#/case/' + made.id);
    await page.waitForSelector(`#case-title[data-id="${made.id}"]`);
    const caseMap = `#case-map[data-grid="${COMMUNITY}002"][data-drawn]`;
    await page.waitForSelector(caseMap);
    expect(await page.isVisible('#case-place'), 'the case page shows its place on a map');
    expect(await page.getAttribute(caseMap, 'data-point') === '120.8541,32.0012', 'the pin is the case\'s own point');
    const outline = await api('/api/v1/map?cases=0&scope=' + COMMUNITY);
    const drawn = await page.evaluate(() => {
      const c = echarts.getInstanceByDom(document.getElementById('case-map'));
      return { regions: c.getOption().geo[0].regions.filter(r => r.itemStyle && r.itemStyle.areaColor).map(r => r.name),
               pins: c.getOption().series[0].data.map(d => d.value) };
    });
    expect(Number(await page.getAttribute(caseMap, 'data-grids')) === outline.grids.features.length &&
           outline.grids.features.length >= 2, 'the community\'s grids are drawn: ' + outline.grids.features.length);
    expect(drawn.regions.length === 1 && drawn.regions[0] === COMMUNITY + '002', 'the case\'s grid is filled: ' + JSON.stringify(drawn.regions));
    expect(drawn.pins.length === 1 && drawn.pins[0][0] === 120.8541, 'one pin, at the point');
    expect((await page.textContent('#case-map-caption')).includes('32.0012'), 'the caption gives the point');
    await shot('console-case-map');

    // --- the intake form: a click on the map picks the grid and the point
    const target = outline.grids.features.find(f => f.properties.code === COMMUNITY + '003');
    expect(target, 'the third grid is surveyed');
    const [west, south, east, north] = box(target);
    await go('#/intake');
    await page.waitForSelector('#view-intake:not([hidden])');
    await page.waitForSelector('#intake-map[data-drawn]');
    const at = [(west + east) / 2, (south + north) / 2];
    const pixel = await page.evaluate((p) => echarts.getInstanceByDom(document.getElementById('intake-map'))
      .convertToPixel({ geoIndex: 0 }, p), at);
    const mapNode = await page.$('#intake-map');
    await mapNode.scrollIntoViewIfNeeded();
    const frame = await mapNode.boundingBox();
    await page.mouse.click(frame.x + pixel[0], frame.y + pixel[1]);
    await page.waitForFunction((g) => document.querySelector('#intake input[name=grid]').value === g, COMMUNITY + '003');
    const lat = Number(await page.inputValue('#intake input[name=lat]'));
    const lon = Number(await page.inputValue('#intake input[name=lon]'));
    expect(lon > west && lon < east && lat > south && lat < north, 'the point clicked lies in the grid: ' + lat + ',' + lon);
    await page.waitForFunction(() => document.getElementById('intake-place').textContent.includes('和平桥街道'));
    await page.selectOption('#intake select[name=category]', 'sewage_overflow');
    await page.fill('#intake textarea[name=text]', '居民来电：新桥社区三号网格小区门口污水井冒水，污水漫到人行道上，气味很大，孩子上学只能绕行马路');
    await page.fill('#intake input[name=contact_name]', '赵先生');
    await page.fill('#intake input[name=contact_phone]', '13900005678');
    await shot('console-intake-map');
    await page.click('#intake button[type=submit]');
    await page.waitForSelector('#intake-result[data-id]');
    const taken = await page.getAttribute('#intake-result', 'data-id');
    let got = null, last = null;
    for (let i = 0; i < 100 && !got; i++) {
      const res = await fetch(base + '/api/v1/cases/' + taken, { headers: { Authorization: 'Bearer ' + tokens.center } });
      last = res.status + ' ' + taken;
      if (res.ok) got = await res.json();
      else await new Promise(r => setTimeout(r, 100));
    }
    expect(got, 'the case is there: ' + last);
    expect(got && got.grid === COMMUNITY + '003', 'the case has the grid clicked: ' + JSON.stringify(got && got.grid));
    expect(Number(got.lat) === lat && Number(got.lon) === lon, 'the case keeps the point clicked: ' + got.lat + ',' + got.lon);

    // --- hot spots: the dashboard lists what the API answers
    let spots = await api('/api/v1/hotspots?limit=10');
    if (!spots.total) {
      for (let i = 0; i < 5; i++)
        cli('submit', '--category', 'noise', '--grid', COMMUNITY + '001', '--ext-ref', 'HOT-' + i,
            '--text', '新桥社区一号网格夜间施工噪音扰民，第' + (i + 1) + '位居民来电');
      for (let i = 0; i < 100 && !spots.total; i++) {
        await new Promise(r => setTimeout(r, 200));
        spots = await api('/api/v1/hotspots?limit=10');
      }
    }
    expect(spots.total >= 1, 'the stack has a hot spot: ' + JSON.stringify(spots));
    await go('#/dashboard');
    await page.waitForSelector('#view-dashboard[data-drawn]');
    await page.waitForSelector('#dash-hotspots li[data-id]');
    const listed = await page.$$eval('#dash-hotspots li[data-id]', lis => lis.map(li => [li.dataset.id, li.textContent]));
    expect(JSON.stringify(listed.map(l => l[0])) === JSON.stringify(spots.hotspots.map(h => h.id)),
           'the dashboard lists the API\'s hot spots, in its order: ' + JSON.stringify(listed));
    expect(listed[0][1].includes(spots.hotspots[0].category_name) && listed[0][1].includes(spots.hotspots[0].community_name),
           'a hot spot is named by its category and community: ' + listed[0][1]);
    await page.evaluate(() => document.getElementById('dash-hotspots').scrollIntoView());
    await shot('dashboard-hotspots-1366');
    // the map hatches the grids of the hot communities
    const hotCommunities = new Set((await api('/api/v1/hotspots?limit=50')).hotspots.map(h => h.community));
    await go('#/map');
    await page.waitForSelector('#map-chart[data-drawn][data-hot]');
    const map = await api('/api/v1/map');
    const hotGrids = map.grids.features.filter(f => hotCommunities.has(f.properties.community)).length;
    expect(Number(await page.getAttribute('#map-chart', 'data-hot')) === hotGrids,
           'each grid of a hot community is marked: ' + hotGrids);
    await shot('map-hotspots');

    // --- picking lists: the charity sites of the town, and (for 西亭镇's
    // operator) its villages with a list of powers, offered by name
    const sites = await api('/api/v1/sites?limit=100');
    await go('#/sites');
    await page.waitForSelector('#site-pick-site-list[data-total]', { state: 'attached' });
    const offered = await page.$$eval('#site-pick-site-list option', os => os.map(o => [o.value, o.textContent]));
    expect(JSON.stringify(offered.map(o => o[0])) === JSON.stringify(sites.sites.map(x => x.site)) && offered.length === 2,
           'the sites offered are the town\'s: ' + JSON.stringify(offered));
    expect(offered[0][1].includes('新桥社区慈善小屋'), 'a site is offered by its name');
    await page.fill('#site-pick input[name=site]', offered[0][0]);
    await page.click('#site-pick button[type=submit]');
    await page.waitForSelector(`[data-site="${offered[0][0]}"]`);
    const xiting = cli('token', 'create', '--role', 'operator', '--scope', '320612005', '--name', '西亭镇值班员');
    const other = await context.browser().newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    const village = await other.newPage();
    village.on('pageerror', (e) => failures.push(e.stack || e.message));
    await signIn(village, port, xiting, '西亭镇');
    await village.evaluate(() => { location.hash = '#/powers'; });
    await village.waitForSelector('#powers-pick-area-list[data-total]', { state: 'attached' });
    const areas = await village.$$eval('#powers-pick-area-list option', os => os.map(o => [o.value, o.textContent]));
    expect(areas.length === 3 && areas[0][0] === '320612005003' && areas[0][1].includes('通江村'),
           'the town\'s villages with a list are offered: ' + JSON.stringify(areas));
    await village.screenshot({ path: path.join(out, 'console-powers-pick.png') });
    await other.close();
    expect(failures.length === 0, 'no script errors: ' + failures.join('; '));
    console.log('browser: place on the map (case page, intake click, hot spots) in ' +
                ((Date.now() - started) / 1000).toFixed(1) + ' s');
  }
  catch (err) {
    await shot('place-failure').catch(() => {});
    throw err;
  }
  finally {
    await browser.close();
    if (mine) mine.down();
  }
};

if (require.main === module)
  module.exports().catch((err) => { console.error('place test FAILED:', err.message); process.exitCode = 1; });
