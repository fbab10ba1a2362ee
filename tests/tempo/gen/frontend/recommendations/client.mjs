// Part of the fictional "frontend" service recorded by gen/otel-corpus.mjs:
// recommendations are asked from two replicas at once; when both fail,
// Promise.any rejects with a real AggregateError.

import { fetchJson } from '../lib/upstream.mjs';

export async function recommendationsFor(userId, replies) {
  const asks = replies.map((reply, i) =>
    fetchJson('recommendation', `recommendation-${i}`, 8080, `/api/recommendations?user=${userId}`, reply));
  return Promise.any(asks);
}
