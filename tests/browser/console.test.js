// The console in a real browser: Debian's chromium, headless, driven by
// playwright-core, against a real stack (the CLI's `stack up` on free
// ports, the gateway serving the console).  An operator signs in with a
// token, sees a case submitted from the CLI appear in the queue without
// reloading, accepts and resolves it from the case page, opens the
// dashboard, and (moving the page's clock on) sees a countdown turn amber
// at the warning point and red when overdue.  Screenshots go to build/test-output/.  Exits non-zero on
// the first failed expectation, after taking the stack down.
'use strict';
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = process.env.CG_ROOT || path.resolve(__dirname, '../..');
const bin = process.env.CG_BIN || path.join(root, 'build/bin');
const tmp = process.env.CG_TEST_TMP || os.tmpdir();
const out = path.join(root, 'build/test-output');
const dir = fs.mkdtempSync(path.join(tmp, 'browser.'));
const TIMEOUT = 60000;

function cli (...args) {
  return execFileSync(path.join(bin, 'civgrid'), [...args, '--dir', dir], { encoding: 'utf8' }).trim();
}

function expect (ok, what) {
  if (!ok) throw new Error('expected: ' + what);
}

async function main () {
  fs.mkdirSync(out, { recursive: true });
  cli('stack', 'up', '--port-base', 'auto');
  const cfg = fs.readFileSync(path.join(dir, 'civgrid.cfg'), 'utf8');
  const port = /http_port = "?(\d+)/.exec(cfg)[1];
  // the unit that signs for noise cases in 和平桥街道 (签收 is a unit's act)
  const token = cli('token', 'create', '--role', 'operator', '--scope', '320602001-huanbao', '--name', '环保所值班员');
  const profile = fs.mkdtempSync(path.join(tmp, 'chromium.'));
  // a fresh profile: playwright passes it to chromium as --user-data-dir
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
  });
  const page = browser.pages()[0] || await browser.newPage();
  try {
    page.setDefaultTimeout(TIMEOUT);
    const failures = [];
    page.on('pageerror', (e) => failures.push(e.message));
    page.on('requestfailed', (r) => { if (!r.url().includes('/api/v1/stream')) failures.push(r.url()); });

    // the page's clock is playwright's, so the test can move it on
    await page.clock.install();
    // sign in: a wrong token is refused with a reason, the right one lets in
    await page.goto(`http://127.0.0.1:${port}/console/`);
    await page.fill('#token', 'cgt_wrong');
    await page.click('#signin button');
    await page.waitForSelector('#signin-error:has-text("登录失败")');
    await page.fill('#token', token);
    await page.click('#signin button');
    await page.waitForSelector('#view-queue:not([hidden])');
    await page.waitForSelector('#live.on');
    expect((await page.textContent('#who')).includes('和平桥街道'), 'the operator\'s town is shown');

    // a case submitted from the CLI appears without a reload
    let navigations = 0;
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });
    const id = cli('submit', '--source', 'hotline', '--ext-ref', 'GD-BROWSER-1', '--category', 'noise',
                   '--text', '广场舞音响扰民，请尽快处理', '--grid', '320602001001001').split(/\s/)[0];
    const row = `#queue tbody tr[data-id="${id}"]`;
    await page.waitForSelector(row);
    expect(navigations === 0, 'the queue updated live, without reloading the page');
    expect(/\d+分\d+秒/.test(await page.textContent(row + ' .countdown')), 'a countdown runs');
    expect(await page.getAttribute(row, 'data-urgency') === 'ok', 'a fresh case is not late');
    // another town's case never shows
    const other = cli('submit', '--category', 'noise', '--text', '别的街道', '--grid', '320602002001001').split(/\s/)[0];
    const third = cli('submit', '--category', 'noise', '--text', '本街道第二件', '--grid', '320602001001002').split(/\s/)[0];
    await page.waitForSelector(`#queue tbody tr[data-id="${third}"]`);
    expect(await page.$(`#queue tbody tr[data-id="${other}"]`) === null, 'another town\'s case stays hidden');
    await page.screenshot({ path: path.join(out, 'console-queue.png'), fullPage: true });
    // the search narrows the queue to one case
    await page.fill('#search', '本街道第二件');
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, '#queue tbody tr');
    expect(await page.$(`#queue tbody tr[data-id="${third}"]`) !== null, 'the search finds its case');
    await page.fill('#search', '');
    await page.waitForSelector(row);

    // the case page: accept, then resolve with a result
    await page.click(row);
    await page.waitForSelector('#view-case:not([hidden])');
    await page.waitForSelector('#case-title:has-text("待签收")');
    expect((await page.textContent('#case-details')).includes('和平桥街道'), 'the location names the town');
    await page.click('#act-accept');
    await page.waitForSelector('#case-title:has-text("办理中")');
    await page.waitForSelector('#case-timeline li:has-text("环保所值班员")');
    await page.fill('#note', '已上门劝导，音量已降低');
    await page.click('#act-resolve');
    await page.waitForSelector('#case-title:has-text("已办结")');
    await page.screenshot({ path: path.join(out, 'console-case.png'), fullPage: true });
    const shown = JSON.parse(cli('case', 'show', id, '--json'));
    expect(shown.state === 'resolved' && shown.result === '已上门劝导，音量已降低', 'dispatch has the case resolved');

    // the dashboard draws its charts
    await page.click('#nav-dashboard');
    await page.waitForSelector('#chart-hourly canvas');
    await page.waitForSelector('#chart-hotspots canvas');
    await page.waitForSelector('#chart-satisfaction.nodata');
    await page.screenshot({ path: path.join(out, 'console-dashboard.png'), fullPage: true });

    // countdowns: amber from 80% of the sign-for limit, red once past it
    await page.click('#nav-queue');
    const thirdRow = `#queue tbody tr[data-id="${third}"]`;
    await page.waitForSelector(thirdRow);
    const c = JSON.parse(cli('case', 'show', third, '--json'));
    const now = await page.evaluate(() => Date.now());
    await page.clock.fastForward(Math.ceil(c.created + 0.85 * (c.sign_by - c.created) - now));
    await page.waitForSelector(thirdRow + '[data-urgency="warning"] .countdown.warning');
    await page.screenshot({ path: path.join(out, 'console-queue-warning.png'), fullPage: true });
    await page.clock.fastForward(Math.ceil(c.sign_by - c.created) * 0.2 + 60000);
    await page.waitForSelector(thirdRow + '[data-urgency="overdue"] .countdown.overdue');
    expect((await page.textContent(thirdRow + ' .countdown')).startsWith('超时'), 'an overdue countdown says so');
    await page.screenshot({ path: path.join(out, 'console-queue-overdue.png'), fullPage: true });
    expect(failures.length === 0, 'no script errors or failed requests: ' + failures.join('; '));
  }
  catch (err) {
    await page.screenshot({ path: path.join(out, 'console-failure.png'), fullPage: true }).catch(() => {});
    throw err;
  }
  finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main()
  .then(() => { console.log('browser: console signs in, updates live, accepts, resolves, draws the dashboard, colours countdowns'); })
  .catch((err) => { console.error('browser test FAILED:', err.message); process.exitCode = 1; })
  .finally(() => { try { cli('stack', 'down'); } catch (_) { /* already down */ } });
