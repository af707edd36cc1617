// Tiny Node HTTP service logging with pino | winston | bunyan | morgan (access log).
// Usage: NODE_PATH=.../node_modules node node_app.js MODE LOGFILE
// It serves on 127.0.0.1 (ephemeral port), then drives its own traffic:
// ok pages, 404s, a thrown error (500 with stack), a refused DB connection, a slow request.
const http = require('http');
const net = require('net');
const fs = require('fs');
const [mode, file] = process.argv.slice(2);

let log;
if (mode === 'pino') {
  const pino = require('pino');
  log = pino({ level: 'trace' }, pino.destination({ dest: file, sync: true }));
} else if (mode === 'winston') {
  const winston = require('winston');
  log = winston.createLogger({
    level: 'silly',
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }),
      winston.format.json()),
    transports: [new winston.transports.File({ filename: file })],
  });
} else if (mode === 'bunyan') {
  const bunyan = require('bunyan');
  log = bunyan.createLogger({ name: 'shop', serializers: bunyan.stdSerializers,
    streams: [{ level: 'trace', path: file }] });
} else if (mode !== 'morgan') {
  throw new Error('unknown mode ' + mode);
}

function err(e, msg) {
  if (mode === 'pino' || mode === 'bunyan') log.error({ err: e }, msg);
  else if (mode === 'winston') log.error(msg, e);
}

function dbCheck(cb) {
  const s = net.connect({ host: '127.0.0.1', port: 5999 });
  s.on('connect', () => { s.end(); cb(null); });
  s.on('error', (e) => cb(e));
}

function handler(req, res) {
  const t0 = Date.now();
  const done = (code, body) => {
    res.writeHead(code, { 'content-type': 'text/plain' }); res.end(body);
    if (log) {
      const line = `${req.method} ${req.url} ${code} ${Date.now() - t0}ms`;
      if (code >= 500) log.error(line); else if (code >= 400) log.warn(line); else log.info(line);
    }
  };
  try {
    if (req.url === '/') return done(200, 'hello\n');
    if (req.url === '/boom') {
      const order = undefined;
      return done(200, order.total.toFixed(2));
    }
    if (req.url === '/db') {
      return dbCheck((e) => {
        if (e) { err(e, 'database health check failed'); return done(503, 'db down\n'); }
        done(200, 'db ok\n');
      });
    }
    if (req.url === '/slow') return setTimeout(() => done(200, 'late\n'), 300);
    if (req.url === '/login' && req.method === 'POST') {
      if (log) log.warn('failed login for user admin from 127.0.0.1');
      return done(401, 'no\n');
    }
    if (log && log.debug) log.debug('no route for ' + req.url);
    return done(404, 'not found\n');
  } catch (e) {
    err(e, 'unhandled error in request handler');
    return done(500, 'internal error\n');
  }
}

let server;
if (mode === 'morgan') {
  const express = require('express');
  const morgan = require('morgan');
  const app = express();
  app.use(morgan('combined', { stream: fs.createWriteStream(file, { flags: 'a' }) }));
  app.use(handler);
  server = http.createServer(app);
} else {
  server = http.createServer(handler);
}

function get(port, path, method = 'GET') {
  return new Promise((resolve) => {
    const r = http.request({ host: '127.0.0.1', port, path, method,
      headers: { 'user-agent': 'corpus-client/1.0', referer: 'http://127.0.0.1/' } }, (res) => {
      res.resume(); res.on('end', resolve);
    });
    r.on('error', resolve); r.end();
  });
}

server.listen(0, '127.0.0.1', async () => {
  const port = server.address().port;
  if (log) {
    log.info(`listening on 127.0.0.1:${port}`);
    if (log.trace) log.trace('trace logging enabled');
    log.debug('config loaded from defaults');
  }
  const paths = ['/', '/missing', '/', '/boom', '/db', '/slow', '/favicon.ico', '/', '/wp-admin/',
    '/boom', '/', '/db', '/robots.txt', '/'];
  for (const p of paths) await get(port, p);
  await get(port, '/login', 'POST');
  await get(port, '/login', 'POST');
  for (let i = 0; i < 6; i++) { await get(port, '/'); await get(port, '/static/app.js'); }
  if (log) {
    if (mode === 'pino' || mode === 'bunyan') log.fatal('database unreachable for too long, shutting down');
    else log.error('database unreachable for too long, shutting down');
  }
  server.close(() => { if (log && log.info) log.info('server closed'); setTimeout(() => process.exit(0), 300); });
});
