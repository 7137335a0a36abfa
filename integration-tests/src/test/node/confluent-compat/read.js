'use strict';
// Reads topics from the beginning with kafkajs (read_committed) and deserializes each value with
// Confluent's own AvroDeserializer (@confluentinc/schemaregistry): what a Node.js consumer of the
// system's topics does.
//
//   node read.js --bootstrap-servers HOST:PORT --registry-url URL --plan PLAN.json --out RECORDS.jsonl
//
// PLAN.json: {"timeoutMs": 60000, "settleMs": 500,
//             "jobs": [{"topic": T, "count": N, "useLatestVersion": false}]}
// Each job's topic is read until N records arrived, then for settleMs more (a record too many shows up),
// or until timeoutMs in all. useLatestVersion: the deserializer reads with the latest schema of
// <topic>-value as its reader schema (Avro schema resolution), else with each record's writer schema.
// RECORDS.jsonl: one line per record, {"topic", "partition", "offset", "key", "schemaId", "value"} with
// the value in the JSON form of common.js, or {"topic", "partition", "offset", "error"} when Confluent's
// deserializer refused it. Exit code 0 when every job got its N records, 3 on the timeout (the lines
// are written either way), 1 when the script itself fails.

const fs = require('node:fs');
const crypto = require('node:crypto');
const { AvroDeserializer, SerdeType } = require('@confluentinc/schemaregistry');
const { options, registry, kafka, schemaIdOf, toJsonText } = require('./common');

async function main() {
  const opts = options('node read.js --bootstrap-servers B --registry-url R --plan PLAN.json --out RECORDS.jsonl');
  const timeoutMs = opts.plan.timeoutMs ?? 60_000;
  const settleMs = opts.plan.settleMs ?? 500;
  const client = registry(opts.registryUrl);
  const jobs = new Map(opts.plan.jobs.map((job) => [job.topic, {
    count: job.count,
    seen: 0,
    deserializer: new AvroDeserializer(client, SerdeType.VALUE, { useLatestVersion: Boolean(job.useLatestVersion) }),
  }]));
  const lines = [];
  const consumer = kafka(opts.bootstrapServers, 'confluent-compat-reader').consumer({
    groupId: `confluent-compat-${crypto.randomUUID()}`,
    readUncommitted: false, // isolation.level=read_committed: what the services' transactions committed
    allowAutoTopicCreation: false,
    // A fetch waits at most this long for data; disconnect() waits for the fetch in flight (default 5 s).
    maxWaitTimeInMs: 250,
  });
  let allArrived;
  const arrived = new Promise((resolve) => { allArrived = resolve; });
  const check = () => {
    if ([...jobs.values()].every((job) => job.seen >= job.count)) {
      allArrived(true);
    }
  };

  await consumer.connect();
  let timedOut = false;
  try {
    await consumer.subscribe({ topics: [...jobs.keys()], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const job = jobs.get(topic);
        const line = { topic, partition, offset: Number(message.offset), key: message.key?.toString('utf8') ?? null };
        try {
          line.schemaId = schemaIdOf(message.value);
          const value = await job.deserializer.deserialize(topic, message.value);
          lines.push(`{"topic":${JSON.stringify(topic)},"partition":${partition},"offset":${line.offset},`
            + `"key":${JSON.stringify(line.key)},"schemaId":${line.schemaId},"value":${toJsonText(value)}}`);
        } catch (e) {
          line.error = String(e && e.stack ? e.stack : e);
          lines.push(JSON.stringify(line));
        }
        job.seen++;
        check();
      },
    });
    check(); // a job may ask for 0 records
    let timer;
    const deadline = new Promise((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
    timedOut = !(await Promise.race([arrived, deadline]));
    clearTimeout(timer); // else it keeps the process alive until it fires
    if (!timedOut) {
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    }
  } finally {
    await consumer.disconnect();
  }
  fs.writeFileSync(opts.out, lines.map((l) => `${l}\n`).join(''));
  if (timedOut) {
    const missing = [...jobs.entries()].filter(([, j]) => j.seen < j.count).map(([t, j]) => `${t}: ${j.seen} of ${j.count}`);
    console.error(`timed out after ${timeoutMs} ms: ${missing.join(', ')}`);
    process.exit(3);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
