// `node --import ./register.mjs --import tsx dist/electron/main.mjs` (this hook first, so tsx loads the .ts fake it points at) boots the bundled main process without Electron.
import { register } from 'node:module';

register('./loader.mjs', import.meta.url);
