'use strict';
// What a Node user would write instead: node:http and one ioredis client with auto-pipelining
// (all INCRs issued in one event-loop turn go to Redis as one pipeline), single process.
const http = require('node:http');
const Redis = require('ioredis');

const port = Number(process.env.PORT || 8080);
const key = process.env.COUNTER_KEY || 'views';
const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', {
  enableAutoPipelining: true,
  maxRetriesPerRequest: 1,
});

function page(title, sentence) {
  return '<!DOCTYPE html>\n'
    + '<html lang="en">\n'
    + `<head><meta charset="utf-8"><title>${title}</title></head>\n`
    + `<body><p>${sentence}</p></body>\n`
    + '</html>\n';
}

function send(res, status, title, sentence) {
  const body = page(title, sentence);
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=UTF-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

http.createServer((req, res) => {
  if (req.url !== '/') {
    send(res, 404, 'Not found', 'There is no page here.');
  } else if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    send(res, 405, 'Method not allowed', 'This address answers GET only.');
  } else {
    redis.incr(key).then(
      (views) => send(res, 200, 'Hit counter', `Hello! This page has been seen ${views} times.`),
      () => send(res, 503, 'Service unavailable', 'The view counter is unavailable right now.'));
  }
}).listen(port, '127.0.0.1');
