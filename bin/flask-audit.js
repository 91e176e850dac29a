#!/usr/bin/env node
// The installed command: run the built CLI (npm run build) and exit with its code.
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv);
