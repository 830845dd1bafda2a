#!/usr/bin/env node
// Calling copydesk from Node.js with @grpc/grpc-js: a unary call with a deadline and a request
// id, a stream, a deadline that passes, and the retry policy of the service config.
//
//   cd examples/clients/node && npm ci && node client.js --addr 127.0.0.1:50051
//
// The proto is loaded at run time (@grpc/proto-loader); for generated TypeScript types see
// buf.gen.yaml. Exit 1 when a call does not answer as shown. .ci/run runs this against the
// release server.
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const args = process.argv.slice(2);
const addrAt = args.indexOf('--addr');
const addr = addrAt >= 0 ? args[addrAt + 1] : '127.0.0.1:50051';

const PROTO = path.join(__dirname, '..', '..', '..', 'proto', 'copydesk', 'v1', 'copydesk.proto');
const definition = protoLoader.loadSync(PROTO, {
  keepCase: false, // fields in lowerCamelCase, as in the proto3 JSON mapping
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
const { NormalizerService } = grpc.loadPackageDefinition(definition).copydesk.v1;

// Retry what is safe to retry (copydesk is stateless; Normalize has no side effects):
// UNAVAILABLE (a replica going away) and RESOURCE_EXHAUSTED (a replica shedding load).
// round_robin spreads calls over every address of a headless Service.
const serviceConfig = {
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: [
    {
      name: [
        { service: 'copydesk.v1.NormalizerService', method: 'Normalize' },
        { service: 'copydesk.v1.NormalizerService', method: 'DetectLanguage' },
        { service: 'copydesk.v1.NormalizerService', method: 'GetCapabilities' },
      ],
      timeout: '30s',
      retryPolicy: {
        maxAttempts: 4,
        initialBackoff: '0.1s',
        maxBackoff: '2s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE', 'RESOURCE_EXHAUSTED'],
      },
    },
  ],
};

const client = new NormalizerService(addr, grpc.credentials.createInsecure(), {
  'grpc.service_config': JSON.stringify(serviceConfig),
  'grpc.max_receive_message_length': 64 << 20,
});

function ok(cond, what) {
  if (!cond) {
    console.error(`client.js: FAILED: ${what}`);
    process.exit(1);
  }
  console.log(`node: ${what}`);
}

const deadline = (ms) => new Date(Date.now() + ms);

function normalize(document, ms, metadata = new grpc.Metadata()) {
  return new Promise((resolve, reject) => {
    let headers = null;
    const call = client.normalize({ document }, metadata, { deadline: deadline(ms) }, (err, res) =>
      err ? reject(err) : resolve({ res, headers }));
    call.on('metadata', (m) => { headers = m; });
  });
}

function stream(documents) {
  return new Promise((resolve, reject) => {
    const items = [];
    const call = client.normalizeStream({ deadline: deadline(30000) });
    call.on('data', (item) => items.push(item));
    call.on('error', reject);
    call.on('end', () => resolve(items));
    for (const document of documents) call.write({ document });
    call.end();
  });
}

async function main() {
  const copy =
    'Hamburg (dpa) - Der Hamburger Hafen hat im vergangenen Jahr mehr Container ' +
    'umgeschlagen als erwartet. Das teilte die Hafenbehörde am Montag mit.\n\n' +
    'Die Zahl der Schiffsanläufe stieg um vier Prozent.';

  // Unary, with a deadline and a request id (echoed, and on the server's log lines).
  const md = new grpc.Metadata();
  md.set('x-request-id', 'node-example-1');
  const { res, headers } = await normalize({ id: 'node-1', text: copy }, 10000, md);
  const a = res.article;
  ok(a.id === 'node-1' && a.language.code === 'de' && a.agencies.includes('dpa'),
    `Normalize: language ${a.language.code}, agencies ${JSON.stringify(a.agencies)}, ${a.stats.words} words`);
  const echoed = headers && headers.get('x-request-id')[0];
  ok(echoed === 'node-example-1', `x-request-id echoed: ${echoed}`);

  // A stream: one answer per document, in order; a bad document is an error item.
  const items = await stream([
    { id: 'node-s1', text: 'The council met on Monday to approve the budget.' },
    { id: 'node-s2', text: '' },
    { id: 'node-s3', text: "Le conseil municipal s'est réuni lundi soir." },
  ]);
  const kinds = items.map((i) => `${i.id}:${i.result}`);
  ok(JSON.stringify(kinds) === JSON.stringify(['node-s1:article', 'node-s2:error', 'node-s3:article']),
    `NormalizeStream: ${kinds.join(', ')}; error item ${items[1].error.code}`);

  // A deadline that passes: DEADLINE_EXCEEDED (not retried: not in the policy's codes).
  try {
    await normalize({ id: 'node-late', text: copy.repeat(20000) }, 5);
    ok(false, 'a 5 ms deadline on 4 MB passes');
  } catch (err) {
    ok(err.code === grpc.status.DEADLINE_EXCEEDED, `5 ms deadline: ${grpc.status[err.code]}`);
  }

  const caps = await new Promise((resolve, reject) =>
    client.getCapabilities({}, { deadline: deadline(5000) }, (e, r) => (e ? reject(e) : resolve(r))));
  ok(caps.version !== '', `GetCapabilities: version ${caps.version}, ${caps.languages.length} languages`);
  console.log('node: the retry policy (UNAVAILABLE, RESOURCE_EXHAUSTED; 4 attempts) is in the service config');
  client.close();
}

main().catch((err) => {
  console.error(`client.js: ${err.stack || err}`);
  process.exit(1);
});
