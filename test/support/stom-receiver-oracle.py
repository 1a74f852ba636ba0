#!/usr/bin/env python3
"""Writes test/data/fixtures/stom-receiver-oracle.json: the rows STOM's OWN Binance receiver sends.

It runs, verbatim, BinanceReceiverTick.UpdateTradeData and UpdateHogaData and the depth-message
parsing of its MainLoop (coin/binance_receiver_tick.py at Py-CI-Park/STOM@63aa7ef, extracted from the
source file with ast, not retyped) over an event stream: two slices of the real Binance XRP/ETH
aggTrades tape (../shared/data/freqtrade/XRP_ETH-trades.json.gz; the first trades of 2019-10-11 and
those around 2019-10-12 00:00 UTC) interleaved with seeded depth10 books, some of them lagging the
last price so that STOM's five-level alignment shifts. Every row STOM puts on cstgQ is recorded.

    python3 test/support/stom-receiver-oracle.py --stom /tmp/stom \
        --tape ../shared/data/freqtrade/XRP_ETH-trades.json.gz
    npx biome format --write test/data/fixtures/stom-receiver-oracle.json   # the lint gate's layout

Harness choices (each says what the live program would have done):
- dt is the trade/book time's UTC second, which is what strf_time(from_timestamp(T / 1000 - 32400))
  gives on the KST machine STOM runs on;
- the receiver starts with dict_data[code] = [previous close, ...] and an empty trading day, so the
  first trade takes the new-day branch (what GetTickers would have filled comes from a 24 h ticker
  we do not have); books only follow the first trade;
- at 00:00 UTC STOM is restarted daily (ReceiverProcKill at 23:50 UTC), so the one state of a fresh
  process that the rows can see, dict_tmdt (the last row's second and 당일거래대금), starts empty again.
The test that reads the fixture is test/data/stom-receiver.test.ts.
"""

import argparse
import ast
import datetime
import gzip
import json
import os
import textwrap

import numpy as np

CODE = "XRPETH"


def extract(path):
    source = open(path, encoding="utf-8").read()
    tree = ast.parse(source)
    methods = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "BinanceReceiverTick":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in ("UpdateTradeData", "UpdateHogaData"):
                    methods[item.name] = textwrap.dedent(ast.get_source_segment(source, item))
    # MainLoop's depth parsing: from `hoga_seprice = (` to the hoga_tamount tuple, as written
    lines = source.split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip() == "hoga_seprice = (")
    end = next(i for i, l in enumerate(lines) if "round(sum(hoga_samount), 8), round(sum(hoga_bamount), 8)" in l) + 1
    depth = textwrap.dedent("\n".join(lines[start : end + 1]))
    return methods, depth


class Queue:
    def __init__(self):
        self.items = []

    def put(self, item):
        self.items.append(item)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stom", required=True)
    parser.add_argument("--tape", required=True)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "../data/fixtures/stom-receiver-oracle.json"))
    args = parser.parse_args()
    methods, depth_code = extract(os.path.join(args.stom, "coin/binance_receiver_tick.py"))

    namespace = {"np": np, "now": datetime.datetime.now}
    body = "class Receiver:\n" + "".join(textwrap.indent(m, "    ") + "\n" for m in methods.values())
    exec(body, namespace)
    Receiver = namespace["Receiver"]

    tape = json.loads(gzip.decompress(open(args.tape, "rb").read()))
    midnight = int(datetime.datetime(2019, 10, 12, tzinfo=datetime.timezone.utc).timestamp() * 1000)
    k = next(i for i, t in enumerate(tape) if t[0] >= midnight)
    trades = tape[:80] + tape[k - 60 : k + 60]
    previous_close = trades[0][4]

    # seeded books: 10 levels a tick apart, around the last price or, one time in three, a price
    # a few trades old (the book lags the trade); sizes from a small LCG
    seed = [12345]

    def rnd():
        seed[0] = (seed[0] * 1103515245 + 12345) % 2**31
        return seed[0] / 2**31

    tick = 1e-8
    events = []
    prices = []
    for t in trades:
        time, _, _, side, price, amount = t[:6]
        events.append({"type": "trade", "time": time, "price": price, "amount": amount, "side": side})
        prices.append(price)
        for delay in (300, 1100):
            ref = prices[max(0, len(prices) - 1 - int(rnd() * 4))] if rnd() < 0.34 else price
            best_ask = round(ref + tick * int(1 + rnd() * 2), 8)
            best_bid = round(best_ask - tick * int(1 + rnd() * 2), 8)
            asks = [[round(best_ask + i * tick, 8), int(1 + rnd() * 500)] for i in range(10)]
            bids = [[round(best_bid - i * tick, 8), int(1 + rnd() * 500)] for i in range(10)]
            events.append({"type": "book", "time": time + delay, "asks": asks, "bids": bids})
    # arrival order = time order; ties keep the order written
    events = [e for _, e in sorted(enumerate(events), key=lambda p: (p[1]["time"], p[0]))]

    r = Receiver()
    r.cstgQ, r.ctraderQ, r.hogaQ, r.windowQ, r.recvservQ = Queue(), Queue(), Queue(), Queue(), Queue()
    r.dict_set = {"리시버공유": 0}
    r.dict_data = {CODE: [previous_close, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}
    r.dict_tddt = {CODE: ["", previous_close]}
    r.dict_tmdt, r.dict_daym, r.dict_dlhp, r.dict_mtop = {}, {}, {}, {}
    r.list_hgdt = [0, 0, 0, 0]
    r.list_gsjm = []
    r.tuple_jango, r.tuple_order = (), ()
    r.hoga_code = None
    r.int_mtdt = None
    r.int_logt = 99999999999999  # no timing log lines
    day = None
    for e in events:
        dt = int(datetime.datetime.fromtimestamp(e["time"] // 1000, datetime.timezone.utc).strftime("%Y%m%d%H%M%S"))
        if day is not None and dt // 1000000 != day:
            r.dict_tmdt = {}
        day = dt // 1000000
        if e["type"] == "trade":
            r.UpdateTradeData(CODE, float(e["price"]), float(e["amount"]), e["side"] == "sell", dt)
        else:
            scope = {"data": {"a": e["asks"], "b": e["bids"]}}
            exec(depth_code, {}, scope)
            r.UpdateHogaData(
                dt,
                scope["hoga_tamount"],
                scope["hoga_seprice"],
                scope["hoga_buprice"],
                scope["hoga_samount"],
                scope["hoga_bamount"],
                CODE,
                datetime.datetime.now(),
            )
    # a row: (dt, c, o, h, low, per, dm, ch, bids, asks, sm, hlp, 2 totals, 20 book, hgjrt, gsjm, code, logt)
    rows = [[float(v) for v in row[:-2]] for row in r.cstgQ.items if isinstance(row, tuple) and len(row) > 30]
    # compact events: [time, price, amount, side] for a trade, [time, asks, bids] for a book
    compact = [
        [e["time"], e["price"], e["amount"], e["side"]] if e["type"] == "trade" else [e["time"], e["asks"], e["bids"]]
        for e in events
    ]
    out = {
        "source": "Py-CI-Park/STOM@63aa7ef coin/binance_receiver_tick.py UpdateTradeData, UpdateHogaData, MainLoop depth parsing",
        "symbol": CODE,
        "previousClose": previous_close,
        "events": compact,
        "rows": rows,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"{args.out}: {len(events)} events, {len(rows)} rows")


if __name__ == "__main__":
    main()
