#!/usr/bin/env node
// The `s7rt` command; the code is built from src/cli/main.ts (npm run build).
import '../dist/node/cli.js';
