#!/usr/bin/env node
// A webhook receiver for trying AidWatch's subscriptions on one machine: listens on 127.0.0.1, checks each
// delivery's Standard Webhooks signature with the `standardwebhooks` library and the subscription's secret,
// answers 204 (verified) or 401 (not), and prints one line per delivery.
//
//   node scripts/webhook-receiver.js --port 8090 --secret whsec_…      (WEBHOOK_SECRET works too)
//
// Exits 2 on bad usage. Stop it with Ctrl-C.
const { Buffer } = require('node:buffer');
const http = require('node:http');
const { parseArgs } = require('node:util');
const { Webhook } = require('standardwebhooks');

let values;
try {
  ({ values } = parseArgs({
    options: { port: { type: 'string', default: '8090' }, secret: { type: 'string' } },
    strict: true,
  }));
} catch (error) {
  process.stderr.write(
    `${error.message}\nusage: node scripts/webhook-receiver.js --port 8090 --secret whsec_…\n`,
  );
  process.exit(2);
}
const secret = values.secret ?? process.env.WEBHOOK_SECRET;
const port = Number(values.port);
if (!secret || !Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(
    'usage: node scripts/webhook-receiver.js --port 8090 --secret whsec_… (or WEBHOOK_SECRET)\n',
  );
  process.exit(2);
}
const webhook = new Webhook(secret);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      const event = webhook.verify(body, req.headers);
      const data = event.data ?? {};
      process.stdout.write(
        `verified ${req.headers['webhook-id']}: ${event.type} ${data.alertId ?? data.flagId ?? ''} ${data.rule ?? ''}\n`,
      );
      res.writeHead(204).end();
    } catch (error) {
      process.stdout.write(`REFUSED ${req.headers['webhook-id'] ?? '(no id)'}: ${error.message}\n`);
      res.writeHead(401).end();
    }
  });
});
server.listen(port, '127.0.0.1', () =>
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}/ (Ctrl-C stops)\n`),
);
server.on('error', (error) => {
  process.stderr.write(`cannot listen on 127.0.0.1:${port}: ${error.message}\n`);
  process.exit(1);
});
process.on('SIGINT', () => server.close(() => process.exit(0)));
