#!/usr/bin/env node
// Joule runs its TypeScript sources directly (Node >= 22.18 strips types natively; Node 24 LTS is the target).
import '../src/cli.ts';
