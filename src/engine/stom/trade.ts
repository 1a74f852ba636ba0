/** One closed trade as STOM's backtester reports it (CalculationEyun, backengine_kiwoom_tick.py 851). */
export interface StomTrade {
  /** 종목코드 */
  readonly code: string;
  /** 종목명 (the code on coin DBs) */
  readonly name: string;
  /** 시가총액 at the sell (stock DBs; 0 on coin DBs) */
  readonly marketCap: number;
  /** 매수시간 and 매도시간: the DB's index (yyyymmddhhmmss, yyyymmddhhmm on minute DBs) */
  readonly buy: number;
  readonly sell: number;
  /** 보유시간: seconds on tick DBs, minutes on minute DBs */
  readonly hold: number;
  /** 매수가, 매도가 */
  readonly bp: number;
  readonly sp: number;
  /** 주문수량 */
  readonly qty: number;
  /** 매수금액, 매도금액 (after fees and tax) */
  readonly bg: number;
  readonly pg: number;
  /** 수익률 % and 수익금 */
  readonly pp: number;
  readonly sg: number;
  /** 매도조건: the line above the `매도 = True` that fired, or 전략종료청산 (closed at the day's end) */
  readonly cond: string;
  readonly condNumber: number;
  /** rows of the buy and the sell in the symbol's data */
  readonly buyRow: number;
  readonly sellRow: number;
  /** the symbol's position in the input */
  readonly symbolNo: number;
}

/** One fill a STOM run made (or a live venue reported): what a live session hands back per snapshot. */
export interface StomFill {
  readonly kind: "buy" | "sell";
  readonly symbol: string;
  /** UTC ms of the snapshot that filled (or the venue's fill time) */
  readonly time: number;
  /** 매수가 / 매도가 (the book walk's average, rounded as STOM rounds it) */
  readonly price: number;
  readonly qty: number;
  /** sells: the sell condition (the line above `매도 = True`, or 전략종료청산, 손실중지, 수익중지) */
  readonly reason?: string;
  /** sells: 수익금 after fees and tax */
  readonly pnl?: number;
}
