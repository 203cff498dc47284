/**
 * Preloaded (node --import) into the real server process by tests that run it with a real
 * issuer: from here on, resolving oidc-provider or a file of the embedded development provider
 * fails, so the process crashes at the first import of either, static or dynamic, with
 * REFUSED_MODULE in its output. Nothing in src/ knows about it.
 */
import { register } from 'node:module';

register(new URL('./refuse-dev-provider-hooks.ts', import.meta.url));
