// Runs one Chromium behind playwright-core's browser server; the worker connects with Playwright for Java.
// PAPERPOD_BROWSER_KEY is the secret path of the WebSocket endpoint: only who knows it can drive the browser.
// Prints "ready <ws endpoint>" when it takes connections; ends the browser on SIGTERM.
'use strict';
const { chromium } = require('/opt/playwright-core');

const key = process.env.PAPERPOD_BROWSER_KEY;
if (!key || !/^[A-Za-z0-9_-]{16,}$/.test(key)) {
  console.error('PAPERPOD_BROWSER_KEY is missing or too short');
  process.exit(2);
}

(async () => {
  const server = await chromium.launchServer({
    host: '0.0.0.0',
    port: Number(process.env.PAPERPOD_BROWSER_PORT || 3000),
    wsPath: '/' + key,
    executablePath: '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: [
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-breakpad',
    ],
  });
  const stop = async () => {
    try {
      await server.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log('ready ' + server.wsEndpoint().replace(key, '<key>'));
})().catch((e) => {
  console.error('the browser did not start: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
