// Response bodies the fake answers with, copied from production's shapes (pure).
import { loadTemplates } from './fixtures.ts';

export interface ApiResponse {
  status: number;
  /** JSON value, or a string sent as text/html (proxy errors). */
  body: unknown;
  html?: boolean;
  headers?: Record<string, string>;
  /** Stats key, e.g. 'GET /api/1/datasets/{id}/'. */
  route: string;
  /** Resources embedded in a dataset listing page (heavy-page fault). */
  embeddedResources?: number;
}

export const json = (route: string, status: number, body: unknown): ApiResponse => ({ status, body, route });
export const message = (route: string, status: number, text: string): ApiResponse => json(route, status, { message: text });
export const notFound = (route: string): ApiResponse => json(route, 404, loadTemplates().error404);
export const invalid = (route: string, errors: Record<string, string>): ApiResponse =>
  json(route, 400, { errors, message: 'Input payload validation failed' });

const GATEWAY_TITLES: Record<number, string> = { 502: '502 Bad Gateway', 504: '504 Gateway Time-out' };

/** 502/504 come from the reverse proxy as HTML; other 5xx from udata as JSON. */
export function serverError(route: string, status: number): ApiResponse {
  const title = GATEWAY_TITLES[status];
  if (title) return { status, route, html: true, body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n` };
  const text = status === 503 ? 'Service Unavailable' : 'Internal Server Error';
  return message(route, status, text);
}

export const UNAUTHORIZED =
  "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.";
export const METHOD_NOT_ALLOWED = 'The method is not allowed for the requested URL.';
