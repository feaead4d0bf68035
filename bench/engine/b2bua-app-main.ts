// The drachtio-srf createB2BUA test app (test/apps/b2bua-app.ts) as a process of its own, so
// that in benchmarks it has its own core like a real deployment:
//   node dist/bench/engine/b2bua-app-main.js --port <control> --secret <s> --target 127.0.0.1:5080
// Prints "b2bua app ready" once authenticated with the engine; SIGTERM/SIGINT stop it.
import { parseArgs } from 'node:util';
import { start } from '../../test/apps/b2bua-app.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    secret: { type: 'string' },
    target: { type: 'string' },
  },
});
if (!values.port || !values.secret || !values.target) {
  process.stderr.write('usage: b2bua-app-main --port <control port> --secret <secret> --target <host:port[;transport=x]> [--host 127.0.0.1]\n');
  process.exit(2);
}
const app = await start({ host: values.host ?? '127.0.0.1', port: Number(values.port), secret: values.secret, target: values.target });
process.stdout.write('b2bua app ready\n');
const stop = (): void => {
  app.stop();
  // drachtio-srf keeps reconnect timers; the app has nothing to flush.
  setTimeout(() => process.exit(0), 200).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
