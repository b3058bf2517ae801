// ShortPageError: a listing page with fewer items than its place in `total` requires. A malformed
// answer to the retry policy and the walk (retried, then a lost page), with its own advice. Pure.
import { MalformedResponseError } from './errors/index.ts';

export class ShortPageError extends MalformedResponseError {
  constructor(details: { url: string; page: number; items: number; total: number; pageSize: number; expected: number }) {
    const counts = `page ${details.page} lists ${details.items} items where its total of ${details.total} at page_size ${details.pageSize} requires ${details.expected}`;
    super({ url: details.url, problem: counts });
    // The name stays MalformedResponseError (what the retry policy and the walk know); the advice differs.
    this.message =
      `GET ${details.url} returned a short page (${counts}), retried: either the page was cut short or the ` +
      "listing's total overstates what it holds; no deletion is inferred from such a listing.";
  }
}
