import { describe, expect, test } from "vitest";
import {
  acquire,
  CLAIM,
  claim,
  claimTable,
  holders,
  keeper,
  lease,
  release,
  settle,
} from "../../src/parallel/indicator-claims.ts";

describe("indicator claims and leases", () => {
  test("the first claim computes; a computed column is leased, taken by generation, and freed by the last to let go", () => {
    const table = new Int32Array(claimTable());
    const a = claim(table, "close sma(5)");
    const b = claim(table, "close sma(5)");
    expect([a?.mine, b?.mine]).toEqual([true, false]);
    if (!a || !b) throw new Error("no slot");
    expect([b.state, b.lease]).toEqual([a.state, a.lease]);
    const gen = lease(table, a);
    settle(table, a, CLAIM.done);
    expect(holders(table, a)).toBe(1);
    // an offer of another generation cannot be taken
    expect(acquire(table, a.lease, gen + 1)).toBe(false);
    expect(acquire(table, a.lease, gen)).toBe(true);
    expect(holders(table, a)).toBe(2);
    // the first to let go is not the last: the column stays, the key stays computed
    expect(release(table, a, gen)).toBe(false);
    expect(table[a.state]).toBe(CLAIM.done);
    expect(release(table, b, gen)).toBe(true);
    expect(holders(table, a)).toBe(0);
    // every thread let go: the old offer cannot be taken, and the key is claimable again
    expect(acquire(table, a.lease, gen)).toBe(false);
    expect(() => release(table, a, gen)).toThrow("not held");
    const again = claim(table, "close sma(5)");
    expect(again?.mine).toBe(true);
    if (!again) throw new Error("no slot");
    const next = lease(table, again);
    expect(next).toBe(gen + 1);
    // a stale offer of the earlier generation still cannot be taken while the new one is held
    expect(acquire(table, a.lease, gen)).toBe(false);
    expect(acquire(table, a.lease, next)).toBe(true);
  });

  test("generations wrap in 24 bits and keep their holders' count apart", () => {
    const table = new Int32Array(claimTable());
    const c = claim(table, "close sma(9)");
    if (!c) throw new Error("no slot");
    // the last generation: its lease word's sign bit is set
    table[c.lease] = (0xfffffe << 8) | 0;
    const gen = lease(table, c);
    expect(gen).toBe(0xffffff);
    expect(acquire(table, c.lease, gen)).toBe(true);
    expect(holders(table, c)).toBe(2);
    expect(release(table, c, gen)).toBe(false);
    expect(release(table, c, gen)).toBe(true);
    table[c.state] = CLAIM.computing;
    expect(lease(table, c)).toBe(0);
  });

  test("keepers are named by the first to drop a column, the threads in turn, until every holder let go", () => {
    const table = new Int32Array(claimTable());
    const cs = [5, 6, 7, 8, 9].map((p) => {
      const c = claim(table, `close sma(${p})`);
      if (!c) throw new Error("no slot");
      return c;
    });
    expect(cs.map((c) => keeper(table, c, 2))).toEqual([0, 1, 0, 1, 0]);
    // named once: asked again, the same
    expect(cs.map((c) => keeper(table, c, 2))).toEqual([0, 1, 0, 1, 0]);
    // the last holder lets go: the next drop names a keeper anew
    const c = cs[0];
    const gen = lease(table, c);
    expect(release(table, c, gen)).toBe(true);
    expect(keeper(table, c, 2)).toBe(1);
  });
});
