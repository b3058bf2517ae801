// Typed errors of the data.gouv.fr client, re-exported in one place. Pure.
export { HttpError, type HttpErrorDetails } from './http-error.ts';
export { NetworkError } from './network-error.ts';
export { BannedError } from './banned-error.ts';
export { MalformedResponseError } from './malformed-response-error.ts';
export { UnreachableError } from './unreachable-error.ts';
