#!/usr/bin/env python3
"""Writes test/engine/fixtures/stom-indicator-oracle.json: what STOM's OWN code gives a minute text.

It runs, verbatim, back_static.py GetIndicator and the X_N(pre) closures of backengine_kiwoom_min.py
(Py-CI-Park/STOM@63aa7ef, extracted from the source files, not retyped) row by row the way the minute engine
does (tick_count per day, start = indexn + 1 - tick_count, mc/mh/ml/mv = 현재가/분봉고가/분봉저가/분당거래대금),
with `talib.stream` backed by the real TA-Lib C library through ctypes. The shim below follows ta-lib-python's
talib/_stream.pxi (check_array, check_lengthN, NaN outputs, TA_<FUNC>(len-1, len-1, ...), raise on a TA-Lib
error); Cython's C-int conversion is taken as Cython 0.29's (a float is truncated).

    python3 test/support/stom-indicator-oracle.py --stom /tmp/stom --talib-so libta.so \
        --stock-db stock_min_movers_vi_rich.db --coin-db coin_min_shift5.db

libta.so: a shared TA-Lib 0.4.0 built as test/support/talib-golden.ts describes, then
`ar x` of src/lib/lib/*.a and `gcc -shared -o libta.so *.o -lm`. The DBs: /work/shared/data/stom/dbs/*.db.gz,
gunzipped. Needs numpy. The test that reads the fixture is test/engine/talib.test.ts.
"""

import argparse
import ast
import base64
import ctypes
import gzip
import json
import math
import os
import sqlite3
import subprocess
import sys
import textwrap
import types

import numpy as np

NAMES = ['AD', 'ADOSC', 'ADXR', 'APO', 'AROOND', 'AROONU', 'ATR', 'BBU', 'BBM', 'BBL', 'CCI', 'DIM', 'DIP', 'MACD',
         'MACDS', 'MACDH', 'MFI', 'MOM', 'OBV', 'PPO', 'ROC', 'RSI', 'SAR', 'STOCHSK', 'STOCHSD', 'STOCHFK', 'STOCHFD',
         'WILLR']

# utility/setting.py:579 `indicator`, key order = the k list
KEYS = ['ADOSC_fastperiod', 'ADOSC_slowperiod', 'ADXR_timeperiod', 'APO_fastperiod', 'APO_slowperiod', 'APO_matype',
        'AROON_timeperiod', 'ATR_timeperiod', 'BBANDS_timeperiod', 'BBANDS_nbdevup', 'BBANDS_nbdevdn', 'BBANDS_matype',
        'CCI_timeperiod', 'DI_timeperiod', 'MACD_fastperiod', 'MACD_slowperiod', 'MACD_signalperiod', 'MFI_timeperiod',
        'MOM_timeperiod', 'PPO_fastperiod', 'PPO_slowperiod', 'PPO_matype', 'ROC_timeperiod', 'RSI_timeperiod',
        'SAR_acceleration', 'SAR_maximum', 'STOCHS_fastk_period', 'STOCHS_slowk_period', 'STOCHS_slowk_matype',
        'STOCHS_slowd_period', 'STOCHS_slowd_matype', 'STOCHF_fastk_period', 'STOCHF_fastd_period',
        'STOCHF_fastd_matype', 'WILLR_timeperiod']

# settings that reach STOM's quirks: swapped periods, every MA family, a disabled DI (DIM_N's tuple), an invalid
# RSI period (the except branch), SAR off but SAR_N on, a fractional period, INT_MIN (TA-Lib's default), ...
SETTINGS = [
    {'ADOSC_fastperiod': 10, 'ADOSC_slowperiod': 3, 'ADXR_timeperiod': 5, 'APO_fastperiod': 5, 'APO_slowperiod': 20,
     'APO_matype': 1, 'AROON_timeperiod': 9, 'ATR_timeperiod': 1, 'BBANDS_timeperiod': 20, 'BBANDS_nbdevup': 1.5,
     'BBANDS_nbdevdn': 2.5, 'BBANDS_matype': 6, 'CCI_timeperiod': 40, 'DI_timeperiod': 0, 'MACD_fastperiod': 26,
     'MACD_slowperiod': 12, 'MACD_signalperiod': 9, 'MFI_timeperiod': 7, 'MOM_timeperiod': 1, 'PPO_fastperiod': 12,
     'PPO_slowperiod': 26, 'PPO_matype': 8, 'ROC_timeperiod': 3, 'RSI_timeperiod': 1, 'SAR_acceleration': 0,
     'SAR_maximum': 0.2, 'STOCHS_fastk_period': 14, 'STOCHS_slowk_period': 3, 'STOCHS_slowk_matype': 3,
     'STOCHS_slowd_period': 3, 'STOCHS_slowd_matype': 4, 'STOCHF_fastk_period': 5, 'STOCHF_fastd_period': 3,
     'STOCHF_fastd_matype': 7, 'WILLR_timeperiod': 14.7},
    {'RSI_timeperiod': 14, 'MACD_fastperiod': 12, 'MACD_slowperiod': 26, 'MACD_signalperiod': 0,
     'SAR_acceleration': 0.3, 'SAR_maximum': 0.2, 'BBANDS_timeperiod': 40, 'BBANDS_nbdevup': 2, 'BBANDS_nbdevdn': 2,
     'BBANDS_matype': 7, 'AROON_timeperiod': 14, 'APO_fastperiod': 0, 'DI_timeperiod': 1, 'STOCHF_fastk_period': 3,
     'STOCHF_fastd_period': 1, 'STOCHF_fastd_matype': 5, 'MOM_timeperiod': -2147483648, 'ATR_timeperiod': 14,
     'ADXR_timeperiod': 14, 'CCI_timeperiod': 14, 'MFI_timeperiod': 14, 'WILLR_timeperiod': 14},
]
PRES = [1, 3, -5]
# rows stored: both day starts and the rows around every lookback edge, then a spread
ROWS = [0, 1, 2, 3, 5, 9, 10, 13, 14, 15, 20, 27, 30, 41, 59,
        60, 61, 62, 63, 65, 69, 70, 74, 75, 80, 87, 90, 101, 110, 130, 160, 199]


def stream_module(so):
    """talib.stream over the C library, as talib/_stream.pxi wraps it."""
    lib = ctypes.CDLL(so)
    lib.TA_Initialize()
    dp = ctypes.POINTER(ctypes.c_double)

    def arr(a):
        if not isinstance(a, np.ndarray) or a.dtype != np.float64:
            raise Exception('input array type is not double')
        if a.ndim != 1:
            raise Exception('input array has wrong dimensions')
        return np.ascontiguousarray(a)

    def cint(v):
        if isinstance(v, (str, bytes, tuple, list)) or v is None:
            raise TypeError('an integer is required')
        r = int(v)
        if r < -2 ** 31 or r > 2 ** 31 - 1:
            raise OverflowError('value too large to convert to int')
        return ctypes.c_int(r)

    def cdbl(v):
        if isinstance(v, (str, bytes, tuple, list)) or v is None:
            raise TypeError('must be real number')
        return ctypes.c_double(float(v))

    def call(name, ins, opts, nout):
        ins = [arr(a) for a in ins]
        n = ins[0].shape[0]
        if any(a.shape[0] != n for a in ins):
            raise Exception('input array lengths are different')
        outs = [ctypes.c_double(float('nan')) for _ in range(nout)]
        beg, nb = ctypes.c_int(0), ctypes.c_int(0)
        rc = getattr(lib, name)(ctypes.c_int(n - 1), ctypes.c_int(n - 1), *[a.ctypes.data_as(dp) for a in ins], *opts,
                                ctypes.byref(beg), ctypes.byref(nb), *[ctypes.byref(o) for o in outs])
        if rc != 0:
            raise Exception('%s function failed with error code %d' % (name, rc))
        vals = [o.value for o in outs]
        return vals[0] if nout == 1 else tuple(vals)

    d = -2 ** 31
    m = types.ModuleType('talib.stream')
    m.AD = lambda h, l, c, v: call('TA_AD', [h, l, c, v], [], 1)
    m.ADOSC = lambda h, l, c, v, fastperiod=d, slowperiod=d: call('TA_ADOSC', [h, l, c, v], [cint(fastperiod), cint(slowperiod)], 1)
    m.ADXR = lambda h, l, c, timeperiod=d: call('TA_ADXR', [h, l, c], [cint(timeperiod)], 1)
    m.APO = lambda r, fastperiod=d, slowperiod=d, matype=0: call('TA_APO', [r], [cint(fastperiod), cint(slowperiod), cint(matype)], 1)
    m.AROON = lambda h, l, timeperiod=d: call('TA_AROON', [h, l], [cint(timeperiod)], 2)
    m.ATR = lambda h, l, c, timeperiod=d: call('TA_ATR', [h, l, c], [cint(timeperiod)], 1)
    m.BBANDS = lambda r, timeperiod=d, nbdevup=-4e37, nbdevdn=-4e37, matype=0: call(
        'TA_BBANDS', [r], [cint(timeperiod), cdbl(nbdevup), cdbl(nbdevdn), cint(matype)], 3)
    m.CCI = lambda h, l, c, timeperiod=d: call('TA_CCI', [h, l, c], [cint(timeperiod)], 1)
    m.MINUS_DI = lambda h, l, c, timeperiod=d: call('TA_MINUS_DI', [h, l, c], [cint(timeperiod)], 1)
    m.PLUS_DI = lambda h, l, c, timeperiod=d: call('TA_PLUS_DI', [h, l, c], [cint(timeperiod)], 1)
    m.MACD = lambda r, fastperiod=d, slowperiod=d, signalperiod=d: call(
        'TA_MACD', [r], [cint(fastperiod), cint(slowperiod), cint(signalperiod)], 3)
    m.MFI = lambda h, l, c, v, timeperiod=d: call('TA_MFI', [h, l, c, v], [cint(timeperiod)], 1)
    m.MOM = lambda r, timeperiod=d: call('TA_MOM', [r], [cint(timeperiod)], 1)
    m.OBV = lambda r, v: call('TA_OBV', [r, v], [], 1)
    m.PPO = lambda r, fastperiod=d, slowperiod=d, matype=0: call('TA_PPO', [r], [cint(fastperiod), cint(slowperiod), cint(matype)], 1)
    m.ROC = lambda r, timeperiod=d: call('TA_ROC', [r], [cint(timeperiod)], 1)
    m.RSI = lambda r, timeperiod=d: call('TA_RSI', [r], [cint(timeperiod)], 1)
    m.SAR = lambda h, l, acceleration=0.02, maximum=0.2: call('TA_SAR', [h, l], [cdbl(acceleration), cdbl(maximum)], 1)
    m.STOCH = lambda h, l, c, fastk_period=d, slowk_period=d, slowk_matype=0, slowd_period=d, slowd_matype=0: call(
        'TA_STOCH', [h, l, c], [cint(fastk_period), cint(slowk_period), cint(slowk_matype), cint(slowd_period),
                                cint(slowd_matype)], 2)
    m.STOCHF = lambda h, l, c, fastk_period=d, fastd_period=d, fastd_matype=0: call(
        'TA_STOCHF', [h, l, c], [cint(fastk_period), cint(fastd_period), cint(fastd_matype)], 2)
    m.WILLR = lambda h, l, c, timeperiod=d: call('TA_WILLR', [h, l, c], [cint(timeperiod)], 1)
    return m


def stom_functions(stom_dir, stream):
    """GetIndicator and the X_N closures, extracted verbatim from STOM's source."""
    src = open(os.path.join(stom_dir, 'backtester/back_static.py'), encoding='utf-8').read()
    fn = next(n for n in ast.parse(src).body if isinstance(n, ast.FunctionDef) and n.name == 'GetIndicator')
    ns = {'stream': stream}
    exec(ast.get_source_segment(src, fn), ns)
    eng = open(os.path.join(stom_dir, 'backtester/backengine_kiwoom_min.py'), encoding='utf-8').read().split('\n')
    s = next(i for i, line in enumerate(eng) if 'def AD_N(pre):' in line)
    e = next(i for i, line in enumerate(eng) if 'def WILLR_N(pre):' in line) + 4
    nns = {'stream': stream}
    exec(textwrap.dedent('\n'.join(eng[s:e])), nns)
    return ns['GetIndicator'], nns


def bars(db, code, n):
    con = sqlite3.connect(db)
    rows = con.execute(f'SELECT "index", 현재가, 분봉고가, 분봉저가, 분당거래대금 FROM "{code}" ORDER BY "index"').fetchall()
    con.close()
    return np.array(rows[:n], dtype=np.float64)


def b64(values):
    """float64 little-endian, gzip (mtime 0), base64"""
    return base64.b64encode(gzip.compress(np.array(values, dtype='<f8').tobytes(), 9, mtime=0)).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--stom', default='/tmp/stom')
    ap.add_argument('--talib-so', default='/tmp/pytalib/lib040/libta.so')
    ap.add_argument('--stock-db', default='/tmp/stomdb/stock_min_movers_vi_rich.db')
    ap.add_argument('--coin-db', default='/tmp/stomdb/coin_min_shift5.db')
    a = ap.parse_args()
    stream = stream_module(a.talib_so)
    get_indicator, nns = stom_functions(a.stom, stream)
    # two days: 60 minutes of KRW-BTC (2022-11-25) then 140 of 025870 (2019-09-20), as one symbol's days
    data = np.concatenate([bars(a.coin_db, 'KRW-BTC', 60), bars(a.stock_db, '025870', 140)])
    last = len(data) - 1
    runs = []
    for settings in SETTINGS:
        indicator = {k: 0 for k in KEYS}
        indicator.update(settings)   # the text's `self.indicator[...] = ...` lines (indistg)
        k = list(indicator.values())
        cols = {n: [] for n in NAMES}
        ncols = {f'{n}_N({p})': [] for n in NAMES for p in PRES}
        tuples = []
        tick_count = 0
        for i in range(len(data)):
            tick_count += 1                                            # backengine_kiwoom_tick.py:410
            start, end = i + 1 - tick_count, i + 1                     # backengine_kiwoom_min.py:437
            mc, mh, ml, mv = data[start:end, 1], data[start:end, 2], data[start:end, 3], data[start:end, 4]
            if i in ROWS:
                for n, v in zip(NAMES, get_indicator(mc, mh, ml, mv, k)):
                    cols[n].append(float(v))
                nns.update(mc=mc, mh=mh, ml=ml, mv=mv, k=k)
                for n in NAMES:
                    for p in PRES:
                        v = nns[f'{n}_N'](p)
                        if isinstance(v, tuple):                      # DIM_N's `except: DIM_ = 0, 0`
                            tuples.append(f'{n}_N({p}) row {i}')
                            v = 0
                        ncols[f'{n}_N({p})'].append(float(v))
            if i == last or str(data[i, 0])[:8] != str(data[i + 1, 0])[:8]:
                tick_count = 0                                         # InitTradeInfo, :421 / :246-248
        # one block per run: the 28 columns at `rows`, then every X_N(pre) (names × pres) at `rows`
        block = [v for n in NAMES for v in cols[n]] + [v for n in NAMES for p in PRES for v in ncols[f'{n}_N({p})']]
        runs.append({'settings': settings, 'values': b64(block), 'tuples': tuples})
    fixture = {
        'comment': 'STOM V1.10 (Py-CI-Park/STOM@63aa7ef) back_static.py GetIndicator and backengine_kiwoom_min.py X_N(pre), '
                   'run verbatim on TA-Lib 0.4.0 (C) over two days of minute bars (60 KRW-BTC rows, then 140 rows of 025870); '
                   'Arrays are float64 little-endian, gzipped, base64; a run\'s `values` holds the 28 columns (STOM\'s name order) '
                   'at `rows`, then X_N(pre) for each name and each of `pres`; `tuples` lists where DIM_N returned (0, 0). '
                   'Regenerate: python3 test/support/stom-indicator-oracle.py (see its docstring).',
        'index': b64(data[:, 0]), 'close': b64(data[:, 1]), 'high': b64(data[:, 2]), 'low': b64(data[:, 3]),
        'volume': b64(data[:, 4]), 'rows': ROWS, 'pres': PRES, 'runs': runs,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, '..', 'engine', 'fixtures', 'stom-indicator-oracle.json')
    with open(out, 'w', encoding='utf-8') as f:
        json.dump(fixture, f, ensure_ascii=False, indent=2)
        f.write('\n')
    biome = os.path.join(here, '..', '..', 'node_modules', '.bin', 'biome')
    if os.path.exists(biome):
        subprocess.run([biome, 'format', '--write', out], check=False, capture_output=True)
    sys.stderr.write(f'wrote {out}\n')


if __name__ == '__main__':
    main()
