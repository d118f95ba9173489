// CLI: npx node infra/local/opensearch/main.ts [--port 9200] [--data-dir DIR] [--host 127.0.0.1]
import { parseArgs } from 'node:util';
import { startOpenSearchServer } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9200' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
  },
});

const server = await startOpenSearchServer({
  port: Number(values.port),
  host: values.host,
  ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
});
console.log(server.url);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
