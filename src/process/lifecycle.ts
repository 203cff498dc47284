/**
 * Whether the process is on its way out. Set once by the shutdown sequence; read by /readyz,
 * which answers 503 from that moment so load balancers stop sending new visitors here.
 */
export interface Lifecycle {
  readonly stopping: boolean;
  beginStopping(): void;
}

export function createLifecycle(): Lifecycle {
  let stopping = false;
  return {
    get stopping() {
      return stopping;
    },
    beginStopping() {
      stopping = true;
    },
  };
}
