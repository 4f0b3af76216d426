// The public page on a phone (390×844, Chinese locale), no sign-in: a
// village's list of small and micro powers (小微权力清单), one power opened
// by the address its QR code carries, an anonymous report of its misuse
// (a long Chinese text with Word's manual line break in it) answered with
// a receipt, and the receipt's page showing the progress and the office
// handling it (the town's 纪检监察办公室) and nothing of the report; the
// list then counts the report under its power.  A
// withdrawn power shows no form; an unknown one says which it is.  Nothing
// on the page is wider than the phone.  The list's page also shows the
// village's published volunteer statistics (the needs section).
//
// A module of the browser stage: `module.exports = async function (ctx)`.
// ctx may carry { cli, port, browser } of a stack and a browser already
// up; without them it brings its own (and takes them down).  Screenshots
// go to build/test-output/public-*.png.
'use strict';
const { launchPersistent } = require('./chromium');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = process.env.CG_ROOT || path.resolve(__dirname, '../..');
const bin = process.env.CG_BIN || path.join(root, 'build/bin');
const tmp = process.env.CG_TEST_TMP || os.tmpdir();
const out = path.join(root, 'build/test-output');
const AREA = '320612005003';            // 西亭镇通江村 (deploy/demo/powers/)
const PHONE = { width: 390, height: 844 };

function expect (ok, what) {
  if (!ok) throw new Error('expected: ' + what);
}

async function own () {
  const dir = fs.mkdtempSync(path.join(tmp, 'public.'));
  const cli = (...args) => execFileSync(path.join(bin, 'civgrid'), [...args, '--dir', dir],
                                        { encoding: 'utf8' }).trim();
  cli('stack', 'up', '--port-base', 'auto');
  const cfg = fs.readFileSync(path.join(dir, 'civgrid.cfg'), 'utf8');
  const port = /http_port = "?(\d+)/.exec(cfg)[1];
  const profile = fs.mkdtempSync(path.join(tmp, 'chromium.'));
  const browser = await launchPersistent(profile, { locale: 'zh-CN' });
  const down = async () => {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
    try { cli('stack', 'down'); } catch (_) { /* already down */ }
  };
  return { cli, port, browser, down };
}

module.exports = async function publicPage (ctx = {}) {
  fs.mkdirSync(out, { recursive: true });
  const mine = ctx.port ? null : await own();
  const { port, browser } = mine || ctx;
  const base = `http://127.0.0.1:${port}`;
  const page = await browser.newPage();
  await page.setViewportSize(PHONE);
  page.setDefaultTimeout(60000);
  const failures = [];
  page.on('pageerror', (e) => failures.push(e.message));
  const shot = (name) => page.screenshot({ path: path.join(out, 'public-' + name + '.png'), fullPage: true });
  const open = async (query) => {
    await page.goto(`${base}/public/${query}`);
    await page.waitForSelector('body[data-ready="1"]');
  };
  const fitsPhone = async (what) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width <= PHONE.width, `${what} fits a phone's width (${width} px)`);
  };
  try {
    // the village's list: every power, the withdrawn one marked so
    await open('?area=' + AREA);
    expect((await page.textContent('#title')) === '西亭镇通江村', 'the village is named');
    expect(await page.locator('ul.powers li').count() === 8, 'the list shows its 8 powers');
    expect((await page.textContent('li[data-code="p08"]')).includes('已撤销'), 'p08 is shown withdrawn');
    // beside it, the village's published volunteer statistics (needs' section)
    await page.waitForSelector('#needs-stats dd[data-k="posted"]');
    await fitsPhone('the list');
    await shot('list');

    // the QR code's address opens the power with its steps and the form
    const item = await (await fetch(`${base}/api/v1/public/powers/${AREA}/p02`)).json();
    await page.goto(item.url.replace(/^http:\/\/[^/]+/, base));
    await page.waitForSelector('#report');
    expect((await page.textContent('#power-matter')).includes('最低生活保障评议'), 'the power is the one scanned');
    expect(await page.locator('ol.steps li').count() === item.steps.length, 'every step is listed');
    await fitsPhone('a power');
    await shot('power');

    // an anonymous report: a long text pasted from Word, no name, no phone
    const text = '2026年11月，本村低保评议没有召开民主评议会议，村委会主任直接把两个名额报给了自己的亲属，' +
                 '村务公开栏也没有公示评议结果。\u000b' + '村民多次询问，村委会都说已经报到镇里了。'.repeat(12);
    await page.fill('#report-text', text);
    await page.click('#report button[type=submit]');
    await page.waitForSelector('#receipt-code');
    const receipt = (await page.textContent('#receipt-code')).trim();
    expect(/^CG\w+-[0-9a-f]{10}$/.test(receipt), 'a receipt is given: ' + receipt);
    await shot('receipt');

    // the receipt's page: the progress and who handles it, nothing personal
    await page.click('#receipt-link');
    await page.waitForSelector('#receipt-office');
    expect((await page.textContent('#receipt-office')) === '西亭镇纪检监察办公室',
           'the town\'s discipline office handles it, not the village committee it names');
    expect(['已受理', '已转办'].includes((await page.textContent('#receipt-state')).trim()), 'its state is shown');
    expect(!(await page.textContent('body')).includes('亲属'), 'the report\'s text is not on the receipt\'s page');
    await fitsPhone('the progress');
    await shot('progress');

    // the list publishes the report: under its power, and in the town's outcomes
    await open('?area=' + AREA);
    await page.waitForSelector('li[data-code="p02"][data-reports="1"]');
    expect((await page.textContent('#outcomes')).includes('西亭镇'), 'the town\'s outcomes are published');

    // a withdrawn power takes no report; an unknown one is named
    await open(`?area=${AREA}&power=p08`);
    expect(await page.isVisible('#withdrawn') && await page.locator('#report').count() === 0,
           'a withdrawn power shows no form');
    await open(`?area=${AREA}&power=p99`);
    const refusal = await page.textContent('#section-powers .error');
    expect(refusal.includes('p99') && await page.getAttribute('#section-powers .error', 'data-field') === 'code',
           'an unknown power is named: ' + refusal);
    await shot('unknown');
    expect(failures.length === 0, 'no script errors: ' + failures.join('; '));
    console.log('browser: public page lists a village\'s powers, opens one by its QR address, takes an anonymous ' +
                'report with a receipt, shows its progress, refuses a withdrawn and an unknown power, on a phone');
  }
  catch (err) {
    await shot('failure').catch(() => {});
    throw err;
  }
  finally {
    await page.close();
    if (mine) await mine.down();
  }
};

if (require.main === module)
  module.exports().catch((err) => { console.error('public page test FAILED:', err.message); process.exitCode = 1; });
