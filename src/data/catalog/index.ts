export { Catalog } from "./catalog.ts";
export { countGaps, gapBetween } from "./gaps.ts";
export { mergeSorted, type Rows } from "./merge.ts";
export { decodeParquet, type ParquetData, ParquetFile } from "./parquet-read.ts";
export { encodeParquet, type ParquetColumn } from "./parquet-write.ts";
export { slug } from "./slug.ts";
export * from "./types.ts";
