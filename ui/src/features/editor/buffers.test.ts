import { describe, expect, it } from "vitest";
import { BufferStore, isDirty } from "./buffers";
import { MemoryStorage } from "../../shared/testing/memoryStorage";

const file = { path: "models/marts/fct_sales.sql", content: "select 1", version: "v1" };

describe("BufferStore", () => {
  it("marks edits dirty and clean again when reverted by typing", () => {
    const store = new BufferStore(new MemoryStorage(), "/p");
    store.open(file);
    store.edit(file.path, "select 2");
    expect(store.dirtyPaths()).toEqual([file.path]);
    store.edit(file.path, "select 1");
    expect(store.dirtyPaths()).toEqual([]);
  });

  it("restores unsaved edits after a crash", () => {
    const storage = new MemoryStorage();
    const before = new BufferStore(storage, "/p");
    before.open(file);
    before.edit(file.path, "select 42");
    // Simulate a crash: a new store over the same storage.
    const after = new BufferStore(storage, "/p");
    expect(after.draftPaths()).toEqual([file.path]);
    const buffer = after.open(file);
    expect(buffer.content).toBe("select 42");
    expect(buffer.restored).toBe(true);
    expect(buffer.changedOnDisk).toBe(false);
    expect(isDirty(buffer)).toBe(true);
  });

  it("keeps drafts per project", () => {
    const storage = new MemoryStorage();
    const one = new BufferStore(storage, "/one");
    one.open(file);
    one.edit(file.path, "select 3");
    expect(new BufferStore(storage, "/two").draftPaths()).toEqual([]);
  });

  it("flags a restored draft whose file changed on disk meanwhile", () => {
    const storage = new MemoryStorage();
    const before = new BufferStore(storage, "/p");
    before.open(file);
    before.edit(file.path, "select 42");
    const buffer = new BufferStore(storage, "/p").open({ ...file, content: "select 7", version: "v2" });
    expect(buffer.content).toBe("select 42");
    expect(buffer.changedOnDisk).toBe(true);
  });

  it("drops the draft once saved and keeps typing done during the save", () => {
    const storage = new MemoryStorage();
    const store = new BufferStore(storage, "/p");
    store.open(file);
    store.edit(file.path, "select 2");
    store.markSaved({ ...file, content: "select 2", version: "v2" });
    expect(storage.data.size).toBe(0);
    expect(store.get(file.path)?.version).toBe("v2");

    store.edit(file.path, "select 3");
    store.markSaved({ ...file, content: "select 2", version: "v3" });
    expect(store.get(file.path)?.content).toBe("select 3");
    expect(store.dirtyPaths()).toEqual([file.path]);
  });

  it("follows disk changes when clean and flags them when dirty", () => {
    const store = new BufferStore(new MemoryStorage(), "/p");
    store.open(file);
    store.diskChanged({ ...file, content: "select 9", version: "v2" });
    expect(store.get(file.path)?.content).toBe("select 9");
    store.edit(file.path, "select 10");
    store.diskChanged({ ...file, content: "select 11", version: "v3" });
    expect(store.get(file.path)?.content).toBe("select 10");
    expect(store.get(file.path)?.changedOnDisk).toBe(true);
    store.revert({ ...file, content: "select 11", version: "v3" });
    expect(store.get(file.path)?.content).toBe("select 11");
    expect(store.dirtyPaths()).toEqual([]);
  });

  it("keeps the draft when a dirty buffer is closed", () => {
    const storage = new MemoryStorage();
    const store = new BufferStore(storage, "/p");
    store.open(file);
    store.edit(file.path, "select 5");
    store.close(file.path);
    expect(new BufferStore(storage, "/p").draftPaths()).toEqual([file.path]);
  });

  it("ignores corrupt storage", () => {
    const storage = new MemoryStorage();
    storage.setItem("kiln.buffers.v1:/p", "[[[");
    expect(new BufferStore(storage, "/p").draftPaths()).toEqual([]);
  });

  it("notifies subscribers and bumps its version", () => {
    const store = new BufferStore(null, "/p");
    let calls = 0;
    store.subscribe(() => (calls += 1));
    const before = store.version;
    store.open(file);
    store.edit(file.path, "x");
    expect(calls).toBe(2);
    expect(store.version).toBe(before + 2);
  });
});
