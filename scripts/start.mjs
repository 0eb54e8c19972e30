// `npm start`: runs QCC from source (TypeScript through tsx, no build step):
// the headless engine — proxy, health monitor, admin server — in the foreground.
// (The desktop shell takes over this command when it lands.)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../bin/qcc.mjs', import.meta.url));
const result = spawnSync(process.execPath, [cli, 'proxy', 'start', '--foreground', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
