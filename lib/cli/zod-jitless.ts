import { config } from 'zod';

// zod 4 compiles a parser for each object schema with `new Function` on its
// first parse. A long-lived process wins from that; sbsh parses each schema a
// few times per process, and code built by `new Function` is never in V8's
// code cache, so every start paid for it again. Schemas read this setting
// when they are built: this module is imported before any of them.
config({ jitless: true });
