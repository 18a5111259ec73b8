// Runs one Chromium behind playwright-core's browser server; the worker connects with Playwright for Java.
// PAPERPOD_BROWSER_KEY is the secret path of the WebSocket endpoint: only who knows it can drive the browser.
// Prints "ready <ws endpoint>" when it takes connections; ends the browser on SIGTERM. Every page's request goes
// through the egress proxy (egress-proxy.js), which refuses private, loopback and link-local addresses.
'use strict';
const { chromium } = require('/opt/playwright-core');
const egress = require('./egress-proxy.js');

const key = process.env.PAPERPOD_BROWSER_KEY;
if (!key || !/^[A-Za-z0-9_-]{16,}$/.test(key)) {
  console.error('PAPERPOD_BROWSER_KEY is missing or too short');
  process.exit(2);
}

const PROXY_PORT = 3128;

// One connection that breaks (a page's, the worker's) must not end the browser that every later job uses: a socket
// error nobody listened for is logged and the rest carries on. Anything else is a bug: the container ends, and the
// worker replaces it.
const NETWORK_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNREFUSED', 'EHOSTUNREACH']);
process.on('uncaughtException', (e) => {
  if (e && NETWORK_ERRORS.has(e.code)) {
    console.error('a connection broke: ' + e.code + ' (' + (e.syscall || '') + ')');
    return;
  }
  console.error('the browser server failed: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});

(async () => {
  await egress.start(PROXY_PORT);
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
      // every request, loopback too, through the egress proxy; no WebRTC UDP around it
      '--proxy-server=http://127.0.0.1:' + PROXY_PORT,
      '--proxy-bypass-list=<-loopback>',
      '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
      '--webrtc-ip-handling-policy=disable_non_proxied_udp',
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
