'use strict';
// Writes records with Confluent's own AvroSerializer (@confluentinc/schemaregistry) and produces them
// with kafkajs: what a Node.js producer of the system's topics does.
//
//   node write.js --bootstrap-servers HOST:PORT --registry-url URL --plan PLAN.json --out RESULT.json
//
// PLAN.json: {"jobs": [{"topic": T, "mode": M, "schema": AVRO-SCHEMA-TEXT, "records": [{"key": K, "value": V}]}]}
// with V in the JSON form of common.js. Modes, each the subject <topic>-value (TopicNameStrategy):
//   register  the application registers "schema" with the client's register() and writes with that id
//             (useSchemaId), Confluent's way to write a given schema;
//   latest    useLatestVersion: writes with the latest schema of the subject, registered by someone else;
//   auto      autoRegisterSchemas: Confluent's JS serializer then registers a schema it infers from the
//             value (records named Record1, numbers int or float/double by value), not "schema";
//             "schema" only turns the JSON into values.
// RESULT.json: [{"topic", "mode", "schemaId", "count"}] or, for a job that failed, {"topic", "mode", "error"};
// the exit code is 0 either way, 1 only when the script itself fails.

const fs = require('node:fs');
const { AvroSerializer, SerdeType } = require('@confluentinc/schemaregistry');
const { options, registry, kafka, javaCompatiblePartitioner, schemaIdOf, fromJson, typeOf } = require('./common');

async function main() {
  const opts = options('node write.js --bootstrap-servers B --registry-url R --plan PLAN.json --out RESULT.json');
  const client = registry(opts.registryUrl);
  const producer = kafka(opts.bootstrapServers, 'confluent-compat-writer').producer({
    allowAutoTopicCreation: false,
    createPartitioner: javaCompatiblePartitioner,
    idempotent: true, // acks=all, no duplicates on retry: as the Java producers of the tests
  });
  await producer.connect();
  const results = [];
  try {
    for (const job of opts.plan.jobs) {
      try {
        results.push(await write(client, producer, job));
      } catch (e) {
        results.push({ topic: job.topic, mode: job.mode, error: describe(e) });
      }
    }
  } finally {
    await producer.disconnect();
  }
  fs.writeFileSync(opts.out, JSON.stringify(results, null, 2));
}

async function write(client, producer, job) {
  const subject = `${job.topic}-value`;
  let serializer;
  let type;
  switch (job.mode) {
    case 'register': {
      const id = await client.register(subject, { schemaType: 'AVRO', schema: job.schema });
      serializer = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: false, useSchemaId: id });
      type = typeOf(job.schema);
      break;
    }
    case 'latest': {
      serializer = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: false, useLatestVersion: true });
      type = typeOf((await client.getLatestSchemaMetadata(subject)).schema);
      break;
    }
    case 'auto':
      serializer = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
      type = typeOf(job.schema);
      break;
    default:
      throw new Error(`unknown mode ${job.mode}: register, latest or auto`);
  }
  const messages = [];
  for (const record of job.records) {
    messages.push({ key: record.key ?? null, value: await serializer.serialize(job.topic, fromJson(type, record.value)) });
  }
  if (messages.length > 0) {
    await producer.send({ topic: job.topic, acks: -1, messages });
  }
  return { topic: job.topic, mode: job.mode, schemaId: schemaIdOf(messages[0]?.value), count: messages.length };
}

/** The error, with the HTTP status when the registry refused (a RestError's message has its error code). */
function describe(e) {
  const message = String(e && e.message ? e.message : e);
  return e && e.status !== undefined ? `HTTP ${e.status}: ${message}` : message;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
