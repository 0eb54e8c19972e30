#!/usr/bin/env node
// The `qcc` command: runs the TypeScript CLI through tsx, so `npx qcc` works
// right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
process.env.QCC_CLI_ENTRY = '1';
await import('../src-main/daemon/cli/main.ts');
