/** Every count and duration of a benchmark run: each loop is bounded by these, in count and in time. */
export interface BenchSettings {
  /** Interleaved app/baseline rounds per load scenario; the report takes the median. */
  rounds: number;
  warmupSeconds: number;
  loadSeconds: number;
  connections: number;
  distinctSessions: number;
  /** Live sessions written straight into Redis for the "flat as sessions grow" row. */
  seededSessions: number;
  /** Session writes in flight at once while seeding them. */
  seedConcurrency: number;
  /** Upper bound on seeding; fewer are written (and reported) if it is reached. */
  seedMaxSeconds: number;
  timedLogins: number;
  memoryLogins: number;
  /** The memory curve: one reading of the app's RSS and heap every this many logins. */
  memorySampleEvery: number;
  /** Logins before the idle reading, so JIT-compiled code and caches are not counted per session. */
  memoryWarmupLogins: number;
  loginConcurrency: number;
  /** Upper bound on creating sessions; fewer are created (and reported) if it is reached. */
  sessionCreationMaxSeconds: number;
  /** Idle and absolute timeout of the memory-phase instances: long enough to outlast the logins. */
  memorySessionTimeoutSeconds: number;
  /** Whether to wait for the memory-phase sessions to expire and measure again. */
  measureExpiry: boolean;
}

export const fullRun: BenchSettings = {
  rounds: 5,
  warmupSeconds: 3,
  loadSeconds: 10,
  // As the independent measurement: a handful of busy clients, not a flood; p99 at 64
  // connections mostly measured queueing.
  connections: 10,
  distinctSessions: 1000,
  seededSessions: 100_000,
  seedConcurrency: 200,
  seedMaxSeconds: 180,
  timedLogins: 200,
  memoryLogins: 10_000,
  memorySampleEvery: 500,
  // A heap snapshot diff showed V8 still compiling the sign-in code after 300 warm-up logins:
  // about 270 of the 2,073 bytes "per session" measured after them were machine code, not sessions.
  memoryWarmupLogins: 1500,
  loginConcurrency: 8,
  sessionCreationMaxSeconds: 180,
  memorySessionTimeoutSeconds: 120,
  measureExpiry: true,
};

/** A smoke run (`npm run bench -- --quick`): same phases, small counts, no wait for expiry. */
export const quickRun: BenchSettings = {
  ...fullRun,
  rounds: 1,
  warmupSeconds: 1,
  loadSeconds: 3,
  distinctSessions: 100,
  seededSessions: 10_000,
  seedMaxSeconds: 40,
  timedLogins: 20,
  memoryLogins: 500,
  memorySampleEvery: 100,
  memoryWarmupLogins: 100,
  sessionCreationMaxSeconds: 40,
  measureExpiry: false,
};

/** The in-memory store prunes expired sessions once a minute (MemoryRecordStore's default). */
export const PRUNE_INTERVAL_SECONDS = 60;
