// Electron's entry point (package.json "main" after bundling to dist/electron/main.mjs).
import { runDesktop } from './desktop-main.js';

void runDesktop();
