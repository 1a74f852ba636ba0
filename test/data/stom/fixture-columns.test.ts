import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeStomFixture } from "../../../src/data/stom/fixture.ts";

const DATA = new URL("../../../../shared/data/", import.meta.url).pathname;
const CREON = join(DATA, "krx/creon_1m_20190920");
const TARBALL = join(DATA, "krx/creon_1m_20190920_all_symbols.tar.gz");
const ACCEPTANCE = join(DATA, "stom/dbs/stock_min_movers_vi_rich.db.gz");
const A01_BUY = join(DATA, "stom/cases/a01_example_stock_tick/buy.txt");
const SHARED = existsSync(CREON) && existsSync(ACCEPTANCE) && existsSync(A01_BUY);
if (!SHARED) console.warn("skipping the STOM fixture column tests: ../shared/data is missing");

type Row = Record<string, number>;

/** KRX tick sizes before 2023-01-25, written out independently of src/engine/markets */
function tick2019(price: number, kosdaq = false): number {
  if (price < 1000) return 1;
  if (price < 5000) return 5;
  if (price < 10000) return 10;
  if (price < 50000) return 50;
  if (kosdaq) return 100;
  if (price < 100000) return 100;
  if (price < 500000) return 500;
  return 1000;
}

/** STOM's GetVIPrice (utility/static.py:508) line by line */
function getViPrice(kosdaq: boolean, std: number): [number, number, number] {
  let uvi = Math.trunc(std * 1.1);
  const x = tick2019(uvi, kosdaq);
  if (uvi % x !== 0) uvi += x - (uvi % x);
  let dvi = Math.trunc(std * 0.9);
  const y = tick2019(dvi, kosdaq);
  if (dvi % y !== 0) dvi -= dvi % y;
  return [uvi, dvi, x];
}

/** STOM's roundfigure_upper5 before 2023-01-25 (utility/static.py:233) */
function roundFigureUpper5(price: number): boolean {
  return [
    [1000, 1025],
    [5000, 5050],
    [10000, 10250],
    [50000, 50500],
    [100000, 102500],
    [500000, 505000],
  ].some(([low, high]) => price >= low && price <= high);
}

/** yyyymmddhhmmss (or yyyymmddhhmm) as wall-clock seconds, NaN when it is no valid time */
function wallSeconds(index: number): number {
  const s = String(index);
  if (!/^\d{12}(\d{2})?$/.test(s)) return Number.NaN;
  const [y, mo, d, h, mi, se] = [0, 4, 6, 8, 10, 12].map((at, k) => +s.slice(at, k === 0 ? 4 : at + 2) || 0);
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(ms);
  if (back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi) return Number.NaN;
  return ms / 1000;
}

function rows(file: string, table: string): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`select * from "${table}" order by "index"`).all() as Row[];
  } finally {
    db.close();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stom-fixture-columns-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!SHARED)("writeStomFixture stock columns on the real Creon day", () => {
  let tick: string;
  let minute: string;
  beforeAll(() => {
    tick = join(dir, "stock_tick.db");
    minute = join(dir, "stock_min.db");
    writeStomFixture(tick, {
      kind: "stock_tick",
      source: CREON,
      symbols: ["005930", "068270", "091990"],
      minutes: 390,
    });
    writeStomFixture(minute, { kind: "stock_min", source: CREON });
  });

  it("writes VI해제시간 as a time of the row's day: an hour before the day's first row when no VI came", () => {
    for (const [file, table] of [
      [tick, "005930"],
      [tick, "068270"],
      [minute, "091990"],
      [minute, "000660"],
    ]) {
      const all = rows(file, table);
      const first = wallSeconds(all[0].index);
      for (const row of all) {
        const released = wallSeconds(row.VI해제시간);
        expect(released, `${table} ${row.index}: ${row.VI해제시간}`).not.toBeNaN();
        expect(String(row.VI해제시간).slice(0, 8)).toBe(String(row.index).slice(0, 8));
        // none of these moved 10% from the open on 2019-09-20: STOM's InsertViPrice default all day
        expect(released).toBe(first - 3600);
      }
      // STOM's stock_buy1 rule `now() > timedelta_sec(180, VI해제시간)` lets every row through
      expect(all.every((row) => wallSeconds(row.index) > wallSeconds(row.VI해제시간) + 180)).toBe(true);
    }
    expect(rows(minute, "005930")[0].VI해제시간).toBe(20190920080000);
  });

  it("writes VI가격/VI호가단위 as GetVIPrice of the day's open, 라운드피겨위5호가이내 as roundfigure_upper5", () => {
    for (const [table, kosdaq] of [
      ["005930", false],
      ["068270", false],
      ["091990", true],
    ] as const) {
      for (const row of rows(tick, table)) {
        const [uvi, , unit] = getViPrice(kosdaq, row.시가);
        expect([row.VI가격, row.VI호가단위]).toEqual([uvi, unit]);
        expect(row.라운드피겨위5호가이내).toBe(roundFigureUpper5(row.현재가) ? 1 : 0);
      }
    }
    expect(rows(tick, "005930")[0].VI가격).toBe(54_400);
  });

  it("writes 시가총액 (억원), 회전율, 전일비, 전일동시간비 and 거래대금증감 from listed shares and the previous day", () => {
    for (const file of [tick, minute]) {
      const all = rows(file, "005930");
      for (const row of all) expect(row.시가총액).toBe(Math.trunc((row.현재가 * 5_969_782_550) / 1e8));
    }
    const codes = ["000660", "005380", "005930", "035420", "035720", "068270", "091990", "247540"];
    for (const code of codes) {
      const all = rows(minute, code);
      const last = all[all.length - 1];
      let dayVolume = 0;
      for (const row of all) dayVolume += row.분당매수수량 + row.분당매도수량;
      // the denominators the day-end values imply: listed shares and yesterday's volume
      const shares = (dayVolume * 100) / last.회전율;
      const yesterday = (dayVolume * 100) / last.전일비;
      let volume = 0;
      const gap = all[0].당일거래대금 - all[0].거래대금증감;
      for (const row of all) {
        volume += row.분당매수수량 + row.분당매도수량;
        expect(row.시가총액).toBeGreaterThan(0);
        // one denominator all day: cumulative volume over listed shares / yesterday's volume, in %
        expect(Math.abs(row.회전율 - (volume / shares) * 100)).toBeLessThan(0.011 + row.회전율 * 0.02);
        expect(Math.abs(row.전일비 - (volume / yesterday) * 100)).toBeLessThan(0.011 + row.전일비 * 0.02);
        expect(row.전일동시간비).toBeGreaterThan(0);
        // 거래대금증감 = 당일거래대금 - 전일거래대금, one 전일거래대금 all day
        expect(row.당일거래대금 - row.거래대금증감).toBe(gap);
      }
      expect(gap).toBeGreaterThan(0);
      // plausible day-end magnitudes: turnover 0.05..20%, today vs yesterday 20..2000%
      expect(last.회전율).toBeGreaterThan(0.05);
      expect(last.회전율).toBeLessThan(20);
      expect(last.전일비).toBeGreaterThan(20);
      expect(last.전일비).toBeLessThan(2000);
      for (let i = 1; i < all.length; i++) {
        expect(all[i].회전율).toBeGreaterThanOrEqual(all[i - 1].회전율);
        expect(all[i].전일비).toBeGreaterThanOrEqual(all[i - 1].전일비);
      }
    }
  });

  it("lets the filters of a real author text (a01 buy.txt) pass on some rows", () => {
    const text = readFileSync(A01_BUY, "utf8");
    const range = /if not \((-?\d+) <= 등락율 <= (\d+)\)/.exec(text);
    const value = /당일거래대금 >= (\d+)/.exec(text);
    const strength = /체결강도 >= (\d+)\)/.exec(text);
    expect(range && value && strength).toBeTruthy();
    const [low, high] = [+range![1], +range![2]];
    const pass = (row: Row) =>
      row.등락율 >= low &&
      row.등락율 <= high &&
      row.고저평균대비등락율 >= 0 &&
      row.당일거래대금 >= +value![1] &&
      row.체결강도 >= +strength![1];
    const passing = ["068270", "091990"].map((code) => rows(tick, code).filter(pass).length);
    expect(passing.every((n) => n > 0)).toBe(true);
  });

  it("has the magnitudes of the shared acceptance DB (005930, 000660)", () => {
    const accepted = join(dir, "acceptance.db");
    writeFileSync(accepted, gunzipSync(readFileSync(ACCEPTANCE)));
    for (const code of ["005930", "000660"]) {
      const ours = new Map(rows(minute, code).map((row) => [row.index, row]));
      const theirs = rows(accepted, code);
      expect(theirs.length).toBeGreaterThan(300);
      for (const row of theirs) {
        const mine = ours.get(row.index);
        if (!mine) continue;
        expect(Math.abs(mine.시가총액 / row.시가총액 - 1)).toBeLessThan(0.03);
        expect(mine.VI가격).toBe(row.VI가격);
        expect(mine.VI호가단위).toBe(row.VI호가단위);
      }
      const mineLast = rows(minute, code).at(-1)!;
      const theirLast = theirs.at(-1)!;
      // not 거래대금증감: the acceptance DB's patch wrote 당일거래대금 - 시가총액 there
      for (const name of ["회전율", "전일비"]) {
        const ratio = Math.abs(mineLast[name] / theirLast[name]);
        expect(ratio, `${code} ${name}: ${mineLast[name]} vs ${theirLast[name]}`).toBeGreaterThan(0.1);
        expect(ratio, `${code} ${name}: ${mineLast[name]} vs ${theirLast[name]}`).toBeLessThan(10);
      }
    }
  });
});

describe.skipIf(!SHARED || !existsSync(TARBALL))("writeStomFixture VI on the day's real movers", () => {
  let tick: string;
  let minute: string;
  beforeAll(() => {
    const source = join(dir, "movers");
    mkdirSync(source);
    const extract = spawnSync("tar", [
      "-xzf",
      TARBALL,
      "-C",
      source,
      "--wildcards",
      "*/018620.csv",
      "*/205500.csv",
    ]);
    expect(extract.status).toBe(0);
    const found = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? found(join(d, e.name)) : [join(d, e.name)],
      );
    const flat = join(dir, "movers-flat");
    mkdirSync(flat);
    for (const file of found(source)) writeFileSync(join(flat, file.slice(-10)), readFileSync(file));
    tick = join(dir, "movers_tick.db");
    minute = join(dir, "movers_min.db");
    writeStomFixture(tick, { kind: "stock_tick", source: flat, minutes: 390 });
    writeStomFixture(minute, { kind: "stock_min", source: flat });
  });

  it("triggers a static VI at GetVIPrice, releases it 2 to 2.5 minutes later and re-bases VI가격 on that price", () => {
    for (const file of [tick, minute]) {
      for (const code of ["018620", "205500"]) {
        const all = rows(file, code);
        const [uvi0] = getViPrice(false, all[0].시가);
        const triggerAt = all.findIndex((row) => row.VI해제시간 !== all[0].VI해제시간);
        expect(triggerAt, `${file} ${code}`).toBeGreaterThan(0);
        const trigger = all[triggerAt];
        // the first row reaching the band (a minute's high) triggers; VI가격 stays until the release
        const reached = all.findIndex((row) => (row.분봉고가 ?? row.현재가) >= uvi0);
        expect(triggerAt).toBe(reached);
        expect(trigger.VI가격).toBe(uvi0);
        const triggered = wallSeconds(trigger.VI해제시간) - 5;
        expect(triggered).toBeGreaterThanOrEqual(wallSeconds(trigger.index));
        const releaseAt = all.findIndex((row, i) => i > triggerAt && row.VI해제시간 !== trigger.VI해제시간);
        const release = all[releaseAt];
        const releasedAfter = wallSeconds(release.VI해제시간) - 5 - triggered;
        expect(releasedAfter).toBeGreaterThanOrEqual(120);
        // minute rows release at the auction's end; tick rows on the first snapshot after it
        if (file === minute) expect(releasedAfter).toBeLessThanOrEqual(150);
        expect(release.VI가격).toBe(getViPrice(false, release.현재가)[0]);
        for (const row of all) expect(String(row.VI해제시간).slice(0, 8)).toBe("20190920");
      }
    }
  });

  it("has the acceptance DB's magnitudes for the movers' 회전율, 전일비 and 시가총액", () => {
    const accepted = join(dir, "acceptance-movers.db");
    writeFileSync(accepted, gunzipSync(readFileSync(ACCEPTANCE)));
    for (const code of ["018620", "205500"]) {
      const mine = rows(minute, code).at(-1)!;
      const theirs = rows(accepted, code).at(-1)!;
      for (const name of ["회전율", "전일비", "시가총액", "거래대금증감"]) {
        const ratio = mine[name] / theirs[name];
        expect(ratio, `${code} ${name}: ${mine[name]} vs ${theirs[name]}`).toBeGreaterThan(0.2);
        expect(ratio, `${code} ${name}: ${mine[name]} vs ${theirs[name]}`).toBeLessThan(5);
      }
    }
  });
});
