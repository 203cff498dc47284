import { readFileSync, writeFileSync } from 'node:fs';
import { load } from './load.js';
import { createSessions } from './logins.js';
import { startAppStack, startBaseline } from './stacks.js';
const original = readFileSync('dist/app.js', 'utf8');
const path = process.argv[2] ?? '/';
const variants: Record<string, string[]> = {
  all: [],
  noLogging: ['app.use(requestLogging(logger));'],
  noHelmet: ['app.use(securityHeaders({ baseURL: config.baseURL, providerOrigin }));'],
  noReqId: ['app.use(requestId());'],
  noAuth: path === '/' ? ['app.use(openid.auth('] : [],
  none: ['app.use(requestLogging(logger));', 'app.use(securityHeaders({ baseURL: config.baseURL, providerOrigin }));', 'app.use(requestId());', ...(path === '/' ? ['app.use(openid.auth('] : [])],
};
try {
  for (const [name, removed] of Object.entries(variants)) {
    let code = original;
    for (const line of removed) code = code.replace(line, `// ${line}`);
    writeFileSync('dist/app.js', code);
    const stack = await startAppStack('variant');
    const cookies = path === '/' ? [] : await createSessions(stack.app.origin, stack.provider.origin, { count: 1, concurrency: 1, deadline: Date.now() + 20000 });
    const base = await startBaseline(stack.provider.origin);
    const rows = [];
    for (let i = 0; i < 2; i++) {
      const a = await load(stack.app, { path, connections: 64, seconds: 4, cookies });
      const b = await load(base, { path, connections: 64, seconds: 4, cookies });
      rows.push(a.rps / b.rps, b.cpuMicrosPerRequest / a.cpuMicrosPerRequest, a.cpuMicrosPerRequest);
      if (a.non2xx) console.log('non2xx', a.non2xx);
    }
    console.log(name, rows.map((r) => r.toFixed(2)).join(' '));
    await base.stop();
    await stack.stop();
  }
} finally {
  writeFileSync('dist/app.js', original);
}
