#!/usr/bin/env node
// Joule runs its TypeScript sources directly (Node >= 22.18 strips types natively; Node 24 LTS is the target).
// The compile cache keeps the stripped sources and V8's code for them on disk (os.tmpdir()/node-compile-cache, or
// NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a start after the first skips that work. It is
// a quiet optimisation: Node checks each entry against the source it was made from, and does without it on any error.
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
await import('../src/cli.ts');
