// Part of the fictional "frontend" service recorded by gen/otel-corpus.mjs:
// a tiny upstream client.  Transport failures are raised the way Node's net
// module raises them (an Error with code, errno, syscall, address, port), so
// the SDK records the code as exception.type.

const ERRNO = { ECONNREFUSED: -111, ECONNRESET: -104, ETIMEDOUT: -110 };

export function transportError(code, host, port) {
  const err = new Error(`connect ${code} ${host}:${port}`);
  err.code = code;
  err.errno = ERRNO[code];
  err.syscall = 'connect';
  err.address = host;
  err.port = port;
  return err;
}

export class UpstreamError extends Error {
  constructor(service, status, body) {
    super(`${service} answered ${status}: ${body}`);
    this.name = 'UpstreamError';
    this.status = status;
  }
}

// `reply` is the simulated upstream answer: {status, body} or {fail: code}.
export async function fetchJson(service, host, port, path, reply) {
  await Promise.resolve();
  if (reply.fail) {
    throw transportError(reply.fail, host, port);
  }
  if (reply.status >= 500) {
    throw new UpstreamError(service, reply.status, JSON.stringify(reply.body));
  }
  return reply.body;
}
