/**
 * Preloaded (node --import) into the real server process by tests that run it with a real
 * issuer: from here on, resolving oidc-provider or a file of the embedded development provider
 * fails, so the process crashes at the first import of either, static or dynamic, with
 * REFUSED_MODULE in its output. Nothing in src/ knows about it.
 */
import { register } from 'node:module';

// Run from its source under tsx, or compiled beside its hooks (compiled-refusal.ts) on plain node.
const compiled = import.meta.url.endsWith('.js');
register(new URL(compiled ? './refuse-dev-provider-hooks.js' : './refuse-dev-provider-hooks.ts', import.meta.url));
