// STOM's own rewriting of a strategy text before it runs, as backtester/back_static.py does it
// (Py-CI-Park/STOM@63aa7ef): the engine never runs what follows `if 매수:` / `if 매도:`; it appends its
// own order call, moves `self.indicator` lines out of the buy text, and numbers the sell conditions.

/** The buy text as STOM runs it, line numbers kept. */
export interface BuyText {
  /** the text up to `if 매수:`, `self.indicator` lines blanked, STOM's `if 매수:` order call appended */
  readonly text: string;
  /** the `self.indicator[...] = ...` lines (STOM's indistg), with their 1-based line numbers */
  readonly indicatorLines: readonly { readonly line: number; readonly text: string }[];
}

/** The sell text as STOM runs it, line numbers kept, and which line sets which sell condition. */
export interface SellText {
  readonly text: string;
  /** 1-based line -> condition number, for the lines that set 매도 = True */
  readonly condLines: ReadonlyMap<number, number>;
  /** condition number -> the line above it, as STOM reports it (0 = 전략종료청산, 100 = 분할매도, 200 = 손절청산) */
  readonly conditions: Readonly<Record<number, string>>;
}

/**
 * back_static.GetBuyStg (line 200): `buytxt.split('if 매수:')[0] + 'if 매수:\n    self.Buy(vturn, vkey)'`,
 * then every line holding `self.indicator` goes to indistg. Blank lines stand in for them here so
 * that errors keep the line numbers of the text as written.
 */
export function stomBuyText(text: string): BuyText {
  const head = normalise(text).split("if 매수:")[0];
  const indicatorLines: { line: number; text: string }[] = [];
  const lines = `${head}if 매수:\n    self.Buy()`.split("\n").map((line, k) => {
    if (!line.includes("self.indicator")) return line;
    // a commented-out setting goes to indistg too, where it does nothing
    if (!line.trimStart().startsWith("#")) indicatorLines.push({ line: k + 1, text: line });
    return "";
  });
  return { text: lines.join("\n"), indicatorLines };
}

/**
 * back_static.GetSellStg (line 227) and SetSellCond (line 261): the text up to `if 매도:`, STOM's order
 * call appended; each line without '#' that holds `매도 = True` (any spacing around '=') gets the next
 * condition number, named by the line before it.
 */
export function stomSellText(text: string): SellText {
  const head = normalise(text).split("if 매도:")[0];
  const body = `${head}if 매도:\n    self.Sell()`;
  // STOM prepends 'sell_cond = 0', so the first line's "line before" is that
  const lines = ["sell_cond = 0", ...body.split("\n")];
  const condLines = new Map<number, number>();
  const conditions: Record<number, string> = { 0: "전략종료청산", 100: "분할매도", 200: "손절청산" };
  let count = 1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.includes("#") && /매도 ?= ?True/.test(line)) {
      conditions[count] = lines[i - 1];
      condLines.set(i, count);
      count++;
    }
  }
  return { text: body, condLines, conditions };
}

const normalise = (text: string): string => text.replace(/\r\n?/g, "\n");
