// Part of the fictional "frontend" service whose traces gen/otel-corpus.mjs
// records with the real OpenTelemetry SDK: a promise timeout helper that
// throws a real TimeoutError.

export class TimeoutError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TimeoutError';
  }
}

// Races `work` against a timer.  The simulation never waits for real time:
// `budgetMs` and `tookMs` are simulated durations, so the outcome is decided
// without sleeping, but the error is thrown from here like in production.
export async function withTimeout(work, budgetMs, tookMs, what) {
  const result = await work();
  if (tookMs > budgetMs) {
    throw new TimeoutError(`${what} timed out after ${budgetMs} ms`);
  }
  return result;
}
