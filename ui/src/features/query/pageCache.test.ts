import { describe, expect, it } from "vitest";
import { PageCache, type PageFetcher } from "./pageCache";

type Page = Awaited<ReturnType<PageFetcher>>;

/** A fake engine result of `total` rows where row i is [i]; records every request. */
function engine(total: number) {
  const requests: Array<[number, number]> = [];
  const fetch = (offset: number, limit: number): Promise<Page> => {
    requests.push([offset, limit]);
    const rows: unknown[][] = [];
    for (let index = offset; index < Math.min(total, offset + limit); index += 1) rows.push([index]);
    return Promise.resolve({ rows, totalRows: total });
  };
  return { fetch, requests };
}

describe("PageCache", () => {
  it("fetches only the pages overlapping the visible range", async () => {
    const { fetch, requests } = engine(10_000_000);
    const cache = new PageCache(fetch, { pageSize: 100 });
    await cache.ensureRange(250, 420);
    expect(requests).toEqual([
      [200, 100],
      [300, 100],
      [400, 100],
    ]);
    expect(cache.getRow(399)).toEqual([399]);
    expect(cache.getRow(500)).toBeUndefined();
    expect(cache.totalRows).toBe(10_000_000);
  });

  it("shares concurrent requests for the same page", async () => {
    const { fetch, requests } = engine(1000);
    const cache = new PageCache(fetch, { pageSize: 100 });
    await Promise.all([cache.ensureRange(0, 50), cache.ensureRange(10, 90)]);
    expect(requests).toHaveLength(1);
    await cache.ensureRange(0, 100);
    expect(requests).toHaveLength(1);
  });

  it("keeps memory bounded while scrolling a huge result", async () => {
    const { fetch } = engine(10_000_000);
    const cache = new PageCache(fetch, { pageSize: 100, maxPages: 8 });
    for (let start = 0; start < 100_000; start += 1_000) await cache.ensureRange(start, start + 150);
    expect(cache.cachedPages).toBeLessThanOrEqual(8);
    // The most recent range is still there.
    expect(cache.getRow(99_100)).toEqual([99_100]);
  });

  it("never asks past a known end", async () => {
    const { fetch, requests } = engine(250);
    const cache = new PageCache(fetch, { pageSize: 100 }, { rows: [], totalRows: 250 });
    await cache.ensureRange(0, 1000);
    expect(requests.map(([offset]) => offset)).toEqual([0, 100, 200]);
    expect(cache.getRow(249)).toEqual([249]);
  });

  it("seeds complete pages from the first page the query returned", async () => {
    const { fetch, requests } = engine(1000);
    const first = Array.from({ length: 100 }, (_, index) => [index]);
    const cache = new PageCache(fetch, { pageSize: 100 }, { rows: first, totalRows: null });
    await cache.ensureRange(0, 100);
    expect(requests).toHaveLength(0);
    expect(cache.getRow(42)).toEqual([42]);
  });

  it("replaces a preview page with the stored result's rows once the total is known", async () => {
    const { fetch, requests } = engine(1000);
    // The preview run's rows differ from the stored ones (think random()).
    const preview = Array.from({ length: 100 }, (_, index) => [-index]);
    const cache = new PageCache(fetch, { pageSize: 100 }, { rows: preview, totalRows: null });
    let notified = 0;
    cache.subscribe(() => (notified += 1));
    expect(cache.getRow(5)).toEqual([-5]);
    cache.setTotalRows(1000);
    // The preview stays on screen until the stored page arrives.
    expect(cache.getRow(5)).toEqual([-5]);
    await Promise.resolve();
    await Promise.resolve();
    await new Promise((done) => setTimeout(done, 0));
    expect(requests).toEqual([[0, 100]]);
    expect(cache.getRow(5)).toEqual([5]);
    expect(notified).toBeGreaterThanOrEqual(2);
    // Only once.
    cache.setTotalRows(1000);
    await cache.ensureRange(0, 100);
    expect(requests).toHaveLength(1);
  });

  it("also replaces the preview when another page brings the total first", async () => {
    const { fetch, requests } = engine(1000);
    const preview = Array.from({ length: 100 }, (_, index) => [-index]);
    const cache = new PageCache(fetch, { pageSize: 100 }, { rows: preview, totalRows: null });
    await cache.ensureRange(500, 550);
    await new Promise((done) => setTimeout(done, 0));
    expect(requests.map(([offset]) => offset).sort((a, b) => a - b)).toEqual([0, 500]);
    expect(cache.getRow(0)).toEqual([0]);
    cache.setTotalRows(1000);
    expect(requests).toHaveLength(2);
  });

  it("keeps a first page that came with its total", async () => {
    const { fetch, requests } = engine(100);
    const first = Array.from({ length: 100 }, (_, index) => [index]);
    const cache = new PageCache(fetch, { pageSize: 100 }, { rows: first, totalRows: 100 });
    cache.setTotalRows(100);
    await cache.ensureRange(0, 100);
    expect(requests).toHaveLength(0);
  });

  it("does not seed a partial page of an unknown-length result", async () => {
    const { fetch, requests } = engine(1000);
    const cache = new PageCache(fetch, { pageSize: 100 }, { rows: [[0], [1]], totalRows: null });
    await cache.ensureRange(0, 10);
    expect(requests).toEqual([[0, 100]]);
  });

  it("records errors and ignores responses after dispose", async () => {
    let release: (page: Page) => void = () => undefined;
    const cache = new PageCache(() => new Promise<Page>((resolve) => (release = resolve)), { pageSize: 10 });
    const waiting = cache.ensureRange(0, 10);
    cache.dispose();
    release({ rows: [[1]], totalRows: 1 });
    await waiting;
    expect(cache.getRow(0)).toBeUndefined();

    const failing = new PageCache(() => Promise.reject(new Error("engine gone")), { pageSize: 10 });
    await failing.ensureRange(0, 5);
    expect(failing.error?.message).toBe("engine gone");
  });

  it("notifies subscribers when pages arrive", async () => {
    const { fetch } = engine(100);
    const cache = new PageCache(fetch, { pageSize: 10 });
    let notified = 0;
    cache.subscribe(() => (notified += 1));
    await cache.ensureRange(0, 20);
    expect(notified).toBe(2);
  });
});
