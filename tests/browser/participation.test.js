// The participation pages of the console (console/participation.js) in a
// real browser at 1366×768, as the town center's operator (和平桥街道):
//   - 供需对接: a need posted for a resident of 新桥社区 through the page (the
//     confirmation code shown once), the volunteer's offer proposed for it
//     and matched, both sides accepting, the person served confirming with
//     the code: the page then shows the volunteer's minutes, and the time
//     bank's total as the fund API has it once it has credited them.
//   - 慈善站点: a site's stock as the API answers it, a hand-out beyond it
//     refused in Chinese naming 数量 (nothing taken), then one within it.
//   - 居民积分: the volunteer's points (earned by that service) shown equal to
//     the API's balance, with the act in the history; a redemption beyond
//     the balance refused (积分余额不足), nothing taken; a phone without
//     points answered naming 居民.
//   - 小微权力: a village's list, each active power's QR code an image that
//     loads (a PNG the gateway draws), the withdrawn one without.
// Then the public page's goods in kind section (sections/goods.js) for the
// fund, on a phone: it says no month is published yet (a month is
// published once over; the stack's month is the current one).
//
// A module of the browser stage, called at the end of console.test.js with
// ctx = { port, tokens, cli, signIn, ... } on its stack; run alone (node
// tests/browser/participation.test.js) it brings its own stack.
// Screenshots: build/test-output/participation-*.png.
'use strict';
const { launch } = require('./chromium');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = process.env.CG_ROOT || path.resolve(__dirname, '../..');
const bin = process.env.CG_BIN || path.join(root, 'build/bin');
const tmp = process.env.CG_TEST_TMP || os.tmpdir();
const out = path.join(root, 'build/test-output');
const COMMUNITY = '320602001001';       // 新桥社区, in 和平桥街道 (tb-baihe's area)
const SITE = 'xq-cabin';                // 新桥社区慈善小屋 (deploy/demo/kind.tsv)
const AREA = '320612005003';            // 西亭镇通江村's powers (deploy/demo/powers/)

function expect (ok, what) {
  if (!ok) throw new Error('expected: ' + what);
}

async function signInToken (page, port, token, scopeName) {
  await page.goto(`http://127.0.0.1:${port}/console/`);
  await page.click('#use-token');
  await page.fill('#token', token);
  await page.click('#signin-token button');
  await page.waitForSelector('#view-queue:not([hidden])');
  expect((await page.textContent('#who')).includes(scopeName), 'the operator\'s scope is shown: ' + scopeName);
}

function own () {
  const dir = fs.mkdtempSync(path.join(tmp, 'participation.'));
  const cli = (...args) => execFileSync(path.join(bin, 'civgrid'), [...args, '--dir', dir], { encoding: 'utf8' }).trim();
  cli('stack', 'up', '--port-base', 'auto');
  const cfg = fs.readFileSync(path.join(dir, 'civgrid.cfg'), 'utf8');
  const port = /http_port = "?(\d+)/.exec(cfg)[1];
  const center = cli('token', 'create', '--role', 'operator', '--scope', '320602001', '--name', '街道值班长');
  return { cli, port, tokens: { center }, down: () => { try { cli('stack', 'down'); } catch (_) { /* down */ } } };
}

module.exports = async function participation (ctx = {}) {
  fs.mkdirSync(out, { recursive: true });
  const started = Date.now();
  const mine = ctx.port ? null : own();
  const { cli, port, tokens } = mine || ctx;
  const signIn = ctx.signIn || signInToken;
  const base = `http://127.0.0.1:${port}`;
  const get = async (p) => {
    const res = await fetch(base + p, { headers: { Authorization: 'Bearer ' + tokens.center } });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  };
  const browser = await launch();
  const failures = [];
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
  context.setDefaultTimeout(30000);
  const page = await context.newPage();
  page.on('pageerror', (e) => failures.push(e.stack || e.message));
  const shot = (name, p = page) => p.screenshot({ path: path.join(out, 'participation-' + name + '.png'), fullPage: true });
  const go = (hash) => page.evaluate((h) => { location.hash = h; }, hash);
  try {
    // a volunteer of the community and their offer, registered as the
    // community would (the CLI); the rest is done in the page
    const day = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
    cli('volunteer', 'v-liu', '--name', '刘晓红', '--community', COMMUNITY, '--skills', 'escort,companionship', '--hours', '6');
    cli('need', 'offer', '--community', COMMUNITY, '--kind', 'service', '--skill', 'escort', '--what', '周末陪同老人就医、取药',
        '--from', day(Date.now() - 86400000), '--until', day(Date.now() + 10 * 86400000), '--volunteer', 'v-liu', '--minutes', '180');
    await signIn(page, port, tokens.center, '和平桥街道');
    for (const [name, title] of [['needs', '供需对接'], ['sites', '慈善站点'], ['points', '居民积分'], ['powers', '小微权力']])
      expect((await page.textContent('#nav-' + name)) === title, 'the nav lists ' + title);

    // --- 供需对接: post a need for a resident; its code is shown once
    await go('#/needs?community=' + COMMUNITY);
    await page.waitForSelector('#need-post');
    await page.selectOption('#need-post select[name=kind]', 'service');
    await page.fill('#need-post input[name=skill]', 'escort');
    const what = '独居老人王阿姨腿脚不便，下周二上午需要有人陪同到市第一人民医院复诊、取药，' +
                 '请志愿者提前电话联系。\u000b' + '老人听力较差，请耐心沟通。'.repeat(20);
    await page.fill('#need-post textarea[name=what]', what);
    await page.fill('#need-post input[name=person]', 'r-wang-0931');
    await page.fill('#need-post input[name=name]', '王秀英');
    await page.fill('#need-post input[name=phone]', '13962801234');
    await page.click('#need-post button[type=submit]');
    await page.waitForSelector('#need-code[data-code]');
    const need = await page.getAttribute('#need-code', 'data-need');
    const code = await page.getAttribute('#need-code', 'data-code');
    expect(/^XQ\d+$/.test(need) && /^\d{6}$/.test(code), 'the need and its code are shown: ' + need + ' ' + code);
    await page.waitForSelector(`#needs tr[data-id="${need}"][data-state="open"]`);
    expect((await page.textContent(`#needs tr[data-id="${need}"]`)).includes('王**'), 'the person\'s name is shown masked');
    await shot('needs');

    // the need: the volunteer's offer proposed, matched, accepted by both
    await page.click(`#needs tr[data-id="${need}"] a`);
    await page.waitForSelector('#proposals tr[data-offer]');
    const proposals = (await get(`/api/v1/needs/${need}/proposals`)).body;
    expect(await page.locator('#proposals tbody tr').count() === proposals.offers.length,
           'the page proposes the offers the API proposes');
    await page.click('#proposals tbody tr:first-child button.match');
    await page.waitForSelector(`#view-needs[data-need="${need}"][data-state="matched"] #accept-need`);
    await page.click('#accept-need');
    await page.waitForSelector('#accept-offer');
    await page.click('#accept-offer');
    await page.waitForSelector(`#view-needs[data-state="accepted"] #need-confirm`);
    // another person cannot confirm; the person served with their code can
    await page.fill('#need-confirm input[name=person]', 'r-someone-else');
    await page.fill('#need-confirm input[name=code]', code);
    await page.fill('#need-confirm input[name=minutes]', '90');
    await page.click('#need-confirm button[type=submit]');
    await page.waitForSelector('#view-needs .error[data-field="person"]');
    expect((await page.textContent('#view-needs .error')).includes('服务对象'), 'the refusal names 服务对象');
    await page.fill('#need-confirm input[name=person]', 'r-wang-0931');
    await page.click('#need-confirm button[type=submit]');
    await page.waitForSelector('#volunteer-minutes[data-minutes="90"]');
    expect((await page.textContent('#volunteer-minutes')).includes('刘') ||
           (await page.textContent('#volunteer-minutes')).includes('v-liu'), 'the volunteer is named');
    expect((await get(`/api/v1/needs/${need}`)).body.minutes === 90, 'the API has the 90 minutes credited');
    // the time bank credits them a moment later (fund reads the journal)
    let total = null;
    for (let i = 0; i < 50 && total === null; i++) {
      await go('#/needs'); await go(`#/needs/${need}`);
      await page.waitForSelector('#volunteer-minutes');
      total = await page.getAttribute('#volunteer-minutes span[data-total]', 'data-total').catch(() => null);
      if (total === null) await page.waitForTimeout(200);
    }
    expect(total === '90', 'the time bank shows the volunteer\'s 90 minutes: ' + total);
    const acct = (await get('/api/v1/funds/tb-baihe/accounts/tb-baihe.v.v-liu')).body;
    expect(acct.credits_posted - (acct.debits_posted || 0) === 90, 'as the fund API answers');
    await shot('need-served');
    // back in the community's list, the need is served
    await page.click(`#view-needs a[href="#/needs?community=${COMMUNITY}"]`);
    await page.waitForSelector(`#needs tr[data-id="${need}"][data-state="served"]`);

    // --- 慈善站点: a hand-out beyond the stock is refused naming 数量
    cli('fund', 'goods', 'in', '--site', SITE, '--item', 'rice', '--quantity', '12', '--party', '爱心企业');
    await go('#/sites/' + SITE);
    await page.waitForSelector('#site-stock tr[data-item="rice"]');
    const stock = (await get(`/api/v1/sites/${SITE}/stock`)).body;
    const rice = stock.items.find(i => i.item === 'rice').quantity;
    expect(await page.getAttribute('#site-stock tr[data-item="rice"]', 'data-quantity') === String(rice),
           'the stock shown is the API\'s: ' + rice);
    await page.fill('#goods-out input[name=item]', 'rice');
    await page.fill('#goods-out input[name=quantity]', String(rice + 1));
    await page.fill('#goods-out input[name=party]', '李建国');
    await page.click('#goods-out button[type=submit]');
    await page.waitForSelector('#view-sites .error[data-field="quantity"]');
    const refused = await page.textContent('#view-sites .error');
    expect(refused.includes('数量') && /[\u4e00-\u9fff]/.test(refused) && !/holds/.test(refused),
           'the refusal is in Chinese naming 数量: ' + refused);
    expect((await get(`/api/v1/sites/${SITE}/stock`)).body.items.find(i => i.item === 'rice').quantity === rice,
           'nothing was taken');
    await shot('site-refused');
    await page.fill('#goods-out input[name=quantity]', '2');
    await page.click('#goods-out button[type=submit]');
    await page.waitForSelector(`#site-stock tr[data-item="rice"][data-quantity="${rice - 2}"]`);
    expect((await page.textContent('#view-sites .notice')).includes('发放'), 'the hand-out is reported');

    // --- 居民积分: the volunteer's points, equal to the API's
    let pts = { status: 404 };
    for (let i = 0; i < 100 && pts.status !== 200; i++) {
      pts = await get('/api/v1/residents/v-liu/points');
      if (pts.status !== 200) await new Promise(r => setTimeout(r, 100));
    }
    expect(pts.status === 200 && pts.body.balance > 0, 'the service earned points: ' + JSON.stringify(pts.body));
    await go('#/points/v-liu');
    await page.waitForSelector('#points-balance');
    expect(await page.getAttribute('#points-balance', 'data-balance') === String(pts.body.balance),
           'the balance shown is the API\'s: ' + pts.body.balance);
    expect(await page.locator('#points-history tbody tr').count() === pts.body.history.length, 'every entry of the page');
    expect((await page.textContent('#points-history')).includes('志愿服务'), 'the act is named');
    // a rice bag costs more points than the service earned: refused, kept
    await page.fill('#redeem input[name=site]', SITE);
    await page.fill('#redeem input[name=item]', 'rice');
    await page.click('#redeem button[type=submit]');
    await page.waitForSelector('#view-points .error[data-field="quantity"]');
    expect((await page.textContent('#view-points .error')).includes('积分余额不足'),
           'the redemption is refused for the balance, in Chinese');
    expect((await get('/api/v1/residents/v-liu/points')).body.balance === pts.body.balance, 'no points were taken');
    await shot('points');
    // by the phone of a resident who never earned any: the refusal says so
    await go('#/points?phone=13800138000');
    await page.waitForSelector('#view-points .error[data-field]');
    const none = await page.textContent('#view-points .error');
    expect(none.includes('居民') && /[\u4e00-\u9fff]/.test(none), 'a phone without points is named: ' + none);

    // --- 小微权力: each active power's QR code loads as an image
    await go('#/powers/' + AREA);
    await page.waitForSelector('#powers tr[data-code="p01"] img.qr');
    const list = (await get(`/api/v1/public/powers/${AREA}`)).body;
    expect(await page.locator('#powers tbody tr').count() === list.items.length, 'every power is listed');
    await page.waitForFunction(() => [...document.querySelectorAll('#powers img.qr')]
      .every(i => i.complete && i.naturalWidth > 0), null, { timeout: 30000 });
    const qr = await page.evaluate(() => document.querySelector('#powers tr[data-code="p01"] img.qr').naturalWidth);
    expect(qr >= 21 * 8, 'the QR image is a drawn code (' + qr + ' px)');
    expect(await page.locator('#powers tr[data-status="withdrawn"] img').count() === 0, 'a withdrawn power has no code');
    await shot('powers');

    // --- the public page: the fund's goods in kind section, on a phone
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    phone.on('pageerror', (e) => failures.push(e.stack || e.message));
    await phone.goto(`${base}/public/?fund=baihe`);
    await phone.waitForSelector('body[data-ready="1"]');
    expect((await phone.textContent('#section-goods')).includes('实物捐赠公开'), 'the goods section is drawn');
    await shot('public-goods', phone);
    await phone.close();

    expect(failures.length === 0, 'no script errors: ' + failures.join('; '));
    console.log('browser: participation pages post a need, match, confirm and show the minutes, refuse a hand-out ' +
                'beyond the stock naming 数量, show a resident\'s points as the API, load each power\'s QR code (' +
                Math.round((Date.now() - started) / 1000) + ' s)');
  }
  catch (err) {
    await shot('failure').catch(() => {});
    throw err;
  }
  finally {
    await browser.close();
    if (mine) mine.down();
  }
};

// what place.test.js, a module of the same kind, shares
Object.assign(module.exports, { expect, signInToken, own });

if (require.main === module)
  module.exports().catch((err) => { console.error('participation test FAILED:', err.message); process.exitCode = 1; });
