// The browser's only way out: an HTTP proxy on the container's loopback that Chromium sends every request through
// (plain HTTP, and CONNECT for HTTPS and WebSockets; loopback too, with --proxy-bypass-list=<-loopback>). Each request's
// host is resolved here and refused when any of its addresses is in a denied range (private, loopback, link-local,
// the host's own: PAPERPOD_EGRESS_DENY, from the worker) and not in an allowed one (PAPERPOD_EGRESS_ALLOW); the
// connection then goes to the address that was checked, so a name cannot resolve to another one in between.
//
// Preview URLs (http://8080-sbx-….localhost:8080/, /preview/sbx-…/8080/ on the preview domain) go to the worker's
// preview relay instead, a Unix socket mounted at PAPERPOD_PREVIEW_SOCKET, which hands them to the api's preview proxy
// as any client's request: the api checks the preview and tunnels to the sandbox.
//
// What went wrong is told in the X-PaperPod-Egress header of the answer: "refused <reason>" or
// "failed <net::ERR_…> <reason>". Chromium hides the answers to CONNECT, so the worker explains those itself.
'use strict';
const http = require('http');
const net = require('net');
const dns = require('dns').promises;

function blockList(spec) {
  const list = new net.BlockList();
  for (const entry of (spec || '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split('/');
    const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix || (family === 'ipv6' ? 128 : 32)), family);
  }
  return list;
}

const denied = blockList(process.env.PAPERPOD_EGRESS_DENY);
const allowed = blockList(process.env.PAPERPOD_EGRESS_ALLOW);
const previewSocket = process.env.PAPERPOD_PREVIEW_SOCKET || '';
const previewDomain = (process.env.PAPERPOD_PREVIEW_DOMAIN || '').toLowerCase();
const previewHost = new RegExp(
  '^[0-9]{1,5}-sbx-[0-9a-f-]{12}\\.' + previewDomain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$');

/** Whether a request for hostname (and path; null for a CONNECT) is for a preview URL, which the relay takes. */
function forPreview(hostname, path) {
  if (!previewSocket || !previewDomain) {
    return false;
  }
  const host = hostname.toLowerCase();
  return previewHost.test(host) || (host === previewDomain && (path === null || path.startsWith('/preview/')));
}

function family(address) {
  return net.isIPv6(address) ? 'ipv6' : 'ipv4';
}

/** An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is. */
function plain(address) {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

function refusedAddress(address) {
  const a = plain(address);
  return denied.check(a, family(a)) && !allowed.check(a, family(a));
}

/** The addresses to connect to, or an error with the header's words. */
async function resolve(host) {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  let addresses;
  if (net.isIP(bare)) {
    addresses = [bare];
  } else {
    try {
      addresses = (await dns.lookup(bare, { all: true, verbatim: true })).map((r) => r.address);
    } catch (e) {
      throw { header: 'failed net::ERR_NAME_NOT_RESOLVED ' + bare + ' does not resolve (' + e.code + ')' };
    }
  }
  const refused = addresses.find(refusedAddress);
  if (refused !== undefined) {
    const what = bare === refused ? refused : bare + ' (' + refused + ')';
    throw { header: 'refused ' + what + ' is a private, loopback, link-local or PaperPod address', refused: true };
  }
  return addresses;
}

function answer(res, status, header) {
  const body = '<!doctype html><title>' + status + '</title><p>PaperPod: ' + header.replace(/[<&]/g, '') + '</p>';
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-PaperPod-Egress': header,
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function start(port) {
  const server = http.createServer(async (req, res) => {
    let target;
    try {
      target = new URL(req.url);
    } catch (e) {
      return answer(res, 400, 'failed net::ERR_INVALID_URL not a proxy request');
    }
    if (target.protocol !== 'http:') {
      return answer(res, 400, 'failed net::ERR_DISALLOWED_URL_SCHEME ' + target.protocol);
    }
    const headers = { ...req.headers, host: target.host };
    delete headers['proxy-connection'];
    const options = { method: req.method, path: target.pathname + target.search, headers, setHost: false };
    if (forPreview(target.hostname, target.pathname)) {
      options.socketPath = previewSocket;
      options.agent = false; // one request per connection: the relay lets no second one through
    } else {
      let addresses;
      try {
        addresses = await resolve(target.hostname);
      } catch (e) {
        return answer(res, e.refused ? 403 : 502, e.header);
      }
      options.host = addresses[0];
      options.port = target.port || 80;
    }
    const upstream = http.request(
      options,
      (up) => {
        up.on('error', () => res.destroy());
        res.writeHead(up.statusCode, up.statusMessage, up.rawHeaders);
        up.pipe(res);
      },
    );
    req.on('error', () => upstream.destroy());
    res.on('error', () => upstream.destroy());
    upstream.on('error', (e) => {
      if (!res.headersSent) {
        answer(res, 502, 'failed net::ERR_CONNECTION_REFUSED ' + target.host + ': ' + e.code);
      } else {
        res.destroy();
      }
    });
    req.pipe(upstream);
  });

  server.on('connect', async (req, client, head) => {
    client.on('error', () => client.destroy()); // from the start: a refusal's answer may meet a reset
    const [host, portText] = splitHostPort(req.url);
    let to;
    if (forPreview(host, null)) {
      to = { path: previewSocket }; // a preview's WebSocket: the relay reads the request inside
    } else {
      let addresses;
      try {
        addresses = await resolve(host);
      } catch (e) {
        client.end('HTTP/1.1 ' + (e.refused ? '403 Forbidden' : '502 Bad Gateway') + '\r\nX-PaperPod-Egress: '
          + e.header + '\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      to = { port: Number(portText || 443), host: addresses[0] };
    }
    const upstream = net.connect(to, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head && head.length) {
        upstream.write(head);
      }
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', () => {
      if (!client.destroyed) {
        client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      }
    });
    client.on('error', close);
  });

  server.on('clientError', (e, socket) => socket.destroy());
  return new Promise((ready) => server.listen(port, '127.0.0.1', () => ready(server)));
}

function splitHostPort(authority) {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority);
  if (v6) {
    return [v6[1], v6[2]];
  }
  const i = authority.lastIndexOf(':');
  return i < 0 ? [authority, undefined] : [authority.slice(0, i), authority.slice(i + 1)];
}

module.exports = { start };
