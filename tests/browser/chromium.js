/*  chromium — how every browser test and the console's benchmark start
    Debian's chromium through playwright-core: headless, without a sandbox
    (the tests run as root in CI), and with nothing that would reach for
    the internet (QUIC, background networking, component updates, sync).
    A caller adds its own options and flags: options ({ viewport, args }). */
'use strict';
const { chromium } = require('playwright-core');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
              '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function options (extra = {}) {
  return { executablePath: '/usr/bin/chromium', headless: true, ...extra,
           args: [...ARGS, ...(extra.args || [])] };
}

module.exports = {
  chromium,
  options,
  /*  A browser whose contexts the caller makes. */
  launch: (extra) => chromium.launch(options(extra)),
  /*  A browser on a profile of its own (one person's sign-in, shared by its tabs). */
  launchPersistent: (profile, extra) => chromium.launchPersistentContext(profile, options(extra)),
};
