import { benchTls, startAppStack } from './stacks.js';
import { timedLogins } from './login-timing.js';
import { median } from './stats.js';
const dir = '/work/main/bench/results/profiles-login';
const tls = await benchTls();
const stack = await startAppStack('login-prof', { tls, nodeFlags: process.argv[2] === 'alloc' ? ['--import', '/work/scratch/allocprof.mjs'] : [] });
try {
  const cpu0 = await stack.app.cpuMicros();
  const f = await timedLogins(stack.app, Number(process.argv[3] ?? 150));
  const cpu = (await stack.app.cpuMicros()) - cpu0;
  console.log(`logins ${f.count}: total median ${median(f.totalMs).toFixed(1)} ms, app ${median(f.appMs).toFixed(2)} ms, provider ${median(f.providerMs).toFixed(1)} ms, app CPU ${(cpu / f.count / 1000).toFixed(2)} ms/login`);
} finally { await stack.stop(); await tls.remove(); }
