'use strict';
// Shared by write.js and read.js: command-line options, the clients, and the JSON form of Avro values
// that ConfluentClientCompatIT compares on the Java side.
//
// JSON form (the same in both directions, so that Java can compare field values exactly):
// records and maps are objects, arrays are arrays, enums their symbol, unions the plain value of the
// branch (null or the value: no {"type": value} wrapper), bytes and fixed base64 strings, int, long,
// float and double JSON numbers. A float is the float32 value widened to a double (avsc reads it so),
// which Java narrows back to the same float. Longs must lie within +-(2^53 - 2): avsc's default long
// type, which Confluent's serdes use, refuses others rather than round them. timestamp-millis is its
// long (no logical types).

const { parseArgs } = require('node:util');
const fs = require('node:fs');
const avro = require('avsc');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { SchemaRegistryClient } = require('@confluentinc/schemaregistry');

/** The options both scripts take; exits with a usage message when one is missing. */
function options(usage) {
  const { values } = parseArgs({
    options: {
      'bootstrap-servers': { type: 'string' },
      'registry-url': { type: 'string' },
      plan: { type: 'string' },
      out: { type: 'string' },
    },
  });
  for (const name of ['bootstrap-servers', 'registry-url', 'plan', 'out']) {
    if (!values[name]) {
      console.error(`missing --${name}\nusage: ${usage}`);
      process.exit(2);
    }
  }
  return {
    bootstrapServers: values['bootstrap-servers'].split(','),
    registryUrl: values['registry-url'],
    plan: JSON.parse(fs.readFileSync(values.plan, 'utf8')),
    out: values.out,
  };
}

/** Confluent's registry client, as an application would make it: just the URL. */
function registry(url) {
  return new SchemaRegistryClient({ baseURLs: [url] });
}

function kafka(bootstrapServers, clientId) {
  return new Kafka({
    clientId,
    brokers: bootstrapServers,
    // KAFKAJS_LOG_LEVEL=INFO or DEBUG to see what kafkajs does.
    logLevel: process.env.KAFKAJS_LOG_LEVEL ? logLevel[process.env.KAFKAJS_LOG_LEVEL] : logLevel.WARN,
  });
}

/**
 * kafkajs's default partitioner since 2.0, named so that it does not warn: murmur2 of the key, the
 * same partition as Java's producers choose for the same key.
 */
const javaCompatiblePartitioner = Partitioners.DefaultPartitioner;

/** The schema id in a Confluent-framed value (magic byte 0, then a 4-byte big-endian id), or null. */
function schemaIdOf(bytes) {
  return bytes != null && bytes.length >= 5 && bytes[0] === 0 ? bytes.readInt32BE(1) : null;
}

/** A JSON-form value (see the top of this file) as the value avsc writes for {@code type}. */
function fromJson(type, value) {
  switch (type.typeName) {
    case 'record':
    case 'error': {
      const record = {};
      for (const field of type.fields) {
        // A field the JSON leaves out keeps its default (avsc fills it in when it writes).
        if (value[field.name] !== undefined) {
          record[field.name] = fromJson(field.type, value[field.name]);
        }
      }
      return type.clone(record);
    }
    case 'array':
      return value.map((item) => fromJson(type.itemsType, item));
    case 'map':
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(type.valuesType, v)]));
    case 'union:unwrapped':
    case 'union:wrapped': {
      for (const branch of type.types) {
        let candidate;
        try {
          candidate = fromJson(branch, value);
        } catch (e) {
          continue;
        }
        if (branch.isValid(candidate)) {
          return type.typeName === 'union:wrapped' && branch.typeName !== 'null'
            ? { [branch.branchName]: candidate }
            : candidate;
        }
      }
      throw new Error(`no branch of ${JSON.stringify(type.schema())} takes ${JSON.stringify(value)}`);
    }
    case 'bytes':
    case 'fixed':
      if (typeof value !== 'string') {
        throw new Error(`bytes are a base64 string, got ${JSON.stringify(value)}`);
      }
      return Buffer.from(value, 'base64');
    default:
      return value;
  }
}

/** A value as Confluent's deserializer returns it, in the JSON form (see the top of this file). */
function toJsonText(value) {
  return JSON.stringify(value, function replacer(key, v) {
    // JSON.stringify has called Buffer's toJSON by now: look at the value itself.
    const original = this[key];
    return Buffer.isBuffer(original) ? original.toString('base64') : v;
  });
}

/** An avsc type for a registered schema's text (references are not used by this project). */
function typeOf(schemaText) {
  return avro.Type.forSchema(JSON.parse(schemaText));
}

module.exports = { options, registry, kafka, javaCompatiblePartitioner, schemaIdOf, fromJson, toJsonText, typeOf };
