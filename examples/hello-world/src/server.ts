// Entry point: read the environment, listen, and stop quickly on SIGTERM/SIGINT
// (Nomad sends SIGTERM, then SIGKILL after the job's kill_timeout, 5s by default).
import { configFromEnv, createApp, portFromEnv, shortCommit } from './app.js';

const HOST = '0.0.0.0';
const GRACE_MS = 3000; // under Nomad's default kill_timeout

function main(): void {
  let port: number;
  try {
    port = portFromEnv(process.env);
  } catch (err) {
    console.error(`hello-world: ${(err as Error).message}`);
    process.exit(2);
  }
  const config = configFromEnv(process.env);
  const app = createApp(config);

  app.server.on('error', (err) => {
    console.error(`hello-world: cannot listen on ${HOST}:${port}: ${err.message}`);
    process.exit(1);
  });
  app.server.listen(port, HOST, () => {
    const address = app.server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    const commit = config.commit === undefined ? 'unknown' : shortCommit(config.commit);
    console.log(`hello-world listening on http://${HOST}:${bound} (node ${process.version}, commit ${commit})`);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.log(`hello-world: ${signal} again, exiting now`);
      process.exit(0);
    }
    stopping = true;
    console.log(`hello-world: ${signal}, shutting down`);
    void app.close(GRACE_MS).then(() => {
      console.log('hello-world: stopped');
      process.exit(0);
    });
  };
  // As PID 1 in a container Node gets no default signal handling, so these are needed.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
