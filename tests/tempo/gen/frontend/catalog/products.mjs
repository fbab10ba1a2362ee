// Part of the fictional "frontend" service recorded by gen/otel-corpus.mjs:
// the product catalogue.  formatPrice() really dereferences a missing price
// object, so V8 throws a genuine TypeError.

import { withTimeout } from '../lib/timeout.mjs';
import { fetchJson } from '../lib/upstream.mjs';

export function formatPrice(product, currency) {
  const cents = product.price.amount;
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

export async function listProducts(reply) {
  const items = await fetchJson('inventory', 'inventory', 8000, '/api/products', reply);
  return items.map((p) => ({ sku: p.sku, label: formatPrice(p, 'EUR') }));
}

export async function getProduct(sku, reply, tookMs) {
  return withTimeout(() => fetchJson('inventory', 'inventory', 8000, `/api/products/${sku}`, reply),
    800, tookMs, `GET /api/products/${sku}`);
}
