import type { FetchRowsResponse } from "../../api";

/** What the cache needs of a page; `fetchRows` answers more (how it read the filter). */
export type PageFetcher = (offset: number, limit: number) => Promise<Pick<FetchRowsResponse, "rows" | "totalRows">>;

export interface PageCacheOptions {
  pageSize?: number;
  /** Upper bound on pages kept in memory; least recently used pages are dropped first. */
  maxPages?: number;
}

/**
 * Rows of one result (one sort + filter combination) fetched page by page on demand. The grid
 * asks for the visible range; only those pages are requested, concurrent requests for the same
 * page are shared, and memory stays bounded however far the user scrolls through millions of rows.
 * A new sort or filter means a new cache; `dispose()` makes late responses of the old one harmless.
 */
export class PageCache {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly pages = new Map<number, unknown[][]>();
  private readonly pending = new Map<number, Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private total: number | null;
  private disposed = false;
  private lastError: Error | null = null;
  /** Pages of the most recently requested range; eviction never drops these. */
  private visiblePages = new Set<number>();
  /**
   * Seeded pages of a result still materialising: the engine answered them from a separate
   * LIMIT run, whose rows can differ from the stored result's (random(), now(), unordered
   * GROUP BY). Fetched again from the stored result once it has settled.
   */
  private readonly provisional = new Set<number>();

  constructor(
    private readonly fetchPage: PageFetcher,
    options: PageCacheOptions = {},
    initial?: { rows: unknown[][]; totalRows: number | null },
  ) {
    this.pageSize = Math.max(1, options.pageSize ?? 200);
    this.maxPages = Math.max(2, options.maxPages ?? 64);
    this.total = initial?.totalRows ?? null;
    if (initial) this.seed(initial.rows);
  }

  /** Total rows when known; null while the engine is still counting. */
  get totalRows(): number | null {
    return this.total;
  }

  get error(): Error | null {
    return this.lastError;
  }

  get cachedPages(): number {
    return this.pages.size;
  }

  /** Updates the total as `queryProgress` events report it. */
  setTotalRows(total: number | null): void {
    if (total === this.total) return;
    this.total = total;
    this.replaceProvisional();
    this.notify();
  }

  getRow(index: number): unknown[] | undefined {
    const page = Math.floor(index / this.pageSize);
    const rows = this.pages.get(page);
    if (!rows) return undefined;
    // Touch for LRU: Map keeps insertion order, so re-inserting marks it most recent.
    this.pages.delete(page);
    this.pages.set(page, rows);
    return rows[index - page * this.pageSize];
  }

  isLoaded(index: number): boolean {
    return this.pages.has(Math.floor(index / this.pageSize));
  }

  /** Loads every page overlapping [start, end) that is not cached or already on its way. */
  ensureRange(start: number, end: number): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const upper = this.total === null ? end : Math.min(end, this.total);
    const first = Math.floor(Math.max(0, start) / this.pageSize);
    const last = Math.floor(Math.max(0, upper - 1) / this.pageSize);
    const waits: Promise<void>[] = [];
    const wanted = new Set<number>();
    for (let page = first; page <= last && upper > start; page += 1) {
      wanted.add(page);
      if (this.pages.has(page)) continue;
      const inFlight = this.pending.get(page);
      waits.push(inFlight ?? this.load(page));
    }
    this.visiblePages = wanted;
    this.evict();
    return Promise.all(waits).then(() => undefined);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
    this.pages.clear();
    this.pending.clear();
  }

  private seed(rows: unknown[][]): void {
    for (let offset = 0; offset < rows.length; offset += this.pageSize) {
      const slice = rows.slice(offset, offset + this.pageSize);
      const page = offset / this.pageSize;
      const complete = slice.length === this.pageSize || (this.total !== null && offset + slice.length >= this.total);
      // A partial first page is not a full page of the result; fetch it properly later.
      if (complete) this.pages.set(page, slice);
      if (complete && this.total === null) this.provisional.add(page);
    }
  }

  /** Once the total is known the result is stored: provisional pages are fetched from it. The
   * old rows stay on screen until the new ones arrive, so a deterministic result does not flicker. */
  private replaceProvisional(): void {
    if (this.total === null || this.provisional.size === 0) return;
    for (const page of this.provisional) {
      if (!this.pending.has(page)) void this.load(page);
    }
    this.provisional.clear();
  }

  private load(page: number): Promise<void> {
    const request = this.fetchPage(page * this.pageSize, this.pageSize)
      .then((result) => {
        if (this.disposed) return;
        this.pages.set(page, result.rows);
        this.provisional.delete(page);
        this.total = result.totalRows;
        this.replaceProvisional();
        this.evict();
        this.lastError = null;
      })
      .catch((error: unknown) => {
        if (this.disposed) return;
        this.lastError = error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        this.pending.delete(page);
        if (!this.disposed) this.notify();
      });
    this.pending.set(page, request);
    return request;
  }

  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    for (const page of [...this.pages.keys()]) {
      if (this.pages.size <= this.maxPages) break;
      if (!this.visiblePages.has(page)) this.pages.delete(page);
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
