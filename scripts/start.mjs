// `npm start`: runs QCC from source (TypeScript through tsx, no build step for
// the engine): the headless engine — proxy, health monitor, admin server with
// the dashboard — in the foreground. (The desktop shell takes over this
// command when it lands.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dashboard = fileURLToPath(new URL('../dist/renderer/index.html', import.meta.url));
if (!existsSync(dashboard)) {
  console.log('Building the dashboard (first run)…');
  const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build:renderer'], { stdio: 'inherit' });
  if (build.status !== 0) console.log('The dashboard could not be built; the proxy and CLI work without it.');
}

const cli = fileURLToPath(new URL('../bin/qcc.mjs', import.meta.url));
const result = spawnSync(process.execPath, [cli, 'proxy', 'start', '--foreground', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
