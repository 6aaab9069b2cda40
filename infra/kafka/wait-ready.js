// Waits until a Kafka broker answers a metadata request (kafkajs admin listTopics).
// Usage: node wait-ready.js <host:port> <timeout-seconds> [broker-pid]
// Exit codes: 0 ready, 1 timed out, 2 broker process gone, 3 kafkajs not installed.
'use strict';

const { setTimeout: sleep } = require('node:timers/promises');

let Kafka, logLevel;
try {
  ({ Kafka, logLevel } = require('kafkajs'));
} catch {
  process.exit(3);
}

const [broker, timeoutSeconds = '60', pid] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutSeconds) * 1000;

function alive() {
  if (!pid) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

async function answers() {
  const kafka = new Kafka({
    clientId: 'aidwatch-wait-ready',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

(async () => {
  while (Date.now() < deadline) {
    if (!alive()) process.exit(2);
    if (await answers()) process.exit(0);
    await sleep(250);
  }
  process.exit(1);
})();
