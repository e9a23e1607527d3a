#!/usr/bin/env node
// Entry point of the `yibao-monitor` command. The sources are TypeScript; tsx's loader runs them
// directly so `npm install` is the only set-up step (no build directory to keep in sync).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
