import { startNodeEngine } from '../engine/node/start-node-engine.js';
import { formatPriorityList } from './format-priority-list.js';

// `npm start` until the proxy and daemon land: loads the real engine from the
// data directory and shows what it would serve, so the command is never a lie.
const { engine, dataDir } = await startNodeEngine({ notifier: { notify: () => undefined } });
const snapshot = engine.snapshot();
process.stdout.write(`QCC data directory: ${dataDir}\n\n${formatPriorityList(snapshot)}\n`);
for (const problem of snapshot.problems) process.stderr.write(`warning: ${problem}\n`);
process.stdout.write('\nThe local proxy and the desktop app are not built yet; this shows the engine state only.\n');
