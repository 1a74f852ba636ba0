export type Params = Readonly<Record<string, number>>;

/**
 * A search method: asks for candidates in batches and is told their scores (higher is better,
 * NaN for disqualified or failed). Batches are sized by the search, never by the worker count,
 * so results do not depend on how many workers ran them.
 */
export interface Sampler {
  /** up to n candidates; none when the search is over */
  ask(n: number): Params[];
  tell(params: Params, score: number): void;
}

/** Admissible parameter sets (the --constraint). */
export type Constraint = (params: Params) => boolean;
