// Part of the fictional "frontend" service recorded by gen/otel-corpus.mjs:
// cart input validation.  A ValidationError is answered with 400 and
// recorded on the span without making it an error.

export class ValidationError extends Error {
  constructor(field, problem) {
    super(`${field}: ${problem}`);
    this.name = 'ValidationError';
    this.field = field;
  }
}

export function validateCartItem(item) {
  if (!Number.isInteger(item.quantity) || item.quantity < 1) {
    throw new ValidationError('quantity', `must be a positive integer, got ${JSON.stringify(item.quantity)}`);
  }
  if (!/^SKU-\d{4}$/.test(item.sku)) {
    throw new ValidationError('sku', `unknown format <${item.sku}>`);
  }
  return item;
}
